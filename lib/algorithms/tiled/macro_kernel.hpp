// The work on one pixel block of one image and group: for each reduction block, pack the block's
// pixel panels, then sweep the micro-kernel over them and a range of the pre-packed filter's
// channel panels, accumulating in the output tiles (beta 0, then 1). The bias is the last
// block's extra reduction row; the clamp is applied to each tile right after its last reduction
// block, while it is hot.
#pragma once

#include <cstdint>

#include "../../plan.hpp"
#include "tiling.hpp"

namespace gemmconv {

struct TileWork {
  int64_t image, group, block;         // the pixel block
  int64_t channel_begin, channel_end;  // channel panels [begin, end) of the group
  int64_t panel_begin, panel_end;      // the block's pixel panels [begin, end), from its first
};

// One thread on `work`; `scratch` is its workspace.
void run_tile_work(const Plan& plan, const Tiling& t, const float* input, float* output,
                   const TileWork& work, const ThreadScratch& scratch);

}  // namespace gemmconv
