// The one filter permutation every packing is an instance of.
#pragma once

#include <cstdint>

#include "algorithm.hpp"

namespace gemmconv {

// Packs the caller's filter into plan.filter (M * C' * KH * KW floats) so that weight
// (m, c, ky, kx) of group g (m, c counted within the group) lands at
// g * M' * C' * KH * KW + index(m, c, ky, kx).
template <typename Index>
void pack_filter_permuted(Plan& plan, const FilterView& filter, Index index) {
  const ConvDesc& d = plan.desc;
  plan.filter = AlignedBuffer(d.filter_bytes / sizeof(float));
  float* out = plan.filter.data();
  const int64_t mg = d.Mg(), cg = d.Cg(), group_size = mg * cg * d.taps();
  for (int64_t g = 0; g < d.G; ++g)
    for (int64_t m = 0; m < mg; ++m)
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t ky = 0; ky < d.KH; ++ky)
          for (int64_t kx = 0; kx < d.KW; ++kx)
            out[g * group_size + index(m, c, ky, kx)] = filter.at(g * mg + m, c, ky, kx);
}

}  // namespace gemmconv
