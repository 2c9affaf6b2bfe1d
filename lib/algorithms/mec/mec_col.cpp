// mec-col: MEC for NCHW (see mec.hpp). L is stored [padded row][c][kx][ox]: each strip of KW
// input columns is interleaved with the others, output column fastest, so that
//  - lowering copies runs of Wo values (one input row seen through one tap, like
//    im2col-copy-long; a strided gather when SW > 1), and
//  - the window of output row oy, KH padded rows from oy * SH, is a (KH*C'*KW) x Wo row-major
//    matrix at L + oy * SH * C' * KW * Wo, leading dimension Wo.
// The filter is packed once to [m][ky][c][kx], the same reduction order, and output row oy of
// group g is Y_g[:, oy, :] (M' x Wo, unit stride along ox) = F_g (M' x KH*C'*KW) * window.
#include <algorithm>
#include <cstring>

#include "../../blis/gemm.hpp"
#include "../../conv/geometry.hpp"
#include "../epilogue.hpp"
#include "../filter_packing.hpp"
#include "../group_driver.hpp"
#include "mec.hpp"

namespace gemmconv {

namespace {

bool supports_mec_col(const ConvDesc& d) {
  return d.layout == Layout::NCHW && d.DH == 1 && d.DW == 1;
}

void pack_filter_mec_col(Plan& plan, const FilterView& filter) {
  const int64_t cg = plan.desc.Cg(), kh = plan.desc.KH, kw = plan.desc.KW;
  pack_filter_permuted(plan, filter, [=](int64_t m, int64_t c, int64_t ky, int64_t kx) {
    return ((m * kh + ky) * cg + c) * kw + kx;
  });
}

// Lowers one image and group: x points at the group's first channel plane.
void lower_nchw(const ConvDesc& d, const float* x, float* lowered, int threads) {
  const int64_t cg = d.Cg();
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t i = 0; i < padded_height(d) * cg; ++i) {
    const int64_t r = i / cg, c = i % cg, iy = r - d.PT;
    if (!padded_row_is_read(d, r)) continue;
    for (int64_t kx = 0; kx < d.KW; ++kx) {
      float* dst = lowered + (i * d.KW + kx) * d.Wo;  // ((r * C' + c) * KW + kx) * Wo
      if (iy < 0 || iy >= d.H) {
        std::fill_n(dst, d.Wo, 0.0f);
        continue;
      }
      const float* src = x + (c * d.H + iy) * d.W;
      const IndexRange cols = valid_cols(d, kx);
      std::fill(dst, dst + cols.begin, 0.0f);
      if (d.SW == 1 && cols.end > cols.begin)
        std::memcpy(dst + cols.begin, src + input_col(d, cols.begin, kx),
                    sizeof(float) * (cols.end - cols.begin));
      else
        for (int64_t ox = cols.begin; ox < cols.end; ++ox) dst[ox] = src[input_col(d, ox, kx)];
      std::fill(dst + cols.end, dst + d.Wo, 0.0f);
    }
  }
}

// Per output row oy: Y_g row oy (M' x Wo) = F_g (M' x K) * L window oy (K x Wo).
void run_mec_col(const Plan& plan, const float* input, float* output, float* lowered) {
  const ConvDesc& d = plan.desc;
  const int64_t mg = d.Mg(), k = d.KH * d.Cg() * d.KW;
  const int64_t window_step = d.SH * d.Cg() * d.KW * d.Wo;  // floats between windows
  const ChannelPixelStrides out = activation_layout(d).out;
  for_each_image_group(plan, input, output, mg * k, [&](const ImageGroup& ig) {
    lower_nchw(d, ig.x, lowered, plan.team());
    for_each_output_row(d, plan.team(), [&](int64_t oy, int blis_threads) {
      sgemm(mg, d.Wo, k, {ig.filter, k, 1}, {lowered + oy * window_step, d.Wo, 1}, 0.0f,
            {ig.y + oy * d.Wo * out.pixel, out.channel, out.pixel}, blis_threads);
    });
  });
  apply_epilogue(plan, output, d.N);
}

}  // namespace

extern const Algorithm kMecCol = {
    "mec-col", supports_mec_col, mec_lowered_bytes, pack_filter_mec_col, run_mec_col,
};

}  // namespace gemmconv
