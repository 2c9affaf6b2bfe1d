// depthwise-nchw: groups = C, M = C x multiplier, channels-first. Output columns run across the
// vector lanes. Per work item (one input plane, a band of output rows, a strip of columns) the
// padded input of the band is staged in the workspace split by stride phase, so that each tap
// reads one contiguous run whatever the stride and dilation; the outputs of the band are then
// computed as flat runs of the staged pitch (a few columns past each row's end are computed and
// dropped) and written once, with bias and clamp, into the `multiplier` planes that read it.
//
// Workspace (exact, nchw_bands): threads used x per-thread bytes, threads used = min(plan
// threads, items); per thread, each rounded up to 64 bytes:
//   staged input  4 * (SH * SW * staged_rows * pitch + 128)
//   band          4 * (rows * pitch + 128)
//   tap offsets   8 * KH * KW
// with pitch = cols + (KW - 1) * DW / SW, staged_rows = rows + (KH - 1) * DH / SH, and rows and
// cols chosen so that the first two stay within 12 KiB where the kernel's reach allows.
#include <algorithm>

#include "../../parallel/for_each_share.hpp"
#include "depthwise_common.hpp"
#include "nchw_bands.hpp"

namespace gemmconv {

namespace {

// Staged input plus band buffer per thread, in floats, before slack.
constexpr int64_t kBandBudgetFloats = 3072;

std::size_t round_to_line(std::size_t bytes) {
  return round_up(bytes, kAlignment);
}

}  // namespace

NchwBands nchw_bands(const ConvDesc& d) {
  NchwBands b;
  const int64_t phases = d.SH * d.SW;
  const int64_t extra_rows = (d.KH - 1) * d.DH / d.SH, extra_cols = (d.KW - 1) * d.DW / d.SW;
  // Floats one band needs for `rows` rows of pitch `pitch`.
  auto floats = [&](int64_t rows, int64_t pitch) {
    return (phases * (rows + extra_rows) + rows) * pitch;
  };
  b.cols = d.Wo;
  if (floats(1, b.cols + extra_cols) > kBandBudgetFloats)
    b.cols = std::max<int64_t>(1, kBandBudgetFloats / (phases * (1 + extra_rows) + 1) - extra_cols);
  b.pitch = b.cols + extra_cols;
  b.rows = 1;
  while (b.rows < d.Ho && floats(b.rows + 1, b.pitch) <= kBandBudgetFloats) ++b.rows;
  b.strips = (d.Wo + b.cols - 1) / b.cols;
  b.bands = (d.Ho + b.rows - 1) / b.rows;
  b.rows = (d.Ho + b.bands - 1) / b.bands;  // equal bands
  b.cols = (d.Wo + b.strips - 1) / b.strips;
  b.pitch = b.cols + extra_cols;
  b.staged_rows = b.rows + extra_rows;
  b.stage_floats = checked_add(
      checked_product(std::size_t(phases), std::size_t(b.staged_rows), std::size_t(b.pitch)),
      std::size_t(kNchwSlackFloats));
  b.band_floats = checked_add(checked_mul(std::size_t(b.rows), std::size_t(b.pitch)),
                              std::size_t(kNchwSlackFloats));
  b.thread_bytes = checked_add(
      checked_add(round_to_line(float_bytes(b.stage_floats)),
                  round_to_line(float_bytes(b.band_floats))),
      round_to_line(checked_mul(std::size_t(d.taps()), sizeof(int64_t))));
  b.items = int64_t(checked_product(std::size_t(d.N), std::size_t(d.C), std::size_t(b.bands),
                                    std::size_t(b.strips)));
  return b;
}

namespace {

bool supports(const ConvDesc& d) {
  return d.layout == Layout::NCHW && d.Cg() == 1;
}

std::size_t workspace_bytes(const ConvDesc& d, int threads) {
  const NchwBands b = nchw_bands(d);
  return checked_mul(std::size_t(std::min<int64_t>(threads, b.items)), b.thread_bytes);
}

void prepare(Plan& plan, const FilterView& filter) {
  plan.isa = selected_isa();
  pack_filter_oihw(plan, filter);  // [M][KH * KW]: the taps of one output plane in a row
}

void run(const Plan& plan, const float* input, float* output, float* workspace) {
  const ConvDesc& d = plan.desc;
  const DepthwiseKernels& kernels = depthwise_kernels(plan.isa);
  const NchwBands b = nchw_bands(d);
  const int64_t multiplier = d.Mg(), plane_in = d.H * d.W, plane_out = d.Ho * d.Wo;
  for_each_share(plan.threads, b.items, [&](Range share, int thread) {
    char* mine = reinterpret_cast<char*>(workspace) + std::size_t(thread) * b.thread_bytes;
    DepthwiseNchwJob job;
    job.stage = reinterpret_cast<float*>(mine);
    job.band = reinterpret_cast<float*>(mine + round_to_line(b.stage_floats * sizeof(float)));
    job.taps = reinterpret_cast<int64_t*>(mine + round_to_line(b.stage_floats * sizeof(float)) +
                                          round_to_line(b.band_floats * sizeof(float)));
    job.multiplier = multiplier;
    job.staged_rows = b.staged_rows;
    job.pitch = b.pitch;
    job.g = window_geometry(d);
    job.clamp = output_clamp(plan);
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
    "depthwise-nchw", supports, workspace_bytes, prepare, run, 10, same_rate,
};

}  // namespace gemmconv
