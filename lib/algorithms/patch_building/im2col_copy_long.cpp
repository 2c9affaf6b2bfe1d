// im2col-copy-long: each row of P, one (c, ky, kx), is filled one output row at a time with a
// single run of Wo input values (a strided gather when stride > 1), zeros at the clipped ends.
#include <algorithm>
#include <cstring>

#include "../../conv/geometry.hpp"
#include "patch_building.hpp"

namespace gemmconv {

namespace {

void build_cols_copy_long(const ConvDesc& d, const float* x, float* patches, int threads) {
  const int64_t pixels = d.Ho * d.Wo;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t r = 0; r < d.reduction(); ++r) {
    const auto [c, ky, kx] = taps_fastest(d, r);
    const IndexRange rows = valid_rows(d, ky), cols = valid_cols(d, kx);
    const float* plane = x + c * d.H * d.W;
    float* dst_row = patches + r * pixels;
    for (int64_t oy = 0; oy < d.Ho; ++oy) {
      float* dst = dst_row + oy * d.Wo;
      if (oy < rows.begin || oy >= rows.end) {
        std::fill(dst, dst + d.Wo, 0.0f);
        continue;
      }
      const float* src = plane + input_row(d, oy, ky) * d.W;
      std::fill(dst, dst + cols.begin, 0.0f);
      if (d.SW == 1)
        std::memcpy(dst + cols.begin, src + input_col(d, cols.begin, kx),
                    sizeof(float) * (cols.end - cols.begin));
      else
        for (int64_t ox = cols.begin; ox < cols.end; ++ox) dst[ox] = src[input_col(d, ox, kx)];
      std::fill(dst + cols.end, dst + d.Wo, 0.0f);
    }
  }
}

}  // namespace

extern const Algorithm kIm2colCopyLong =
    GEMMCONV_IM2COL_ALGORITHM("im2col-copy-long", build_cols_copy_long);

}  // namespace gemmconv
