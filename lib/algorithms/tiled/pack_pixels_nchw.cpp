// NCHW pixel packing. For one pixel block and one reduction block: a table of the block's taps
// (where each reads), the block cut into segments (one output row inside one micro-panel),
// then for each k, every segment's run copied from the input shifted by the tap. Runs are
// copied unclipped whenever that stays inside the input tensor, and the few pixels a tap puts
// in the left/right padding are zeroed afterwards: the copies need no per-pixel test.
#include <algorithm>

#include "../../conv/geometry.hpp"
#include "copy_runs.hpp"
#include "pack_pixels.hpp"

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

// What the block's taps have in common.
struct TapBounds {
  int64_t dy_min, dy_max;    // input row shifts
  int64_t ox_begin, ox_end;  // output columns inside the image for every tap
  int64_t offset_min, offset_max;
};

// The reduction block's taps, in NCHW order k = (c * KH + ky) * KW + kx.
TapBounds fill_tap_table(const ConvDesc& d, int64_t k0, int64_t kb, TapEntry* table) {
  int64_t c = k0 / d.taps(), ky = (k0 / d.KW) % d.KH, kx = k0 % d.KW;
  const int64_t plane = d.H * d.W, ahead = (kPrefetchAhead + d.taps() - 1) / d.taps();
  TapBounds b{INT64_MAX, INT64_MIN, INT64_MIN, INT64_MAX, INT64_MAX, INT64_MIN};
  for (int64_t k = 0; k < kb; ++k) {
    // A tap's columns repeat every KW entries: divide only for the first KW.
    const IndexRange cols =
        k < d.KW ? valid_cols(d, kx) : IndexRange{table[k - d.KW].ox_begin, table[k - d.KW].ox_end};
    const int64_t dy = ky * d.DH - d.PT, dx = kx * d.DW - d.PL;
    // At the first tap of a channel (and at the block's start): the plane `ahead` channels on.
    const bool prefetch = (k == 0 || (ky == 0 && kx == 0)) && c + ahead < d.Cg();
    const int64_t offset = c * plane + dy * d.W + dx;
    table[k] = {offset, dy, cols.begin, cols.end, prefetch ? (c + ahead) * plane : -1};
    b.dy_min = std::min(b.dy_min, dy);
    b.dy_max = std::max(b.dy_max, dy);
    b.ox_begin = std::max(b.ox_begin, cols.begin);
    b.ox_end = std::min(b.ox_end, cols.end);
    b.offset_min = std::min(b.offset_min, offset);
    b.offset_max = std::max(b.offset_max, offset);
    if (++kx == d.KW) {
      kx = 0;
      if (++ky == d.KH) {
        ky = 0;
        ++c;
      }
    }
  }
  return b;
}

// The block's pixels as segments, the edge pixels, and the input rows it reads in each plane.
struct BlockCut {
  int64_t segments = 0, full = 0, edges = 0;
  RowRange rows{0, 0};
};

// Segments in three groups: first the `full` ones (a whole panel row, every tap inside the
// image: copied without a test), then the others.
BlockCut cut_block(const ConvDesc& d, const Tiling& t, PixelBlock block, int64_t kb,
                   const TapBounds& b, const float* x, const float* input_begin,
                   const float* input_end, const ThreadScratch& s) {
  const int64_t pw = t.pixel_width;
  BlockCut cut;
  const int64_t first_pixel = block.first_panel * pw;
  const int64_t end_pixel = std::min(t.pixels, (block.first_panel + block.panels) * pw);
  if (t.flat_rows) {  // one run per panel, every tap inside the image
    for (int64_t q = 0; q < block.panels; ++q) {
      const int64_t first = first_pixel + q * pw;
      s.segments[cut.segments++] = {
          0, first, std::min(pw, t.pixels - first), first, q * t.panel_stride(kb), true, true};
    }
    // Only the image's last panel can be short; it stays last, out of the fixed-width copies.
    cut.full = cut.segments - (s.segments[cut.segments - 1].len < pw ? 1 : 0);
    cut.rows = {first_pixel, end_pixel - first_pixel + (d.KH - 1) * d.DH * d.W};
    return cut;
  }
  const int64_t max_segments = t.segment_bytes / sizeof(RowSegment);
  int64_t others = max_segments;  // filled downwards from the end, moved down at the end
  for (int64_t q = 0; q < block.panels; ++q) {
    const int64_t first = first_pixel + q * pw;
    const int64_t pixels = std::min(pw, t.pixels - first);
    int64_t oy = first / d.Wo, ox = first % d.Wo;
    for (int64_t i = 0; i < pixels; ++oy, ox = 0) {
      const int64_t len = std::min(d.Wo - ox, pixels - i);
      RowSegment seg;
      seg.iy0 = oy * d.SH;
      seg.ox = ox;
      seg.len = len;
      seg.source = seg.iy0 * d.W + ox * d.SW;
      seg.dest = q * t.panel_stride(kb) + i;
      seg.rows_inside = seg.iy0 + b.dy_min >= 0 && seg.iy0 + b.dy_max < d.H;
      // Unclipped runs of every tap stay inside the caller's input tensor.
      const float* lowest = x + seg.source + b.offset_min;
      const float* highest = x + seg.source + b.offset_max + (len - 1) * d.SW;
      seg.readable = lowest >= input_begin && highest < input_end;
      const bool columns_inside = ox >= b.ox_begin && ox + len <= b.ox_end;
      if (seg.rows_inside && seg.readable && len == pw)
        s.segments[cut.segments++] = seg;
      else
        s.segments[--others] = seg;
      if (!columns_inside)
        for (int64_t j = 0; j < len; ++j)
          if (ox + j < b.ox_begin || ox + j >= b.ox_end)
            s.edges[cut.edges++] = {seg.dest + j, ox + j};
      i += len;
    }
  }
  cut.full = cut.segments;
  for (int64_t n = others; n < max_segments; ++n) s.segments[cut.segments++] = s.segments[n];
  const int64_t r0 = std::max<int64_t>(0, first_pixel / d.Wo * d.SH + b.dy_min);
  const int64_t r1 = std::min(d.H, (end_pixel - 1) / d.Wo * d.SH + b.dy_max + 1);
  cut.rows = {r0 * d.W, std::max<int64_t>(0, r1 - r0) * d.W};
  return cut;
}

// Brings `rows` of a channel plane towards the cache, one line at a time.
inline void prefetch_rows(const float* plane, RowRange rows) {
  constexpr int64_t kLine = 64 / sizeof(float);
  const float* p = plane + rows.begin;
  for (int64_t i = 0; i < rows.count; i += kLine) __builtin_prefetch(p + i);
}

// A segment whose unclipped run would leave the input tensor: clipped exactly.
void pack_clipped(const ConvDesc& d, const TapEntry& e, const RowSegment& s, const float* xk,
                  float* pk) {
  const int64_t ox = s.ox;
  float* dst = pk + s.dest;
  const float* src = xk + s.source;
  const int64_t lo = std::clamp<int64_t>(e.ox_begin - ox, 0, s.len);
  const int64_t hi = std::clamp<int64_t>(e.ox_end - ox, lo, s.len);
  zero_run(dst, lo);
  for (int64_t j = lo; j < hi; ++j) dst[j] = src[j * d.SW];
  zero_run(dst + hi, s.len - hi);
}

template <int kWidth, bool kUnitStride>
void pack_block(const ConvDesc& d, const Tiling& t, const TapEntry* table, int64_t kb,
                const BlockCut& cut, const ThreadScratch& s, const float* x) {
  const int64_t pw = t.pixel_width, pp = t.pixel_pack;
  const RowSegment* segments = s.segments;
  for (int64_t k = 0; k < kb; ++k) {
    const TapEntry& e = table[k];
    if (e.prefetch >= 0) prefetch_rows(x + e.prefetch, cut.rows);
    const float* xk = x + e.offset;
    float* pk = s.pack + k * pp;
    for (int64_t n = 0; n < cut.full; ++n)
      copy_run<kWidth, kUnitStride>(pk + segments[n].dest, xk + segments[n].source, pw, d.SW);
    for (int64_t n = cut.full; n < cut.segments; ++n) {
      const RowSegment& g = segments[n];
      if (!g.rows_inside) {
        const int64_t iy = g.iy0 + e.dy;
        if (iy < 0 || iy >= d.H) {
          zero_run(pk + g.dest, g.len);
          continue;
        }
      }
      if (g.readable)
        copy_run<kWidth, kUnitStride>(pk + g.dest, xk + g.source, g.len, d.SW);
      else
        pack_clipped(d, e, g, xk, pk);
    }
    for (int64_t n = 0; n < cut.edges; ++n) {
      const EdgePixel& p = s.edges[n];
      if (p.ox < e.ox_begin || p.ox >= e.ox_end) pk[p.dest] = 0.0f;
    }
  }
}

}  // namespace

void pack_pixels_nchw(const ConvDesc& d, const Tiling& t, const float* input, const float* x,
                      PixelBlock block, int64_t k0, int64_t kb, const ThreadScratch& scratch) {
  const TapBounds bounds = fill_tap_table(d, k0, kb, scratch.table);
  const float* input_end = input + d.N * d.in_image();
  const BlockCut cut = cut_block(d, t, block, kb, bounds, x, input, input_end, scratch);
  with_panel_width(t.pixel_width, [&](auto width) {
    if (d.SW == 1)
      pack_block<decltype(width)::value, true>(d, t, scratch.table, kb, cut, scratch, x);
    else
      pack_block<decltype(width)::value, false>(d, t, scratch.table, kb, cut, scratch, x);
  });
  for (int64_t q = 0; q < block.panels; ++q) {
    const int64_t first = (block.first_panel + q) * t.pixel_width;
    zero_panel_tail(scratch.pack + q * t.panel_stride(kb), kb, t.pixel_pack,
                    std::min(t.pixel_width, t.pixels - first));
  }
}

}  // namespace gemmconv
