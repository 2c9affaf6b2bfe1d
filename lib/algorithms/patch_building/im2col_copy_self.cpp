// im2col-copy-self: build from the input only the rows of P that cannot be derived, then fill
// every other row by copying from a row already built.
//
// Along one axis, tap k of the kernel reads input o * S + k * D - pad for output o. Taps k and
// k + period, period = S / gcd(S, D), read the same inputs shift = D / gcd(S, D) outputs apart,
// so row (c, ky, kx) of P equals its base row (c, ky % period_y, kx % period_x) moved up by
// (ky / period_y) * shift_y output rows and left by (kx / period_x) * shift_x output columns.
// Only what falls off the far edges (the last output rows and columns, for which the base row
// holds nothing) is copied from the input. With stride 1 and dilation 1 every period is 1: only
// row (c, 0, 0) of each channel comes from the input. When a period reaches the kernel size
// (e.g. a 3x3 kernel with stride 3), nothing along that axis can be derived and every row is
// built from the input, as im2col-copy-long would.
#include <algorithm>
#include <cstring>

#include "../../conv/geometry.hpp"
#include "patch_building.hpp"
#include "tap_repetition.hpp"

namespace gemmconv {

namespace {

// Columns [ox_begin, ox_end) of output row oy of P's row (c, ky, kx), straight from the input:
// `plane` is channel c, `dst` the start of output row oy in that row of P.
void copy_from_input(const ConvDesc& d, const float* plane, int64_t ky, int64_t kx, int64_t oy,
                     int64_t ox_begin, int64_t ox_end, float* dst) {
  const int64_t iy = input_row(d, oy, ky);
  if (iy < 0 || iy >= d.H) {
    std::fill(dst + ox_begin, dst + ox_end, 0.0f);
    return;
  }
  const IndexRange cols = valid_cols(d, kx);
  const int64_t lo = std::clamp(cols.begin, ox_begin, ox_end);
  const int64_t hi = std::clamp(cols.end, lo, ox_end);
  const float* src = plane + iy * d.W;
  std::fill(dst + ox_begin, dst + lo, 0.0f);
  if (d.SW == 1 && hi > lo)
    std::memcpy(dst + lo, src + input_col(d, lo, kx), sizeof(float) * (hi - lo));
  else
    for (int64_t ox = lo; ox < hi; ++ox) dst[ox] = src[input_col(d, ox, kx)];
  std::fill(dst + hi, dst + ox_end, 0.0f);
}

// Row (c, ky, kx) of P from its base row, moved up by sy output rows and left by sx columns;
// what the base row does not hold comes from the input.
void derive_row(const ConvDesc& d, const float* plane, int64_t ky, int64_t kx, const float* base,
                int64_t sy, int64_t sx, float* dst) {
  const int64_t copied_rows = std::max<int64_t>(0, d.Ho - sy);
  const int64_t copied_cols = std::max<int64_t>(0, d.Wo - sx);
  if (sx == 0) {  // a single block: whole output rows
    if (copied_rows > 0) std::memcpy(dst, base + sy * d.Wo, sizeof(float) * copied_rows * d.Wo);
  } else {
    for (int64_t oy = 0; oy < copied_rows; ++oy) {
      float* out_row = dst + oy * d.Wo;
      if (copied_cols > 0)
        std::memcpy(out_row, base + (oy + sy) * d.Wo + sx, sizeof(float) * copied_cols);
      copy_from_input(d, plane, ky, kx, oy, copied_cols, d.Wo, out_row);
    }
  }
  for (int64_t oy = copied_rows; oy < d.Ho; ++oy)
    copy_from_input(d, plane, ky, kx, oy, 0, d.Wo, dst + oy * d.Wo);
}

void build_cols_copy_self(const ConvDesc& d, const float* x, float* patches, int threads) {
  const int64_t pixels = d.Ho * d.Wo;
  const TapRepetition along_y = tap_repetition(d.SH, d.DH), along_x = tap_repetition(d.SW, d.DW);
  // Base rows per channel: taps (ky, kx) with ky < base_h and kx < base_w.
  const int64_t base_h = std::min(d.KH, along_y.period), base_w = std::min(d.KW, along_x.period);
  const int64_t base_rows = d.Cg() * base_h * base_w;
#pragma omp parallel num_threads(threads)
  {
    // Phase 1: the base rows, from the input.
#pragma omp for schedule(static)
    for (int64_t i = 0; i < base_rows; ++i) {
      const int64_t c = i / (base_h * base_w), ky = (i / base_w) % base_h, kx = i % base_w;
      const float* plane = x + c * d.H * d.W;
      float* dst = patches + ((c * d.KH + ky) * d.KW + kx) * pixels;
      for (int64_t oy = 0; oy < d.Ho; ++oy)
        copy_from_input(d, plane, ky, kx, oy, 0, d.Wo, dst + oy * d.Wo);
    }
    // Phase 2 (after the implicit barrier): every other row, from its base row.
#pragma omp for schedule(static)
    for (int64_t r = 0; r < d.reduction(); ++r) {
      const auto [c, ky, kx] = taps_fastest(d, r);
      if (ky < base_h && kx < base_w) continue;
      const int64_t by = ky % along_y.period, bx = kx % along_x.period;
      const float* base = patches + ((c * d.KH + by) * d.KW + bx) * pixels;
      derive_row(d, x + c * d.H * d.W, ky, kx, base, (ky / along_y.period) * along_y.shift,
                 (kx / along_x.period) * along_x.shift, patches + r * pixels);
    }
  }
}

}  // namespace

extern const Algorithm kIm2colCopySelf =
    GEMMCONV_IM2COL_ALGORITHM("im2col-copy-self", build_cols_copy_self);

}  // namespace gemmconv
