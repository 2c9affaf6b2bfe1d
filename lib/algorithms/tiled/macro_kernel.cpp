#include "macro_kernel.hpp"

#include <algorithm>

#include "pack_pixels.hpp"

namespace gemmconv {

namespace {

// The clamp on one finished tile of `pixels` x `channels` outputs (the bias is in already).
void clamp_tile(const Plan& plan, const Tiling& t, float* y, int64_t pixels, int64_t channels) {
  const int64_t ps = t.out_pixel_stride, cs = t.out_channel_stride;
  const int64_t inner = ps == 1 ? pixels : channels, outer = ps == 1 ? channels : pixels;
  const int64_t stride = ps == 1 ? cs : ps;
  for (int64_t j = 0; j < outer; ++j) {
    float* run = y + j * stride;
    for (int64_t i = 0; i < inner; ++i) run[i] = plan.clamp(run[i]);
  }
}

// Row kb of each packed pixel panel of the block: ones, which the filter's bias row multiplies.
void pack_ones_row(const Tiling& t, float* pack, int64_t panels, int64_t kb) {
  for (int64_t q = 0; q < panels; ++q) {
    float* row = pack + q * t.panel_floats + kb * t.pixel_pack;
    for (int64_t i = 0; i < t.pixel_pack; ++i) row[i] = 1.0f;
  }
}

}  // namespace

void run_tile_work(const Plan& plan, const Tiling& t, const float* input, float* output,
                   const TileWork& work, const ThreadScratch& scratch) {
  float* pack = scratch.pack;
  const ConvDesc& d = plan.desc;
  MicroTileRunner kernel(*t.kernel);
  const bool nchw = d.layout == Layout::NCHW;
  const float* x = input + work.image * d.in_image() + work.group * d.Cg() * (nchw ? d.H * d.W : 1);
  float* y = output + work.image * d.out_image() + work.group * d.Mg() * t.out_channel_stride;
  const bool clamp = plan.has_clamp();
  const PixelBlock block{t.block_first_panel(work.block), t.block_panel_count(work.block)};
  const int64_t ps = t.out_pixel_stride, cs = t.out_channel_stride;
  const int64_t pw = t.pixel_width, cw = t.channel_width;

  for (int64_t k0 = 0; k0 < t.reduction; k0 += t.kc) {
    const int64_t kb = std::min(t.kc, t.reduction - k0);
    if (nchw)
      pack_pixels_nchw(d, t, input, x, block, k0, kb, scratch);
    else
      pack_pixels_nhwc(d, t, x, block, k0, kb, scratch);
    const float beta = k0 == 0 ? 0.0f : 1.0f;
    const bool last = k0 + kb == t.reduction;
    const int64_t pixel_panel_floats = t.panel_floats;
    // The last block's extra row adds the bias (the filter's bias row against ones).
    const bool bias_row = last && plan.has_bias();
    if (bias_row) pack_ones_row(t, pack, block.panels, kb);
    const int64_t rows = kb + (bias_row ? 1 : 0);

    // One micro-tile: pixel panel q of the block against channel panel c of the group.
    // The prefetch hints name the next panel along the inner loop (past the end is harmless:
    // prefetches do not fault).
    auto tile = [&](int64_t q, int64_t c) {
      const int64_t p0 = (block.first_panel + q) * pw, m0 = c * cw;
      const int64_t np = std::min(pw, t.pixels - p0), nc = std::min(cw, t.channels - m0);
      const float* pixels = pack + q * pixel_panel_floats;
      const float* weights = plan.filter.data() + t.filter_offset(work.group, k0, c);
      float* out = y + p0 * ps + m0 * cs;
      if (t.pixels_are_a)
        kernel.run(np, nc, rows, pixels, weights, beta, out, ps, cs,
                   {pixels + pixel_panel_floats, weights});
      else
        kernel.run(nc, np, rows, weights, pixels, beta, out, cs, ps,
                   {weights + t.filter_block_rows(k0) * t.channel_pack, pixels});
      if (last && clamp) clamp_tile(plan, t, out, np, nc);
    };

    if (t.pixels_are_a) {
      // BLIS's macro-kernel order: a filter micro-panel (B) stays in L1 while the packed pixel
      // block (A, sized like BLIS's MC x KC) streams from L2.
      for (int64_t c = work.channel_begin; c < work.channel_end; ++c)
        for (int64_t q = 0; q < block.panels; ++q) tile(q, c);
    } else {
      // Filter on A: an MC x KC block of it stays in L2, each pixel micro-panel (B) in L1.
      for (int64_t c0 = work.channel_begin; c0 < work.channel_end; c0 += t.channel_block) {
        const int64_t c1 = std::min(work.channel_end, c0 + t.channel_block);
        for (int64_t q = 0; q < block.panels; ++q)
          for (int64_t c = c0; c < c1; ++c) tile(q, c);
      }
    }
  }
}

}  // namespace gemmconv
