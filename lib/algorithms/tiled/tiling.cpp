#include "tiling.hpp"

#include <algorithm>

#include "../../base/checked.hpp"
#include "../../parallel/threads.hpp"
#include "../algorithm.hpp"
#include "own_kernels.hpp"

namespace gemmconv {

namespace {

// A thread's workspace stays within this, whatever BLIS's MC says: the library promises at most
// 256 KiB of workspace per thread for the tiled algorithms (the README's figures show what the
// cap costs in speed). A workspace_limit below threads x this shrinks the blocks further.
constexpr std::size_t kMaxThreadBytes = std::size_t{256} << 10;

// Under a tight workspace_limit the pixel block shrinks first, down to this many panels; below
// that the reduction block kc is halved (a panel is kc x pixel width floats) down to kMinKc,
// and below that the block is one panel, with kc halved again. Fewer panels per block stream
// the packed filter once per fewer pixels; a shorter kc loads and stores each tile's outputs
// once per fewer multiply-adds (README, "Workspace and speed", shows what each step costs).
constexpr int64_t kFloorPanels = 2;
constexpr int64_t kMinKc = 32;

}  // namespace

int64_t Tiling::block_first_panel(int64_t b) const {
  return split_range(pixel_panels, pixel_blocks, b).begin;
}

int64_t Tiling::block_panel_count(int64_t b) const {
  const Range r = split_range(pixel_panels, pixel_blocks, b);
  return r.end - r.begin;
}

Range Tiling::thread_items(int index, int team) const {
  // Work in units of (pixel panel x channel panel), per image and group; the item at a given
  // amount of work is found by walking the blocks (a few hundred at most).
  const int64_t per_image_group = pixel_panels * channel_panels;
  const int64_t total = items / (pixel_blocks * channel_panels) * per_image_group;
  auto item_at = [&](int64_t work) {
    const int64_t image_group = work / per_image_group;
    int64_t rest = work % per_image_group, item = image_group * pixel_blocks * channel_panels;
    for (int64_t b = 0; b < pixel_blocks; ++b) {
      const int64_t block_work = block_panel_count(b) * channel_panels;
      if (rest < block_work) return item + rest / block_panel_count(b);
      rest -= block_work;
      item += channel_panels;
    }
    return item;
  };
  const Range share = split_range(total, team, index);
  return {item_at(share.begin), share.end == total ? items : item_at(share.end)};
}

ThreadScratch Tiling::scratch(void* workspace, int index) const {
  unsigned char* p = static_cast<unsigned char*>(workspace) + std::size_t(index) * thread_bytes;
  unsigned char* part[6];
  const std::array<std::size_t, 6> sizes = parts();
  for (std::size_t i = 0; i < sizes.size(); p += sizes[i], ++i) part[i] = p;
  return {reinterpret_cast<float*>(part[0]),      reinterpret_cast<TapEntry*>(part[1]),
          reinterpret_cast<RowSegment*>(part[2]), reinterpret_cast<EdgePixel*>(part[3]),
          reinterpret_cast<float*>(part[4]),      reinterpret_cast<float*>(part[5])};
}

Range Tiling::thread_tiles(int index, int team) const {
  const int64_t image_groups = items / (pixel_blocks * channel_panels);
  return split_range(image_groups * pixel_panels * channel_panels, team, index);
}

std::size_t Tiling::workspace_bytes() const {
  return checked_mul(thread_bytes, std::size_t(threads));
}

namespace {

// The staged mode's copies of the padded input planes stay within this (they grow with the
// image, so the mode is only for small planes, where cutting rows into runs costs most).
constexpr std::size_t kMaxStageBytes = std::size_t{128} << 10;

// Chooses how the pixel panels are packed, and the staged extent when staging (only when
// `may_stage`).
void choose_packing(const ConvDesc& d, bool may_stage, Tiling& t) {
  t.packing = PixelPacking::Rows;
  t.stage_rows = t.stage_cols = t.stage_channels = 0;
  if (d.layout == Layout::NHWC) {
    t.packing = PixelPacking::Channels;
    return;
  }
  // Unit strides, no padding and KW = 1: every tap reads a whole plane shifted, so output rows
  // need no cutting (pixel p of tap (c, ky) is input p + ky * DH * W of plane c).
  if (d.KW == 1 && d.SW == 1 && d.SH == 1 && d.no_padding()) {
    t.packing = PixelPacking::Flat;
    return;
  }
  // Rows shorter than two micro-panels: most panels hold pieces of several rows.
  if (may_stage && d.Wo < 2 * t.pixel_width) {
    const int64_t rows = (d.Ho - 1) * d.SH + (d.KH - 1) * d.DH + 1;
    const int64_t cols = (d.Wo - 1) * d.SW + (d.KW - 1) * d.DW + 1;
    // A reduction block of kc consecutive k touches at most this many channels.
    const int64_t channels = std::min(d.Cg(), (t.kc + d.taps() - 2) / d.taps() + 1);
    const double bytes = double(rows) * double(cols) * double(channels) * sizeof(float);
    if (bytes <= double(kMaxStageBytes)) {
      t.packing = PixelPacking::Staged;
      t.stage_rows = rows;
      t.stage_cols = cols;
      t.stage_channels = channels;
    }
  }
}

// Small planes (7x7: 49 pixels in four 16-wide panels, 77% of them real) waste much of the
// kernel's work on padding pixels when the pixels are on the wider side of the tile. Putting
// them on the narrower side then pays, although the tiles are stored against the kernel's
// preference, when there are enough output channels to fill the other side and the narrower
// side fills at least kMinFlipGain more of its panels: measured on the 6x16 AVX2 kernel,
// ResNet-50 res5 and GoogLeNet 5x layers (77% -> 91% filled): 1.06x-1.12x faster with M' >= 128
// channels, 1.5x-2x slower with M' = 16 or 48; on the 32x12 AVX-512 kernel (77% -> 82%) 0-4%
// slower at 1 thread and 8-27% slower at 2 on the same layers; no gain at 14x14, 94% filled.
constexpr double kMinFlipGain = 1.1;

bool pixels_wasted_on_panels(const ConvDesc& d, const MicroKernel& kernel, bool pixels_are_a) {
  const int64_t mine = pixels_are_a ? kernel.mr : kernel.nr;
  const int64_t other = pixels_are_a ? kernel.nr : kernel.mr;
  if (other >= mine || d.Mg() < 4 * mine) return false;
  const double filled = pixel_panel_fill(d, mine);
  return filled < 0.85 && pixel_panel_fill(d, other) >= kMinFlipGain * filled;
}

// Operand roles: which side of the micro-kernel's tile the pixels take (pixels_on_mr_side,
// unless the small-plane rule flips it), and the panel widths that follow.
void choose_roles(const ConvDesc& d, const MicroKernel& kernel, Tiling& t) {
  t.kernel = &kernel;
  const bool pixels_unit = d.layout == Layout::NCHW;
  t.pixels_are_a = pixels_on_mr_side(d, kernel);
  if (pixels_wasted_on_panels(d, kernel, t.pixels_are_a)) t.pixels_are_a = !t.pixels_are_a;
  t.pixel_width = t.pixels_are_a ? kernel.mr : kernel.nr;
  t.pixel_pack = t.pixels_are_a ? kernel.packmr : kernel.packnr;
  t.channel_width = t.pixels_are_a ? kernel.nr : kernel.mr;
  t.channel_pack = t.pixels_are_a ? kernel.packnr : kernel.packmr;
  t.pixels = d.Ho * d.Wo;
  t.channels = d.Mg();
  t.reduction = d.reduction();
  t.out_pixel_stride = pixels_unit ? 1 : d.M;
  t.out_channel_stride = pixels_unit ? t.pixels : 1;
}

// Reduction blocks no longer than `cap` and as equal as possible (no short tail block).
int64_t balanced_kc(int64_t reduction, int64_t cap) {
  return ceil_div(reduction, ceil_div(reduction, cap));
}

// What a thread's workspace costs: `fixed` bytes whatever the pixel block, and `per_panel` for
// each pixel panel of the block (the packed panel, with room for the padding of panel_stride(),
// and what the packing mode keeps per panel).
struct WorkspaceCosts {
  std::size_t fixed, per_panel, panel_bytes, segments_per_panel, edges_per_panel;
};

WorkspaceCosts workspace_costs(const ConvDesc& d, Tiling& t) {
  using std::size_t;
  const bool nchw = t.packing != PixelPacking::Channels;
  t.table_bytes = nchw ? round_up(checked_mul(sizeof(TapEntry), size_t(t.kc)), 64) : 0;
  t.zero_bytes = nchw ? 0 : round_up(float_bytes(size_t(t.kc)), 64);
  t.stage_bytes =
      t.packing == PixelPacking::Staged
          ? round_up(
                float_bytes(checked_product(size_t(t.stage_channels), t.stage_rows, t.stage_cols)),
                64)
          : 0;
  // pw consecutive pixels touch at most 1 + ceil((pw - 1) / Wo) output rows.
  const int64_t pw = t.pixel_width;
  t.panel_floats = t.panel_stride(t.kc + 1);
  WorkspaceCosts c{};
  c.panel_bytes = float_bytes(size_t(t.panel_floats));
  if (t.packing == PixelPacking::Rows) {
    c.segments_per_panel = size_t(std::min(pw, 1 + ceil_div(pw - 1, d.Wo)));
    c.edges_per_panel = size_t(pw);
  } else if (t.packing == PixelPacking::Flat) {
    c.segments_per_panel = 1;
  } else if (t.packing == PixelPacking::Staged) {  // rows without edges: padding is staged
    c.segments_per_panel = size_t(std::min(pw, 1 + ceil_div(pw - 1, d.Wo)));
  }
  c.per_panel =
      checked_add(checked_add(c.panel_bytes, checked_mul(sizeof(RowSegment), c.segments_per_panel)),
                  checked_mul(sizeof(EdgePixel), c.edges_per_panel));
  // 4 * 64: each part's rounding; kMicroKernelReadAhead: the kernel's loads past the last panel.
  c.fixed = checked_add(checked_add(t.table_bytes, t.stage_bytes),
                        checked_add(t.zero_bytes, 4 * 64 + kMicroKernelReadAhead));
  return c;
}

// Below this many pixel blocks per thread, the threads share out pixel panels
// (Tiling::split_pixels).
constexpr int64_t kSplitBlocksPerThread = 4;

// Pixel panels a thread's workspace of `budget` bytes holds beside the fixed part.
int64_t panels_within(const WorkspaceCosts& c, std::size_t budget) {
  return c.fixed < budget ? int64_t((budget - c.fixed) / c.per_panel) : 0;
}

// Cache blocking and work items. A packed pixel block holds about MC pixels: BLIS sizes MC x KC
// to sit in L2 (it is its A block); the same budget serves when the pixels are the B operand.
// Work is shared in contiguous ranges of items; a thread packs each pixel block it touches once
// per reduction block, so channel-panel granularity costs no repacking inside a thread.
void choose_blocking(const ConvDesc& d, const MicroKernel& kernel, const WorkspaceCosts& c,
                     int threads, std::size_t budget, Tiling& t) {
  const int64_t pw = t.pixel_width;
  t.pixel_panels = ceil_div(t.pixels, pw);
  t.channel_panels = ceil_div(t.channels, t.channel_width);
  const int64_t max_panels =
      std::max<int64_t>(1, std::min(kernel.mc / pw, panels_within(c, budget)));
  t.pixel_blocks = ceil_div(t.pixel_panels, max_panels);
  t.block_panels = ceil_div(t.pixel_panels, t.pixel_blocks);
  t.channel_block = std::max<int64_t>(1, kernel.mc / kernel.mr);
  const std::size_t items =
      checked_product(std::size_t(d.N), d.G, t.pixel_blocks, t.channel_panels);
  t.items = int64_t(items);
  t.threads = int(std::min<int64_t>(std::max(threads, 1), t.items));
  // A thread that owns several blocks repacks at most the one it shares with a neighbour, a
  // small part of its packing. With fewer blocks, sharing out pixel panels (at least two a
  // thread) packs each once but has every thread read the whole filter: it pays when the filter
  // (M' rows of the reduction) is smaller than the image's patch matrix (Ho * Wo rows), as on
  // 28x28 layers, and not on 7x7 and 14x14 layers with hundreds of channels (measured at 2
  // threads on ResNet-50, skx).
  const int64_t blocks = t.items / t.channel_panels;
  const int64_t panels = blocks / t.pixel_blocks * t.pixel_panels;
  t.split_pixels = t.threads > 1 && blocks < kSplitBlocksPerThread * t.threads &&
                   panels >= 2 * int64_t(t.threads) && t.channels < t.pixels;
}

// The parts of a thread's workspace that grow with the pixel block, and their sum.
void size_workspace(const WorkspaceCosts& c, Tiling& t) {
  const std::size_t panels = std::size_t(t.block_panels);
  t.pack_bytes =
      round_up(checked_add(checked_mul(c.panel_bytes, panels), kMicroKernelReadAhead), 64);
  t.segment_bytes = round_up(checked_product(sizeof(RowSegment), c.segments_per_panel, panels), 64);
  t.edge_bytes = round_up(checked_product(sizeof(EdgePixel), c.edges_per_panel, panels), 64);
  t.thread_bytes = 0;
  for (std::size_t part : t.parts()) t.thread_bytes = checked_add(t.thread_bytes, part);
}

}  // namespace

Tiling make_tiling(const ConvDesc& d, const MicroKernel& kernel, int threads, std::size_t limit) {
  Tiling t;
  t.pack_kernels = &pack_kernels(selected_isa());
  choose_roles(d, kernel, t);
  // Every thread gets the same share: the threads used (at most `threads`) then fit the limit.
  const std::size_t budget = std::min(kMaxThreadBytes, limit / std::size_t(std::max(threads, 1)));
  // The first reduction block and packing, from the kernel's KC and the preferred packing down,
  // whose workspace holds the floor's panels, else one panel; the smallest when none does (then
  // over budget). At each kc the staged planes are given up before kc is shortened.
  const int64_t floor_panels = std::min(kFloorPanels, ceil_div(t.pixels, t.pixel_width));
  WorkspaceCosts costs{};
  auto fit = [&](int64_t panels) {
    for (int64_t cap = kernel.kc;; cap /= 2) {
      t.kc = balanced_kc(t.reduction, cap);
      for (bool may_stage : {true, false}) {
        choose_packing(d, may_stage, t);
        costs = workspace_costs(d, t);
        if (panels_within(costs, budget) >= panels) return true;
        if (t.packing != PixelPacking::Staged) break;
      }
      if (cap / 2 < kMinKc) return false;
    }
  };
  if (!fit(floor_panels)) fit(1);
  choose_blocking(d, kernel, costs, threads, budget, t);
  size_workspace(costs, t);
  return t;
}

double tiling_fill(const ConvDesc& d, const MicroKernel& kernel) {
  Tiling t;
  choose_roles(d, kernel, t);
  return micro_tile_fill(d, t.channel_width, d.reduction()) * pixel_panel_fill(d, t.pixel_width);
}

namespace {

// An own kernel replaces BLIS's when each thread's packed pixel micro-panels serve at least
// kMinOwnChannelPanels channel panels (counted as the group's channel panels over the threads,
// who share them out on small planes) and its tiles fill kMinOwnGain more of their panels, or
// as much with a reduction of kMinOwnReductionBlocks of BLIS's KC or more. The pixels are the
// broadcast operand, read from L2 by the first tile of each pixel panel: with few channel panels
// to share that, 56x56 planes with 64 channels (1.125x more filled) are 1.16x-1.18x slower on
// the own kernel at 1 thread, and GoogLeNet's 7x7 1x1 layers with 128 and 256 channels, faster
// at 1 thread, 1.2x-1.35x slower at 2 (two to three channel panels a thread). With many, on 7x7
// and 14x14 planes with 256-512 channels (1.15x-1.3x more filled) the own kernels are 1.1x-1.25x
// faster, on 13x13 (1.09x more, rows of 13 cut into panels of 14) no faster; equally filled,
// 28x28 planes with 512 channels and K = 4608 are 1.04x-1.08x faster (the tiles' outputs loaded
// and stored once per 2 KC), with K = 2304 (28x28 and 56x56) no faster, and 1x1 layers with K =
// 64 to 256 slower (each call's transposed store weighs more). The same in NHWC (BLIS's pixels
// on its 12-wide side): 7x7 with 512 channels 1.12x faster, 14x14 1.05x, 28x28 with K = 4608
// 1.07x (NCHW figures above; all measured on skx's kernel, side by side).
constexpr double kMinOwnGain = 1.1;
constexpr int64_t kMinOwnChannelPanels = 4;
constexpr int64_t kMinOwnReductionBlocks = 8;

}  // namespace

const MicroKernel& tiled_kernel(const ConvDesc& d, int threads) {
  const MicroKernel& blis = micro_kernel();
  const bool long_reduction = d.reduction() >= kMinOwnReductionBlocks * blis.kc;
  const double needed = (long_reduction ? 1.0 : kMinOwnGain) * tiling_fill(d, blis);
  const MicroKernel* best = &blis;
  double best_fill = 0.0;
  for (const MicroKernel& k : own_micro_kernels()) {
    const double fill = tiling_fill(d, k);
    if (fill >= needed && fill > best_fill &&
        ceil_div(d.Mg(), k.mr) >= kMinOwnChannelPanels * std::max(threads, 1)) {
      best = &k;
      best_fill = fill;
    }
  }
  return *best;
}

std::size_t tiled_workspace_bytes(const ConvDesc& d, int threads, std::size_t limit) {
  return make_tiling(d, tiled_kernel(d, threads), threads, limit).workspace_bytes();
}

}  // namespace gemmconv
