// The patch-building family (im2col for NCHW, im2row for NHWC): build the patch matrix P of one
// image and one group in the workspace, then one GEMM. The variants differ only in how P is
// built, so each is a builder plugged into the one runner.
#pragma once

#include "../../base/checked.hpp"
#include "../../blis/gemm.hpp"
#include "../algorithm.hpp"
#include "../epilogue.hpp"
#include "../group_driver.hpp"

namespace gemmconv {

// Builds P for one image and group. For im2col, x points at the group's first channel plane and
// P is (C'*KH*KW) x (Ho*Wo), rows ordered (c, ky, kx). For im2row, x points at the group's first
// channel of pixel (0, 0) (pixel stride C) and P is (Ho*Wo) x (KH*KW*C'), columns (ky, kx, c).
using PatchBuilder = void (*)(const ConvDesc& d, const float* x, float* patches, int threads);

// Workspace of every patch-building variant = one patch matrix P = C' * KH * KW * Ho * Wo floats
// (C' = C / G), reused for each image and group in turn; the builders' threads fill that one P
// and the GEMM runs on BLIS threads, so it does not grow with threads.
inline std::size_t patch_matrix_bytes(const ConvDesc& d, int, std::size_t) {
  return float_bytes(checked_product(std::size_t(d.Cg()), d.KH, d.KW, d.Ho, d.Wo));
}

inline bool supports_nchw(const ConvDesc& d) {
  return d.layout == Layout::NCHW;
}
inline bool supports_nhwc(const ConvDesc& d) {
  return d.layout == Layout::NHWC;
}

// P as the GEMM's B operand (K x pixels): im2col stores it so, im2row transposed.
inline MatrixView patch_operand(const ConvDesc& d, const float* patches) {
  const int64_t pixels = d.Ho * d.Wo, k = d.reduction();
  return d.layout == Layout::NCHW ? MatrixView{patches, pixels, 1} : MatrixView{patches, 1, k};
}

// Y_g (M' x pixels) = F_g (M' x K) * P (K x pixels), per image and group, then the epilogue.
template <PatchBuilder build>
void run_patches(const Plan& plan, const float* input, float* output, float* patches) {
  const ConvDesc& d = plan.desc;
  const int64_t pixels = d.Ho * d.Wo, k = d.reduction(), mg = d.Mg();
  for_each_image_group(plan, input, output, mg * k, [&](const ImageGroup& ig) {
    build(d, ig.x, patches, plan.team());
    sgemm(mg, pixels, k, {ig.filter, k, 1}, patch_operand(d, patches), 0.0f, output_matrix(d, ig.y),
          plan.team());
  });
  apply_epilogue(plan, output, d.N);
}

// The record of one patch-building algorithm, from its name and builder.
#define GEMMCONV_IM2COL_ALGORITHM(name, builder) \
  { name, supports_nchw, patch_matrix_bytes, pack_filter_oihw, run_patches<builder> }
#define GEMMCONV_IM2ROW_ALGORITHM(name, builder) \
  { name, supports_nhwc, patch_matrix_bytes, pack_filter_ohwi, run_patches<builder> }

}  // namespace gemmconv
