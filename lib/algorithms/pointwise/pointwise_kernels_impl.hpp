// The pointwise-nchw tiles, written once over the vector width V with GCC's vector extensions
// and compiled once per instruction set: each pointwise_kernels_<isa>.cpp defines
// GEMMCONV_ISA_NS and GEMMCONV_VECTOR_FLOATS and includes this file. Everything here lives in
// that namespace and uses no inline function of another header, so no code compiled for a wider
// ISA can be shared with (and run by) a narrower variant.
//
// A tile keeps rows x vectors sums in registers over the whole reduction: per input channel it
// loads `vectors` vectors of one input plane and broadcasts `rows` weights, each broadcast
// feeding a row of multiply-adds. The shapes are those of the fastest tiles measured per width
// (side by side, 1x1 layers of ResNet-50 and GoogLeNet, 64 to 1024 input channels): 8 x 3
// vectors with 32 registers of 16 floats, 6 x 2 with 16 registers (as BLIS's 6x16 AVX2 tile);
// 4 x 6 and 4 x 3 ran 0.85x as fast. No reduction blocking: the input block (C' x the tile's
// pixels) is read again from L1 or L2 by each channel block; blocks of 96 input channels with
// the partial sums in the output measured 0.9x as fast.
//
// Summation order: every output starts from its bias and adds the input channels in order, in
// every tile shape, so the results do not depend on how the work is split between threads.
#include <cstdint>
#include <utility>

#include "../../simd/vector_ops.hpp"
#include "pointwise_kernels.hpp"

namespace gemmconv {
namespace GEMMCONV_ISA_NS {
namespace {

constexpr int V = GEMMCONV_VECTOR_FLOATS;
constexpr int kRows = V == 16 ? 8 : 6;
constexpr int kVectors = V == 16 ? 3 : 2;
using vec = Vec<V>;
static_assert(kVectors * V <= kMaxPointwiseBlockFloats, "a stage row per tile width");

inline vec load(const float* p) {
  return load_vec<V>(p);
}
inline void store(float* p, vec v) {
  store_vec<V>(p, v);
}
inline int64_t min64(int64_t a, int64_t b) {
  return a < b ? a : b;
}

// The parts both tile shapes share, on a tile's sums acc[R][P]: one step of the reduction (P
// vectors of input at x, the last at x + last, times R weights at w), and the store of the sums
// to R output planes `plane` floats apart, clamped or not.
template <int R, int P>
inline void tile_step(vec (&acc)[R][P], const float* x, int64_t last, const float* w) {
  vec in[P];
#pragma GCC unroll 8
  for (int v = 0; v + 1 < P; ++v) in[v] = load(x + v * V);
  in[P - 1] = load(x + last);
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    const vec b = splat<V>(w[r]);
#pragma GCC unroll 8
    for (int v = 0; v < P; ++v) acc[r][v] += b * in[v];
  }
}
template <int R, int P>
inline void store_tile(const vec (&acc)[R][P], float* y, int64_t plane, int64_t last, bool clamp,
                       float lo_value, float hi_value) {
  const vec lo = splat<V>(lo_value), hi = splat<V>(hi_value);
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int v = 0; v < P; ++v) {
      const vec out = clamp ? clamp_between<V>(acc[r][v], lo, hi) : acc[r][v];
      store(y + r * plane + (v + 1 < P ? v * V : last), out);
    }
  }
}

// One tile of R channels x P vectors: x and y at the tile's first pixel of plane 0 (x's planes
// x_step apart), the last vector at offset `last` (P - 1 vectors on, or moved back to end at the
// plane's end), w the channel block's packed weights, bias its R biases or null.
template <int R, int P>
struct PlaneTile {
  static void run(const PointwiseJob& j, const float* x, int64_t x_step, float* y, int64_t last,
                  const float* w, const float* bias);
};
template <int R, int P>
void PlaneTile<R, P>::run(const PointwiseJob& j, const float* x, int64_t x_step, float* y,
                          int64_t last, const float* w, const float* bias) {
  vec acc[R][P];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    const vec b = bias ? splat<V>(bias[r]) : vec{};
#pragma GCC unroll 8
    for (int v = 0; v < P; ++v) acc[r][v] = b;
  }
  for (int64_t k = 0; k < j.channels; ++k, x += x_step, w += R) tile_step<R, P>(acc, x, last, w);
  store_tile<R, P>(acc, y, j.pixels, last, j.clamp, j.lo, j.hi);
}

// kTiles<Tile>.of_rows[rows - 1].of_vectors[vectors - 1]: Tile<rows, vectors>::run, the
// narrower tiles for a group's last channel block and a plane's or row's last pixel block.
template <template <int, int> class Tile>
struct TileTable {
  using Fn = decltype(&Tile<1, 1>::run);
  struct Row {
    Fn of_vectors[kVectors];
  };
  Row of_rows[kRows];
};
template <template <int, int> class Tile, int R, int... P>
constexpr typename TileTable<Tile>::Row tiles_of_rows(std::integer_sequence<int, P...>) {
  return {{&Tile<R, P + 1>::run...}};
}
template <template <int, int> class Tile, int... R>
constexpr TileTable<Tile> all_tiles(std::integer_sequence<int, R...>) {
  return {{tiles_of_rows<Tile, R + 1>(std::make_integer_sequence<int, kVectors>())...}};
}
template <template <int, int> class Tile>
constexpr TileTable<Tile> kTiles = all_tiles<Tile>(std::make_integer_sequence<int, kRows>());

// Even lanes of a and b in order: a's then b's (a stride-2 row deinterleaved).
template <int... I>
inline vec even_lanes(vec a, vec b, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(a, b, (2 * I)...);
}

// Gathers output pixels [p0, p0 + count) of every input channel into j.stage (rows `width`
// apart, V floats of slack after the last), channel by channel, a run along an output row at a
// time. Stride-2 runs go a vector at a time from two loads, the last vector of a run spilling
// past its end into places the next run (or the next channel's row, or the slack) writes later,
// while its loads stay inside the input plane; the rest a pixel at a time.
void gather(const PointwiseJob& j, int64_t p0, int64_t count, int64_t width) {
  struct Run {
    int64_t source, dest, length, vectors;  // vectors: how many of the run's go whole
  };
  Run runs[kMaxPointwiseBlockFloats];
  int64_t run_count = 0;
  for (int64_t p = p0; p < p0 + count; ++run_count) {
    const int64_t oy = p / j.Wo, ox = p % j.Wo;
    Run& r = runs[run_count];
    r.source = oy * j.SH * j.W + ox * j.SW;
    r.dest = p - p0;
    r.length = min64(j.Wo - ox, p0 + count - p);
    // Vector i reads input floats source + 2 i * V up to source + 2 (i + 1) V - 1.
    r.vectors = j.SW == 2 ? min64((r.length + V - 1) / V, (j.in_plane - r.source) / (2 * V)) : 0;
    p += r.length;
  }
  const float* x = j.x;
  float* stage = j.stage;
  for (int64_t c = 0; c < j.channels; ++c, x += j.in_plane, stage += width)
    for (int64_t k = 0; k < run_count; ++k) {
      const Run& r = runs[k];
      const float* src = x + r.source;
      float* dst = stage + r.dest;
      int64_t i = 0;
      for (int64_t v = 0; v < r.vectors; ++v, i += V)
        store(dst + i, even_lanes(load(src + 2 * i), load(src + 2 * i + V),
                                  std::make_integer_sequence<int, V>()));
      for (; i < r.length; ++i) dst[i] = src[i * j.SW];
    }
}

void pointwise_tiles(const PointwiseJob& j) {
  const int64_t block_pixels = int64_t(kVectors) * V;
  int64_t staged = -1;  // the pixel block in j.stage
  for (int64_t t = j.tile_begin; t < j.tile_end; ++t) {
    const int64_t p0 = t / j.blocks * block_pixels, b = t % j.blocks;
    const int64_t left = j.pixels - p0;
    const int64_t vectors = left >= block_pixels ? kVectors : (left + V - 1) / V;
    const int64_t last = left >= block_pixels ? block_pixels - V : left - V;
    const int64_t rows = j.outputs - b * kRows < kRows ? j.outputs - b * kRows : kRows;
    const float* x = j.x + p0;
    int64_t x_step = j.in_plane;
    if (j.stage) {
      // The block's pixels, from one vector before its end when it is narrower than that.
      const int64_t first = min64(0, left - V);
      if (staged != p0) gather(j, p0 + first, min64(left, block_pixels) - first, block_pixels);
      staged = p0;
      x = j.stage - first;
      x_step = block_pixels;
    }
    kTiles<PlaneTile>.of_rows[rows - 1].of_vectors[vectors - 1](
        j, x, x_step, j.y + b * kRows * j.pixels + p0, last, j.weights + b * kRows * j.channels,
        j.bias ? j.bias + b * kRows : nullptr);
  }
}

// The input rows a band of `rows` output rows reads.
inline int64_t staged_rows(const RowTilesJob& j, int64_t rows) {
  return (rows - 1) * j.SH + j.KH;
}

// The floats between two input channels in the stage of a band.
inline int64_t stage_channel_floats(const RowTilesJob& j) {
  return j.zeros + staged_rows(j, j.band) * j.pitch;
}

// Calls f(i) for i in [0, n), unrolled when n is fixed at compile time (kN > 0).
template <int kN, typename F>
__attribute__((always_inline)) inline void for_each_tap(int64_t n, F&& f) {
  if constexpr (kN > 0) {
#pragma GCC unroll 16
    for (int64_t i = 0; i < kN; ++i) f(i);
  } else {
    for (int64_t i = 0; i < n; ++i) f(i);
  }
}

// A row or flat tile's reduction over input channels [c0, c1) of the staged chunk: rows[ky] the
// stage of tap row ky at the tile's first pixel, the last vector at offset `last`; w the channel
// block's packed weights at c0. kSW: the column stride (1, or 2 with the staged rows in two
// phases: tap kx reads phase kx % 2, kx / 2 on). kKH, kKW: the kernel's size when fixed at
// compile time (0: read from the job), so that the taps are unrolled: looped taps ran up to
// 1.08x the unrolled ones' time on 3x3 layers, 1.04x-1.33x on 3x3 stride-2 layers and up to
// 1.08x on 7x7 stride-2 layers (skx and haswell, 1 thread).
template <int R, int P, int kSW, int kKH, int kKW>
__attribute__((always_inline)) inline void reduce_taps(vec (&acc)[R][P], const RowTilesJob& j,
                                                       const float* const* rows, int64_t c0,
                                                       int64_t c1, int64_t last, const float* w) {
  const int64_t KW = kKW > 0 ? kKW : j.KW, taps = (kKH > 0 ? kKH : j.KH) * KW;
  const int64_t channel_step = stage_channel_floats(j);
  for (int64_t c = c0; c < c1; ++c, w += taps * R)
    for_each_tap<kKH>(
        j.KH, [&](int64_t ky) __attribute__((always_inline)) {
          const float* x = rows[ky] + (c - c0) * channel_step;
          const float* wk = w + ky * KW * R;
          for_each_tap<kKW>(
              KW, [&](int64_t kx) __attribute__((always_inline)) {
                tile_step<R, P>(acc, x + (kx % kSW) * j.phase + kx / kSW, last, wk + kx * R);
              });
        });
}

template <int R, int P>
inline void bias_sums(vec (&acc)[R][P], const float* bias) {
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    const vec b = bias ? splat<V>(bias[r]) : vec{};
#pragma GCC unroll 8
    for (int v = 0; v < P; ++v) acc[r][v] = b;
  }
}

// One row tile of R channels x P vectors over input channels [c0, c1): y the tile's first
// output, which holds the sums of the chunks before (c0 > 0); bias the block's R biases or null.
// The last chunk (c1 == C') clamps.
template <int kSW, int kKH, int kKW>
struct RowTiles {
  template <int R, int P>
  struct Tile {
    static void run(const RowTilesJob& j, const float* const* rows, int64_t c0, int64_t c1,
                    float* y, int64_t last, const float* w, const float* bias) {
      const int64_t plane = j.Ho * j.Wo;
      vec acc[R][P];
      bias_sums<R, P>(acc, bias);
      if (c0 > 0) {
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
          for (int v = 0; v < P; ++v) acc[r][v] = load(y + r * plane + (v + 1 < P ? v * V : last));
      }
      reduce_taps<R, P, kSW, kKH, kKW>(acc, j, rows, c0, c1, last, w);
      store_tile<R, P>(acc, y, plane, last, j.clamp && c1 == j.channels, j.lo, j.hi);
    }
  };
};

// One flat tile of R channels x P vectors from flat position q of a band over all input
// channels: y the band's first output row of the block's first channel. The sums go through a
// buffer on the stack, from which each output row's part of the tile is copied.
template <int kKH, int kKW>
struct FlatTiles {
  template <int R, int P>
  struct Tile {
    static void run(const RowTilesJob& j, const float* const* rows, int64_t q, float* y,
                    int64_t last, const float* w, const float* bias);
  };
};
template <int kKH, int kKW>
template <int R, int P>
void FlatTiles<kKH, kKW>::Tile<R, P>::run(const RowTilesJob& j, const float* const* rows, int64_t q,
                                          float* y, int64_t last, const float* w,
                                          const float* bias) {
  vec acc[R][P];
  bias_sums<R, P>(acc, bias);
  reduce_taps<R, P, 1, kKH, kKW>(acc, j, rows, 0, j.channels, last, w);
  alignas(64) float sums[R][P * V];
  store_tile<R, P>(acc, &sums[0][0], P * V, last, j.clamp, j.lo, j.hi);
  const int64_t plane = j.Ho * j.Wo, end = q + last + V;
  for (int64_t s = q; s < end;) {
    const int64_t oy = s / j.pitch, ox = s % j.pitch;
    if (ox >= j.Wo) {
      s = (oy + 1) * j.pitch;
      continue;
    }
    const int64_t n = min64(j.Wo - ox, end - s);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
      __builtin_memcpy(y + r * plane + oy * j.Wo + ox, &sums[r][s - q], sizeof(float) * n);
    s += n;
  }
}

// Stages `count` input rows from row `first` of channels [c0, c1) in the layout RowTilesJob
// describes; rows outside the image all zeros (the padding is multiplied as zeros, as the GEMM
// algorithms do).
void stage_rows(const RowTilesJob& j, int64_t c0, int64_t c1, int64_t first, int64_t count) {
  const int64_t channel_step = stage_channel_floats(j);
  for (int64_t c = c0; c < c1; ++c) {
    float* dst = j.stage + (c - c0) * channel_step;
    for (int64_t i = 0; i < j.zeros; ++i) *dst++ = 0.0f;
    for (int64_t iy = first; iy < first + count; ++iy, dst += j.pitch) {
      if (iy < 0 || iy >= j.H) {
        for (int64_t i = 0; i < j.pitch; ++i) dst[i] = 0.0f;
        continue;
      }
      const float* src = j.x + (c * j.H + iy) * j.W;
      if (j.SW == 1) {
        __builtin_memcpy(dst, src, sizeof(float) * j.W);
        for (int64_t i = j.W; i < j.pitch; ++i) dst[i] = 0.0f;
        continue;
      }
      // Phase f holds the padded row's columns f, f + SW, f + 2 SW, ...
      for (int64_t f = 0; f < j.SW; ++f)
        for (int64_t i = 0; i < j.phase; ++i) {
          const int64_t col = i * j.SW + f - j.PL;
          dst[f * j.phase + i] = col >= 0 && col < j.W ? src[col] : 0.0f;
        }
    }
  }
}

// Calls tile(q, vectors, last) for the tiles of the flat positions [q0, q0 + length), at least
// one vector: the vectors shared out evenly over the pixel blocks, the last moved back to end
// at the end, so the last block holds two vectors at least (unless there is one), and the
// vector moved back overlaps only its own tile's, which loads its sums of earlier chunks before
// either stores.
template <typename Tile>
inline void each_tile(int64_t q0, int64_t length, Tile&& tile) {
  const int64_t vectors = (length + V - 1) / V, pixel_blocks = (vectors + kVectors - 1) / kVectors;
  for (int64_t pb = 0; pb < pixel_blocks; ++pb) {
    const int64_t v0 = pb * vectors / pixel_blocks, v1 = (pb + 1) * vectors / pixel_blocks;
    const int64_t q = v0 * V;
    tile(q0 + q, v1 - v0, v1 == vectors ? length - V - q : (v1 - v0 - 1) * V);
  }
}

template <template <int, int> class Tile>
inline auto tile_of(int64_t rows, int64_t vectors) {
  return kTiles<Tile>.of_rows[rows - 1].of_vectors[vectors - 1];
}

// The row or flat tile of `rows` channels x `vectors` vectors for the job's kernel. 3x3 kernels
// (most layers) have their taps unrolled, 7x7 kernels with stride 2 (first layers) their rows of
// taps; other kernels loop. Unrolled 5x5 taps ran as fast as looped ones, and so did 7x7
// stride-2 taps unrolled whole, 1.0-1.07x the time of their rows of taps unrolled (skx, 1
// thread).
inline auto row_tile(const RowTilesJob& j, int64_t rows, int64_t vectors) {
  static_assert(kMaxRowTileStride == 2, "row tiles for each column stride");
  const bool k3 = j.KH == 3 && j.KW == 3;
  if (j.SW == 2) {
    if (k3) return tile_of<RowTiles<2, 3, 3>::Tile>(rows, vectors);
    if (j.KW == 7) return tile_of<RowTiles<2, 0, 7>::Tile>(rows, vectors);
    return tile_of<RowTiles<2, 0, 0>::Tile>(rows, vectors);
  }
  return k3 ? tile_of<RowTiles<1, 3, 3>::Tile>(rows, vectors)
            : tile_of<RowTiles<1, 0, 0>::Tile>(rows, vectors);
}
inline auto flat_tile(const RowTilesJob& j, int64_t rows, int64_t vectors) {
  return j.KH == 3 && j.KW == 3 ? tile_of<FlatTiles<3, 3>::Tile>(rows, vectors)
                                : tile_of<FlatTiles<0, 0>::Tile>(rows, vectors);
}

void row_tiles(const RowTilesJob& j) {
  const int64_t blocks = (j.outputs + kRows - 1) / kRows, plane = j.Ho * j.Wo;
  for (int64_t oy0 = j.row_begin; oy0 < j.row_end; oy0 += j.band) {
    const int64_t oy1 = min64(j.row_end, oy0 + j.band), first = oy0 * j.SH - j.PT;
    for (int64_t c0 = 0; c0 < j.channels; c0 += j.chunk) {
      const int64_t c1 = min64(j.channels, c0 + j.chunk);
      stage_rows(j, c0, c1, first, staged_rows(j, oy1 - oy0));
      for (int64_t b = 0; b < blocks; ++b) {
        const int64_t r = j.outputs - b * kRows < kRows ? j.outputs - b * kRows : kRows;
        const float* w = j.weights + (b * kRows * j.channels + c0 * r) * j.KH * j.KW;
        const float* bias = j.bias ? j.bias + b * kRows : nullptr;
        float* y = j.y + b * kRows * plane + oy0 * j.Wo;
        auto tile_rows = [&](int64_t q, const float** rows) {
          for (int64_t ky = 0; ky < j.KH; ++ky) rows[ky] = j.stage + j.base + ky * j.pitch + q;
        };
        if (j.flat) {
          each_tile(0, (oy1 - oy0 - 1) * j.pitch + j.Wo,
                    [&](int64_t q, int64_t count, int64_t last) {
                      const float* rows[kMaxRowTileTaps];
                      tile_rows(q, rows);
                      flat_tile(j, r, count)(j, rows, q, y, last, w, bias);
                    });
          continue;
        }
        for (int64_t oy = oy0; oy < oy1; ++oy)
          each_tile((oy - oy0) * j.SH * j.pitch, j.Wo, [&](int64_t q, int64_t count, int64_t last) {
            const float* rows[kMaxRowTileTaps];
            tile_rows(q, rows);
            const int64_t ox = q - (oy - oy0) * j.SH * j.pitch;
            row_tile(j, r, count)(j, rows, c0, c1, y + (oy - oy0) * j.Wo + ox, last, w, bias);
          });
      }
    }
  }
}

}  // namespace

extern const PointwiseKernels kPointwiseKernels = {
    GEMMCONV_ISA, V, kRows, kVectors, pointwise_tiles, row_tiles,
};

}  // namespace GEMMCONV_ISA_NS
}  // namespace gemmconv
