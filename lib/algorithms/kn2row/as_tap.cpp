#include "as_tap.hpp"

#include <algorithm>

#include "as_pack.hpp"

namespace gemmconv {

namespace {

// Adds the tile's first `channels` channels of each run's pixels into Y (the tile holds the
// product of a panel whose pixels are not one evenly spaced run of Y).
void scatter_tile(const AsTiling& t, const float* tile, const PanelRun* runs, int64_t run_count,
                  int64_t channels, float* y) {
  const int64_t ops = t.out_pixel_stride, ocs = t.out_channel_stride;
  const int64_t tps = t.tile_pixel_stride, tcs = t.tile_channel_stride;
  for (int64_t n = 0; n < run_count; ++n) {
    const PanelRun& run = runs[n];
    float* out = y + run.dest * ops;
    const float* in = tile + run.column * tps;
    if (tps == 1) {  // pixels contiguous in both: a run per channel
      for (int64_t j = 0; j < channels; ++j)
        for (int64_t i = 0; i < run.len; ++i) out[j * ocs + i] += in[j * tcs + i];
    } else {  // channels contiguous in both: a run per pixel
      for (int64_t i = 0; i < run.len; ++i)
        for (int64_t j = 0; j < channels; ++j) out[i * ops + j] += in[i * tps + j];
    }
  }
}

}  // namespace

void accumulate_tap_block(const ConvDesc& d, const AsTiling& t, const AsOperands& op, int64_t tap,
                          const TapRect& r, int64_t k0, const AsScratch& s,
                          MicroTileRunner& kernel) {
  const int64_t pw = t.pixel_width, cw = t.channel_width, kb = t.block_rows(k0);
  const int64_t pixels = r.rows * r.cols;
  const bool nchw = d.layout == Layout::NCHW;
  const float* weights0 = op.filter + t.filter_offset(0, tap, k0, 0);
  const int64_t weights_step = kb * t.channel_pack;
  const int64_t ops = t.out_pixel_stride, ocs = t.out_channel_stride;
  for (int64_t first = 0; first < pixels; first += pw) {
    const int64_t count = std::min(pw, pixels - first);
    const int64_t run_count = cut_panel(d, r, first, count, s.runs);
    if (nchw)
      pack_panel_nchw(d, t, op.x, k0, kb, s.runs, run_count, count, s.panel);
    else
      pack_panel_nhwc(d, t, op.x, k0, kb, s.runs, run_count, count, s.panel);
    // The tile goes straight into Y when its pixels are one evenly spaced run of it: a whole
    // panel inside one output row, or across rows when the rectangle spans whole rows.
    const bool direct = count == pw && (run_count == 1 || r.cols == d.Wo);
    for (int64_t c = 0; c < t.channel_panels; ++c) {
      const float* weights = weights0 + c * weights_step;
      const int64_t nc = std::min(cw, t.channels - c * cw);
      float* out = direct ? op.y + s.runs[0].dest * ops + c * cw * ocs : s.tile;
      const int64_t rs = direct ? ops : t.tile_pixel_stride;
      const int64_t cs = direct ? ocs : t.tile_channel_stride;
      const float beta = direct ? 1.0f : 0.0f;
      const int64_t m = direct ? count : pw, n = direct ? nc : cw;
      if (t.pixels_are_a)
        kernel.run(m, n, kb, s.panel, weights, beta, out, rs, cs,
                   {s.panel, weights + weights_step});
      else
        kernel.run(n, m, kb, weights, s.panel, beta, out, cs, rs,
                   {weights + weights_step, s.panel});
      if (!direct) scatter_tile(t, s.tile, s.runs, run_count, nc, op.y + c * cw * ocs);
    }
  }
}

}  // namespace gemmconv
