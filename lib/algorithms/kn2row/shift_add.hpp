// The shift-add pass of kn2row/kn2col and their -aa variants: adds buffered 1x1 results into one
// group of one output image, each source at its own shift, dropping what falls outside the
// output. Fuses the epilogue: a pass marked first starts the output from the bias (or zero), a
// pass marked last clamps, so each pass sweeps Y once and no other pass is needed.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kn2row_family.hpp"

namespace gemmconv {

// One source of a pass: over the output rectangle rows x cols, output (oy, ox) of channel m
// gains the buffer's element (m, oy + row_offset, ox + dx), addressed as
//   NCHW: z[m * channel_stride + row * W + column]
//   NHWC: z[(row * W + column) * pixel_stride + m]
struct ShiftedSource {
  const float* z;
  int64_t row_offset, dx;
  IndexRange rows, cols;
};

// What a pass does besides adding its sources.
struct PassRole {
  bool first;  // start from the bias (or zero) instead of what the output holds
  bool last;   // apply the clamp at the end
};

namespace detail {
inline void add_run(float* __restrict dst, const float* __restrict src, int64_t count) {
  for (int64_t i = 0; i < count; ++i) dst[i] += src[i];
}
}  // namespace detail

// Sweeps output rows `out_rows` of group g of the output image y, adding sources 0..count-1
// (source(i) returns the i-th ShiftedSource). Runs on the plan's threads (OpenMP): call it
// outside any parallel region.
template <typename Sources>
void shift_add_nchw(const Plan& plan, int64_t g, int64_t channel_stride, int64_t count,
                    const Sources& source, PassRole role, IndexRange out_rows, float* y) {
  const ConvDesc& d = plan.desc;
  const int64_t mg = d.Mg(), rows = out_rows.end - out_rows.begin;
  float* yg = y + g * mg * d.Ho * d.Wo;
  // One task per output row of one channel: each source adds one contiguous run to it.
#pragma omp parallel for num_threads(plan.team()) schedule(static)
  for (int64_t r = 0; r < mg * rows; ++r) {
    const int64_t m = r / rows, oy = out_rows.begin + r % rows;
    float* row = yg + (m * d.Ho + oy) * d.Wo;
    if (role.first) std::fill(row, row + d.Wo, plan.has_bias() ? plan.bias[g * mg + m] : 0.0f);
    for (int64_t i = 0; i < count; ++i) {
      const ShiftedSource s = source(i);
      if (oy < s.rows.begin || oy >= s.rows.end || s.cols.begin >= s.cols.end) continue;
      const float* src =
          s.z + (m * channel_stride + (oy + s.row_offset) * d.W + s.cols.begin + s.dx);
      detail::add_run(row + s.cols.begin, src, s.cols.end - s.cols.begin);
    }
    if (role.last && plan.has_clamp())
      for (int64_t ox = 0; ox < d.Wo; ++ox) row[ox] = plan.clamp(row[ox]);
  }
}

template <typename Sources>
void shift_add_nhwc(const Plan& plan, int64_t g, int64_t pixel_stride, int64_t count,
                    const Sources& source, PassRole role, IndexRange out_rows, float* y) {
  const ConvDesc& d = plan.desc;
  const int64_t mg = d.Mg();
  const float* bias = plan.has_bias() ? plan.bias.data() + g * mg : nullptr;
  float* yg = y + g * mg;
  // One task per output row: Wo pixels of M' channels each (pixel stride M).
#pragma omp parallel for num_threads(plan.team()) schedule(static)
  for (int64_t oy = out_rows.begin; oy < out_rows.end; ++oy) {
    float* row = yg + oy * d.Wo * d.M;
    if (role.first)
      for (int64_t ox = 0; ox < d.Wo; ++ox) {
        float* pixel = row + ox * d.M;
        if (bias)
          std::copy(bias, bias + mg, pixel);
        else
          std::fill(pixel, pixel + mg, 0.0f);
      }
    for (int64_t i = 0; i < count; ++i) {
      const ShiftedSource s = source(i);
      if (oy < s.rows.begin || oy >= s.rows.end) continue;
      const float* src = s.z + ((oy + s.row_offset) * d.W + s.cols.begin + s.dx) * pixel_stride;
      for (int64_t ox = s.cols.begin; ox < s.cols.end; ++ox, src += pixel_stride)
        detail::add_run(row + ox * d.M, src, mg);
    }
    if (role.last && plan.has_clamp())
      for (int64_t ox = 0; ox < d.Wo; ++ox) {
        float* pixel = row + ox * d.M;
        for (int64_t m = 0; m < mg; ++m) pixel[m] = plan.clamp(pixel[m]);
      }
  }
}

}  // namespace gemmconv
