#include "algorithm.hpp"

namespace gemmconv {

void pack_filter_oihw(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  plan.filter = AlignedBuffer(d.filter_bytes / sizeof(float));
  float* out = plan.filter.data();
  for (int64_t m = 0; m < d.M; ++m)
    for (int64_t c = 0; c < d.Cg(); ++c)
      for (int64_t ky = 0; ky < d.KH; ++ky)
        for (int64_t kx = 0; kx < d.KW; ++kx) *out++ = filter.at(m, c, ky, kx);
}

void pack_filter_ohwi(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  plan.filter = AlignedBuffer(d.filter_bytes / sizeof(float));
  float* out = plan.filter.data();
  for (int64_t m = 0; m < d.M; ++m)
    for (int64_t ky = 0; ky < d.KH; ++ky)
      for (int64_t kx = 0; kx < d.KW; ++kx)
        for (int64_t c = 0; c < d.Cg(); ++c) *out++ = filter.at(m, c, ky, kx);
}

void pack_filter_for_layout(Plan& plan, const FilterView& filter) {
  if (plan.desc.layout == Layout::NCHW)
    pack_filter_oihw(plan, filter);
  else
    pack_filter_ohwi(plan, filter);
}

std::size_t no_workspace(const ConvDesc&, int) {
  return 0;
}

double gemm_shape_factor(const ConvDesc& d) {
  const double m = double(d.Mg()) / 64.0, k = double(d.reduction()) / 64.0;
  return (m < 1.0 ? m : 1.0) * (k < 1.0 ? k : 1.0);
}

double same_rate(const ConvDesc&) {
  return 1.0;
}

}  // namespace gemmconv
