#include "shift_add.hpp"

#include <algorithm>

namespace gemmconv {

namespace {

inline void add_run(float* __restrict dst, const float* __restrict src, int64_t count) {
  for (int64_t i = 0; i < count; ++i) dst[i] += src[i];
}

}  // namespace

void shift_add_nchw(const Plan& plan, int64_t g, TapResults taps, PassRole role, float* y) {
  const ConvDesc& d = plan.desc;
  const int64_t mg = d.Mg(), plane = d.H * d.W, rows = mg * d.Ho;
  float* yg = y + g * mg * d.Ho * d.Wo;
  // One task per output row of one channel: every tap's contribution to it is a contiguous run.
#pragma omp parallel for num_threads(plan.threads) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t m = r / d.Ho, oy = r % d.Ho;
    float* row = yg + r * d.Wo;
    if (role.first) std::fill(row, row + d.Wo, plan.has_bias() ? plan.bias[g * mg + m] : 0.0f);
    for (int64_t t = taps.begin; t < taps.end; ++t) {
      const TapShift s = tap_shift(d, t);
      if (oy < s.rows.begin || oy >= s.rows.end || s.cols.begin >= s.cols.end) continue;
      const float* src = taps.z + ((t - taps.begin) * mg + m) * plane + (oy + s.dy) * d.W + s.dx;
      add_run(row + s.cols.begin, src + s.cols.begin, s.cols.end - s.cols.begin);
    }
    if (role.last && plan.has_clamp())
      for (int64_t ox = 0; ox < d.Wo; ++ox) row[ox] = plan.clamp(row[ox]);
  }
}

void shift_add_nhwc(const Plan& plan, int64_t g, TapResults taps, PassRole role, float* y) {
  const ConvDesc& d = plan.desc;
  const int64_t mg = d.Mg(), pixel_stride = (taps.end - taps.begin) * mg;
  const float* bias = plan.has_bias() ? plan.bias.data() + g * mg : nullptr;
  float* yg = y + g * mg;
  // One task per output row: Wo pixels of M' channels each (pixel stride M).
#pragma omp parallel for num_threads(plan.threads) schedule(static)
  for (int64_t oy = 0; oy < d.Ho; ++oy) {
    float* row = yg + oy * d.Wo * d.M;
    if (role.first)
      for (int64_t ox = 0; ox < d.Wo; ++ox) {
        float* pixel = row + ox * d.M;
        if (bias)
          std::copy(bias, bias + mg, pixel);
        else
          std::fill(pixel, pixel + mg, 0.0f);
      }
    for (int64_t t = taps.begin; t < taps.end; ++t) {
      const TapShift s = tap_shift(d, t);
      if (oy < s.rows.begin || oy >= s.rows.end) continue;
      const float* src = taps.z + (t - taps.begin) * mg;
      for (int64_t ox = s.cols.begin; ox < s.cols.end; ++ox)
        add_run(row + ox * d.M, src + ((oy + s.dy) * d.W + ox + s.dx) * pixel_stride, mg);
    }
    if (role.last && plan.has_clamp())
      for (int64_t ox = 0; ox < d.Wo; ++ox) {
        float* pixel = row + ox * d.M;
        for (int64_t m = 0; m < mg; ++m) pixel[m] = plan.clamp(pixel[m]);
      }
  }
}

}  // namespace gemmconv
