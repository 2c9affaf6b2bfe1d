// NHWC pixel packing. In channels-last order a tap's reduction entries for one pixel are C'
// contiguous channels, so a reduction block is a few runs of channels of one tap each. For each
// run, the panel's pixels each get a source pointer (their input pixel, or a zero run where the
// tap reads padding), and the run is transposed into the panel: row k of the panel gathers
// channel k from each pixel, every store contiguous.
#include <algorithm>

#include "copy_runs.hpp"
#include "pack_pixels.hpp"

namespace gemmconv {

namespace {

// Panel widths up to this take the pointer-per-pixel transposition (every BLIS sgemm kernel's
// MR and NR do); wider panels go pixel by pixel.
constexpr int64_t kMaxGatherWidth = 64;

// One panel of `count` pixels starting at output pixel `first`; `zeros` holds kb zeros.
template <int kWidth>
void pack_panel(const ConvDesc& d, const Tiling& t, const float* x, int64_t first, int64_t count,
                int64_t k0, int64_t kb, const float* zeros, float* panel) {
  const int64_t pw = kWidth > 0 ? kWidth : t.pixel_width, pp = t.pixel_pack, cg = d.Cg();
  int64_t iy0[kMaxGatherWidth], ix0[kMaxGatherWidth];
  const float* src[kMaxGatherWidth];
  int64_t oy = first / d.Wo, ox = first % d.Wo;
  for (int64_t i = 0; i < pw; ++i) {
    iy0[i] = oy * d.SH - d.PT;
    ix0[i] = ox * d.SW - d.PL;
    if (i + 1 < count && ++ox == d.Wo) {  // pixels past the image repeat the last one
      ox = 0;
      ++oy;
    }
  }
  int64_t tap = k0 / cg, c = k0 % cg;
  for (int64_t k = 0; k < kb; ++tap, c = 0) {
    const int64_t run = std::min(cg - c, kb - k);
    const int64_t dy = (tap / d.KW) * d.DH, dx = (tap % d.KW) * d.DW;
    for (int64_t i = 0; i < pw; ++i) {
      const int64_t iy = iy0[i] + dy, ix = ix0[i] + dx;
      const bool inside = iy >= 0 && iy < d.H && ix >= 0 && ix < d.W;
      src[i] = inside ? x + (iy * d.W + ix) * d.C + c : zeros;
    }
    float* dst = panel + k * pp;
    for (int64_t j = 0; j < run; ++j, dst += pp)
      for (int64_t i = 0; i < pw; ++i) dst[i] = src[i][j];
    k += run;
  }
}

}  // namespace

void pack_pixels_nhwc(const ConvDesc& d, const Tiling& t, const float* x, PixelBlock block,
                      int64_t k0, int64_t kb, const ThreadScratch& scratch) {
  const int64_t pw = t.pixel_width;
  zero_run(scratch.zeros, kb);
  for (int64_t q = 0; q < block.panels; ++q) {
    float* panel = scratch.pack + q * t.panel_floats;
    const int64_t first = (block.first_panel + q) * pw;
    const int64_t count = std::min(pw, t.pixels - first);
    if (pw <= kMaxGatherWidth) {
      with_panel_width(pw, [&](auto width) {
        pack_panel<decltype(width)::value>(d, t, x, first, count, k0, kb, scratch.zeros, panel);
      });
    } else {
      for (int64_t i = 0; i < count; ++i)
        pack_panel<1>(d, t, x, first + i, 1, k0, kb, scratch.zeros, panel + i);
    }
    zero_panel_tail(panel, kb, t.pixel_pack, count);
  }
}

}  // namespace gemmconv
