// Packing for kn2row-as / kn2col-as (as_tiling.hpp): each tap's filter once at plan time, and
// at run time one micro-panel of the tap's shifted input for a run of output pixels.
#pragma once

#include <cstdint>

#include "../algorithm.hpp"
#include "as_tiling.hpp"

namespace gemmconv {

// plan.filter = per group, tap, reduction block and channel panel (channel_width output
// channels, zero past M'), F_t's block as one micro-panel: element (k, j) at
// k * channel_pack + j (AsTiling::filter_offset()), then the kernel's read-ahead of zeros.
void pack_as_filter(Plan& plan, const AsTiling& t, const FilterView& filter);

// Cuts pixels [first, first + count) of the rectangle, counted row by row, into runs (at most
// `count` of them). Returns how many.
int64_t cut_panel(const ConvDesc& d, const TapRect& r, int64_t first, int64_t count,
                  PanelRun* runs);

// Packs reduction rows [k0, k0 + kb) of the runs' pixels into `panel` (element (k, i) at
// k * pixel_pack + i); columns from `count` on are zero. `x` is the group's first input channel
// (plane in NCHW, channel of pixel (0, 0) in NHWC).
void pack_panel_nchw(const ConvDesc& d, const AsTiling& t, const float* x, int64_t k0, int64_t kb,
                     const PanelRun* runs, int64_t run_count, int64_t count, float* panel);
void pack_panel_nhwc(const ConvDesc& d, const AsTiling& t, const float* x, int64_t k0, int64_t kb,
                     const PanelRun* runs, int64_t run_count, int64_t count, float* panel);

}  // namespace gemmconv
