// The shift-add pass of kn2row/kn2col and their -aa variants: sums the partial 1x1 results of
// some taps into one group of one output image, each shifted by its tap's offset, dropping
// what falls outside the output. Fuses the epilogue: a first pass starts the output from the
// bias (or zero), a last pass clamps, so Y is swept once per pass and never once more.
#pragma once

#include <cstdint>

#include "kn2row_family.hpp"

namespace gemmconv {

// The partial results of taps [begin, end) of one image and group, laid out as the GEMM that
// made them wrote them.
//   NCHW: [tap][M'][H*W]  (tap t of channel m at input pixel p: z[((t-begin)*M' + m)*H*W + p])
//   NHWC: [H*W][tap][M']  (z[(p*(end-begin) + t-begin)*M' + m])
struct TapResults {
  const float* z;
  int64_t begin, end;
};

// What a pass does besides adding its taps.
struct PassRole {
  bool first;  // start from the bias (or zero) instead of what the output holds
  bool last;   // apply the clamp at the end
};

// `y` is the whole output image; group g's M' channels are the ones written. Runs on the
// plan's threads (OpenMP); call it outside any parallel region.
void shift_add_nchw(const Plan& plan, int64_t g, TapResults taps, PassRole role, float* y);
void shift_add_nhwc(const Plan& plan, int64_t g, TapResults taps, PassRole role, float* y);

}  // namespace gemmconv
