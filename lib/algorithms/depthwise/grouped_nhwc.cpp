// grouped-nhwc: convolutions with few channels per group, channels-last. A vector of V output
// channels spans V / (M/G) groups (or part of one); for each tap it multiplies the input
// channels of those groups, one broadcast each, by a weight vector that is zero in the lanes of
// the other groups. With 4 channels per group this does the work of a GEMM whose tile is no
// wider than the group, without packing the input. One group is the case of a single wide
// group: a direct convolution vectorised over output channels, which reads the input where it
// lies, where the GEMM paths would pack few channels (C = 3) or few pixels (1x1 layers on small
// planes) into panels first. No workspace.
//
// channels-nchw, the second record here, is the same on channels-first tensors: the same packed
// weights and loop, the broadcasts read from the input channels' planes and each output vector
// stored a lane at a time into its planes.
#include <algorithm>

#include "../../blis/microkernel.hpp"
#include "../../conv/geometry.hpp"
#include "depthwise_common.hpp"

namespace gemmconv {

namespace {

bool supports_nhwc(const ConvDesc& d) {
  return d.layout == Layout::NHWC;
}
bool supports_nchw(const ConvDesc& d) {
  return d.layout == Layout::NCHW;
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
// that divides the plane, and leaves a row for each of the plan's threads (a plane of 7x7
// becomes one row of 49 on one thread; 14x14 two rows of 98 on two), which leaves fewer short
// pixel steps at row ends. Each output's sum is the same whatever the rows.
ConvDesc with_long_rows(const ConvDesc& d, int threads) {
  if (d.KH != 1 || d.KW != 1 || !d.stride_one() || !d.no_padding()) return d;
  constexpr int64_t kLongestRow = 256;
  const int64_t pixels = d.H * d.W;
  int64_t row = d.W;
  const int64_t longest = std::min(kLongestRow, std::max<int64_t>(1, pixels / threads));
  for (int64_t length = std::min(pixels, longest); length > d.W; --length)
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
  // Threads that take whole slabs of the output channels share out no rows: a 1x1 layer on a
  // 7x7 plane on two threads runs a row of 49 pixels in each slab, not seven rows of a step of
  // four pixels and one of three (1.3x-1.4x faster with 2048 or 512 output channels).
  const bool slabs_only = row_items(d, plan.threads, v).slabs % plan.threads == 0;
  state->rows = with_long_rows(d, slabs_only ? 1 : plan.threads);
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

// The share of the layer's taps (over all output pixels) that read a real input pixel rather
// than the padding.
double real_tap_share(const ConvDesc& d) {
  int64_t rows = 0, cols = 0;
  for (int64_t ky = 0; ky < d.KH; ++ky) rows += valid_rows(d, ky).end - valid_rows(d, ky).begin;
  for (int64_t kx = 0; kx < d.KW; ++kx) cols += valid_cols(d, kx).end - valid_cols(d, kx).begin;
  return double(rows) * double(cols) / (double(d.Ho * d.KH) * double(d.Wo * d.KW));
}

// The fraction of its rate the kernel keeps on a layer (the FLOPs count every tap), fitted to
// the bench (NHWC layers of the six networks against tiled-nhwc, 1 and 2 threads: AUTO's choice
// between the two within 1.2% of the faster one's total on each network):
// - lanes: a block holds M' of V useful lanes when a vector spans several groups, all but the
//   last block's spare lanes otherwise;
// - padding: the kernel reads only the taps inside the input, at full rate on border pixels too,
//   where a GEMM computes every tap (a 3x3 layer on a 14x14 plane has 9% of its taps in the
//   padding, on 7x7 18%).
double kernel_fit(const ConvDesc& d, int) {
  const int64_t v = isa_vector_floats(selected_isa()), mg = d.Mg();
  const double lanes = mg < v ? double(mg) / double(v) : double(mg) / double((mg + v - 1) / v * v);
  const double real = real_tap_share(d);
  return real > 0.0 ? lanes / real : lanes;
}

// The weights a chunk of the loop may keep in a core's L2: BLIS's MC x KC block.
int64_t l2_weight_bytes() {
  const MicroKernel& blis = micro_kernel();
  return blis.mc * blis.kc * int64_t(sizeof(float));
}

// A step of one vector of output channels (a group's last, narrower block, or an odd whole
// block: the loop's each_grouped_block takes whole blocks four or two at a time) makes 6
// multiply-adds of each input channel's line, read from L2 once per step: on skx channels-nchw
// ran such layers at 0.6 of its rate (16 and 24 output channels), where grouped-nchw keeps
// 0.85-0.93. The share of a group's blocks that go one at a time keeps that much.
double single_block_fit(const ConvDesc& d, int64_t v) {
  const int64_t mg = d.Mg();
  if (mg < v) return 1.0;  // every block spans groups: the lanes term of kernel_fit
  const int64_t whole = mg / v, blocks = (mg + v - 1) / v;
  const int64_t single = whole % 2 + (blocks - whole);
  constexpr double kSingleBlockRate = 0.6;
  return 1.0 - double(single) / double(blocks) * (1.0 - kSingleBlockRate);
}

// channels-nchw stores each output vector a lane at a time: per output vector the loop issues
// C' x (real taps) multiply-adds, two a cycle, and V lane stores, one a cycle, so it keeps
// sums / (sums + V) of its rate with sums = C' x taps / 2 (a 1x1 layer with 64 input channels
// on skx: 0.67, measured 0.61 of its rate on 3x3 layers with 64 or more; 1024 channels: 0.98).
// Input planes a multiple of 4 KiB apart put the same pixel of every channel in one L1 set
// (224x224 planes: 1.65x slower than grouped-nchw on skx, 1.4x on haswell): 0.73 of the rate.
// With vectors narrower than AVX-512's a step holds 6 pixels x 2 vectors: 0.82 (also where a
// unit's weights of every tap pass the L2 block: VGG-19 conv5_1, 512 channels of 14x14, ran at
// 0.91x-0.93x tiled-nchw's time on haswell at 1 and 2 threads; no other layer of the six
// networks' NCHW layers changes hands with it).
// Fitted on BLIS's skx and haswell kernels against tiled-nchw and grouped-nchw, the four dense
// networks' NCHW layers at 1 and 2 threads (each algorithm's time per layer measured side by
// side): on skx AUTO's choice among the three then totals within 0-2.6% of the per-layer
// fastest's on each network (0-5.4% with the store share left out); on haswell within 1.1% of
// the totals of the choices made with it left out. grouped-nhwc, which stores a vector per
// pixel, keeps its full rate with either width. Steps of a single block: single_block_fit.
double channels_nchw_fit(const ConvDesc& d, int threads) {
  const int64_t v = isa_vector_floats(selected_isa());
  const double sums = double(d.Cg()) * double(d.taps()) * real_tap_share(d) / 2.0;
  const double stores = sums / (sums + double(v));
  constexpr int64_t kL1SetStride = 4096;  // addresses this far apart share an L1 set
  const bool aliased = d.H * d.W * int64_t(sizeof(float)) % kL1SetStride == 0;
  double share = 1.0;
  if (aliased) {
    share = 0.73;
  } else if (v < 16) {
    share = 0.82;
  }
  return kernel_fit(d, threads) * stores * share * single_block_fit(d, v);
}

void run(const Plan& plan, const float* input, float* output, float*) {
  const GroupedState& state = plan.state_as<GroupedState>();
  const DepthwiseKernels& kernels = depthwise_kernels(plan.isa);
  GroupedLanesJob job;
  job.Cg = plan.desc.Cg();
  job.Mg = plan.desc.Mg();
  job.block_stride = state.block_stride;
  job.channels_last = plan.desc.layout == Layout::NHWC;
  job.l2_weight_bytes = l2_weight_bytes();
  run_channels_last(plan, state.rows, input, output, kernels.vector_floats, job,
                    kernels.grouped_lanes_rows);
}

}  // namespace

extern const Algorithm kGroupedNhwc = {
    "grouped-nhwc", supports_nhwc, no_workspace, prepare, run, kernel_fit,
};
extern const Algorithm kChannelsNchw = {
    "channels-nchw", supports_nchw, no_workspace, prepare, run, channels_nchw_fit,
};

}  // namespace gemmconv
