// Where a kernel tap lands inside the input: the index arithmetic every algorithm shares.
#pragma once

#include <cstdint>

#include "desc.hpp"

namespace gemmconv {

struct IndexRange {
  int64_t begin, end;  // [begin, end), empty when begin >= end
};

// The outputs o in [0, out_extent) whose input index o * stride + offset lies in [0, in_extent).
inline IndexRange valid_outputs(int64_t out_extent, int64_t stride, int64_t offset,
                                int64_t in_extent) {
  int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t end = in_extent - 1 - offset < 0 ? 0 : (in_extent - 1 - offset) / stride + 1;
  if (end > out_extent) end = out_extent;
  if (begin > end) begin = end;
  return {begin, end};
}

// Input row / column read by output row oy (column ox) for tap ky (kx); may be out of range.
inline int64_t input_row(const ConvDesc& d, int64_t oy, int64_t ky) {
  return oy * d.SH - d.PT + ky * d.DH;
}
inline int64_t input_col(const ConvDesc& d, int64_t ox, int64_t kx) {
  return ox * d.SW - d.PL + kx * d.DW;
}

// Row k of a convolution's reduction (K = C' * KH * KW) as a channel and a tap, in the two orders
// the library uses: taps fastest (OIHW filters, NCHW patches) and channels fastest (OHWI
// filters, NHWC patches).
struct ReductionIndex {
  int64_t c, ky, kx;
};
inline ReductionIndex taps_fastest(const ConvDesc& d, int64_t k) {
  return {k / d.taps(), k / d.KW % d.KH, k % d.KW};
}
inline ReductionIndex channels_fastest(const ConvDesc& d, int64_t k) {
  const int64_t cg = d.Cg();
  return {k % cg, k / cg / d.KW, k / cg % d.KW};
}

// Output columns whose tap kx reads a real (non-padding) input column.
inline IndexRange valid_cols(const ConvDesc& d, int64_t kx) {
  return valid_outputs(d.Wo, d.SW, kx * d.DW - d.PL, d.W);
}
// Output rows whose tap ky reads a real input row.
inline IndexRange valid_rows(const ConvDesc& d, int64_t ky) {
  return valid_outputs(d.Ho, d.SH, ky * d.DH - d.PT, d.H);
}

}  // namespace gemmconv
