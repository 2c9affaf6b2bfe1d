// NHWC pixel packing: for each pixel of a panel, the reduction block as runs of channels of
// one tap each (contiguous in X), written down the panel's column.
#include <algorithm>

#include "copy_runs.hpp"
#include "pack_pixels.hpp"

namespace gemmconv {

void pack_pixels_nhwc(const ConvDesc& d, const Tiling& t, const float* x, PixelBlock block,
                      int64_t k0, int64_t kb, float* pack) {
  const int64_t pw = t.pixel_width, pp = t.pixel_pack, cg = d.Cg();
  const int64_t tap0 = k0 / cg, c0 = k0 % cg;
  for (int64_t q = 0; q < block.panels; ++q) {
    float* panel = pack + q * t.panel_stride(kb);
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
