// mec-row: MEC for NHWC (see mec.hpp), as Cho and Brand lay it out. L is stored
// [ox][padded row][kx][c]: output column ox's strip is one block of (H+PT+PB) * KW * C' values,
// each padded row of it the KW pixels (C' channels each) that column reads, so that
//  - lowering copies, per padded row and output column, the KW * C' values of one kernel row
//    (a single run when G = 1: neighbouring pixels are contiguous in NHWC), and
//  - the window of output row oy is a Wo x (KH*KW*C') matrix at L + oy * SH * KW * C', row
//    stride (H+PT+PB) * KW * C', unit stride along its reduction (ky, kx, c).
// The filter is packed once to [g][ky][kx][c][m'], the same reduction order with the output
// channels fastest, so that output row oy of group g is Y[oy, :, g*M' ...] (Wo x M', unit stride
// along m, row stride M) = window (Wo x KH*KW*C') * F_g (KH*KW*C' x M').
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

bool supports_mec_row(const ConvDesc& d) {
  return d.layout == Layout::NHWC && d.DH == 1 && d.DW == 1;
}

void pack_filter_mec_row(Plan& plan, const FilterView& filter) {
  const int64_t mg = plan.desc.Mg(), cg = plan.desc.Cg(), kw = plan.desc.KW;
  pack_filter_permuted(plan, filter, [=](int64_t m, int64_t c, int64_t ky, int64_t kx) {
    return ((ky * kw + kx) * cg + c) * mg + m;
  });
}

// Lowers one image and group: x points at the group's first channel of pixel (0, 0).
void lower_nhwc(const ConvDesc& d, const float* x, float* lowered, int threads) {
  const int64_t cg = d.Cg(), hp = padded_height(d), row_len = d.KW * cg;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t i = 0; i < d.Wo * hp; ++i) {
    const int64_t ox = i / hp, r = i % hp, iy = r - d.PT;
    if (!padded_row_is_read(d, r)) continue;
    float* dst = lowered + i * row_len;  // (ox * hp + r) * KW * C'
    if (iy < 0 || iy >= d.H) {
      std::fill_n(dst, row_len, 0.0f);
      continue;
    }
    // Taps [kx_begin, kx_end) read real columns, the others padding.
    const int64_t ix0 = input_col(d, ox, 0);
    const IndexRange taps = valid_outputs(d.KW, 1, ix0, d.W);
    const float* src_row = x + iy * d.W * d.C;
    std::fill(dst, dst + taps.begin * cg, 0.0f);
    if (d.G == 1 && taps.end > taps.begin)
      std::memcpy(dst + taps.begin * cg, src_row + (ix0 + taps.begin) * d.C,
                  sizeof(float) * (taps.end - taps.begin) * cg);
    else
      for (int64_t kx = taps.begin; kx < taps.end; ++kx)
        std::memcpy(dst + kx * cg, src_row + (ix0 + kx) * d.C, sizeof(float) * cg);
    std::fill(dst + taps.end * cg, dst + row_len, 0.0f);
  }
}

// Per output row oy: Y_g row oy (M' x Wo) = F_g (M' x K, stored K x M') * L window oy
// (K x Wo, stored Wo x K with a strip per output column).
void run_mec_row(const Plan& plan, const float* input, float* output, float* lowered) {
  const ConvDesc& d = plan.desc;
  const int64_t mg = d.Mg(), k = d.KH * d.KW * d.Cg();
  const int64_t strip = padded_height(d) * d.KW * d.Cg();  // floats per output column
  const int64_t window_step = d.SH * d.KW * d.Cg();        // floats between windows
  const ChannelPixelStrides out = activation_layout(d).out;
  for_each_image_group(plan, input, output, k * mg, [&](const ImageGroup& ig) {
    lower_nhwc(d, ig.x, lowered, plan.team());
    for_each_output_row(d, plan.team(), [&](int64_t oy, int blis_threads) {
      sgemm(mg, d.Wo, k, {ig.filter, 1, mg}, {lowered + oy * window_step, 1, strip}, 0.0f,
            {ig.y + oy * d.Wo * out.pixel, out.channel, out.pixel}, blis_threads);
    });
  });
  apply_epilogue(plan, output, d.N);
}

}  // namespace

extern const Algorithm kMecRow = {
    "mec-row", supports_mec_row, mec_lowered_bytes, pack_filter_mec_row, run_mec_row,
};

}  // namespace gemmconv
