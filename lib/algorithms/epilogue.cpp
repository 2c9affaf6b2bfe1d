#include "epilogue.hpp"

namespace gemmconv {

namespace {

// NCHW: one output channel plane of Ho*Wo values shares one bias value.
void finish_plane(const Plan& plan, float* y, int64_t count, float bias) {
  for (int64_t i = 0; i < count; ++i) y[i] = plan.clamp(y[i] + bias);
}

// NHWC: one pixel holds M channels, each with its own bias value.
void finish_pixel(const Plan& plan, float* y, int64_t channels, const float* bias) {
  for (int64_t m = 0; m < channels; ++m) y[m] = plan.clamp(y[m] + (bias ? bias[m] : 0.0f));
}

}  // namespace

void apply_epilogue(const Plan& plan, float* output, int64_t images) {
  if (!plan.has_bias() && !plan.has_clamp()) return;
  const ConvDesc& d = plan.desc;
  const int64_t pixels = d.Ho * d.Wo;
  const float* bias = plan.has_bias() ? plan.bias.data() : nullptr;
  if (d.layout == Layout::NCHW) {
    const int64_t planes = images * d.M;
#pragma omp parallel for num_threads(plan.team()) schedule(static)
    for (int64_t p = 0; p < planes; ++p)
      finish_plane(plan, output + p * pixels, pixels, bias ? bias[p % d.M] : 0.0f);
  } else {
    const int64_t total = images * pixels;
#pragma omp parallel for num_threads(plan.team()) schedule(static)
    for (int64_t p = 0; p < total; ++p) finish_pixel(plan, output + p * d.M, d.M, bias);
  }
}

}  // namespace gemmconv
