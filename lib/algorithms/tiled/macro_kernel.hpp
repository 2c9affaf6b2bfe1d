// The work on one pixel block of one image and group: for each reduction block, pack the block's
// pixel panels, then sweep the micro-kernel over them and a range of the pre-packed filter's
// channel panels, accumulating in the output tiles (beta 0, then 1). The bias is the last
// block's extra reduction row; the clamp is applied to each tile right after its last reduction
// block, while it is hot.
#pragma once

#include <cstdint>

#include "../../parallel/threads.hpp"
#include "../../plan.hpp"
#include "tiling.hpp"

namespace gemmconv {

struct TileWork {
  int64_t image, group, block;         // the pixel block
  int64_t channel_begin, channel_end;  // channel panels [begin, end) of the group
};

// One thread alone on `work`; `scratch` is its workspace, its own block included.
void run_tile_work(const Plan& plan, const Tiling& t, const float* input, float* output,
                   const TileWork& work, const ThreadScratch& scratch);

// Thread `index` of `team` on the whole of block `work` (all its channel panels), with the rest
// of the team: packs its share of the block's panels into the team buffer of each reduction
// step, waits for the team, runs its share of the tiles. Every thread of the team must call it
// for the same blocks in the same order; `step` counts the reduction steps across them.
void run_team_block(const Plan& plan, const Tiling& t, const float* input, float* output,
                    const TileWork& work, const ThreadScratch& scratch, float* workspace, int index,
                    int team, int64_t& step);

}  // namespace gemmconv
