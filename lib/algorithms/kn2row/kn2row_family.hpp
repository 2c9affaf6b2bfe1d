// What the kn2row family shares. With stride 1, a KHxKW convolution is the sum of KH*KW 1x1
// convolutions, one per tap (ky, kx), each reading the input shifted by (dy, dx) =
// (ky*DH - PT, kx*DW - PL): output (oy, ox) takes tap (ky, kx) from input (oy + dy, ox + dx),
// or nothing when that lies in the padding. The variants differ in where a tap's 1x1 result
// goes before it reaches Y: kn2row/kn2col keep all taps' results (one big GEMM), -aa one tap's
// at a time, -as none (the GEMM accumulates into Y itself).
#pragma once

#include <algorithm>
#include <cstdint>

#include "../../conv/geometry.hpp"
#include "../algorithm.hpp"

namespace gemmconv {

// Every kn2row-family algorithm needs stride 1 (the 1x1 results are per input pixel) and
// computes one activation layout natively: the -row names NCHW, the -col names NHWC.
inline bool kn2_supports_nchw(const ConvDesc& d) {
  return d.layout == Layout::NCHW && d.stride_one();
}
inline bool kn2_supports_nhwc(const ConvDesc& d) {
  return d.layout == Layout::NHWC && d.stride_one();
}

// One tap's shift and the output rectangle it contributes to (rows x cols); the rest of the
// output would read padding from this tap.
struct TapShift {
  int64_t dy, dx;
  IndexRange rows, cols;
  bool empty() const { return rows.begin >= rows.end || cols.begin >= cols.end; }
};

// The outputs [0, out) whose input o + offset lies in [0, in): stride 1, so no division.
inline IndexRange shifted_outputs(int64_t out, int64_t offset, int64_t in) {
  const int64_t begin = std::max<int64_t>(0, -offset), end = std::min(out, in - offset);
  return {std::min(begin, std::max(end, int64_t{0})), std::max(end, int64_t{0})};
}

inline TapShift tap_shift(const ConvDesc& d, int64_t ky, int64_t kx) {
  const int64_t dy = ky * d.DH - d.PT, dx = kx * d.DW - d.PL;
  return {dy, dx, shifted_outputs(d.Ho, dy, d.H), shifted_outputs(d.Wo, dx, d.W)};
}
inline TapShift tap_shift(const ConvDesc& d, int64_t tap) {
  return tap_shift(d, tap / d.KW, tap % d.KW);
}

// Filter packings of the family, all grouped [G][...] with one group's block contiguous.
// [G][KH*KW][M'][C']: per tap the M' x C' matrix F_t row-major, and per group the taps stacked
// give kn2row's (KH*KW*M') x C' matrix. Used by every NCHW variant.
void pack_filter_tap_m_c(Plan& plan, const FilterView& filter);
// [G][KH*KW][C'][M']: per tap F_t^T (C' x M') row-major, the B operand of kn2col-aa/-as.
void pack_filter_tap_c_m(Plan& plan, const FilterView& filter);
// [G][C'][KH*KW][M']: per group the C' x (KH*KW*M') B operand of kn2col's one GEMM.
void pack_filter_c_tap_m(Plan& plan, const FilterView& filter);

}  // namespace gemmconv
