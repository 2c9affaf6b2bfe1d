// One tap's 1x1 product accumulated into its output rectangle (kn2row-as / kn2col-as): for each
// pixel panel of the rectangle, the shifted input is packed once and every channel panel of
// the tap's packed filter runs against it, adding into Y (beta = 1).
#pragma once

#include <cstdint>

#include "../../blis/microkernel.hpp"
#include "../../plan.hpp"
#include "as_tiling.hpp"

namespace gemmconv {

// One thread's workspace (AsTiling::panel(), tile(), runs()).
struct AsScratch {
  float* panel;
  float* tile;
  PanelRun* runs;
};

// The operands of one image and group: its first input channel, its first output channel and
// its part of the packed filter.
struct AsOperands {
  const float* x;
  float* y;
  const float* filter;
};

// Y += F_t * X shifted over rectangle r, reduction rows [k0, k0 + block_rows(k0)) of tap t.
void accumulate_tap_block(const ConvDesc& d, const AsTiling& t, const AsOperands& op, int64_t tap,
                          const TapRect& r, int64_t k0, const AsScratch& s,
                          MicroTileRunner& kernel);

}  // namespace gemmconv
