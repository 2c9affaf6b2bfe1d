// Vectors of any power-of-two width (GCC's vector extensions, which also compile to NEON) and
// the shuffles the packing loops are built from: loads and stores of part of a vector, register
// transposes. Included by a per-ISA translation unit after it defined
// GEMMCONV_ISA_NS: everything here lives in that namespace's anonymous part, so no function
// compiled for a wider ISA can be merged with (and run by) the code of a narrower one.
#pragma once

#include <cstdint>
#include <utility>

namespace gemmconv {
namespace GEMMCONV_ISA_NS {
namespace {

template <int N>
struct VecOf {
  typedef float type __attribute__((vector_size(N * sizeof(float))));
};
template <int N>
using Vec = typename VecOf<N>::type;

template <int N>
inline Vec<N> load_vec(const float* p) {
  Vec<N> v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
template <int N>
inline void store_vec(float* p, Vec<N> v) {
  __builtin_memcpy(p, &v, sizeof v);
}
// Every lane s, one broadcast (Vec<N>{} + s would add +0.0 to s first).
template <int N, int... I>
inline Vec<N> broadcast_lane0(Vec<N> v, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(v, v, (I * 0)...);
}
template <int N>
inline Vec<N> splat(float s) {
  return broadcast_lane0<N>(Vec<N>{s}, std::make_integer_sequence<int, N>());
}
template <int N>
inline Vec<N> clamp_between(Vec<N> v, Vec<N> lo, Vec<N> hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}
// The first `kLanes` lanes of v at p (a compile-time count: a few plain moves, no call).
template <int kLanes, int N>
inline void store_lanes(float* p, Vec<N> v) {
  static_assert(kLanes <= N, "a store of more lanes than the vector has");
  __builtin_memcpy(p, &v, kLanes * sizeof(float));
}

// Shuffles that stay inside each 128-bit block of 4 lanes (single in-lane instructions on x86:
// unpcklps, unpckhps, shufps), lane i of the result taking the index the function gives.
template <int N, int... I>
inline Vec<N> unpack_lo(Vec<N> a, Vec<N> b, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(a, b, (I / 4 * 4 + I % 4 / 2 + (I % 2) * N)...);
}
template <int N, int... I>
inline Vec<N> unpack_hi(Vec<N> a, Vec<N> b, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(a, b, (I / 4 * 4 + 2 + I % 4 / 2 + (I % 2) * N)...);
}
template <int N, int... I>
inline Vec<N> pairs_lo(Vec<N> a, Vec<N> b, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(a, b, (I / 4 * 4 + I % 2 + (I % 4 / 2) * N)...);
}
template <int N, int... I>
inline Vec<N> pairs_hi(Vec<N> a, Vec<N> b, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(a, b, (I / 4 * 4 + 2 + I % 2 + (I % 4 / 2) * N)...);
}
// Interleaves the 128-bit blocks of the first halves of a and b (blocks_lo) or of their second
// halves: a.0 b.0 a.1 b.1 ... (vperm2f128, vshuff32x4).
template <int N, int... I>
inline Vec<N> blocks_lo(Vec<N> a, Vec<N> b, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(a, b, (I / 8 * 4 + I % 4 + (I / 4 % 2) * N)...);
}
template <int N, int... I>
inline Vec<N> blocks_hi(Vec<N> a, Vec<N> b, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(a, b, (N / 2 + I / 8 * 4 + I % 4 + (I / 4 % 2) * N)...);
}

// Transposes the N x N block r[0..N) (N a multiple of 4), as the cheap shuffles allow: 4 x 4
// transposes inside each 128-bit block of each group of 4 rows, then the N/4 x N/4 matrix of
// those blocks transposed (per row of the 4 x 4 results) by rounds of block interleaves.
template <int N>
inline void transpose(Vec<N>* r) {
  static_assert(N % 4 == 0, "transposes of whole 128-bit blocks");
  constexpr auto lanes = std::make_integer_sequence<int, N>();
  constexpr int L = N / 4;
  // u[w * L + g]: from rows 4g..4g+3, block b holding their column 4b + w.
  Vec<N> u[N];
#pragma GCC unroll 4
  for (int g = 0; g < L; ++g) {
    const Vec<N> t0 = unpack_lo<N>(r[4 * g], r[4 * g + 1], lanes);
    const Vec<N> t1 = unpack_hi<N>(r[4 * g], r[4 * g + 1], lanes);
    const Vec<N> t2 = unpack_lo<N>(r[4 * g + 2], r[4 * g + 3], lanes);
    const Vec<N> t3 = unpack_hi<N>(r[4 * g + 2], r[4 * g + 3], lanes);
    u[0 * L + g] = pairs_lo<N>(t0, t2, lanes);
    u[1 * L + g] = pairs_hi<N>(t0, t2, lanes);
    u[2 * L + g] = pairs_lo<N>(t1, t3, lanes);
    u[3 * L + g] = pairs_hi<N>(t1, t3, lanes);
  }
  // For each w, u[w * L + g] block b -> column 4b + w, pixels of group g: a transpose of the
  // L x L blocks puts block g of result b at column 4b + w.
#pragma GCC unroll 4
  for (int w = 0; w < 4; ++w) {
    Vec<N>* m = u + w * L;
#pragma GCC unroll 4
    for (int round = 1; round < L; round *= 2) {
      Vec<N> t[L];
#pragma GCC unroll 4
      for (int i = 0; i < L / 2; ++i) {
        t[2 * i] = blocks_lo<N>(m[i], m[i + L / 2], lanes);
        t[2 * i + 1] = blocks_hi<N>(m[i], m[i + L / 2], lanes);
      }
#pragma GCC unroll 4
      for (int i = 0; i < L; ++i) m[i] = t[i];
    }
#pragma GCC unroll 4
    for (int b = 0; b < L; ++b) r[4 * b + w] = m[b];
  }
}

}  // namespace
}  // namespace GEMMCONV_ISA_NS
}  // namespace gemmconv
