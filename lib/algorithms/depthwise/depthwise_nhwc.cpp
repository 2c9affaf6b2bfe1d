// depthwise-nhwc: groups = C, M = C x multiplier, channels-last. Channels run across the vector
// lanes, several output pixels per step share each tap's weight vector; border pixels skip the
// taps that fall in the padding. The filter (and bias) are packed per block of V output
// channels in the order the loop reads them. No workspace.
#include "../../parallel/for_each_share.hpp"
#include "depthwise_common.hpp"

namespace gemmconv {

namespace {

bool supports(const ConvDesc& d) {
  return d.layout == Layout::NHWC && d.Cg() == 1;
}

// Per block of V output channels: KH*KW weight vectors, then the bias vector.
void prepare(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  plan.isa = selected_isa();
  const int64_t v = depthwise_kernels(plan.isa).vector_floats, taps = d.taps();
  const int64_t blocks = (d.M + v - 1) / v, block_floats = (taps + 1) * v;
  plan.filter = AlignedBuffer(checked_product(std::size_t(blocks), std::size_t(block_floats)));
  float* packed = plan.filter.data();
  for (std::size_t i = 0; i < plan.filter.size(); ++i) packed[i] = 0.0f;
  for (int64_t m = 0; m < d.M; ++m) {
    float* block = packed + (m / v) * block_floats + m % v;
    for (int64_t ky = 0; ky < d.KH; ++ky)
      for (int64_t kx = 0; kx < d.KW; ++kx) block[(ky * d.KW + kx) * v] = filter.at(m, 0, ky, kx);
    block[taps * v] = plan.has_bias() ? plan.bias[std::size_t(m)] : 0.0f;
  }
}

void run(const Plan& plan, const float* input, float* output, float*) {
  const ConvDesc& d = plan.desc;
  const DepthwiseKernels& kernels = depthwise_kernels(plan.isa);
  const RowItems items = row_items(d, plan.team(), kernels.vector_floats);
  for_each_share(plan.team(), items.items, [&](Range share, int) {
    for_each_row_run(d, items, share.begin, share.end,
                     [&](int64_t n, int64_t row0, int64_t row1, int64_t m0, int64_t m1) {
                       DepthwiseNhwcJob job;
                       job.x = input + n * d.in_image();
                       job.y = output + n * d.out_image();
                       job.weights = plan.filter.data();
                       job.C = d.C;
                       job.M = d.M;
                       job.multiplier = d.Mg();
                       job.row_begin = row0;
                       job.row_end = row1;
                       job.m_begin = m0;
                       job.m_end = m1;
                       job.g = window_geometry(d);
                       job.clamp = output_clamp(plan);
                       kernels.nhwc_rows(job);
                     });
  });
}

}  // namespace

extern const Algorithm kDepthwiseNhwc = {
    "depthwise-nhwc", supports, no_workspace, prepare, run, 25, same_rate,
};

}  // namespace gemmconv
