// depthwise-nhwc: groups = C, M = C x multiplier, channels-last. Channels run across the vector
// lanes, several output pixels per step share each tap's weight vector; border pixels skip the
// taps that fall in the padding. The filter (and bias) are packed per block of V output
// channels in the order the loop reads them. No workspace.
#include "depthwise_common.hpp"

namespace gemmconv {

void pack_depthwise_blocks(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
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

namespace {

bool supports(const ConvDesc& d) {
  return d.layout == Layout::NHWC && d.Cg() == 1;
}

void prepare(Plan& plan, const FilterView& filter) {
  plan.isa = selected_isa();
  pack_depthwise_blocks(plan, filter);
}

void run(const Plan& plan, const float* input, float* output, float*) {
  const DepthwiseKernels& kernels = depthwise_kernels(plan.isa);
  DepthwiseNhwcJob job;
  job.multiplier = plan.desc.Mg();
  run_channels_last(plan, plan.desc, input, output, kernels.vector_floats, job, kernels.nhwc_rows);
}

}  // namespace

extern const Algorithm kDepthwiseNhwc = {
    "depthwise-nhwc", supports, no_workspace, prepare, run, same_rate,
};

}  // namespace gemmconv
