// NCHW pixel packing. For one pixel block and one reduction block: a table of the block's taps
// (where each reads), the block cut into segments (one output row inside one micro-panel),
// then for each k, every segment's run copied from the input shifted by the tap. Runs are
// copied unclipped, a panel's width at a time, whenever that stays inside the source: the
// copies need no per-pixel test. The few pixels a tap puts in the left/right padding are
// zeroed afterwards. Small planes (many such pixels, short rows) are first staged with their
// padding into the workspace, and packed from there with nothing to clip. The copies of each k
// are the per-ISA loops of pack_kernels_impl.hpp (strides up to 4 picked from whole vectors).
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
// Channel c is plane c - c_base of the source; prefetch hints only when `prefetch`.
TapBounds fill_tap_table(const ConvDesc& d, int64_t k0, int64_t kb, int64_t c_base,
                         bool prefetch_planes, TapEntry* table) {
  const ReductionIndex first = taps_fastest(d, k0);
  int64_t c = first.c, ky = first.ky, kx = first.kx;
  const int64_t plane = d.H * d.W, ahead = (kPrefetchAhead + d.taps() - 1) / d.taps();
  TapBounds b{INT64_MAX, INT64_MIN, INT64_MIN, INT64_MAX, INT64_MAX, INT64_MIN};
  for (int64_t k = 0; k < kb; ++k) {
    // A tap's columns repeat every KW entries: divide only for the first KW.
    const IndexRange cols =
        k < d.KW ? valid_cols(d, kx) : IndexRange{table[k - d.KW].ox_begin, table[k - d.KW].ox_end};
    const int64_t dy = ky * d.DH - d.PT, dx = kx * d.DW - d.PL;
    // At the first tap of a channel (and at the block's start): the plane `ahead` channels on.
    const bool prefetch = prefetch_planes && (k == 0 || (ky == 0 && kx == 0)) && c + ahead < d.Cg();
    const int64_t offset = (c - c_base) * plane + dy * d.W + dx;
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
  int64_t segments = 0, edges = 0;
  RowRange rows{0, 0};
};

// Segments in panel order and, within a panel, in pixel order.
// `x_at` is where x lies in the readable buffer (offsets from its start), `readable` its length
// in floats: runs are checked as offsets, never by forming pointers outside the buffer.
BlockCut cut_block(const ConvDesc& d, const Tiling& t, PixelBlock block, const TapBounds& b,
                   int64_t x_at, int64_t readable, const ThreadScratch& s) {
  const int64_t pw = t.pixel_width, stride = t.panel_floats;
  const bool flat = t.packing == PixelPacking::Flat;
  const int64_t row = flat ? t.pixels : d.Wo;  // pixels per uncut run
  BlockCut cut;
  const int64_t first_pixel = block.first_panel * pw;
  const int64_t end_pixel = std::min(t.pixels, (block.first_panel + block.panels) * pw);
  for (int64_t q = 0; q < block.panels; ++q) {
    const int64_t first = first_pixel + q * pw;
    const int64_t pixels = std::min(pw, t.pixels - first);
    int64_t oy = first / row, ox = first % row;
    for (int64_t i = 0; i < pixels; ++oy, ox = 0) {
      const int64_t len = std::min(row - ox, pixels - i);
      RowSegment seg;
      seg.iy0 = flat ? 0 : oy * d.SH;
      seg.ox = ox;
      seg.len = len;
      seg.source = flat ? ox : seg.iy0 * d.W + ox * d.SW;
      seg.dest = q * stride + i;
      seg.rows_inside = flat || (seg.iy0 + b.dy_min >= 0 && seg.iy0 + b.dy_max < d.H);
      // Whether every tap's unclipped run, of the panel width or of the segment's length, stays
      // inside the caller's input tensor.
      const int64_t lowest = x_at + seg.source + b.offset_min;
      const int64_t highest = x_at + seg.source + b.offset_max;
      const bool inside = lowest >= 0;
      seg.copy = inside && highest + pw * d.SW <= readable         ? kCopyWide
                 : inside && highest + (len - 1) * d.SW < readable ? kCopyExact
                                                                   : kCopyClipped;
      s.segments[cut.segments++] = seg;
      if (!flat && !(ox >= b.ox_begin && ox + len <= b.ox_end))
        for (int64_t j = 0; j < len; ++j)
          if (ox + j < b.ox_begin || ox + j >= b.ox_end)
            s.edges[cut.edges++] = {seg.dest + j, ox + j};
      i += len;
    }
  }
  if (flat) {
    cut.rows = {first_pixel, end_pixel - first_pixel + (d.KH - 1) * d.DH * d.W};
  } else {
    const int64_t r0 = std::max<int64_t>(0, first_pixel / d.Wo * d.SH + b.dy_min);
    const int64_t r1 = std::min(d.H, (end_pixel - 1) / d.Wo * d.SH + b.dy_max + 1);
    cut.rows = {r0 * d.W, std::max<int64_t>(0, r1 - r0) * d.W};
  }
  return cut;
}

// Brings `rows` of a channel plane towards the cache, one line at a time.
inline void prefetch_rows(const float* plane, RowRange rows) {
  constexpr int64_t kLine = 64 / sizeof(float);
  const float* p = plane + rows.begin;
  for (int64_t i = 0; i < rows.count; i += kLine) __builtin_prefetch(p + i);
}

// Flat: every tap reads its plane shifted by whole rows, so row k of the block is one run of
// the input: cut into the panels a full width at a time, the image's last panel exactly.
template <int kWidth>
void pack_flat(const ConvDesc& d, const Tiling& t, const TapEntry* table, PixelBlock block,
               int64_t kb, const float* x, float* pack) {
  const int64_t pw = kWidth > 0 ? kWidth : t.pixel_width, pp = t.pixel_pack;
  const int64_t stride = t.panel_floats, first = block.first_panel * pw;
  const int64_t full = std::min(block.panels, (t.pixels - first) / pw);
  const int64_t rest = std::min(t.pixels - first, block.panels * pw) - full * pw;
  const RowRange rows{first, block.panels * pw + (d.KH - 1) * d.DH * d.W};
  for (int64_t k = 0; k < kb; ++k) {
    const TapEntry& e = table[k];
    if (e.prefetch >= 0) prefetch_rows(x + e.prefetch, rows);
    const float* src = x + e.offset + first;
    float* dst = pack + k * pp;
    for (int64_t q = 0; q < full; ++q) copy_short<kWidth>(dst + q * stride, src + q * pw, pw);
    if (rest > 0) copy_short<0>(dst + full * stride, src + full * pw, rest);
  }
}

// -- Staged: small planes ---------------------------------------------------------------------

// One padded row of a staged plane: padded input row r (r - PT in the image), columns
// [-PL, -PL + cols), zeros outside the image.
void stage_row(const ConvDesc& d, const float* plane, int64_t r, int64_t cols, float* out) {
  const int64_t iy = r - d.PT;
  if (iy < 0 || iy >= d.H) {
    zero_run(out, cols);
    return;
  }
  const int64_t lo = std::min(cols, d.PL), hi = std::min(cols, d.PL + d.W);
  zero_run(out, lo);
  std::copy(plane + iy * d.W + (lo - d.PL), plane + iy * d.W + (hi - d.PL), out + lo);
  zero_run(out + hi, cols - hi);
}

// Copies the padded rows the block reads, of every channel the reduction block touches, into
// the stage. Returns the convolution as it reads the stage: planes of stage_rows x stage_cols
// with the padding in them (no padding left to clip, no edge pixels).
ConvDesc stage_planes(const ConvDesc& d, const Tiling& t, const float* x, PixelBlock block,
                      int64_t k0, int64_t kb, float* stage) {
  const int64_t pw = t.pixel_width, rows = t.stage_rows, cols = t.stage_cols;
  const int64_t c_first = k0 / d.taps(), c_end = (k0 + kb - 1) / d.taps() + 1;
  const int64_t first_pixel = block.first_panel * pw;
  const int64_t end_pixel = std::min(t.pixels, (block.first_panel + block.panels) * pw);
  const int64_t r0 = first_pixel / d.Wo * d.SH;
  const int64_t r1 = std::min(rows, (end_pixel - 1) / d.Wo * d.SH + (d.KH - 1) * d.DH + 1);
  for (int64_t c = c_first; c < c_end; ++c)
    for (int64_t r = r0; r < r1; ++r)
      stage_row(d, x + c * d.H * d.W, r, cols, stage + (c - c_first) * rows * cols + r * cols);
  ConvDesc staged = d;
  staged.H = rows;
  staged.W = cols;
  staged.PT = staged.PB = staged.PL = staged.PR = 0;
  return staged;
}

// Columns past the image's last pixel, in the block's last panel: zero.
void zero_block_tails(const Tiling& t, PixelBlock block, int64_t kb, float* pack) {
  const int64_t last = block.panels - 1;
  const int64_t first = (block.first_panel + last) * t.pixel_width;
  zero_panel_tail(pack + last * t.panel_floats, kb, t.pixel_pack,
                  std::min(t.pixel_width, t.pixels - first));
}

}  // namespace

void pack_pixels_nchw(const ConvDesc& d, const Tiling& t, const float* input, const float* x,
                      PixelBlock block, int64_t k0, int64_t kb, const ThreadScratch& scratch) {
  // The source read: the input itself, or the staged padded planes of the reduction block.
  const bool staged = t.packing == PixelPacking::Staged;
  const ConvDesc source = staged ? stage_planes(d, t, x, block, k0, kb, scratch.stage) : d;
  const float* from = staged ? scratch.stage : x;
  const int64_t from_at = staged ? 0 : int64_t(x - input);
  const int64_t readable = staged ? int64_t(t.stage_bytes / sizeof(float)) : d.N * d.in_image();
  const TapBounds bounds =
      fill_tap_table(source, k0, kb, staged ? k0 / d.taps() : 0, !staged, scratch.table);
  if (t.packing == PixelPacking::Flat) {
    with_panel_width(t.pixel_width, [&](auto width) {
      pack_flat<decltype(width)::value>(d, t, scratch.table, block, kb, x, scratch.pack);
    });
    zero_block_tails(t, block, kb, scratch.pack);
    return;
  }
  const BlockCut cut = cut_block(source, t, block, bounds, from_at, readable, scratch);
  NchwRowsJob job;
  job.table = scratch.table;
  job.segments = scratch.segments;
  job.edges = scratch.edges;
  job.x = from;
  job.pack = scratch.pack;
  job.kb = kb;
  job.segment_count = cut.segments;
  job.edge_count = cut.edges;
  job.H = source.H;
  job.SW = source.SW;
  job.pixel_width = t.pixel_width;
  job.pixel_pack = t.pixel_pack;
  job.panel_floats = t.panel_floats;
  job.prefetch_begin = cut.rows.begin;
  job.prefetch_count = cut.rows.count;
  t.pack_kernels->nchw_rows(job);
  zero_block_tails(t, block, kb, scratch.pack);
}

}  // namespace gemmconv
