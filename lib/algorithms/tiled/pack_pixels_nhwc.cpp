// NHWC pixel packing. In channels-last order a tap's reduction entries for one pixel are C'
// contiguous channels, so a reduction block is a few runs of channels (of one tap, or of a
// filter row's taps where those are contiguous): each run is transposed into the panel, row k
// gathering channel k from each pixel (the loops in pack_kernels_impl.hpp, per ISA).
#include "copy_runs.hpp"
#include "pack_pixels.hpp"

namespace gemmconv {

void pack_pixels_nhwc(const ConvDesc& d, const Tiling& t, const float* x, PixelBlock block,
                      int64_t k0, int64_t kb, const ThreadScratch& scratch) {
  zero_run(scratch.zeros, kb);
  NhwcPackJob job;
  job.x = x;
  job.zeros = scratch.zeros;
  job.pack = scratch.pack;
  job.H = d.H;
  job.W = d.W;
  job.C = d.C;
  job.Cg = d.Cg();
  job.KW = d.KW;
  job.SH = d.SH;
  job.SW = d.SW;
  job.DH = d.DH;
  job.DW = d.DW;
  job.PT = d.PT;
  job.PL = d.PL;
  job.Wo = d.Wo;
  job.pixels = t.pixels;
  job.pixel_width = t.pixel_width;
  job.pixel_pack = t.pixel_pack;
  job.panel_floats = t.panel_floats;
  job.first_panel = block.first_panel;
  job.panels = block.panels;
  job.k0 = k0;
  job.kb = kb;
  t.pack_kernels->nhwc_block(job);
}

}  // namespace gemmconv
