// Short copies and fills for the pixel packing: a panel row is a few runs of at most a
// micro-panel's width, too short for memcpy's call and too varied for one loop.
#pragma once

#include <cstdint>
#include <type_traits>

namespace gemmconv {

template <int kCount>
inline void move_fixed(float* __restrict dst, const float* __restrict src) {
  for (int j = 0; j < kCount; ++j) dst[j] = src[j];
}

// Copies `len` contiguous floats with a few fixed-size moves (overlapping at the end when len
// is no multiple of their size). kWidth > 0: the panel width, one fixed copy when len is it.
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

inline void zero_run(float* dst, int64_t len) {
  for (int64_t j = 0; j < len; ++j) dst[j] = 0.0f;
}

// Calls f(std::integral_constant<int, w>()) with w = width when width is the panel width of
// one of BLIS's sgemm kernels (a compile-time width turns a panel row's copy into a few vector
// moves), else with w = 0 (the general loops).
template <typename F>
inline void with_panel_width(int64_t width, F&& f) {
  switch (width) {
    case 4:
      return f(std::integral_constant<int, 4>());
    case 6:
      return f(std::integral_constant<int, 6>());
    case 8:
      return f(std::integral_constant<int, 8>());
    case 12:
      return f(std::integral_constant<int, 12>());
    case 16:
      return f(std::integral_constant<int, 16>());
    case 24:
      return f(std::integral_constant<int, 24>());
    case 32:
      return f(std::integral_constant<int, 32>());
    default:
      return f(std::integral_constant<int, 0>());
  }
}

// Zeroes columns [from, pack) of a packed panel of kb rows: pixels past the image's last one.
inline void zero_panel_tail(float* panel, int64_t kb, int64_t pack, int64_t from) {
  if (from >= pack) return;
  for (int64_t k = 0; k < kb; ++k) zero_run(panel + k * pack + from, pack - from);
}

}  // namespace gemmconv
