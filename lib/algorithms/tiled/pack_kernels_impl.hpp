// The pixel packing loops, written once over the vector width V with GCC's vector extensions
// and compiled once per instruction set: each pack_kernels_<isa>.cpp defines GEMMCONV_ISA_NS and
// GEMMCONV_VECTOR_FLOATS and includes this file. Everything here lives in that namespace and
// uses no inline function of another header (see simd/vector_ops.hpp).
#include <cstdint>

#include "../../simd/vector_ops.hpp"
#include "pack_kernels.hpp"

namespace gemmconv {
namespace GEMMCONV_ISA_NS {
namespace {

constexpr int V = GEMMCONV_VECTOR_FLOATS;

inline int64_t min64(int64_t a, int64_t b) {
  return a < b ? a : b;
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
// BLIS's (the chunks then compile to fixed shuffles and stores).
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
      case 8:
        nhwc_panel<8>(j, first, count, panel);
        break;
      case 12:
        nhwc_panel<12>(j, first, count, panel);
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

}  // namespace

extern const PackKernels kPackKernels = {
    GEMMCONV_ISA,
    nhwc_block,
};

}  // namespace GEMMCONV_ISA_NS
}  // namespace gemmconv
