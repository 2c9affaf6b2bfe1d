// How the taps of a strided, dilated kernel repeat each other along one axis: the fact the
// copy-self patch builders exploit to copy most of the patch matrix from itself.
#pragma once

#include <cstdint>
#include <numeric>

namespace gemmconv {

// Tap k reads input o * stride + k * dilation - pad for output o, so taps k and k + period read
// the same input for outputs `shift` apart: tap k + period at output o is tap k at o + shift.
struct TapRepetition {
  int64_t period;  // stride / gcd(stride, dilation): 1 when the stride is 1
  int64_t shift;   // dilation / gcd(stride, dilation)
};

inline TapRepetition tap_repetition(int64_t stride, int64_t dilation) {
  const int64_t g = std::gcd(stride, dilation);
  return {stride / g, dilation / g};
}

}  // namespace gemmconv
