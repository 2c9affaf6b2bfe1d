// im2col-scan: P is visited in its own storage order, row (c, ky, kx) by row, and every element
// computes where it comes from and checks that source against the input's bounds. The simplest
// builder, and the baseline the copying variants are measured against.
#include "../../conv/geometry.hpp"
#include "patch_building.hpp"

namespace gemmconv {

namespace {

void build_cols_scan(const ConvDesc& d, const float* x, float* patches, int threads) {
  const int64_t pixels = d.Ho * d.Wo;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < d.reduction(); ++r) {
    const auto [c, ky, kx] = taps_fastest(d, r);
    const float* plane = x + c * d.H * d.W;
    float* dst = patches + r * pixels;
    for (int64_t oy = 0; oy < d.Ho; ++oy)
      for (int64_t ox = 0; ox < d.Wo; ++ox) {
        const int64_t iy = input_row(d, oy, ky), ix = input_col(d, ox, kx);
        const bool inside = iy >= 0 && iy < d.H && ix >= 0 && ix < d.W;
        dst[oy * d.Wo + ox] = inside ? plane[iy * d.W + ix] : 0.0f;
      }
  }
}

}  // namespace

extern const Algorithm kIm2colScan = GEMMCONV_IM2COL_ALGORITHM("im2col-scan", build_cols_scan);

}  // namespace gemmconv
