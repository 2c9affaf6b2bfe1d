// im2row-scan: P is visited in its own storage order, one output pixel's patch (ky, kx, c) after
// another, and every element computes where it comes from and checks that source against the
// input's bounds. The simplest builder, the baseline for the copying variants.
#include "../../conv/geometry.hpp"
#include "patch_building.hpp"

namespace gemmconv {

namespace {

void build_rows_scan(const ConvDesc& d, const float* x, float* patches, int threads) {
  const int64_t k = d.reduction(), cg = d.Cg();
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t p = 0; p < d.Ho * d.Wo; ++p) {
    const int64_t oy = p / d.Wo, ox = p % d.Wo;
    float* dst = patches + p * k;
    for (int64_t ky = 0; ky < d.KH; ++ky)
      for (int64_t kx = 0; kx < d.KW; ++kx)
        for (int64_t c = 0; c < cg; ++c) {
          const int64_t iy = input_row(d, oy, ky), ix = input_col(d, ox, kx);
          const bool inside = iy >= 0 && iy < d.H && ix >= 0 && ix < d.W;
          *dst++ = inside ? x[(iy * d.W + ix) * d.C + c] : 0.0f;
        }
  }
}

}  // namespace

extern const Algorithm kIm2rowScan = GEMMCONV_IM2ROW_ALGORITHM("im2row-scan", build_rows_scan);

}  // namespace gemmconv
