// Plan-time packing of the filter into the micro-kernel's panel format.
#pragma once

#include "../algorithm.hpp"
#include "tiling.hpp"

namespace gemmconv {

// plan.filter = per group, per reduction block, per channel panel (channel_width output
// channels, zero past M'), that block of the reduction as one micro-panel: element (k, j) at
// k * channel_pack + j, the last block ending with the bias row (Tiling::filter_offset()). The
// reduction order is the one the pixel packing uses: (c, ky, kx) for NCHW, (ky, kx, c) for NHWC.
void pack_tiled_filter(Plan& plan, const Tiling& t, const FilterView& filter);

}  // namespace gemmconv
