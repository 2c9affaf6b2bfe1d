#include "algorithm.hpp"
#include "filter_packing.hpp"

namespace gemmconv {

void pack_filter_oihw(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  const int64_t cg = d.Cg(), kh = d.KH, kw = d.KW;
  pack_filter_permuted(plan, filter, [=](int64_t m, int64_t c, int64_t ky, int64_t kx) {
    return ((m * cg + c) * kh + ky) * kw + kx;
  });
}

void pack_filter_ohwi(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  const int64_t cg = d.Cg(), kh = d.KH, kw = d.KW;
  pack_filter_permuted(plan, filter, [=](int64_t m, int64_t c, int64_t ky, int64_t kx) {
    return ((m * kh + ky) * kw + kx) * cg + c;
  });
}

void pack_filter_for_layout(Plan& plan, const FilterView& filter) {
  if (plan.desc.layout == Layout::NCHW)
    pack_filter_oihw(plan, filter);
  else
    pack_filter_ohwi(plan, filter);
}

std::size_t no_workspace(const ConvDesc&, int, std::size_t) {
  return 0;
}

double pixel_panel_fill(const ConvDesc& d, int64_t pixel_width) {
  const int64_t pixels = d.Ho * d.Wo, panels = (pixels + pixel_width - 1) / pixel_width;
  return double(pixels) / double(panels * pixel_width);
}

bool pixels_on_mr_side(const ConvDesc& d, const MicroKernel& kernel) {
  if (kernel.own) return false;
  return (d.layout == Layout::NCHW) == kernel.prefers_cols;
}

double gemm_shape_factor(const ConvDesc& d, int) {
  const double m = double(d.Mg()) / 64.0, k = double(d.reduction()) / 64.0;
  const MicroKernel& kernel = micro_kernel();
  return (m < 1.0 ? m : 1.0) * (k < 1.0 ? k : 1.0) *
         pixel_panel_fill(d, pixels_on_mr_side(d, kernel) ? kernel.mr : kernel.nr);
}

double micro_tile_fill(const ConvDesc& d, int64_t channel_width, int64_t call_reduction) {
  const int64_t w = channel_width, mg = d.Mg();
  const double k = double(call_reduction) / 32.0;
  return double(mg) / double((mg + w - 1) / w * w) * (k < 1.0 ? k : 1.0);
}

double same_rate(const ConvDesc&, int) {
  return 1.0;
}

}  // namespace gemmconv
