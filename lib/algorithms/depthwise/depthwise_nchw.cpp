// depthwise-nchw: groups = C, M = C x multiplier, channels-first. Output columns run across the
// vector lanes. Per work item (one input plane, a band of output rows, a strip of columns) the
// padded input of the band is staged in the workspace split by stride phase, so that each tap
// reads one contiguous run whatever the stride and dilation; the outputs of the band are then
// computed as flat runs of the staged pitch (a few columns past each row's end are computed and
// dropped) and written once, with bias and clamp, into the `multiplier` planes that read it.
//
// Workspace (exact, nchw_bands): threads used x per-thread bytes, threads used = min(plan
// threads, items); per thread, each part rounded up to 64 bytes:
//   staged input  4 * (row_phases * col_phases * staged_rows * pitch + 16)
//   band          4 * (rows * pitch + 16)
//   tap offsets   8 * (KH + KW)
// with row_phases = min(KH, SH / gcd(DH, SH)) (likewise columns), pitch = cols + (KW - 1) * DW /
// SW, staged_rows = rows + (KH - 1) * DH / SH, and rows and cols the largest that keep the whole
// within 16 KiB (one row and one column when even those do not: only for kernels that reach
// across more than about 60 rows and columns).
//
// Planes of at most 14 output columns with multiplier one go by blocks of 16 channels instead
// (nchw_channel_blocks): a plane that small leaves most of a vector's lanes and most of each
// item's time to per-plane overhead, while 16 of its channels side by side fill the lanes of the
// channels-last loop. Per band of rows the 16 planes' padded input is staged interleaved and the
// outputs are transposed back into their planes. Workspace per thread, each part rounded up to
// 64 bytes: staged input 64 * staged_rows * width, outputs 64 * rows * Wo, with rows the most
// that keep the whole within 16 KiB.
#include <algorithm>
#include <utility>

#include "../../parallel/for_each_share.hpp"
#include "depthwise_common.hpp"
#include "nchw_bands.hpp"

namespace gemmconv {

namespace {

constexpr std::size_t kThreadBudgetBytes = 16 * 1024;

std::size_t round_to_line(std::size_t bytes) {
  return round_up(bytes, kAlignment);
}

}  // namespace

int64_t stride_phases(int64_t kernel, int64_t dilation, int64_t stride) {
  int64_t a = dilation, b = stride;
  while (b != 0) a = std::exchange(b, a % b);
  return std::min(kernel, stride / a);
}

int64_t staged_row_offset(const ConvDesc& d, int64_t ky, int64_t row_phases, int64_t col_phases,
                          int64_t staged_rows, int64_t pitch) {
  return ((ky % row_phases) * col_phases * staged_rows + ky * d.DH / d.SH) * pitch;
}

int64_t staged_col_offset(const ConvDesc& d, int64_t kx, int64_t col_phases, int64_t staged_rows,
                          int64_t pitch) {
  return (kx % col_phases) * staged_rows * pitch + kx * d.DW / d.SW;
}

NchwBands nchw_bands(const ConvDesc& d) {
  NchwBands b;
  b.row_phases = stride_phases(d.KH, d.DH, d.SH);
  b.col_phases = stride_phases(d.KW, d.DW, d.SW);
  const int64_t segments = b.row_phases * b.col_phases;
  const int64_t extra_rows = (d.KH - 1) * d.DH / d.SH, extra_cols = (d.KW - 1) * d.DW / d.SW;
  const std::size_t tap_bytes = round_to_line(
      checked_mul(checked_add(std::size_t(d.KH), std::size_t(d.KW)), sizeof(int64_t)));
  // Floats left for the staged segments and the band: rows * pitch * (segments + 1) +
  // segments * extra_rows * pitch of them.
  const std::size_t slack = 2 * (kNchwSlackFloats * sizeof(float) + kAlignment);
  const int64_t budget =
      tap_bytes + slack < kThreadBudgetBytes
          ? int64_t(kThreadBudgetBytes - tap_bytes - slack) / int64_t(sizeof(float))
          : 0;
  const int64_t per_pitch_one_row = segments * (1 + extra_rows) + 1;
  b.cols = std::clamp<int64_t>(budget / per_pitch_one_row - extra_cols, 1, d.Wo);
  b.strips = (d.Wo + b.cols - 1) / b.cols;
  b.cols = (d.Wo + b.strips - 1) / b.strips;  // equal strips
  b.pitch = b.cols + extra_cols;
  b.rows =
      std::clamp<int64_t>((budget / b.pitch - segments * extra_rows) / (segments + 1), 1, d.Ho);
  b.bands = (d.Ho + b.rows - 1) / b.rows;
  b.rows = (d.Ho + b.bands - 1) / b.bands;  // equal bands
  b.staged_rows = b.rows + extra_rows;
  b.stage_bytes = round_to_line(float_bytes(checked_add(
      checked_product(std::size_t(segments), std::size_t(b.staged_rows), std::size_t(b.pitch)),
      std::size_t(kNchwSlackFloats))));
  b.band_bytes = round_to_line(float_bytes(checked_add(
      checked_mul(std::size_t(b.rows), std::size_t(b.pitch)), std::size_t(kNchwSlackFloats))));
  b.thread_bytes = checked_add(checked_add(b.stage_bytes, b.band_bytes), tap_bytes);
  b.items = int64_t(checked_product(std::size_t(d.N), std::size_t(d.C), std::size_t(b.bands),
                                    std::size_t(b.strips)));
  return b;
}

NchwChannelBlocks nchw_channel_blocks(const ConvDesc& d) {
  NchwChannelBlocks b{};
  const int64_t lane_bytes = kBlockChannels * int64_t(sizeof(float));
  b.width = (d.Wo - 1) * d.SW + (d.KW - 1) * d.DW + 1;
  auto staged = [&](int64_t rows) { return (rows - 1) * d.SH + (d.KH - 1) * d.DH + 1; };
  auto bytes = [&](int64_t rows) {
    return round_to_line(std::size_t(staged(rows) * b.width * lane_bytes)) +
           round_to_line(std::size_t(rows * d.Wo * lane_bytes));
  };
  // Planes up to kMaxWidth output columns: beyond, a plane's own rows fill the lanes and the
  // interleaving would cost more than it saves (measured).
  constexpr int64_t kMaxWidth = 14;
  if (d.Mg() != 1 || d.Wo > kMaxWidth) return b;
  // A staged row or column longer than the budget holds never fits (and, dilated far enough,
  // would overflow the byte count).
  const int64_t budget_lanes = int64_t(kThreadBudgetBytes) / lane_bytes;
  if (b.width > budget_lanes || staged(1) > budget_lanes || bytes(1) > kThreadBudgetBytes) return b;
  b.used = true;
  b.rows = 1;
  while (b.rows < d.Ho && bytes(b.rows + 1) <= kThreadBudgetBytes) ++b.rows;
  b.bands = (d.Ho + b.rows - 1) / b.rows;
  b.rows = (d.Ho + b.bands - 1) / b.bands;  // equal bands
  b.staged_rows = staged(b.rows);
  b.stage_bytes = round_to_line(std::size_t(b.staged_rows * b.width * lane_bytes));
  b.tile_bytes = round_to_line(std::size_t(b.rows * d.Wo * lane_bytes));
  b.thread_bytes = b.stage_bytes + b.tile_bytes;
  b.blocks = (d.C + kBlockChannels - 1) / kBlockChannels;
  b.items = int64_t(checked_product(std::size_t(d.N), std::size_t(b.blocks), std::size_t(b.bands)));
  return b;
}

namespace {

bool supports(const ConvDesc& d) {
  if (d.layout != Layout::NCHW || d.Cg() != 1) return false;
  try {
    if (nchw_channel_blocks(d).used) return true;
    const NchwBands b = nchw_bands(d);
    return !staging_dominates(b.stage_bytes / sizeof(float), b.rows * b.cols, d.taps());
  } catch (const Failure&) {
    return true;  // the workspace query reports the overflow
  }
}

// The plan's way through the layer, decided once: by blocks of channels or plane by plane, with
// the geometry of either.
struct NchwState final : PlanState {
  NchwChannelBlocks blocks;
  NchwBands bands{};
  std::size_t threads_bytes;
  NchwState(const ConvDesc& d, int threads) : blocks(nchw_channel_blocks(d)) {
    if (blocks.used) {
      threads_bytes =
          checked_mul(std::size_t(std::min<int64_t>(threads, blocks.items)), blocks.thread_bytes);
    } else {
      bands = nchw_bands(d);
      threads_bytes =
          checked_mul(std::size_t(std::min<int64_t>(threads, bands.items)), bands.thread_bytes);
    }
  }
  std::size_t workspace_bytes() const override { return threads_bytes; }
  std::size_t bytes() const override { return sizeof *this; }
};

std::size_t workspace_bytes(const ConvDesc& d, int threads, std::size_t) {
  return NchwState(d, threads).workspace_bytes();
}

void prepare(Plan& plan, const FilterView& filter) {
  plan.isa = selected_isa();
  auto state = std::make_unique<NchwState>(plan.desc, plan.threads);
  const bool blocks = state->blocks.used;
  plan.state = std::move(state);
  if (blocks)
    pack_depthwise_blocks(plan, filter);
  else
    pack_filter_oihw(plan, filter);  // [M][KH * KW]: the taps of one output plane in a row
}

// Small planes, by blocks of channels: stage, compute channels-last, write back.
void run_channel_blocks(const Plan& plan, const NchwChannelBlocks& b, const float* input,
                        float* output, float* workspace) {
  const ConvDesc& d = plan.desc;
  const DepthwiseKernels& kernels = depthwise_kernels(plan.isa);
  const int64_t v = kernels.vector_floats, block_floats = (d.taps() + 1) * v;
  const int64_t plane_in = d.H * d.W, plane_out = d.Ho * d.Wo;
  for_each_share(plan.team(), b.items, [&](Range share, int thread) {
    char* mine = reinterpret_cast<char*>(workspace) + std::size_t(thread) * b.thread_bytes;
    float* stage = reinterpret_cast<float*>(mine);
    float* tile = reinterpret_cast<float*>(mine + b.stage_bytes);
    DepthwiseNhwcJob job;
    job.x = stage;
    job.y = tile;
    job.C = job.M = v;
    job.multiplier = 1;
    job.m_begin = 0;
    job.m_end = v;
    job.row_begin = 0;
    job.clamp = output_clamp(plan);
    for (int64_t item = share.begin; item < share.end; ++item) {
      const int64_t band = item % b.bands, block = item / b.bands % b.blocks;
      const int64_t n = item / (b.bands * b.blocks);
      const int64_t row0 = band * b.rows, rows = std::min(b.rows, d.Ho - row0);
      const int64_t y0 = row0 * d.SH - d.PT, x0 = -d.PL;
      const int64_t staged_rows = (rows - 1) * d.SH + (d.KH - 1) * d.DH + 1;
      // Each ISA block of v channels of this item's kBlockChannels.
      for (int64_t c0 = block * kBlockChannels; c0 < std::min(d.C, (block + 1) * kBlockChannels);
           c0 += v) {
        const int64_t lanes = std::min(v, d.C - c0);
        NchwChannelsJob staging;
        staging.x = input + (n * d.C + c0) * plane_in;
        staging.stage = stage;
        staging.H = d.H;
        staging.W = d.W;
        staging.y0 = y0;
        staging.x0 = x0;
        staging.staged_rows = staged_rows;
        staging.width = b.width;
        staging.plane = plane_in;
        staging.lanes = lanes;
        kernels.nchw_stage_channels(staging);
        job.weights = plan.filter.data() + c0 / v * block_floats;
        job.g = {staged_rows, b.width, rows, d.Wo, d.KH, d.KW, d.SH, d.SW, d.DH, d.DW, 0, 0};
        job.row_end = rows;
        kernels.nhwc_rows(job);
        NchwChannelsJob storing;
        storing.tile = tile;
        storing.y = output + (n * d.M + c0) * plane_out + row0 * d.Wo;
        storing.pixels = rows * d.Wo;
        storing.plane = plane_out;
        storing.lanes = lanes;
        kernels.nchw_store_channels(storing);
      }
    }
  });
}

void run(const Plan& plan, const float* input, float* output, float* workspace) {
  const NchwState& state = plan.state_as<NchwState>();
  if (state.blocks.used) return run_channel_blocks(plan, state.blocks, input, output, workspace);
  const ConvDesc& d = plan.desc;
  const DepthwiseKernels& kernels = depthwise_kernels(plan.isa);
  const NchwBands& b = state.bands;
  const int64_t multiplier = d.Mg(), plane_in = d.H * d.W, plane_out = d.Ho * d.Wo;
  for_each_share(plan.team(), b.items, [&](Range share, int thread) {
    char* mine = reinterpret_cast<char*>(workspace) + std::size_t(thread) * b.thread_bytes;
    DepthwiseNchwJob job;
    job.stage = reinterpret_cast<float*>(mine);
    job.band = reinterpret_cast<float*>(mine + b.stage_bytes);
    job.row_taps = reinterpret_cast<int64_t*>(mine + b.stage_bytes + b.band_bytes);
    job.col_taps = job.row_taps + d.KH;
    job.multiplier = multiplier;
    job.row_phases = b.row_phases;
    job.col_phases = b.col_phases;
    job.staged_rows = b.staged_rows;
    job.pitch = b.pitch;
    job.g = window_geometry(d);
    job.clamp = output_clamp(plan);
    for (int64_t ky = 0; ky < d.KH; ++ky)
      job.row_taps[ky] =
          staged_row_offset(d, ky, b.row_phases, b.col_phases, b.staged_rows, b.pitch);
    for (int64_t kx = 0; kx < d.KW; ++kx)
      job.col_taps[kx] = staged_col_offset(d, kx, b.col_phases, b.staged_rows, b.pitch);
    kernels.nchw_prepare(job);
    for (int64_t item = share.begin; item < share.end; ++item) {
      const int64_t strip = item % b.strips, band = item / b.strips % b.bands;
      const int64_t plane = item / (b.strips * b.bands);  // n * C + c
      const int64_t c = plane % d.C, n = plane / d.C;
      job.x = input + plane * plane_in;
      job.y = output + (n * d.M + c * multiplier) * plane_out;
      job.weights = plan.filter.data() + c * multiplier * d.taps();
      job.bias = plan.has_bias() ? plan.bias.data() + c * multiplier : nullptr;
      job.row0 = band * b.rows;
      job.rows = std::min(b.rows, d.Ho - job.row0);
      job.col0 = strip * b.cols;
      job.cols = std::min(b.cols, d.Wo - job.col0);
      kernels.nchw_band(job);
    }
  });
}

}  // namespace

extern const Algorithm kDepthwiseNchw = {
    "depthwise-nchw", supports, workspace_bytes, prepare, run, same_rate,
};

}  // namespace gemmconv
