// kn2row (NCHW) and kn2col (NHWC): one GEMM per image and group computes the 1x1 results of all
// KH*KW taps at once, a shift-add pass sums them into Y. The most GEMM-friendly shape of the
// family (K = C', the other sides grow by KH*KW) and the most memory: KH*KW*M'*H*W floats.
#include "../../base/checked.hpp"
#include "../../blis/gemm.hpp"
#include "../group_driver.hpp"
#include "kn2row_family.hpp"
#include "shift_add.hpp"

namespace gemmconv {

namespace {

// KH*KW*M'*H*W floats: the partial results of every tap for one image and group.
std::size_t all_taps_bytes(const ConvDesc& d, int, std::size_t) {
  return float_bytes(checked_product(std::size_t(d.KH), d.KW, d.Mg(), d.H, d.W));
}

void run_kn2row(const Plan& plan, const float* input, float* output, float* z) {
  const ConvDesc& d = plan.desc;
  const int64_t pixels = d.H * d.W, cg = d.Cg(), rows = d.taps() * d.Mg();
  for_each_image_group(plan, input, output, rows * cg, [&](const ImageGroup& ig) {
    // Z ((KH*KW*M') x HW) = F_g ((KH*KW*M') x C') * X_g (C' x HW)
    sgemm(rows, pixels, cg, {ig.filter, cg, 1}, {ig.x, pixels, 1}, 0.0f, {z, pixels, 1},
          plan.team());
    // Tap t's result for input row iy = oy + dy sits in block t.
    const auto tap = [&](int64_t t) {
      const TapShift s = tap_shift(d, t);
      return ShiftedSource{z + t * d.Mg() * pixels, s.dy, s.dx, s.rows, s.cols};
    };
    shift_add_nchw(plan, ig.group, pixels, d.taps(), tap, {true, true}, {0, d.Ho}, ig.image_y);
  });
}

void run_kn2col(const Plan& plan, const float* input, float* output, float* z) {
  const ConvDesc& d = plan.desc;
  const int64_t pixels = d.H * d.W, cg = d.Cg(), cols = d.taps() * d.Mg();
  for_each_image_group(plan, input, output, cg * cols, [&](const ImageGroup& ig) {
    // Z (HW x (KH*KW*M')) = X_g (HW x C') * F_g (C' x (KH*KW*M'))
    sgemm(pixels, cols, cg, {ig.x, d.C, 1}, {ig.filter, cols, 1}, 0.0f, {z, cols, 1}, plan.team());
    // Tap t's result for input pixel p sits at z[p * cols + t * M'].
    const auto tap = [&](int64_t t) {
      const TapShift s = tap_shift(d, t);
      return ShiftedSource{z + t * d.Mg(), s.dy, s.dx, s.rows, s.cols};
    };
    shift_add_nhwc(plan, ig.group, cols, d.taps(), tap, {true, true}, {0, d.Ho}, ig.image_y);
  });
}

}  // namespace

extern const Algorithm kKn2row = {
    "kn2row", kn2_supports_nchw, all_taps_bytes, pack_filter_tap_m_c, run_kn2row,
};
extern const Algorithm kKn2col = {
    "kn2col", kn2_supports_nhwc, all_taps_bytes, pack_filter_c_tap_m, run_kn2col,
};

}  // namespace gemmconv
