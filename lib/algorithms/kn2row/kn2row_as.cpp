// kn2row-as (NCHW) and kn2col-as (NHWC), the paper's accumulate-into-output variants. Y first
// holds the bias (or zero); then each tap's 1x1 product F_t (M' x C') times the input shifted
// by the tap accumulates (beta = 1) into Y over exactly the tap's rectangle of output rows x
// columns whose input is real (TapShift); the clamp comes last. Padding is never read nor
// added, and nothing is subtracted.
//
// The products run on BLIS's micro-kernel directly (as_tiling.hpp): each tap's filter is packed
// once at plan time, and the tap's shifted input is packed one pixel panel (kc x MR or NR) at a
// time, every channel panel of the filter then running against it. Calling sgemm per output row
// instead would have BLIS pack the tap's filter again for every row. A panel's pixels are
// consecutive pixels of the rectangle, row after row, so panels stay full whatever the row
// width; a tile whose pixels are not one evenly spaced run of Y (it crosses a row end of a
// rectangle narrower than the image) is computed into the thread's tile buffer and added.
//
// Workspace (exact): per thread, one packed pixel panel, one micro-tile and the panel's row
// runs (AsTiling): a few tens of KiB set by the micro-kernel's KC, MR and NR, whatever C, M, H
// or W.
//
// Threads: output rows are split into one band per thread; each thread runs every tap on its
// own band's rows (disjoint writes, no barrier). Where panels start moves with the bands, but
// every output still gets each reduction block's sum in the kernel's one order, added to Y with
// one rounding (straight, through BLIS's edge tile or through the tile buffer alike): the
// results are the same bits at any thread count.
#include <algorithm>

#include "../../base/checked.hpp"
#include "../../parallel/for_each_share.hpp"
#include "../group_driver.hpp"
#include "as_pack.hpp"
#include "as_tap.hpp"
#include "kn2row_family.hpp"

namespace gemmconv {

namespace {

// The plan's tiling, decided once in prepare(): the filter is packed for it.
struct AsState final : PlanState {
  AsTiling tiling;
  std::size_t workspace_bytes() const override {
    return checked_mul(tiling.thread_bytes, std::size_t(tiling.bands));
  }
  std::size_t bytes() const override { return sizeof *this; }
};

void prepare_as(Plan& plan, const FilterView& filter) {
  auto state = std::make_unique<AsState>();
  state->tiling = make_as_tiling(plan.desc, micro_kernel(), plan.threads);
  const AsTiling& t = state->tiling;
  plan.state = std::move(state);
  pack_as_filter(plan, t, filter);
}

// Output rows [begin, end) of one image and group start as the bias, or zero.
void start_rows(const Plan& plan, const AsTiling& t, float* y, const float* bias, int64_t begin,
                int64_t end) {
  const ConvDesc& d = plan.desc;
  if (d.layout == Layout::NCHW) {
    for (int64_t m = 0; m < t.channels; ++m)
      std::fill(y + m * t.out_channel_stride + begin * d.Wo,
                y + m * t.out_channel_stride + end * d.Wo, bias ? bias[m] : 0.0f);
    return;
  }
  for (int64_t p = begin * d.Wo; p < end * d.Wo; ++p) {
    float* pixel = y + p * t.out_pixel_stride;
    if (bias)
      std::copy(bias, bias + t.channels, pixel);
    else
      std::fill(pixel, pixel + t.channels, 0.0f);
  }
}

void clamp_rows(const Plan& plan, const AsTiling& t, float* y, int64_t begin, int64_t end) {
  if (!plan.has_clamp()) return;
  const ConvDesc& d = plan.desc;
  for (int64_t m = 0; m < t.channels; ++m)
    for (int64_t p = begin * d.Wo; p < end * d.Wo; ++p) {
      float& v = y[m * t.out_channel_stride + p * t.out_pixel_stride];
      v = plan.clamp(v);
    }
}

// Output rows per pass over the taps. Every tap adds into every output of the pass, so a pass
// whose outputs stay in the caches reads and writes Y from memory once instead of once per tap
// and reduction block. The pass holds four of BLIS's MC x KC blocks (which BLIS sizes to its
// L2): passes that fit L2 alone were measured slower on 56x56 layers (more, shorter panels)
// than ones that spill to L3, and the pass matters where Y is far larger (VGG-19 conv1_2: 0.8x
// the time with passes).
int64_t rows_per_pass(const ConvDesc& d, const AsTiling& t) {
  const int64_t cached_floats = 4 * t.kernel->mc * t.kernel->kc;
  return std::max<int64_t>(1, cached_floats / std::max<int64_t>(1, t.channels * d.Wo));
}

// All taps of one image and group on output rows [begin, end), a pass of rows at a time. Each
// output's sum runs over the taps and reduction blocks in the same order whatever the passes.
void accumulate_band(const Plan& plan, const AsTiling& t, const AsOperands& op, const float* bias,
                     int64_t begin, int64_t end, const AsScratch& s, MicroTileRunner& kernel) {
  const ConvDesc& d = plan.desc;
  const int64_t pass = rows_per_pass(d, t);
  for (int64_t first = begin; first < end; first += pass) {
    const int64_t last = std::min(end, first + pass);
    start_rows(plan, t, op.y, bias, first, last);
    for (int64_t tap = 0; tap < t.taps; ++tap) {
      const TapShift shift = tap_shift(d, tap);
      const int64_t a = std::max(first, shift.rows.begin), b = std::min(last, shift.rows.end);
      if (a >= b || shift.cols.begin >= shift.cols.end) continue;
      const TapRect r{a,        b - a,   shift.cols.begin, shift.cols.end - shift.cols.begin,
                      shift.dy, shift.dx};
      for (int64_t k0 = 0; k0 < t.reduction; k0 += t.kc)
        accumulate_tap_block(d, t, op, tap, r, k0, s, kernel);
    }
    clamp_rows(plan, t, op.y, first, last);
  }
}

void run_as(const Plan& plan, const float* input, float* output, float* workspace) {
  const AsTiling& t = plan.state_as<AsState>().tiling;
  const ConvDesc& d = plan.desc;
  run_team(std::min(t.bands, plan.team()), [&](int index, int team) {
    const AsScratch s{t.panel(workspace, index), t.tile(workspace, index),
                      t.runs(workspace, index)};
    MicroTileRunner kernel(*t.kernel);
    for_each_image_group(plan, input, output, t.group_filter_floats(), [&](const ImageGroup& ig) {
      const float* bias = plan.has_bias() ? plan.bias.data() + ig.group * d.Mg() : nullptr;
      const AsOperands op{ig.x, ig.y, ig.filter};
      // One band per planned thread, dealt round the team actually running.
      for (int b = index; b < t.bands; b += team) {
        const Range rows = split_range(d.Ho, t.bands, b);
        accumulate_band(plan, t, op, bias, rows.begin, rows.end, s, kernel);
      }
    });
  });
}

// The fraction of its rate the kernel keeps: the output channels' fill of their panels
// (micro_tile_fill, each kernel call running one tap's reduction of C') times the pixels' fill
// of theirs, taken over the whole plane (a tap's rectangle is the plane less its border).
double as_fill(const ConvDesc& d, int) {
  const AsTiling t = make_as_tiling(d, micro_kernel(), 1);
  return micro_tile_fill(d, t.channel_width, d.Cg()) * pixel_panel_fill(d, t.pixel_width);
}

}  // namespace

extern const Algorithm kKn2rowAs = {
    "kn2row-as", kn2_supports_nchw, as_workspace_bytes, prepare_as, run_as, as_fill,
};
extern const Algorithm kKn2colAs = {
    "kn2col-as", kn2_supports_nhwc, as_workspace_bytes, prepare_as, run_as, as_fill,
};

}  // namespace gemmconv
