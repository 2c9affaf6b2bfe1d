#include "pack_pixels.hpp"

#include <algorithm>

#include "../../conv/geometry.hpp"

namespace gemmconv {

namespace {

// The reduction block's taps, in NCHW order k = (c * KH + ky) * KW + kx.
void fill_tap_table(const ConvDesc& d, int64_t k0, int64_t kb, TapEntry* table) {
  int64_t c = k0 / d.taps(), ky = (k0 / d.KW) % d.KH, kx = k0 % d.KW;
  for (int64_t k = 0; k < kb; ++k) {
    const IndexRange cols = valid_cols(d, kx);
    table[k] = {c * d.H * d.W, ky * d.DH - d.PT, kx * d.DW - d.PL, cols.begin, cols.end};
    if (++kx == d.KW) {
      kx = 0;
      if (++ky == d.KH) {
        ky = 0;
        ++c;
      }
    }
  }
}

// One run of `len` pixels along output row oy from column ox, for every k of the block:
// dst[k * pack + j] = X[c][iy][ix] of pixel (oy, ox + j), or 0 in the padding.
template <bool kUnitStride>
void pack_row_run_nchw(const ConvDesc& d, const TapEntry* table, int64_t kb, const float* x,
                       int64_t oy, int64_t ox, int64_t len, float* dst, int64_t pack) {
  const int64_t iy0 = oy * d.SH, ix0 = ox * d.SW, sw = kUnitStride ? 1 : d.SW;
  for (int64_t k = 0; k < kb; ++k, dst += pack) {
    const TapEntry& e = table[k];
    const int64_t iy = iy0 + e.dy;
    if (iy < 0 || iy >= d.H) {
      for (int64_t j = 0; j < len; ++j) dst[j] = 0.0f;
      continue;
    }
    const int64_t lo = std::clamp<int64_t>(e.ox_begin - ox, 0, len);
    const int64_t hi = std::clamp<int64_t>(e.ox_end - ox, lo, len);
    const float* src = x + e.plane + iy * d.W + ix0 + e.dx;
    for (int64_t j = 0; j < lo; ++j) dst[j] = 0.0f;
    for (int64_t j = lo; j < hi; ++j) dst[j] = src[j * sw];
    for (int64_t j = hi; j < len; ++j) dst[j] = 0.0f;
  }
}

// Zeroes columns [from, pack) of a panel: the pixels past the image's last one.
void zero_panel_tail(float* panel, int64_t kb, int64_t pack, int64_t from) {
  if (from >= pack) return;
  for (int64_t k = 0; k < kb; ++k)
    for (int64_t j = from; j < pack; ++j) panel[k * pack + j] = 0.0f;
}

}  // namespace

void pack_pixels_nchw(const ConvDesc& d, const Tiling& t, const float* x, PixelBlock block,
                      int64_t k0, int64_t kb, TapEntry* table, float* pack) {
  fill_tap_table(d, k0, kb, table);
  const int64_t pw = t.pixel_width, pp = t.pixel_pack;
  for (int64_t q = 0; q < block.panels; ++q) {
    float* panel = pack + q * kb * pp;
    const int64_t first = (block.first_panel + q) * pw;
    const int64_t count = std::min(pw, t.pixels - first);
    int64_t oy = first / d.Wo, ox = first % d.Wo;
    for (int64_t i = 0; i < count; ++oy, ox = 0) {
      const int64_t len = std::min(d.Wo - ox, count - i);
      if (d.SW == 1)
        pack_row_run_nchw<true>(d, table, kb, x, oy, ox, len, panel + i, pp);
      else
        pack_row_run_nchw<false>(d, table, kb, x, oy, ox, len, panel + i, pp);
      i += len;
    }
    zero_panel_tail(panel, kb, pp, count);
  }
}

void pack_pixels_nhwc(const ConvDesc& d, const Tiling& t, const float* x, PixelBlock block,
                      int64_t k0, int64_t kb, float* pack) {
  const int64_t pw = t.pixel_width, pp = t.pixel_pack, cg = d.Cg();
  const int64_t tap0 = k0 / cg, c0 = k0 % cg;
  for (int64_t q = 0; q < block.panels; ++q) {
    float* panel = pack + q * kb * pp;
    const int64_t first = (block.first_panel + q) * pw;
    const int64_t count = std::min(pw, t.pixels - first);
    int64_t oy = first / d.Wo, ox = first % d.Wo;
    for (int64_t i = 0; i < count; ++i) {
      const int64_t iy0 = oy * d.SH - d.PT, ix0 = ox * d.SW - d.PL;
      // The block as runs of channels of one tap each: contiguous in X.
      int64_t ky = tap0 / d.KW, kx = tap0 % d.KW, c = c0;
      for (int64_t k = 0; k < kb;) {
        const int64_t run = std::min(cg - c, kb - k);
        const int64_t iy = iy0 + ky * d.DH, ix = ix0 + kx * d.DW;
        float* dst = panel + k * pp + i;
        if (iy >= 0 && iy < d.H && ix >= 0 && ix < d.W) {
          const float* src = x + (iy * d.W + ix) * d.C + c;
          for (int64_t j = 0; j < run; ++j) dst[j * pp] = src[j];
        } else {
          for (int64_t j = 0; j < run; ++j) dst[j * pp] = 0.0f;
        }
        k += run;
        c = 0;
        if (++kx == d.KW) {
          kx = 0;
          ++ky;
        }
      }
      if (++ox == d.Wo) {
        ox = 0;
        ++oy;
      }
    }
    zero_panel_tail(panel, kb, pp, count);
  }
}

}  // namespace gemmconv
