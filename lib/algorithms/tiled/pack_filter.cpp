#include "pack_filter.hpp"

#include <algorithm>

#include "../../base/checked.hpp"

namespace gemmconv {

void pack_tiled_filter(Plan& plan, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  const Tiling t = make_tiling(d, micro_kernel(), plan.threads);
  const int64_t cw = t.channel_width, cp = t.channel_pack, mg = d.Mg(), cg = d.Cg();
  // BLIS's micro-kernels load the next rows of a panel ahead of their use (valgrind saw the
  // AVX2 kernel read 32 bytes past the last panel): a few zeroed rows of slack keep those loads
  // inside the plan's memory.
  const std::size_t packed =
      checked_product(std::size_t(d.G), t.channel_panels, t.filter_panel_floats());
  const std::size_t slack = checked_product(std::size_t(4), t.channel_pack);
  plan.filter = AlignedBuffer(checked_add(packed, slack));
  float* base = plan.filter.data();
  std::fill(base + packed, base + packed + slack, 0.0f);
  for (int64_t g = 0; g < d.G; ++g)
    for (int64_t k0 = 0; k0 < t.reduction; k0 += t.kc)
      for (int64_t panel = 0; panel < t.channel_panels; ++panel) {
        float* out = base + t.filter_offset(g, k0, panel);
        const int64_t k1 = std::min(t.reduction, k0 + t.kc);
        for (int64_t k = k0; k < k1; ++k) {
          int64_t c, ky, kx;
          if (d.layout == Layout::NCHW) {
            c = k / d.taps();
            ky = (k / d.KW) % d.KH;
            kx = k % d.KW;
          } else {
            c = k % cg;
            ky = k / cg / d.KW;
            kx = (k / cg) % d.KW;
          }
          for (int64_t j = 0; j < cp; ++j) {
            const int64_t m = panel * cw + j;
            *out++ = j < cw && m < mg ? filter.at(g * mg + m, c, ky, kx) : 0.0f;
          }
        }
        if (k1 < t.reduction) continue;
        // The bias row (see Tiling::filter_panel_floats()).
        for (int64_t j = 0; j < cp; ++j) {
          const int64_t m = panel * cw + j;
          *out++ = j < cw && m < mg && plan.has_bias() ? plan.bias.data()[g * mg + m] : 0.0f;
        }
      }
}

}  // namespace gemmconv
