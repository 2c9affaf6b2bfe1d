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

#include "pointwise_kernels.hpp"

namespace gemmconv {
namespace GEMMCONV_ISA_NS {
namespace {

constexpr int V = GEMMCONV_VECTOR_FLOATS;
constexpr int kRows = V == 16 ? 8 : 6;
constexpr int kVectors = V == 16 ? 3 : 2;
typedef float vec __attribute__((vector_size(V * sizeof(float))));
static_assert(kRows * 0 + kVectors * V <= kMaxPointwiseBlockFloats, "a stage row per tile width");

inline vec load(const float* p) {
  vec v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, vec v) {
  __builtin_memcpy(p, &v, sizeof v);
}
// Every lane s, one broadcast (vec{} + s would add +0.0 to s first).
template <int... I>
inline vec broadcast_lane0(vec v, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(v, v, (I * 0)...);
}
inline vec splat(float s) {
  return broadcast_lane0(vec{s}, std::make_integer_sequence<int, V>());
}
inline int64_t min64(int64_t a, int64_t b) {
  return a < b ? a : b;
}
inline vec clamp_between(vec v, vec lo, vec hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

// One tile of R channels x P vectors: x and y at the tile's first pixel of plane 0 (x's planes
// x_step apart), the last vector at offset `last` (P - 1 vectors on, or moved back to end at the
// plane's end), w the channel block's packed weights, bias its R biases or null.
template <int R, int P>
void tile(const PointwiseJob& j, const float* x, int64_t x_step, float* y, int64_t last,
          const float* w, const float* bias) {
  vec acc[R][P];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    const vec b = bias ? splat(bias[r]) : vec{};
#pragma GCC unroll 8
    for (int v = 0; v < P; ++v) acc[r][v] = b;
  }
  const int64_t step = j.pixels;
  for (int64_t k = 0; k < j.channels; ++k, x += x_step, w += R) {
    vec in[P];
#pragma GCC unroll 8
    for (int v = 0; v + 1 < P; ++v) in[v] = load(x + v * V);
    in[P - 1] = load(x + last);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const vec b = splat(w[r]);
#pragma GCC unroll 8
      for (int v = 0; v < P; ++v) acc[r][v] += b * in[v];
    }
  }
  const vec lo = splat(j.lo), hi = splat(j.hi);
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int v = 0; v < P; ++v) {
      const vec out = j.clamp ? clamp_between(acc[r][v], lo, hi) : acc[r][v];
      store(y + r * step + (v + 1 < P ? v * V : last), out);
    }
  }
}

using TileFn = void (*)(const PointwiseJob&, const float*, int64_t, float*, int64_t, const float*,
                        const float*);

struct TileRow {
  TileFn of_vectors[kVectors];
};
struct TileTable {
  TileRow of_rows[kRows];
};
template <int R, int... P>
constexpr TileRow tiles_of_rows(std::integer_sequence<int, P...>) {
  return TileRow{{tile<R, P + 1>...}};
}
template <int... R>
constexpr TileTable all_tiles(std::integer_sequence<int, R...>) {
  return TileTable{{tiles_of_rows<R + 1>(std::make_integer_sequence<int, kVectors>())...}};
}
// The narrower tiles serve a group's last channel block and a plane's last pixel block.
constexpr TileTable kTiles = all_tiles(std::make_integer_sequence<int, kRows>());

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
    kTiles.of_rows[rows - 1].of_vectors[vectors - 1](j, x, x_step, j.y + b * kRows * j.pixels + p0,
                                                     last, j.weights + b * kRows * j.channels,
                                                     j.bias ? j.bias + b * kRows : nullptr);
  }
}

}  // namespace

extern const PointwiseKernels kPointwiseKernels = {
    GEMMCONV_ISA, V, kRows, kVectors, pointwise_tiles,
};

}  // namespace GEMMCONV_ISA_NS
}  // namespace gemmconv
