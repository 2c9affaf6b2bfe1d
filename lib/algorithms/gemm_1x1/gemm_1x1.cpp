// gemm-1x1: a 1x1, stride-1, unpadded convolution already is a GEMM on the activations as they
// lie in memory, in either layout: no workspace, no copy.
#include "../../blis/gemm.hpp"
#include "../algorithm.hpp"
#include "../epilogue.hpp"

namespace gemmconv {

namespace {

bool supports_1x1(const ConvDesc& d) {
  return d.KH == 1 && d.KW == 1 && d.stride_one() && d.no_padding();
}

void run_1x1(const Plan& plan, const float* input, float* output, float*) {
  const ConvDesc& d = plan.desc;
  const int64_t pixels = d.H * d.W, cg = d.Cg(), mg = d.Mg();
  const float* f = plan.filter.data();  // [M][C'] in both packings
  for (int64_t n = 0; n < d.N; ++n) {
    const float* x = input + n * d.in_image();
    float* y = output + n * d.out_image();
    for (int64_t g = 0; g < d.G; ++g) {
      if (d.layout == Layout::NCHW)  // Y_g (M' x HW) = F_g (M' x C') * X_g (C' x HW)
        sgemm(mg, pixels, cg, {f + g * mg * cg, cg, 1}, {x + g * cg * pixels, pixels, 1}, 0.0f,
              {y + g * mg * pixels, pixels, 1}, plan.team());
      else  // Y_g (HW x M') = X_g (HW x C') * F_g^T (C' x M')
        sgemm(pixels, mg, cg, {x + g * cg, d.C, 1}, {f + g * mg * cg, 1, cg}, 0.0f,
              {y + g * mg, d.M, 1}, plan.team());
    }
  }
  apply_epilogue(plan, output, d.N);
}

}  // namespace

extern const Algorithm kGemm1x1 = {
    "gemm-1x1", supports_1x1, no_workspace, pack_filter_oihw, run_1x1,
};

}  // namespace gemmconv
