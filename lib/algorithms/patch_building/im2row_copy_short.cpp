// im2row-copy-short: each row of P is one output pixel's patch, copied one kernel row at a time:
// with one group and dense columns a kernel row is a single run of KW*C contiguous values.
#include <algorithm>
#include <cstring>

#include "../../conv/geometry.hpp"
#include "patch_building.hpp"

namespace gemmconv {

namespace {

void build_rows_copy_short(const ConvDesc& d, const float* x, float* patches, int threads) {
  const int64_t k = d.reduction(), cg = d.Cg(), row_len = d.KW * cg;
  const bool dense_rows = d.G == 1 && d.DW == 1;  // a kernel row is contiguous in the input
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t oy = 0; oy < d.Ho; ++oy)
    for (int64_t ox = 0; ox < d.Wo; ++ox) {
      float* patch = patches + (oy * d.Wo + ox) * k;
      const int64_t ix0 = input_col(d, ox, 0);
      for (int64_t ky = 0; ky < d.KH; ++ky) {
        float* dst = patch + ky * row_len;
        const int64_t iy = input_row(d, oy, ky);
        if (iy < 0 || iy >= d.H) {
          std::fill(dst, dst + row_len, 0.0f);
          continue;
        }
        const float* src_row = x + iy * d.W * d.C;
        if (dense_rows) {
          // Taps [kx_begin, kx_end) read real columns; the rest of the row is padding.
          const int64_t kx_begin = std::min<int64_t>(d.KW, std::max<int64_t>(0, -ix0));
          const int64_t kx_end = std::max(kx_begin, std::min<int64_t>(d.KW, d.W - ix0));
          std::fill(dst, dst + kx_begin * cg, 0.0f);
          if (kx_end > kx_begin)
            std::memcpy(dst + kx_begin * cg, src_row + (ix0 + kx_begin) * d.C,
                        sizeof(float) * (kx_end - kx_begin) * cg);
          std::fill(dst + kx_end * cg, dst + row_len, 0.0f);
          continue;
        }
        for (int64_t kx = 0; kx < d.KW; ++kx) {
          const int64_t ix = input_col(d, ox, kx);
          if (ix < 0 || ix >= d.W)
            std::fill(dst + kx * cg, dst + (kx + 1) * cg, 0.0f);
          else
            std::memcpy(dst + kx * cg, src_row + ix * d.C, sizeof(float) * cg);
        }
      }
    }
}

}  // namespace

extern const Algorithm kIm2rowCopyShort =
    GEMMCONV_IM2ROW_ALGORITHM("im2row-copy-short", build_rows_copy_short);

}  // namespace gemmconv
