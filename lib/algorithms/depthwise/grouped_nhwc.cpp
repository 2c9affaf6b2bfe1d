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
#include <cstdint>

#include "../../base/aligned_buffer.hpp"
#include "../../base/checked.hpp"
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

// Packs the filter (and bias) per block of V output channels for the plan's ISA; returns the
// distance between blocks.
int64_t pack_blocks(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  plan.isa = selected_isa();
  const int64_t v = depthwise_kernels(plan.isa).vector_floats;
  const int64_t blocks = (d.M + v - 1) / v, stride = block_stride(d, v);
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
  return stride;
}

void prepare(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  auto state = std::make_unique<GroupedState>();
  state->block_stride = pack_blocks(plan, filter);
  // Threads that take whole slabs of the output channels share out no rows: a 1x1 layer on a
  // 7x7 plane on two threads runs a row of 49 pixels in each slab, not seven rows of a step of
  // four pixels and one of three (1.3x-1.4x faster with 2048 or 512 output channels).
  const int64_t v = depthwise_kernels(plan.isa).vector_floats;
  const bool slabs_only = row_items(d, plan.threads, v).slabs % plan.threads == 0;
  state->rows = with_long_rows(d, slabs_only ? 1 : plan.threads);
  plan.state = std::move(state);
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
// networks' NCHW layers changes hands with it); 0.66 on strided 1x1 layers, whose broadcasts use
// every other pixel of the lines they bring in, where a wider kernel's taps use the rest (on
// haswell, 1 and 2 threads, ResNet-50's strided 1x1 layers ran 1.0x-1.1x the time 0.82 gives,
// pointwise-nchw and tiled-nchw 0.75x-0.9x theirs; with 0.82 AUTO takes this loop for
// res5a_branch2a, 1.14x-1.36x pointwise-nchw's time).
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
    share = d.taps() == 1 && !d.stride_one() ? 0.66 : 0.82;
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
  job.input_channels_last = job.output_channels_last = plan.desc.layout == Layout::NHWC;
  job.l2_weight_bytes = l2_weight_bytes();
  run_channels_last(plan, state.rows, input, output, kernels.vector_floats, job,
                    kernels.grouped_lanes_rows);
}

// ---- channels-staged-nchw ---------------------------------------------------------------

// A thread's stage holds the input rows of `rows` output rows, every input channel, as
// channels-last pixels with the zeros of the padding: every output pixel reads all its taps
// from the stage (the loop's interior pixels, in its widest steps). Each row is `width` pixels:
// the left padding, the row, and zeros to the last output's last tap.
struct StageBand {
  int64_t rows, staged_rows, width;
  std::size_t bytes;
};

// The most a thread's stage holds by default (the library's per-thread workspace bound).
constexpr std::size_t kMaxStageBytes = std::size_t{256} << 10;

StageBand stage_band(const ConvDesc& d, int64_t rows) {
  StageBand b;
  b.rows = rows;
  b.staged_rows = (rows - 1) * d.SH + (d.KH - 1) * d.DH + 1;
  b.width = std::max(d.PL + d.W, (d.Wo - 1) * d.SW + (d.KW - 1) * d.DW + 1);
  b.bytes = round_up(float_bytes(checked_product(std::size_t(b.staged_rows), std::size_t(b.width),
                                                 std::size_t(d.C))),
                     kAlignment);
  return b;
}

// As many output rows a band as fit the per-thread share of `limit` (and kMaxStageBytes); one
// at the least.
StageBand band_for(const ConvDesc& d, int threads, std::size_t limit) {
  const std::size_t budget = std::min(kMaxStageBytes, limit / std::size_t(std::max(threads, 1)));
  StageBand best = stage_band(d, 1);
  for (int64_t rows = 2; rows <= d.Ho; ++rows) {
    const StageBand b = stage_band(d, rows);
    if (b.bytes > budget) break;
    best = b;
  }
  return best;
}

// Layers whose stage for one output row fits kMaxStageBytes (estimated in floating point
// first: a window reaching far would overflow the exact count). 1x1 layers reuse nothing
// between taps and are left to pointwise-nchw and channels-nchw.
bool supports_staged(const ConvDesc& d) {
  if (d.layout != Layout::NCHW || d.taps() == 1) return false;
  const double rows = double(d.KH - 1) * double(d.DH) + 1.0;
  const double width =
      std::max(double(d.PL) + double(d.W),
               double(d.Wo - 1) * double(d.SW) + double(d.KW - 1) * double(d.DW) + 1.0);
  if (rows * width * double(d.C) * double(sizeof(float)) > double(kMaxStageBytes)) return false;
  return stage_band(d, 1).bytes <= kMaxStageBytes;
}

struct StagedState final : PlanState {
  StageBand band;
  int64_t block_stride;
  int threads;
  std::size_t workspace_bytes() const override {
    return checked_mul(band.bytes, std::size_t(threads));
  }
  std::size_t bytes() const override { return sizeof *this; }
};

std::size_t staged_workspace_bytes(const ConvDesc& d, int threads, std::size_t limit) {
  return checked_mul(band_for(d, threads, limit).bytes, std::size_t(threads));
}

void prepare_staged(Plan& plan, const FilterView& filter) {
  auto state = std::make_unique<StagedState>();
  state->block_stride = pack_blocks(plan, filter);
  state->band = band_for(plan.desc, plan.threads, plan.workspace_limit);
  state->threads = plan.threads;
  plan.state = std::move(state);
}

void run_staged(const Plan& plan, const float* input, float* output, float* workspace) {
  const StagedState& state = plan.state_as<StagedState>();
  const DepthwiseKernels& kernels = depthwise_kernels(plan.isa);
  const ConvDesc& d = plan.desc;
  const StageBand& band = state.band;
  GroupedLanesJob job;
  job.weights = plan.filter.data();
  job.C = d.C;
  job.M = d.M;
  job.Cg = d.Cg();
  job.Mg = d.Mg();
  job.block_stride = state.block_stride;
  job.input_channels_last = true;
  job.output_channels_last = false;
  job.l2_weight_bytes = l2_weight_bytes();
  job.clamp = output_clamp(plan);
  // Each band reads its stage: `width` columns from the left padding's first, rows from its
  // first output row's first tap row (below).
  job.g = window_geometry(d);
  job.g.W = band.width;
  job.g.PL = 0;
  const RowItems items = row_items(d, plan.team(), kernels.vector_floats);
  for_each_share(plan.team(), items.items, [&](Range share, int thread) {
    float* stage = workspace + std::size_t(thread) * band.bytes / sizeof(float);
    for_each_row_run(d, items, share.begin, share.end,
                     [&](int64_t n, int64_t row0, int64_t row1, int64_t m0, int64_t m1) {
                       for (int64_t oy = row0; oy < row1; oy += band.rows) {
                         const int64_t oy_end = std::min(row1, oy + band.rows);
                         const int64_t rows = (oy_end - oy - 1) * d.SH + (d.KH - 1) * d.DH + 1;
                         const NchwPixelsJob staging = {
                             input + n * d.in_image(), stage, d.C,  d.H * d.W, d.H, d.W,
                             oy * d.SH - d.PT,         rows,  d.PL, band.width};
                         kernels.nchw_stage_pixels(staging);
                         // Stage row 0 is output row oy's first tap row.
                         GroupedLanesJob mine = job;
                         mine.x = stage;
                         mine.y = output + n * d.out_image();
                         mine.g.H = rows;
                         mine.g.PT = oy * d.SH;
                         mine.row_begin = oy;
                         mine.row_end = oy_end;
                         mine.m_begin = m0;
                         mine.m_end = m1;
                         kernels.grouped_lanes_rows(mine);
                       }
                     });
  });
}

// channels-nchw's fit without its channels-first input's share (the stage is read as
// grouped-nhwc reads its input), the padding's taps computed. Each band reads all the layer's
// weights again: where they pass the L2 block, from farther out, 4 bytes a weight against
// R x Wo multiply-adds (R rows of Wo pixels a band). Bands as large as the whole plane, side by
// side with the default ones (haswell, 1 thread): VGG-19 conv4_2 (2 rows of 28) 0.91x the
// time, conv5_1 (6 of 14) 0.94x, conv3_2 (2 of 56) 0.97x.
double staged_fit(const ConvDesc& d, int threads) {
  constexpr double kRereadCost = 1.4;
  const int64_t v = isa_vector_floats(selected_isa()), mg = d.Mg();
  const double sums = double(d.Cg()) * double(d.taps()) / 2.0;
  const double stores = sums / (sums + double(v));
  const double lanes = mg < v ? double(mg) / double(v) : double(mg) / double((mg + v - 1) / v * v);
  const double weight_bytes = double(d.M) * double(d.Cg()) * double(d.taps()) * sizeof(float);
  const StageBand band = band_for(d, threads, SIZE_MAX);
  const double per_band = double(band.rows) * double(d.Wo);
  const double reread = weight_bytes > double(l2_weight_bytes())
                            ? 1.0 / (1.0 + kRereadCost * double(sizeof(float)) / per_band)
                            : 1.0;
  return lanes * stores * reread * single_block_fit(d, v);
}

}  // namespace

extern const Algorithm kGroupedNhwc = {
    "grouped-nhwc", supports_nhwc, no_workspace, prepare, run, kernel_fit,
};
extern const Algorithm kChannelsNchw = {
    "channels-nchw", supports_nchw, no_workspace, prepare, run, channels_nchw_fit,
};
extern const Algorithm kChannelsStagedNchw = {
    "channels-staged-nchw", supports_staged, staged_workspace_bytes,
    prepare_staged,         run_staged,      staged_fit,
};

}  // namespace gemmconv
