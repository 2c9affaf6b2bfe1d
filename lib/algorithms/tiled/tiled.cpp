// tiled-nchw, tiled-nhwc: the convolution as GEMM tiles computed by BLIS's own micro-kernel,
// with the filter packed once at plan time and the patch matrix packed panel by panel from X
// (see tiling.hpp for the operand roles). No patch matrix, no allocation in execute.
//
// Workspace (exact): threads used x Tiling::thread_bytes, threads used = min(plan threads, work
// items); each thread's part laid out as ThreadScratch, sized by make_tiling (tiling.hpp): the
// packed pixel block (about BLIS's MC x KC, never more than the image needs) and what the
// packing mode keeps beside it, within 256 KiB per thread and within the plan's
// workspace_limit shared among its threads (smaller blocks, then a shorter kc, as the limit
// tightens; over budget below one panel at the shortest kc).
#include "../../parallel/for_each_share.hpp"
#include "../../base/checked.hpp"
#include "../algorithm.hpp"
#include "macro_kernel.hpp"
#include "pack_filter.hpp"

namespace gemmconv {

namespace {

bool supports_nchw(const ConvDesc& d) {
  return d.layout == Layout::NCHW;
}
bool supports_nhwc(const ConvDesc& d) {
  return d.layout == Layout::NHWC;
}

// The plan's tiling, decided once in prepare(): the filter is packed for it and every execute
// runs it.
struct TiledState final : PlanState {
  Tiling tiling;
  std::size_t workspace_bytes() const override { return tiling.workspace_bytes(); }
  std::size_t bytes() const override { return sizeof *this; }
};

void prepare_tiled(Plan& plan, const FilterView& filter) {
  auto state = std::make_unique<TiledState>();
  state->tiling = make_tiling(plan.desc, tiled_kernel(plan.desc, plan.threads), plan.threads,
                              plan.workspace_limit);
  const Tiling& t = state->tiling;
  plan.state = std::move(state);
  pack_tiled_filter(plan, t, filter);
}

// Static partition: thread i takes a contiguous range of work items (image, group, pixel block,
// channel panel). Consecutive items of one pixel block become one TileWork, so a thread packs
// each pixel block it touches once per reduction block. With split_pixels it takes a range of
// tiles in pixel-panel order instead: its pixel panels with all channel panels, and a panel it
// shares with a neighbour with its part of the channel panels. Every output element
// is computed by one micro-kernel call sequence whatever the partition, so results do not
// depend on threads.
void run_tiled(const Plan& plan, const float* input, float* output, float* workspace) {
  const Tiling& t = plan.state_as<TiledState>().tiling;
  const int64_t per_image_group = t.pixel_blocks * t.channel_panels;
  run_team(std::min(t.threads, plan.team()), [&](int index, int team_size) {
    const ThreadScratch scratch = t.scratch(workspace, index);
    if (t.split_pixels) {
      const Range mine = t.thread_tiles(index, team_size);
      const int64_t cp = t.channel_panels;
      for (int64_t tile = mine.begin; tile < mine.end;) {
        const int64_t panel = tile / cp, c = tile % cp, left = mine.end - tile;
        const int64_t image_group = panel / t.pixel_panels, p = panel % t.pixel_panels;
        TileWork work{image_group / plan.desc.G, image_group % plan.desc.G, 0, c, cp, 0, 0};
        while (t.block_first_panel(work.block) + t.block_panel_count(work.block) <= p) ++work.block;
        work.panel_begin = p - t.block_first_panel(work.block);
        if (c != 0 || left < cp) {  // a panel shared with a neighbour: this thread's channels
          work.panel_end = work.panel_begin + 1;
          work.channel_end = std::min(cp, c + left);
        } else {  // whole panels, to the end of the block or of the share
          work.panel_end = std::min(t.block_panel_count(work.block), work.panel_begin + left / cp);
        }
        run_tile_work(plan, t, input, output, work, scratch);
        tile += (work.panel_end - work.panel_begin) * (work.channel_end - work.channel_begin);
      }
      return;
    }
    const Range mine = t.thread_items(index, team_size);
    for (int64_t item = mine.begin; item < mine.end;) {
      const int64_t image_group = item / per_image_group, rest = item % per_image_group;
      TileWork work;
      work.image = image_group / plan.desc.G;
      work.group = image_group % plan.desc.G;
      work.block = rest / t.channel_panels;
      work.channel_begin = rest % t.channel_panels;
      work.channel_end = std::min(t.channel_panels, work.channel_begin + (mine.end - item));
      work.panel_begin = 0;
      work.panel_end = t.block_panel_count(work.block);
      run_tile_work(plan, t, input, output, work, scratch);
      item += work.channel_end - work.channel_begin;
    }
  });
}

// The fraction of its typical rate the tiled kernel keeps: its tiles' fill (tiling_fill) on the
// micro-kernel the plan would take.
double tile_fill(const ConvDesc& d, int threads) {
  return tiling_fill(d, tiled_kernel(d, threads));
}

// On channels-first tensors each packed pixel panel (KC rows of a plane's strided pixels) serves
// the group's M' output channels, so packing's share of the time falls as 1 / M': the kernel
// keeps 1 / (1 + kPackingChannels / M') of its rate. Fitted with tiled-nchw's rate by hand
// against grouped-nchw and channels-nchw on the four dense networks' NCHW layers at 1 and 2
// threads, skx and haswell, from each algorithm's per-layer times measured side by side
// (tiled-nchw itself ran at 69-75% of skx's ceiling with M' = 64, 82-95% with 512): AUTO then
// takes it for ResNet-50's 1x1 layers with 512-2048 outputs, and its ResNet-50 totals come
// within 0.9-1.6% of the per-layer fastest's (1.5-3.9% without the term), the other three
// networks' within 0.5% of the totals of the choices made without it.
constexpr double kPackingChannels = 64.0;
double tile_fill_nchw(const ConvDesc& d, int threads) {
  return tile_fill(d, threads) / (1.0 + kPackingChannels / double(d.Mg()));
}

}  // namespace

extern const Algorithm kTiledNchw = {
    "tiled-nchw", supports_nchw, tiled_workspace_bytes, prepare_tiled, run_tiled, tile_fill_nchw,
};
extern const Algorithm kTiledNhwc = {
    "tiled-nhwc", supports_nhwc, tiled_workspace_bytes, prepare_tiled, run_tiled, tile_fill,
};

}  // namespace gemmconv
