// The kn2row family's filter packings (see kn2row_family.hpp): tap-major so that each tap's
// 1x1 filter, or all taps stacked, is one GEMM operand with unit stride along its rows.
#include "kn2row_family.hpp"

namespace gemmconv {

namespace {

// Packs the filter so that weight (m, c, tap) of group g lands at
// g * M'*C'*KH*KW + index(tap, m, c), with index() one of the orders below.
template <typename Index>
void pack_grouped(Plan& plan, const FilterView& filter, Index index) {
  const ConvDesc& d = plan.desc;
  plan.filter = AlignedBuffer(d.filter_bytes / sizeof(float));
  float* out = plan.filter.data();
  const int64_t mg = d.Mg(), cg = d.Cg(), group_size = mg * cg * d.taps();
  for (int64_t g = 0; g < d.G; ++g)
    for (int64_t m = 0; m < mg; ++m)
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t t = 0; t < d.taps(); ++t)
          out[g * group_size + index(t, m, c)] = filter.at(g * mg + m, c, t / d.KW, t % d.KW);
}

}  // namespace

void pack_filter_tap_m_c(Plan& plan, const FilterView& filter) {
  const int64_t mg = plan.desc.Mg(), cg = plan.desc.Cg();
  pack_grouped(plan, filter,
               [=](int64_t t, int64_t m, int64_t c) { return (t * mg + m) * cg + c; });
}

void pack_filter_tap_c_m(Plan& plan, const FilterView& filter) {
  const int64_t mg = plan.desc.Mg(), cg = plan.desc.Cg();
  pack_grouped(plan, filter,
               [=](int64_t t, int64_t m, int64_t c) { return (t * cg + c) * mg + m; });
}

void pack_filter_c_tap_m(Plan& plan, const FilterView& filter) {
  const int64_t mg = plan.desc.Mg(), taps = plan.desc.taps();
  pack_grouped(plan, filter,
               [=](int64_t t, int64_t m, int64_t c) { return (c * taps + t) * mg + m; });
}

}  // namespace gemmconv
