// What the depthwise and grouped records share: the window geometry and clamp of a plan, and the
// kernel table its filter was packed for.
#pragma once

#include "../algorithm.hpp"
#include "kernels.hpp"

namespace gemmconv {

inline WindowGeometry window_geometry(const ConvDesc& d) {
  return {d.H, d.W, d.Ho, d.Wo, d.KH, d.KW, d.SH, d.SW, d.DH, d.DW, d.PT, d.PL};
}

inline OutputClamp output_clamp(const Plan& plan) {
  return {plan.output_min, plan.output_max, plan.has_clamp()};
}

// The rows of each image are the work items of the channels-last algorithms: calls
// run(image, row_begin, row_end) for each image's part of the rows in [begin, end).
template <typename Run>
void for_each_image_rows(const ConvDesc& d, int64_t begin, int64_t end, Run&& run) {
  while (begin < end) {
    const int64_t image = begin / d.Ho, row = begin % d.Ho;
    const int64_t rows = end - begin < d.Ho - row ? end - begin : d.Ho - row;
    run(image, row, row + rows);
    begin += rows;
  }
}

}  // namespace gemmconv
