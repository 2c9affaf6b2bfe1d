// What the depthwise and grouped records share: the window geometry and clamp of a plan, and the
// kernel table its filter was packed for.
#pragma once

#include "../algorithm.hpp"
#include "kernels.hpp"

namespace gemmconv {

inline WindowGeometry window_geometry(const ConvDesc& d) {
  return {d.H, d.W, d.Ho, d.Wo, d.KH, d.KW, d.SH, d.SW, d.DH, d.DW, d.PT, d.PL};
}

inline OutputClamp output_clamp(const Plan& plan) {
  return {plan.output_min, plan.output_max, plan.has_clamp()};
}

// The work items of the channels-last algorithms: (image, channel slab, output row). Rows are
// the better split (a thread then walks whole pixels, one contiguous stream); only when there
// are fewer than two rows per thread are the channels cut into slabs (whole vectors) as well.
// Each output is computed the same way whatever the cut.
struct RowItems {
  int64_t slabs, slab_channels, items;
};
inline RowItems row_items(const ConvDesc& d, int threads, int64_t vector_floats) {
  const int64_t rows = d.N * d.Ho, blocks = (d.M + vector_floats - 1) / vector_floats;
  const int64_t wanted = (2 * int64_t(threads) + rows - 1) / rows;
  const int64_t slabs = wanted < blocks ? wanted : blocks;
  const int64_t blocks_per_slab = (blocks + slabs - 1) / slabs;
  RowItems r;
  r.slab_channels = blocks_per_slab * vector_floats;
  r.slabs = (d.M + r.slab_channels - 1) / r.slab_channels;
  r.items = rows * r.slabs;
  return r;
}

// Calls run(image, row_begin, row_end, m_begin, m_end) for the items [begin, end), grouped into
// runs of consecutive rows of one image and slab.
template <typename Run>
void for_each_row_run(const ConvDesc& d, const RowItems& r, int64_t begin, int64_t end, Run&& run) {
  while (begin < end) {
    const int64_t row = begin % d.Ho, slab = begin / d.Ho % r.slabs, image = begin / d.Ho / r.slabs;
    const int64_t rows = end - begin < d.Ho - row ? end - begin : d.Ho - row;
    const int64_t m0 = slab * r.slab_channels;
    run(image, row, row + rows, m0, m0 + r.slab_channels < d.M ? m0 + r.slab_channels : d.M);
    begin += rows;
  }
}

}  // namespace gemmconv
