// direct: the definition of the convolution as a loop nest. The reference every other
// algorithm is tested against; no GEMM, no workspace.
#include "../../conv/geometry.hpp"
#include "../algorithm.hpp"

namespace gemmconv {

namespace {

// One output channel plane of one image: taps outermost so the inner loop runs along a row.
void direct_nchw_plane(const Plan& plan, const float* image, int64_t m, float* y) {
  const ConvDesc& d = plan.desc;
  const int64_t g = m / d.Mg();
  const float* w = plan.filter.data() + m * d.reduction();
  const float b = plan.has_bias() ? plan.bias[m] : 0.0f;
  for (int64_t i = 0; i < d.Ho * d.Wo; ++i) y[i] = b;
  for (int64_t c = 0; c < d.Cg(); ++c) {
    const float* x = image + (g * d.Cg() + c) * d.H * d.W;
    for (int64_t ky = 0; ky < d.KH; ++ky) {
      const IndexRange rows = valid_rows(d, ky);
      for (int64_t kx = 0; kx < d.KW; ++kx) {
        const float wv = w[(c * d.KH + ky) * d.KW + kx];
        const IndexRange cols = valid_cols(d, kx);
        for (int64_t oy = rows.begin; oy < rows.end; ++oy) {
          const float* xrow = x + input_row(d, oy, ky) * d.W;
          float* yrow = y + oy * d.Wo;
          for (int64_t ox = cols.begin; ox < cols.end; ++ox)
            yrow[ox] += wv * xrow[input_col(d, ox, kx)];
        }
      }
    }
  }
  if (plan.has_clamp())
    for (int64_t i = 0; i < d.Ho * d.Wo; ++i) y[i] = plan.clamp(y[i]);
}

// One output pixel of one image, all channels: channels innermost, contiguous in NHWC.
void direct_nhwc_pixel(const Plan& plan, const float* image, int64_t oy, int64_t ox, float* y) {
  const ConvDesc& d = plan.desc;
  for (int64_t m = 0; m < d.M; ++m) {
    const int64_t g = m / d.Mg();
    const float* w = plan.filter.data() + m * d.reduction();
    float acc = plan.has_bias() ? plan.bias[m] : 0.0f;
    for (int64_t ky = 0; ky < d.KH; ++ky) {
      const int64_t iy = input_row(d, oy, ky);
      if (iy < 0 || iy >= d.H) continue;
      for (int64_t kx = 0; kx < d.KW; ++kx) {
        const int64_t ix = input_col(d, ox, kx);
        if (ix < 0 || ix >= d.W) continue;
        const float* x = image + (iy * d.W + ix) * d.C + g * d.Cg();
        const float* wk = w + (ky * d.KW + kx) * d.Cg();
        for (int64_t c = 0; c < d.Cg(); ++c) acc += wk[c] * x[c];
      }
    }
    y[m] = plan.clamp(acc);
  }
}

void run_direct(const Plan& plan, const float* input, float* output, float*) {
  const ConvDesc& d = plan.desc;
  if (d.layout == Layout::NCHW) {
#pragma omp parallel for collapse(2) num_threads(plan.team()) schedule(static)
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t m = 0; m < d.M; ++m)
        direct_nchw_plane(plan, input + n * d.in_image(), m, output + (n * d.M + m) * d.Ho * d.Wo);
  } else {
#pragma omp parallel for collapse(2) num_threads(plan.team()) schedule(static)
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t oy = 0; oy < d.Ho; ++oy)
        for (int64_t ox = 0; ox < d.Wo; ++ox)
          direct_nhwc_pixel(plan, input + n * d.in_image(), oy, ox,
                            output + n * d.out_image() + (oy * d.Wo + ox) * d.M);
  }
}

bool supports_everything(const ConvDesc&) {
  return true;
}

}  // namespace

extern const Algorithm kDirect = {
    "direct", supports_everything, no_workspace, pack_filter_for_layout, run_direct, same_rate,
};

}  // namespace gemmconv
