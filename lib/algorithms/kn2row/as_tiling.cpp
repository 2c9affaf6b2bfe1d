#include "as_tiling.hpp"

#include <algorithm>

#include "../../base/checked.hpp"
#include "../algorithm.hpp"

namespace gemmconv {

namespace {}  // namespace

AsTiling make_as_tiling(const ConvDesc& d, const MicroKernel& kernel, int threads) {
  AsTiling t;
  t.kernel = &kernel;
  const bool nchw = d.layout == Layout::NCHW;
  t.pixels_are_a = pixels_on_mr_side(d, kernel);
  t.pixel_width = t.pixels_are_a ? kernel.mr : kernel.nr;
  t.pixel_pack = t.pixels_are_a ? kernel.packmr : kernel.packnr;
  t.channel_width = t.pixels_are_a ? kernel.nr : kernel.mr;
  t.channel_pack = t.pixels_are_a ? kernel.packnr : kernel.packmr;
  t.channels = d.Mg();
  t.reduction = d.Cg();
  t.kc = ceil_div(t.reduction, ceil_div(t.reduction, kernel.kc));
  t.channel_panels = ceil_div(t.channels, t.channel_width);
  t.taps = d.taps();
  t.out_pixel_stride = nchw ? 1 : d.M;
  t.out_channel_stride = nchw ? d.Ho * d.Wo : 1;
  // The tile's unit stride is the output's, so that scattering it adds contiguous runs.
  t.tile_pixel_stride = nchw ? 1 : t.channel_width;
  t.tile_channel_stride = nchw ? t.pixel_width : 1;
  t.bands = int(std::clamp<int64_t>(threads, 1, d.Ho));
  t.panel_bytes = round_up(
      checked_add(float_bytes(checked_mul(std::size_t(t.kc), t.pixel_pack)), kMicroKernelReadAhead),
      64);
  t.tile_bytes =
      round_up(float_bytes(checked_mul(std::size_t(t.pixel_width), t.channel_width)), 64);
  t.run_bytes = round_up(checked_mul(sizeof(PanelRun), std::size_t(t.pixel_width)), 64);
  t.thread_bytes = checked_add(checked_add(t.panel_bytes, t.tile_bytes), t.run_bytes);
  return t;
}

std::size_t as_workspace_bytes(const ConvDesc& d, int threads, std::size_t) {
  const AsTiling t = make_as_tiling(d, micro_kernel(), threads);
  return checked_mul(t.thread_bytes, std::size_t(t.bands));
}

}  // namespace gemmconv
