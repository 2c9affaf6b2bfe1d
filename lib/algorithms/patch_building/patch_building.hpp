// The patch-building family (im2col for NCHW, im2row for NHWC): build the patch matrix P of one
// image and one group in the workspace, then one GEMM. The variants differ only in how P is
// built, so each is a builder plugged into one of two runners.
#pragma once

#include "../../base/checked.hpp"
#include "../../blis/gemm.hpp"
#include "../algorithm.hpp"
#include "../epilogue.hpp"

namespace gemmconv {

// Builds P for one image and group. For im2col, x points at the group's first channel plane and
// P is (C'*KH*KW) x (Ho*Wo), rows ordered (c, ky, kx). For im2row, x points at the group's first
// channel of pixel (0, 0) (pixel stride C) and P is (Ho*Wo) x (KH*KW*C'), columns (ky, kx, c).
using PatchBuilder = void (*)(const ConvDesc& d, const float* x, float* patches, int threads);

// Workspace of every patch-building variant = one patch matrix P = C' * KH * KW * Ho * Wo floats
// (C' = C / G), reused for each image and group in turn; the builders' threads fill that one P
// and the GEMM runs on BLIS threads, so it does not grow with threads.
inline std::size_t patch_matrix_bytes(const ConvDesc& d, int) {
  return float_bytes(checked_product(std::size_t(d.Cg()), d.KH, d.KW, d.Ho, d.Wo));
}

inline bool supports_nchw(const ConvDesc& d) {
  return d.layout == Layout::NCHW;
}
inline bool supports_nhwc(const ConvDesc& d) {
  return d.layout == Layout::NHWC;
}

template <PatchBuilder build>
void run_im2col(const Plan& plan, const float* input, float* output, float* patches) {
  const ConvDesc& d = plan.desc;
  const int64_t pixels = d.Ho * d.Wo, k = d.reduction(), mg = d.Mg();
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t g = 0; g < d.G; ++g) {
      build(d, input + n * d.in_image() + g * d.Cg() * d.H * d.W, patches, plan.team());
      // Y_g (M' x HoWo) = F_g (M' x C'KK) * P (C'KK x HoWo)
      sgemm(mg, pixels, k, {plan.filter.data() + g * mg * k, k, 1}, {patches, pixels, 1}, 0.0f,
            {output + n * d.out_image() + g * mg * pixels, pixels, 1}, plan.team());
    }
  apply_epilogue(plan, output, d.N);
}

template <PatchBuilder build>
void run_im2row(const Plan& plan, const float* input, float* output, float* patches) {
  const ConvDesc& d = plan.desc;
  const int64_t pixels = d.Ho * d.Wo, k = d.reduction(), mg = d.Mg();
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t g = 0; g < d.G; ++g) {
      build(d, input + n * d.in_image() + g * d.Cg(), patches, plan.team());
      // Y_g (HoWo x M') = P (HoWo x KKC') * F_g^T (KKC' x M')
      sgemm(pixels, mg, k, {patches, k, 1}, {plan.filter.data() + g * mg * k, 1, k}, 0.0f,
            {output + n * d.out_image() + g * mg, d.M, 1}, plan.team());
    }
  apply_epilogue(plan, output, d.N);
}

// The record of one patch-building algorithm, from its name and builder.
#define GEMMCONV_IM2COL_ALGORITHM(name, builder) \
  { name, supports_nchw, patch_matrix_bytes, pack_filter_oihw, run_im2col<builder> }
#define GEMMCONV_IM2ROW_ALGORITHM(name, builder) \
  { name, supports_nhwc, patch_matrix_bytes, pack_filter_ohwi, run_im2row<builder> }

}  // namespace gemmconv
