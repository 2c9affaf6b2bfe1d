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
#include <array>
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
inline vec clamp_between(vec v, vec lo, vec hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

// One tile of R channels x P vectors: x and y at the tile's first pixel of plane 0, the last
// vector at offset `last` (P - 1 vectors on, or moved back to end at the plane's end), w the
// channel block's packed weights, bias its R biases or null.
template <int R, int P>
void tile(const PointwiseJob& j, const float* x, float* y, int64_t last, const float* w,
          const float* bias) {
  vec acc[R][P];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    const vec b = bias ? splat(bias[r]) : vec{};
#pragma GCC unroll 8
    for (int v = 0; v < P; ++v) acc[r][v] = b;
  }
  const int64_t step = j.pixels;
  for (int64_t k = 0; k < j.channels; ++k, x += step, w += R) {
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

using TileFn = void (*)(const PointwiseJob&, const float*, float*, int64_t, const float*,
                        const float*);

template <int R, int... P>
constexpr std::array<TileFn, kVectors> tiles_of_rows(std::integer_sequence<int, P...>) {
  return {tile<R, P + 1>...};
}
template <int... R>
constexpr std::array<std::array<TileFn, kVectors>, kRows> all_tiles(
    std::integer_sequence<int, R...>) {
  return {tiles_of_rows<R + 1>(std::make_integer_sequence<int, kVectors>())...};
}
// kTiles[rows - 1][vectors - 1]: the narrower tiles serve a group's last channel block and
// plane's last pixel block.
constexpr std::array<std::array<TileFn, kVectors>, kRows> kTiles =
    all_tiles(std::make_integer_sequence<int, kRows>());

void pointwise_tiles(const PointwiseJob& j) {
  const int64_t block_pixels = int64_t(kVectors) * V;
  for (int64_t t = j.tile_begin; t < j.tile_end; ++t) {
    const int64_t p0 = t / j.blocks * block_pixels, b = t % j.blocks;
    const int64_t left = j.pixels - p0;
    const int64_t vectors = left >= block_pixels ? kVectors : (left + V - 1) / V;
    const int64_t last = left >= block_pixels ? block_pixels - V : left - V;
    const int64_t rows = j.outputs - b * kRows < kRows ? j.outputs - b * kRows : kRows;
    kTiles[std::size_t(rows - 1)][std::size_t(vectors - 1)](
        j, j.x + p0, j.y + b * kRows * j.pixels + p0, last, j.weights + b * kRows * j.channels,
        j.bias ? j.bias + b * kRows : nullptr);
  }
}

}  // namespace

extern const PointwiseKernels kPointwiseKernels = {
    GEMMCONV_ISA, V, kRows, kVectors, pointwise_tiles,
};

}  // namespace GEMMCONV_ISA_NS
}  // namespace gemmconv
