// kn2row-aa (NCHW) and kn2col-aa (NHWC), the paper's accumulating variants: one tap at a time,
// GEMM its 1x1 convolution into a single M' x H x W buffer, shift-add that into Y, reuse the
// buffer for the next tap. KH*KW times less memory than kn2row, same arithmetic.
#include "../blis/gemm.hpp"
#include "../conv/checked.hpp"
#include "kn2row_family.hpp"
#include "shift_add.hpp"

namespace gemmconv {

namespace {

// M'*H*W floats: one tap's 1x1 result for one image and group.
std::size_t one_tap_bytes(const ConvDesc& d, int) {
  return float_bytes(checked_product(std::size_t(d.Mg()), d.H, d.W));
}

// Runs `gemm(tap, first input row, input rows)` for every tap that reaches the output, each
// followed by its shift-add pass; the first pass starts Y from the bias, the last clamps.
// GEMMs cover only the input rows the tap's shift-add reads.
template <typename TapGemm, typename ShiftAdd>
void accumulate_taps(const Plan& plan, float* z, TapGemm gemm, ShiftAdd shift_add) {
  const ConvDesc& d = plan.desc;
  int64_t last = -1;
  for (int64_t t = 0; t < d.taps(); ++t)
    if (!tap_shift(d, t).empty()) last = t;
  if (last < 0) {  // every output reads only padding: Y is the bias, clamped
    shift_add({z, 0, 0}, PassRole{true, true});
    return;
  }
  bool first = true;
  for (int64_t t = 0; t <= last; ++t) {
    const TapShift s = tap_shift(d, t);
    if (s.empty()) continue;
    gemm(t, s.rows.begin + s.dy, s.rows.end - s.rows.begin);
    shift_add(TapResults{z, t, t + 1}, PassRole{first, t == last});
    first = false;
  }
}

void run_kn2row_aa(const Plan& plan, const float* input, float* output, float* z) {
  const ConvDesc& d = plan.desc;
  const int64_t pixels = d.H * d.W, cg = d.Cg(), mg = d.Mg();
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t g = 0; g < d.G; ++g) {
      const float* x = input + n * d.in_image() + g * cg * pixels;
      float* y = output + n * d.out_image();
      const float* f = plan.filter.data() + g * d.taps() * mg * cg;
      accumulate_taps(
          plan, z,
          [&](int64_t t, int64_t iy, int64_t rows) {
            // Z rows iy.. (M' x rows*W) = F_t (M' x C') * X_g rows iy.. (C' x rows*W)
            sgemm(mg, rows * d.W, cg, {f + t * mg * cg, cg, 1}, {x + iy * d.W, pixels, 1}, 0.0f,
                  {z + iy * d.W, pixels, 1}, plan.threads);
          },
          [&](TapResults taps, PassRole role) { shift_add_nchw(plan, g, taps, role, y); });
    }
}

void run_kn2col_aa(const Plan& plan, const float* input, float* output, float* z) {
  const ConvDesc& d = plan.desc;
  const int64_t cg = d.Cg(), mg = d.Mg();
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t g = 0; g < d.G; ++g) {
      const float* x = input + n * d.in_image() + g * cg;
      float* y = output + n * d.out_image();
      const float* f = plan.filter.data() + g * d.taps() * cg * mg;
      accumulate_taps(
          plan, z,
          [&](int64_t t, int64_t iy, int64_t rows) {
            // Z rows iy.. (rows*W x M') = X_g rows iy.. (rows*W x C') * F_t^T (C' x M')
            sgemm(rows * d.W, mg, cg, {x + iy * d.W * d.C, d.C, 1}, {f + t * cg * mg, mg, 1}, 0.0f,
                  {z + iy * d.W * mg, mg, 1}, plan.threads);
          },
          [&](TapResults taps, PassRole role) { shift_add_nhwc(plan, g, taps, role, y); });
    }
}

}  // namespace

extern const Algorithm kKn2rowAa = {
    "kn2row-aa", kn2_supports_nchw, one_tap_bytes, pack_filter_tap_m_c, run_kn2row_aa, 6,
};
extern const Algorithm kKn2colAa = {
    "kn2col-aa", kn2_supports_nhwc, one_tap_bytes, pack_filter_tap_c_m, run_kn2col_aa, 6,
};

}  // namespace gemmconv
