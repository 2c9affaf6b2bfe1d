// grouped-nhwc: convolutions with few channels per group, channels-last. A vector of V output
// channels spans V / (M/G) groups (or part of one); for each tap it multiplies the input
// channels of those groups, one broadcast each, by a weight vector that is zero in the lanes of
// the other groups. With 4 channels per group this does the work of a GEMM whose tile is no
// wider than the group, without packing the input. One group is the case of a single wide
// group: a direct convolution vectorised over output channels, which reads the input where it
// lies, where the GEMM paths would pack few channels (C = 3) or few pixels (1x1 layers on small
// planes) into panels first. No workspace.
#include <algorithm>
#include <cmath>

#include "../../conv/geometry.hpp"
#include "depthwise_common.hpp"

namespace gemmconv {

namespace {

bool supports(const ConvDesc& d) {
  return d.layout == Layout::NHWC;
}

// The input channels a block of output channels [m0, m0 + lanes) reads: those of its groups.
struct BlockChannels {
  int64_t first, count;
};
BlockChannels block_channels(const ConvDesc& d, int64_t m0, int64_t lanes) {
  const int64_t g_lo = m0 / d.Mg(), g_hi = (m0 + lanes - 1) / d.Mg();
  return {g_lo * d.Cg(), (g_hi - g_lo + 1) * d.Cg()};
}

// Floats between consecutive blocks: V biases, then KH*KW x (the most channels a block reads)
// weight vectors.
int64_t block_stride(const ConvDesc& d, int64_t v) {
  int64_t most = 0;
  for (int64_t m0 = 0; m0 < d.M; m0 += v) {
    const int64_t c = block_channels(d, m0, std::min(v, d.M - m0)).count;
    most = c > most ? c : most;
  }
  return int64_t(checked_add(
      std::size_t(v), checked_product(std::size_t(d.taps()), std::size_t(most), std::size_t(v))));
}

// A 1x1 layer with unit stride and no padding reads and writes its pixels in one order, so its
// rows are only a way to cut the work: it runs as rows of the longest length up to 256 pixels
// that divides the plane (a plane of 7x7 becomes one row of 49), which leaves fewer short pixel
// steps at row ends. Each output's sum is the same whatever the rows.
ConvDesc with_long_rows(const ConvDesc& d) {
  if (d.KH != 1 || d.KW != 1 || !d.stride_one() || !d.no_padding()) return d;
  constexpr int64_t kLongestRow = 256;
  const int64_t pixels = d.H * d.W;
  int64_t row = d.W;
  for (int64_t length = std::min(pixels, kLongestRow); length > d.W; --length)
    if (pixels % length == 0) {
      row = length;
      break;
    }
  ConvDesc flat = d;
  flat.W = flat.Wo = row;
  flat.H = flat.Ho = pixels / row;
  return flat;
}

// What the plan runs with, decided once: the layer's rows as the loop walks them and the
// distance between packed blocks of the plan's vector width.
struct GroupedState final : PlanState {
  ConvDesc rows;
  int64_t block_stride;
  std::size_t workspace_bytes() const override { return 0; }
  std::size_t bytes() const override { return sizeof *this; }
};

void prepare(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  plan.isa = selected_isa();
  const int64_t v = depthwise_kernels(plan.isa).vector_floats;
  const int64_t blocks = (d.M + v - 1) / v, stride = block_stride(d, v);
  auto state = std::make_unique<GroupedState>();
  state->rows = with_long_rows(d);
  state->block_stride = stride;
  plan.state = std::move(state);
  plan.filter = AlignedBuffer(checked_product(std::size_t(blocks), std::size_t(stride)));
  float* packed = plan.filter.data();
  for (std::size_t i = 0; i < plan.filter.size(); ++i) packed[i] = 0.0f;
  for (int64_t m = 0; m < d.M; ++m) {
    const int64_t m0 = m / v * v, lane = m % v;
    const BlockChannels channels = block_channels(d, m0, std::min(v, d.M - m0));
    float* block = packed + (m / v) * stride;
    block[lane] = plan.has_bias() ? plan.bias[std::size_t(m)] : 0.0f;
    const int64_t first = (m / d.Mg()) * d.Cg() - channels.first;  // the group's first channel
    for (int64_t ky = 0; ky < d.KH; ++ky)
      for (int64_t kx = 0; kx < d.KW; ++kx)
        for (int64_t c = 0; c < d.Cg(); ++c)
          block[v + ((ky * d.KW + kx) * channels.count + first + c) * v + lane] =
              filter.at(m, c, ky, kx);
  }
}

// The fraction of its rate the kernel keeps on a layer, the product of three losses fitted to
// the bench (NHWC layers of the six networks against tiled-nhwc, 1 and 2 threads):
// - lanes: a block holds M' of V useful lanes when a vector spans several groups, all but the
//   last block's spare lanes otherwise;
// - reduction: with several taps, beyond about 1152 weights per output channel a pixel step
//   waits on its weight stream (3x3 layers with 256 channels and more run slower than a GEMM);
//   1x1 layers keep their rate up to 2048 channels;
// - borders: output columns whose window crosses the padding go one pixel at a time, at half
//   the rate (planes of 7 and 14 columns). Weighed against the GEMMs' shape factors with their
//   pixel fill: a quarter of the rate lost instead would give GoogLeNet's 7x7 3x3 and 5x5
//   layers to this kernel, 1.04-1.13x slower there than tiled-nhwc at 1 thread.
double kernel_fit(const ConvDesc& d, int) {
  const int64_t v = isa_vector_floats(selected_isa()), mg = d.Mg();
  const double lanes = mg < v ? double(mg) / double(v) : double(mg) / double((mg + v - 1) / v * v);
  const double reduction =
      d.taps() > 1 && d.reduction() > 1152 ? std::sqrt(1152.0 / double(d.reduction())) : 1.0;
  // Output columns whose window lies inside the input: o * SW - PL in [0, W - span).
  const int64_t span = (d.KW - 1) * d.DW;
  const IndexRange inside =
      d.W > span ? valid_outputs(d.Wo, d.SW, -d.PL, d.W - span) : IndexRange{0, 0};
  const double border = double(d.Wo - (inside.end - inside.begin)) / double(d.Wo);
  return lanes * reduction / (1.0 + border);
}

void run(const Plan& plan, const float* input, float* output, float*) {
  const GroupedState& state = plan.state_as<GroupedState>();
  const DepthwiseKernels& kernels = depthwise_kernels(plan.isa);
  GroupedNhwcJob job;
  job.Cg = plan.desc.Cg();
  job.Mg = plan.desc.Mg();
  job.block_stride = state.block_stride;
  run_channels_last(plan, state.rows, input, output, kernels.vector_floats, job,
                    kernels.grouped_nhwc_rows);
}

}  // namespace

extern const Algorithm kGroupedNhwc = {
    "grouped-nhwc", supports, no_workspace, prepare, run, kernel_fit,
};

}  // namespace gemmconv
