// im2col-copy-short: one patch at a time, one kernel row at a time: the KW input values that
// kernel row (c, ky) of output pixel (oy, ox) reads form a run (contiguous with dilation 1,
// strided by the dilation otherwise), copied into KW consecutive rows of P at one column. Taps
// that fall into the padding are zeroed.
#include <algorithm>

#include "../../conv/geometry.hpp"
#include "patch_building.hpp"

namespace gemmconv {

namespace {

// The taps [begin, end) of a kernel row starting at input column ix0 that read real columns.
IndexRange valid_taps(const ConvDesc& d, int64_t ix0) {
  return valid_outputs(d.KW, d.DW, ix0, d.W);
}

void build_cols_copy_short(const ConvDesc& d, const float* x, float* patches, int threads) {
  const int64_t pixels = d.Ho * d.Wo, kernel_rows = d.Cg() * d.KH;
  // One iteration fills output row oy of the KW rows of P that belong to kernel row (c, ky).
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t i = 0; i < kernel_rows * d.Ho; ++i) {
    const int64_t c = i / (d.KH * d.Ho), ky = (i / d.Ho) % d.KH, oy = i % d.Ho;
    float* dst = patches + (c * d.KH + ky) * d.KW * pixels + oy * d.Wo;  // row (c, ky, 0)
    const int64_t iy = input_row(d, oy, ky);
    if (iy < 0 || iy >= d.H) {
      for (int64_t kx = 0; kx < d.KW; ++kx)
        std::fill(dst + kx * pixels, dst + kx * pixels + d.Wo, 0.0f);
      continue;
    }
    const float* src_row = x + (c * d.H + iy) * d.W;
    for (int64_t ox = 0; ox < d.Wo; ++ox) {
      const int64_t ix0 = input_col(d, ox, 0);
      const IndexRange taps = valid_taps(d, ix0);
      float* col = dst + ox;
      for (int64_t kx = 0; kx < taps.begin; ++kx) col[kx * pixels] = 0.0f;
      const float* src = src_row + ix0;
      for (int64_t kx = taps.begin; kx < taps.end; ++kx) col[kx * pixels] = src[kx * d.DW];
      for (int64_t kx = taps.end; kx < d.KW; ++kx) col[kx * pixels] = 0.0f;
    }
  }
}

}  // namespace

extern const Algorithm kIm2colCopyShort =
    GEMMCONV_IM2COL_ALGORITHM("im2col-copy-short", build_cols_copy_short);

}  // namespace gemmconv
