// The kn2row family's filter packings (see kn2row_family.hpp): tap-major so that each tap's
// 1x1 filter, or all taps stacked, is one GEMM operand with unit stride along its rows.
#include "../filter_packing.hpp"
#include "kn2row_family.hpp"

namespace gemmconv {

void pack_filter_tap_m_c(Plan& plan, const FilterView& filter) {
  const int64_t mg = plan.desc.Mg(), cg = plan.desc.Cg(), kw = plan.desc.KW;
  pack_filter_permuted(plan, filter, [=](int64_t m, int64_t c, int64_t ky, int64_t kx) {
    return ((ky * kw + kx) * mg + m) * cg + c;
  });
}

void pack_filter_tap_c_m(Plan& plan, const FilterView& filter) {
  const int64_t mg = plan.desc.Mg(), cg = plan.desc.Cg(), kw = plan.desc.KW;
  pack_filter_permuted(plan, filter, [=](int64_t m, int64_t c, int64_t ky, int64_t kx) {
    return ((ky * kw + kx) * cg + c) * mg + m;
  });
}

void pack_filter_c_tap_m(Plan& plan, const FilterView& filter) {
  const int64_t mg = plan.desc.Mg(), taps = plan.desc.taps(), kw = plan.desc.KW;
  pack_filter_permuted(plan, filter, [=](int64_t m, int64_t c, int64_t ky, int64_t kx) {
    return (c * taps + ky * kw + kx) * mg + m;
  });
}

}  // namespace gemmconv
