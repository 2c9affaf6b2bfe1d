#include "pack_pixels.hpp"

#include <algorithm>
#include <type_traits>

#include "../../conv/geometry.hpp"

namespace gemmconv {

namespace {

// How many reduction indices ahead the packing prefetches input rows: the jump from one
// channel plane to the next defeats the hardware prefetcher, and each new plane's rows would
// otherwise arrive at memory latency.
constexpr int64_t kPrefetchAhead = 16;

// Floats [begin, begin + count) of a channel plane.
struct RowRange {
  int64_t begin, count;
};

// The reduction block's taps, in NCHW order k = (c * KH + ky) * KW + kx.
void fill_tap_table(const ConvDesc& d, int64_t k0, int64_t kb, TapEntry* table) {
  int64_t c = k0 / d.taps(), ky = (k0 / d.KW) % d.KH, kx = k0 % d.KW;
  const int64_t plane = d.H * d.W, ahead = (kPrefetchAhead + d.taps() - 1) / d.taps();
  for (int64_t k = 0; k < kb; ++k) {
    const IndexRange cols = valid_cols(d, kx);
    const int64_t dy = ky * d.DH - d.PT, dx = kx * d.DW - d.PL;
    // At the first tap of a channel (and at the block's start): the plane `ahead` channels on.
    const bool prefetch = (k == 0 || (ky == 0 && kx == 0)) && c + ahead < d.Cg();
    table[k] = {c * plane + dy * d.W + dx, dy, cols.begin, cols.end,
                prefetch ? (c + ahead) * plane : -1};
    if (++kx == d.KW) {
      kx = 0;
      if (++ky == d.KH) {
        ky = 0;
        ++c;
      }
    }
  }
}

// Cuts the block's pixels into segments that stay inside one output row and one micro-panel,
// and marks those that no tap of the reduction block reads outside the image from.
int64_t cut_segments(const ConvDesc& d, const Tiling& t, PixelBlock block, int64_t kb,
                     const TapEntry* table, RowSegment* segments, RowRange& rows) {
  int64_t dy_min = table[0].dy, dy_max = table[0].dy;
  int64_t ox_begin = table[0].ox_begin, ox_end = table[0].ox_end;
  for (int64_t k = 1; k < kb; ++k) {
    dy_min = std::min(dy_min, table[k].dy);
    dy_max = std::max(dy_max, table[k].dy);
    ox_begin = std::max(ox_begin, table[k].ox_begin);
    ox_end = std::min(ox_end, table[k].ox_end);
  }
  const int64_t pw = t.pixel_width;
  int64_t count = 0;
  if (t.flat_rows) {  // one run per panel, every tap inside the image
    for (int64_t q = 0; q < block.panels; ++q) {
      const int64_t first = (block.first_panel + q) * pw;
      segments[count++] = {0,   first, std::min(pw, t.pixels - first), first, q * kb * t.pixel_pack,
                           true};
    }
    rows = {block.first_panel * pw,
            std::min(t.pixels, (block.first_panel + block.panels) * pw) - block.first_panel * pw};
    if (d.KH > 1) rows.count += (d.KH - 1) * d.DH * d.W;
    return count;
  }
  for (int64_t q = 0; q < block.panels; ++q) {
    const int64_t first = (block.first_panel + q) * pw;
    const int64_t pixels = std::min(pw, t.pixels - first);
    int64_t oy = first / d.Wo, ox = first % d.Wo;
    for (int64_t i = 0; i < pixels; ++oy, ox = 0) {
      const int64_t len = std::min(d.Wo - ox, pixels - i);
      const int64_t iy0 = oy * d.SH;
      RowSegment& s = segments[count++];
      s.iy0 = iy0;
      s.ox = ox;
      s.len = len;
      s.source = iy0 * d.W + ox * d.SW;
      s.dest = q * kb * t.pixel_pack + i;
      s.interior = iy0 + dy_min >= 0 && iy0 + dy_max < d.H && ox >= ox_begin && ox + len <= ox_end;
      i += len;
    }
  }
  // The input rows the block reads in every channel plane, for prefetching.
  const int64_t first_row = block.first_panel * pw / d.Wo;
  const int64_t last_row = std::min(t.pixels, (block.first_panel + block.panels) * pw) / d.Wo;
  const int64_t r0 = std::max<int64_t>(0, first_row * d.SH + dy_min);
  const int64_t r1 = std::min(d.H, last_row * d.SH + dy_max + 1);
  rows = {r0 * d.W, std::max<int64_t>(0, r1 - r0) * d.W};
  return count;
}

// Brings `rows` of a channel plane towards the cache, one line at a time.
inline void prefetch_rows(const float* plane, RowRange rows) {
  constexpr int64_t kLine = 64 / sizeof(float);
  const float* p = plane + rows.begin;
  for (int64_t i = 0; i < rows.count; i += kLine) __builtin_prefetch(p + i);
}

template <int kCount>
inline void move_fixed(float* __restrict dst, const float* __restrict src) {
  for (int j = 0; j < kCount; ++j) dst[j] = src[j];
}

// Copies `len` contiguous floats with a few fixed-size moves (overlapping at the end when len
// is no multiple of their size): no loop of unknown trip count, no library call, for the
// short runs a panel row is made of. kWidth > 0: the panel width, one fixed copy when len is it.
template <int kWidth>
inline void copy_short(float* dst, const float* src, int64_t len) {
  if (kWidth > 0 && len == kWidth) {
    move_fixed<kWidth>(dst, src);
  } else if (len >= 8) {
    int64_t j = 0;
    for (; j + 8 <= len; j += 8) move_fixed<8>(dst + j, src + j);
    if (j < len) move_fixed<8>(dst + len - 8, src + len - 8);
  } else if (len >= 4) {
    move_fixed<4>(dst, src);
    move_fixed<4>(dst + len - 4, src + len - 4);
  } else {
    for (int64_t j = 0; j < len; ++j) dst[j] = src[j];
  }
}

// One run of a panel row from input stride sw: dst[j] = src[j * sw], j < len.
template <int kWidth, bool kUnitStride>
inline void copy_run(float* dst, const float* src, int64_t len, int64_t sw) {
  if (kUnitStride) {
    copy_short<kWidth>(dst, src, len);
  } else if (kWidth > 0 && len == kWidth) {
    for (int64_t j = 0; j < kWidth; ++j) dst[j] = src[j * sw];
  } else {
    for (int64_t j = 0; j < len; ++j) dst[j] = src[j * sw];
  }
}

// Valid memory the packing may read: the caller's whole input tensor.
struct Extent {
  const float* begin;
  const float* end;
};

// A segment that this tap reads partly or wholly from the padding: zeros there, input between.
// When the unclipped run stays inside the input tensor it is copied whole (the columns past the
// row's ends hold a neighbouring row's values) and the padded columns are zeroed after: one
// fixed-size copy instead of a loop of unknown length.
template <int kWidth, bool kUnitStride>
void pack_clipped(const ConvDesc& d, const TapEntry& e, const RowSegment& s, const float* xk,
                  float* pk, Extent input) {
  float* dst = pk + s.dest;
  const float* src = xk + s.source;
  const int64_t iy = s.iy0 + e.dy;
  if (iy < 0 || iy >= d.H) {
    for (int64_t j = 0; j < s.len; ++j) dst[j] = 0.0f;
    return;
  }
  const int64_t lo = std::clamp<int64_t>(e.ox_begin - s.ox, 0, s.len);
  const int64_t hi = std::clamp<int64_t>(e.ox_end - s.ox, lo, s.len);
  if (kUnitStride && src >= input.begin && src + s.len <= input.end) {
    copy_short<kWidth>(dst, src, s.len);
  } else {
    for (int64_t j = lo; j < hi; ++j) dst[j] = src[j * d.SW];
  }
  for (int64_t j = 0; j < lo; ++j) dst[j] = 0.0f;
  for (int64_t j = hi; j < s.len; ++j) dst[j] = 0.0f;
}

// For every k of the block and every segment: dst[j] = X[c][iy][ix] of the segment's pixel j,
// or 0 in the padding. k outermost: consecutive taps read the same input rows, shifted. The
// first `full` segments are whole panel rows inside the image for every tap of the block: the
// bulk of the work, copied without a single test.
template <int kWidth, bool kUnitStride>
void pack_segments_nchw(const ConvDesc& d, const TapEntry* table, int64_t kb,
                        const RowSegment* segments, int64_t full, int64_t count, const float* x,
                        float* pack, int64_t pixel_width, int64_t pixel_pack, Extent input,
                        RowRange rows) {
  for (int64_t k = 0; k < kb; ++k) {
    const TapEntry& e = table[k];
    if (e.prefetch >= 0) prefetch_rows(x + e.prefetch, rows);
    const float* xk = x + e.offset;
    float* pk = pack + k * pixel_pack;
    for (int64_t n = 0; n < full; ++n)
      copy_run<kWidth, kUnitStride>(pk + segments[n].dest, xk + segments[n].source, pixel_width,
                                    d.SW);
    for (int64_t n = full; n < count; ++n) {
      const RowSegment& s = segments[n];
      const int64_t iy = s.iy0 + e.dy;
      if (s.interior || (iy >= 0 && iy < d.H && e.ox_begin <= s.ox && s.ox + s.len <= e.ox_end))
        copy_run<kWidth, kUnitStride>(pk + s.dest, xk + s.source, s.len, d.SW);
      else
        pack_clipped<kWidth, kUnitStride>(d, e, s, xk, pk, input);
    }
  }
}

template <int kWidth>
void pack_segments_nchw(const ConvDesc& d, const TapEntry* table, int64_t kb,
                        const RowSegment* segments, int64_t full, int64_t count, const float* x,
                        float* pack, int64_t pixel_width, int64_t pixel_pack, Extent input,
                        RowRange rows) {
  if (d.SW == 1)
    pack_segments_nchw<kWidth, true>(d, table, kb, segments, full, count, x, pack, pixel_width,
                                     pixel_pack, input, rows);
  else
    pack_segments_nchw<kWidth, false>(d, table, kb, segments, full, count, x, pack, pixel_width,
                                      pixel_pack, input, rows);
}

// Zeroes columns [from, pack) of a panel: the pixels past the image's last one.
void zero_panel_tail(float* panel, int64_t kb, int64_t pack, int64_t from) {
  if (from >= pack) return;
  for (int64_t k = 0; k < kb; ++k)
    for (int64_t j = from; j < pack; ++j) panel[k * pack + j] = 0.0f;
}

}  // namespace

void pack_pixels_nchw(const ConvDesc& d, const Tiling& t, const float* input, const float* x,
                      PixelBlock block, int64_t k0, int64_t kb, TapEntry* table,
                      RowSegment* segments, float* pack) {
  fill_tap_table(d, k0, kb, table);
  RowRange rows;
  const int64_t count = cut_segments(d, t, block, kb, table, segments, rows);
  const int64_t pw = t.pixel_width;
  const int64_t full =
      std::partition(segments, segments + count,
                     [pw](const RowSegment& s) { return s.interior && s.len == pw; }) -
      segments;
  // The panel widths of BLIS's sgemm kernels get a copy of compile-time length; any other
  // width takes the general loop.
  const Extent extent{input, input + d.N * d.in_image()};
  auto pack_with = [&](auto width) {
    pack_segments_nchw<decltype(width)::value>(d, table, kb, segments, full, count, x, pack, pw,
                                               t.pixel_pack, extent, rows);
  };
  switch (pw) {
    case 4:
      pack_with(std::integral_constant<int, 4>());
      break;
    case 6:
      pack_with(std::integral_constant<int, 6>());
      break;
    case 8:
      pack_with(std::integral_constant<int, 8>());
      break;
    case 12:
      pack_with(std::integral_constant<int, 12>());
      break;
    case 16:
      pack_with(std::integral_constant<int, 16>());
      break;
    case 24:
      pack_with(std::integral_constant<int, 24>());
      break;
    case 32:
      pack_with(std::integral_constant<int, 32>());
      break;
    default:
      pack_with(std::integral_constant<int, 0>());
      break;
  }
  for (int64_t q = 0; q < block.panels; ++q) {
    const int64_t first = (block.first_panel + q) * t.pixel_width;
    zero_panel_tail(pack + q * kb * t.pixel_pack, kb, t.pixel_pack,
                    std::min(t.pixel_width, t.pixels - first));
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
