#include "pack_filter.hpp"

#include <algorithm>

#include "../../base/checked.hpp"
#include "../../conv/geometry.hpp"

namespace gemmconv {

void pack_tiled_filter(Plan& plan, const Tiling& t, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  const int64_t cw = t.channel_width, cp = t.channel_pack, mg = d.Mg();
  // Zeroed slack keeps the kernel's loads past the last panel inside the plan's memory.
  const std::size_t packed =
      checked_product(std::size_t(d.G), t.channel_panels, t.filter_panel_floats());
  const std::size_t slack = kMicroKernelReadAhead / sizeof(float);
  plan.filter = AlignedBuffer(checked_add(packed, slack));
  float* base = plan.filter.data();
  std::fill(base + packed, base + packed + slack, 0.0f);
  for (int64_t g = 0; g < d.G; ++g)
    for (int64_t k0 = 0; k0 < t.reduction; k0 += t.kc)
      for (int64_t panel = 0; panel < t.channel_panels; ++panel) {
        float* out = base + t.filter_offset(g, k0, panel);
        const int64_t k1 = std::min(t.reduction, k0 + t.kc);
        for (int64_t k = k0; k < k1; ++k) {
          const ReductionIndex r =
              d.layout == Layout::NCHW ? taps_fastest(d, k) : channels_fastest(d, k);
          for (int64_t j = 0; j < cp; ++j) {
            const int64_t m = panel * cw + j;
            *out++ = j < cw && m < mg ? filter.at(g * mg + m, r.c, r.ky, r.kx) : 0.0f;
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
