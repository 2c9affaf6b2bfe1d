// The pixel packing loops, written once over the vector width V with GCC's vector extensions
// and compiled once per instruction set: each pack_kernels_<isa>.cpp defines GEMMCONV_ISA_NS and
// GEMMCONV_VECTOR_FLOATS and includes this file. Everything here lives in that namespace and
// uses no inline function of another header (see simd/vector_ops.hpp).
#include <cassert>
#include <cstdint>

#include "../../simd/vector_ops.hpp"
#include "pack_kernels.hpp"
#include "tiling.hpp"  // the NCHW tables' records only: none of its inline functions is called

namespace gemmconv {
namespace GEMMCONV_ISA_NS {
namespace {

constexpr int V = GEMMCONV_VECTOR_FLOATS;

inline int64_t min64(int64_t a, int64_t b) {
  return a < b ? a : b;
}
inline int64_t clamp64(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

// ---- NHWC: runs of channels transposed into the panels ------------------------------------

// Panel widths up to this take the pointer-per-pixel transposition (every BLIS sgemm kernel's
// MR and NR do); wider panels go pixel by pixel.
constexpr int kMaxGatherWidth = 64;

// With unit column dilation and one group, the taps of one filter row read, for each pixel,
// KW * C consecutive floats of the input: one run instead of KW short ones (C = 3 gives runs of
// 3, too short for any vector). Up to this many floats; a pixel whose run crosses the image's
// left or right edge reads a copy with zeros in the padding.
constexpr int kMaxMergedRun = 64;

// The transpose width for a chunk of `rest` pixels: the largest power of two not above it, at
// least 4, at most V. Narrower than `rest` rather than wider: a transpose with rows of zeros
// costs its full shuffles for fewer pixels, and measured slower than two narrower ones (6 and
// 12 pixels on AVX2 and AVX-512).
constexpr int chunk_width(int rest) {
  int w = 4;
  while (2 * w <= rest && 2 * w <= V) w *= 2;
  return w;
}

// dst[j * pp + i] = src[i][j] for j < run, i < N: N pixels (N <= TV) in TV x TV register
// blocks of TV channels each. When run is no multiple of TV the last block overlaps the one
// before (its shared rows are stored twice, with the same values); runs shorter than TV go
// element by element.
template <int TV, int N>
inline void transpose_chunk(const float* const* src, int64_t run, float* dst, int64_t pp) {
  if (run < TV) {
    for (int64_t j = 0; j < run; ++j)
      for (int i = 0; i < N; ++i) dst[j * pp + i] = src[i][j];
    return;
  }
  for (int64_t j0 = 0;;) {
    Vec<TV> rows[TV];
#pragma GCC unroll 16
    for (int i = 0; i < TV; ++i) rows[i] = i < N ? load_vec<TV>(src[i] + j0) : Vec<TV>{};
    transpose<TV>(rows);
#pragma GCC unroll 16
    for (int j = 0; j < TV; ++j) store_lanes<N, TV>(dst + (j0 + j) * pp, rows[j]);
    if (j0 + TV == run) break;
    j0 = min64(j0 + TV, run - TV);
  }
}

// The P pixels of a panel as chunks of at most V, each in the narrowest transpose that holds it.
template <int P, int I0>
inline void transpose_chunks(const float* const* src, int64_t run, float* dst, int64_t pp) {
  if constexpr (I0 < P) {
    constexpr int TV = chunk_width(P - I0);
    constexpr int N = P - I0 < TV ? P - I0 : TV;
    transpose_chunk<TV, N>(src + I0, run, dst + I0, pp);
    transpose_chunks<P, I0 + N>(src, run, dst, pp);
  }
}

// dst[j * pp + i] = src[i][j] for j < run, i < pw, P = pw (0: pw known at run time only).
template <int P>
inline void transpose_run(const float* const* src, int64_t pw, int64_t run, float* dst,
                          int64_t pp) {
  if constexpr (P > 0) {
    transpose_chunks<P, 0>(src, run, dst, pp);
  } else {
    for (int64_t j = 0; j < run; ++j)
      for (int64_t i = 0; i < pw; ++i) dst[j * pp + i] = src[i][j];
  }
}

// One panel of `count` pixels starting at output pixel `first`, P its width (0: j.pixel_width).
template <int P>
void nhwc_panel(const NhwcPackJob& j, int64_t first, int64_t count, float* panel) {
  const int64_t pw = P > 0 ? P : j.pixel_width, pp = j.pixel_pack, cg = j.Cg;
  const bool merge = j.DW == 1 && cg == j.C && j.KW > 1 && j.KW * j.C <= kMaxMergedRun;
  int64_t iy0[kMaxGatherWidth], ix0[kMaxGatherWidth];
  const float* src[kMaxGatherWidth];
  int64_t oy = first / j.Wo, ox = first % j.Wo;
  for (int64_t i = 0; i < pw; ++i) {
    iy0[i] = oy * j.SH - j.PT;
    ix0[i] = ox * j.SW - j.PL;
    if (i + 1 < count && ++ox == j.Wo) {  // pixels past the image repeat the last one
      ox = 0;
      ++oy;
    }
  }
  float edge_runs[kMaxGatherWidth * kMaxMergedRun];
  int64_t tap = j.k0 / cg, c = j.k0 % cg;
  for (int64_t k = 0; k < j.kb;) {
    const int64_t ky = tap / j.KW, kx = tap % j.KW, dy = ky * j.DH, dx = kx * j.DW;
    // A merged run goes on to the filter row's last tap; it reads columns dx .. dx + span.
    const int64_t run = min64(merge ? j.KW * j.C - kx * j.C - c : cg - c, j.kb - k);
    const int64_t span = merge ? (c + run - 1) / j.C : 0;
    for (int64_t i = 0; i < pw; ++i) {
      const int64_t iy = iy0[i] + dy, ix = ix0[i] + dx;
      if (iy < 0 || iy >= j.H || ix + span < 0 || ix >= j.W) {
        src[i] = j.zeros;
      } else if (ix >= 0 && ix + span < j.W) {
        src[i] = j.x + (iy * j.W + ix) * j.C + c;
      } else {  // merged, partly in the padding
        float* copy = edge_runs + i * kMaxMergedRun;
        for (int64_t e = 0; e < run; ++e) {
          const int64_t col = ix + (c + e) / j.C;
          copy[e] = col >= 0 && col < j.W ? j.x[(iy * j.W + col) * j.C + (c + e) % j.C] : 0.0f;
        }
        src[i] = copy;
      }
    }
    transpose_run<P>(src, pw, run, panel + k * pp, pp);
    k += run;
    tap += (c + run) / cg;
    c = (c + run) % cg;
  }
}

// The panels of the block, through the instantiation for the panel width when it is one of
// BLIS's or of our own kernels' (the chunks then compile to fixed shuffles and stores).
void nhwc_block(const NhwcPackJob& j) {
  const int64_t pw = j.pixel_width, pp = j.pixel_pack;
  for (int64_t q = 0; q < j.panels; ++q) {
    float* panel = j.pack + q * j.panel_floats;
    const int64_t first = (j.first_panel + q) * pw;
    const int64_t count = min64(pw, j.pixels - first);
    switch (pw) {
      case 4:
        nhwc_panel<4>(j, first, count, panel);
        break;
      case 6:
        nhwc_panel<6>(j, first, count, panel);
        break;
      case 7:
        nhwc_panel<7>(j, first, count, panel);
        break;
      case 8:
        nhwc_panel<8>(j, first, count, panel);
        break;
      case 12:
        nhwc_panel<12>(j, first, count, panel);
        break;
      case 14:
        nhwc_panel<14>(j, first, count, panel);
        break;
      case 16:
        nhwc_panel<16>(j, first, count, panel);
        break;
      case 24:
        nhwc_panel<24>(j, first, count, panel);
        break;
      case 32:
        nhwc_panel<32>(j, first, count, panel);
        break;
      default:
        if (pw <= kMaxGatherWidth)
          nhwc_panel<0>(j, first, count, panel);
        else
          for (int64_t i = 0; i < count; ++i) nhwc_panel<1>(j, first + i, 1, panel + i);
    }
    // Pixels past the image's last one: zero.
    for (int64_t k = 0; k < j.kb; ++k)
      for (int64_t i = count; i < pw; ++i) panel[k * pp + i] = 0.0f;
  }
}

// ---- NCHW rows: runs of a row, strided by SW, copied into the panels -----------------------

// Lanes 0, S, 2S, ... of the S vectors a[0..S) laid end to end: one two-source shuffle for the
// first two, then one more per further vector, each keeping the lanes found so far.
template <int N, int S, int... I>
inline Vec<N> pick_first(Vec<N> a, Vec<N> b, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(a, b, (I * S < 2 * N ? I * S : 0)...);
}
template <int N, int S, int M, int... I>
inline Vec<N> pick_more(Vec<N> acc, Vec<N> v, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(
      acc, v, (I * S >= M * N && I * S < (M + 1) * N ? N + I * S - M * N : I)...);
}
template <int N, int S, int M>
inline Vec<N> pick_rest(Vec<N> acc, const float* src) {
  if constexpr (M < S) {
    acc = pick_more<N, S, M>(acc, load_vec<N>(src + M * N), std::make_integer_sequence<int, N>());
    return pick_rest<N, S, M + 1>(acc, src);
  } else {
    return acc;
  }
}
// N floats src[0], src[S], ..., src[(N - 1) * S], reading src[0 .. N * S).
template <int N, int S>
inline Vec<N> load_strided(const float* src) {
  if constexpr (S == 1) {
    return load_vec<N>(src);
  } else {
    const Vec<N> first = pick_first<N, S>(load_vec<N>(src), load_vec<N>(src + N),
                                          std::make_integer_sequence<int, N>());
    return pick_rest<N, S, 2>(first, src);
  }
}

// The vector width for a wide copy of W pixels: V when it divides W, else 4 (a last vector
// overlapping the one before when 4 does not divide W either), else none (0: element by
// element).
constexpr int wide_width(int W) {
  return W % V == 0 ? V : (W >= 4 ? 4 : 0);
}

// dst[j] = src[j * S] for j < W (S = 0: stride sw at run time), reading src[0 .. W * S).
template <int W, int S>
inline void copy_wide(float* dst, const float* src, int64_t sw) {
  constexpr int N = wide_width(W);
  if constexpr (S > 0 && N > 0) {
#pragma GCC unroll 8
    for (int o = 0; o + N <= W; o += N) store_lanes<N, N>(dst + o, load_strided<N, S>(src + o * S));
    if constexpr (W % N != 0) store_lanes<N, N>(dst + W - N, load_strided<N, S>(src + (W - N) * S));
  } else {
    for (int64_t j = 0; j < W; ++j) dst[j] = src[j * sw];
  }
}

inline void copy_exact(float* dst, const float* src, int64_t len, int64_t sw) {
  for (int64_t j = 0; j < len; ++j) dst[j] = src[j * sw];
}

inline void zero_floats(float* dst, int64_t len) {
  for (int64_t j = 0; j < len; ++j) dst[j] = 0.0f;
}

// A segment whose unclipped run would leave the input tensor: clipped exactly.
inline void copy_clipped(const TapEntry& e, const RowSegment& s, const float* xk, float* pk,
                         int64_t sw) {
  float* dst = pk + s.dest;
  const float* src = xk + s.source;
  const int64_t lo = clamp64(e.ox_begin - s.ox, 0, s.len);
  const int64_t hi = clamp64(e.ox_end - s.ox, lo, s.len);
  zero_floats(dst, lo);
  for (int64_t j = lo; j < hi; ++j) dst[j] = src[j * sw];
  zero_floats(dst + hi, s.len - hi);
}

// Brings `count` floats of a channel plane from `begin` on towards the cache, a line at a time.
inline void prefetch_floats(const float* plane, int64_t begin, int64_t count) {
  constexpr int64_t kLine = 64 / sizeof(float);
  for (int64_t i = 0; i < count; i += kLine) __builtin_prefetch(plane + begin + i);
}

// W: the panel width (0: known at run time only); S: the column stride (0: at run time).
template <int W, int S>
void nchw_rows_for(const NchwRowsJob& j) {
  const int64_t pw = j.pixel_width, pp = j.pixel_pack;
  for (int64_t k = 0; k < j.kb; ++k) {
    const TapEntry& e = j.table[k];
    if (e.prefetch >= 0) prefetch_floats(j.x + e.prefetch, j.prefetch_begin, j.prefetch_count);
    const float* xk = j.x + e.offset;
    float* pk = j.pack + k * pp;
    for (int64_t n = 0; n < j.segment_count; ++n) {
      const RowSegment& g = j.segments[n];
      if (!g.rows_inside) {
        const int64_t iy = g.iy0 + e.dy;
        if (iy < 0 || iy >= j.H) {
          zero_floats(pk + g.dest, g.len);
          continue;
        }
      }
      // A wide copy ends inside its panel's stride (see NchwRowsJob), checked in debug builds.
      assert(k * pp + g.dest % j.panel_floats + (g.copy == kCopyWide ? pw : g.len) <=
             j.panel_floats);
      if (W > 0 && g.copy == kCopyWide)
        copy_wide<W, S>(pk + g.dest, xk + g.source, j.SW);
      else if (g.copy == kCopyWide)
        copy_exact(pk + g.dest, xk + g.source, pw, j.SW);
      else if (g.copy == kCopyExact)
        copy_exact(pk + g.dest, xk + g.source, g.len, j.SW);
      else
        copy_clipped(e, g, xk, pk, j.SW);
    }
    for (int64_t n = 0; n < j.edge_count; ++n) {
      const EdgePixel& p = j.edges[n];
      if (p.ox < e.ox_begin || p.ox >= e.ox_end) pk[p.dest] = 0.0f;
    }
  }
}

// The panel widths of BLIS's kernels and of our own (7, 14), for the strides the vector copies
// pick (1 to 4).
template <int W>
void nchw_rows_width(const NchwRowsJob& j) {
  switch (j.SW) {
    case 1:
      return nchw_rows_for<W, 1>(j);
    case 2:
      return nchw_rows_for<W, 2>(j);
    case 3:
      return nchw_rows_for<W, 3>(j);
    case 4:
      return nchw_rows_for<W, 4>(j);
    default:
      return nchw_rows_for<W, 0>(j);
  }
}

void nchw_rows(const NchwRowsJob& j) {
  switch (j.pixel_width) {
    case 4:
      return nchw_rows_width<4>(j);
    case 7:
      return nchw_rows_width<7>(j);
    case 14:
      return nchw_rows_width<14>(j);
    case 8:
      return nchw_rows_width<8>(j);
    case 12:
      return nchw_rows_width<12>(j);
    case 16:
      return nchw_rows_width<16>(j);
    case 24:
      return nchw_rows_width<24>(j);
    case 32:
      return nchw_rows_width<32>(j);
    default:
      return nchw_rows_for<0, 0>(j);
  }
}

}  // namespace

extern const PackKernels kPackKernels = {
    GEMMCONV_ISA,
    nhwc_block,
    nchw_rows,
};

}  // namespace GEMMCONV_ISA_NS
}  // namespace gemmconv
