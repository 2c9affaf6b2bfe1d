// gemm-1x1: a 1x1, stride-1, unpadded convolution already is a GEMM on the activations as they
// lie in memory, in either layout: no workspace, no copy.
#include "../../blis/gemm.hpp"
#include "../algorithm.hpp"
#include "../epilogue.hpp"
#include "../group_driver.hpp"

namespace gemmconv {

namespace {

bool supports_1x1(const ConvDesc& d) {
  return d.KH == 1 && d.KW == 1 && d.stride_one() && d.no_padding();
}

// Y_g (M' x HW) = F_g (M' x C') * X_g (C' x HW): the input is the GEMM's B operand as it lies.
void run_1x1(const Plan& plan, const float* input, float* output, float*) {
  const ConvDesc& d = plan.desc;
  const int64_t pixels = d.H * d.W, cg = d.Cg(), mg = d.Mg();
  const ActivationLayout layout = activation_layout(d);
  for_each_image_group(plan, input, output, mg * cg, [&](const ImageGroup& ig) {
    sgemm(mg, pixels, cg, {ig.filter, cg, 1}, {ig.x, layout.in.channel, layout.in.pixel}, 0.0f,
          output_matrix(d, ig.y), plan.team());
  });
  apply_epilogue(plan, output, d.N);
}

}  // namespace

extern const Algorithm kGemm1x1 = {
    "gemm-1x1", supports_1x1, no_workspace, pack_filter_oihw, run_1x1,
};

}  // namespace gemmconv
