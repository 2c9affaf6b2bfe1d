// im2row-copy-long: for one output row and one tap (ky, kx), the run along the whole output row:
// the Wo pixels that tap reads, each C' contiguous channels, gathered from input pixels SW
// apart and scattered into column block (ky, kx) of Wo consecutive rows of P. The ends of the
// run that fall into the padding are zero-filled. This is im2col-copy-long's run (Wo values per
// (c, ky, kx)) with the C' channels of a pixel moved together, as channels-last keeps them.
#include <algorithm>
#include <cstring>

#include "../../conv/geometry.hpp"
#include "patch_building.hpp"

namespace gemmconv {

namespace {

void build_rows_copy_long(const ConvDesc& d, const float* x, float* patches, int threads) {
  const int64_t k = d.reduction(), cg = d.Cg();
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t oy = 0; oy < d.Ho; ++oy) {
    float* row_patches = patches + oy * d.Wo * k;  // the Wo patches of this output row
    for (int64_t ky = 0; ky < d.KH; ++ky) {
      const int64_t iy = input_row(d, oy, ky);
      const bool row_inside = iy >= 0 && iy < d.H;
      const float* src_row = row_inside ? x + iy * d.W * d.C : x;
      for (int64_t kx = 0; kx < d.KW; ++kx) {
        float* dst = row_patches + (ky * d.KW + kx) * cg;  // block (ky, kx) of pixel ox = 0
        const IndexRange cols = row_inside ? valid_cols(d, kx) : IndexRange{0, 0};
        for (int64_t ox = 0; ox < cols.begin; ++ox) std::fill_n(dst + ox * k, cg, 0.0f);
        for (int64_t ox = cols.begin; ox < cols.end; ++ox)
          std::memcpy(dst + ox * k, src_row + input_col(d, ox, kx) * d.C, sizeof(float) * cg);
        for (int64_t ox = cols.end; ox < d.Wo; ++ox) std::fill_n(dst + ox * k, cg, 0.0f);
      }
    }
  }
}

}  // namespace

extern const Algorithm kIm2rowCopyLong =
    GEMMCONV_IM2ROW_ALGORITHM("im2row-copy-long", build_rows_copy_long);

}  // namespace gemmconv
