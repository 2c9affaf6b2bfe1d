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

// One reduction block of a pixel block: where it is and what it adds.
struct Step {
  const float* x;  // the group's input in the image
  float* y;        // the group's output in the image
  int64_t group;
  PixelBlock block;
  int64_t k0, kb;
};

Step make_step(const Plan& plan, const Tiling& t, const float* input, float* output,
               const TileWork& work) {
  const ConvDesc& d = plan.desc;
  const bool nchw = d.layout == Layout::NCHW;
  Step s;
  s.x = input + work.image * d.in_image() + work.group * d.Cg() * (nchw ? d.H * d.W : 1);
  s.y = output + work.image * d.out_image() + work.group * d.Mg() * t.out_channel_stride;
  s.group = work.group;
  s.block = {t.block_first_panel(work.block) + work.panel_begin, work.panel_end - work.panel_begin};
  s.k0 = 0;
  s.kb = 0;
  return s;
}

// Packs the step's block into scratch.pack, with the ones row of the bias on the last reduction
// block.
void pack_step(const Plan& plan, const Tiling& t, const float* input, const Step& s,
               const ThreadScratch& scratch) {
  if (plan.desc.layout == Layout::NCHW)
    pack_pixels_nchw(plan.desc, t, input, s.x, s.block, s.k0, s.kb, scratch);
  else
    pack_pixels_nhwc(plan.desc, t, s.x, s.block, s.k0, s.kb, scratch);
  if (s.k0 + s.kb == t.reduction && plan.has_bias())
    pack_ones_row(t, scratch.pack, s.block.panels, s.kb);
}

// The tiles of channel panels [c_begin, c_end) against the step's packed block, in the order
// that keeps the kernel's reused operand in cache.
void run_step_tiles(const Plan& plan, const Tiling& t, const Step& s, const float* pack,
                    int64_t c_begin, int64_t c_end) {
  MicroTileRunner kernel(*t.kernel);
  const float beta = s.k0 == 0 ? 0.0f : 1.0f;
  const bool last = s.k0 + s.kb == t.reduction;
  const bool clamp = last && plan.has_clamp();
  const int64_t rows = s.kb + (last && plan.has_bias() ? 1 : 0);
  const int64_t ps = t.out_pixel_stride, cs = t.out_channel_stride;
  const int64_t pw = t.pixel_width, cw = t.channel_width, stride = t.panel_floats;

  // One micro-tile: pixel panel q of the block against channel panel c of the group. The
  // prefetch hints name the next panel along the inner loop (past the end is harmless:
  // prefetches do not fault).
  auto tile = [&](int64_t q, int64_t c) {
    const int64_t p0 = (s.block.first_panel + q) * pw, m0 = c * cw;
    const int64_t np = std::min(pw, t.pixels - p0), nc = std::min(cw, t.channels - m0);
    const float* pixels = pack + q * stride;
    const float* weights = plan.filter.data() + t.filter_offset(s.group, s.k0, c);
    float* out = s.y + p0 * ps + m0 * cs;
    if (t.pixels_are_a)
      kernel.run(np, nc, rows, pixels, weights, beta, out, ps, cs, {pixels + stride, weights});
    else
      kernel.run(nc, np, rows, weights, pixels, beta, out, cs, ps,
                 {weights + t.filter_block_rows(s.k0) * t.channel_pack, pixels});
    if (clamp) clamp_tile(plan, t, out, np, nc);
  };

  if (t.pixels_are_a) {
    // BLIS's macro-kernel order: a filter micro-panel (B) stays in L1 while the packed pixel
    // block (A, sized like BLIS's MC x KC) streams from L2.
    for (int64_t c = c_begin; c < c_end; ++c)
      for (int64_t q = 0; q < s.block.panels; ++q) tile(q, c);
  } else {
    // Filter on A: an MC x KC block of it stays in L2, each pixel micro-panel (B) in L1.
    for (int64_t c0 = c_begin; c0 < c_end; c0 += t.channel_block) {
      const int64_t c1 = std::min(c_end, c0 + t.channel_block);
      for (int64_t q = 0; q < s.block.panels; ++q)
        for (int64_t c = c0; c < c1; ++c) tile(q, c);
    }
  }
}

}  // namespace

void run_tile_work(const Plan& plan, const Tiling& t, const float* input, float* output,
                   const TileWork& work, const ThreadScratch& scratch) {
  Step s = make_step(plan, t, input, output, work);
  for (s.k0 = 0; s.k0 < t.reduction; s.k0 += t.kc) {
    s.kb = std::min(t.kc, t.reduction - s.k0);
    pack_step(plan, t, input, s, scratch);
    run_step_tiles(plan, t, s, scratch.pack, work.channel_begin, work.channel_end);
  }
}

}  // namespace gemmconv
