#include "tiling.hpp"

#include <algorithm>

#include "../../conv/checked.hpp"
#include "../../parallel/threads.hpp"

namespace gemmconv {

namespace {

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// A thread's workspace stays within this, whatever BLIS's MC says (the library promises at
// most 1 MiB of workspace per thread for the tiled algorithms).
constexpr std::size_t kMaxThreadBytes = std::size_t{1} << 20;

}  // namespace

int64_t Tiling::block_first_panel(int64_t b) const {
  return split_range(pixel_panels, pixel_blocks, b).begin;
}

int64_t Tiling::block_panel_count(int64_t b) const {
  const Range r = split_range(pixel_panels, pixel_blocks, b);
  return r.end - r.begin;
}

ThreadScratch Tiling::scratch(void* workspace, int index) const {
  unsigned char* own = static_cast<unsigned char*>(workspace) + std::size_t(index) * thread_bytes;
  ThreadScratch s;
  s.pack = reinterpret_cast<float*>(own);
  s.table = reinterpret_cast<TapEntry*>(own + pack_bytes);
  s.segments = reinterpret_cast<RowSegment*>(own + pack_bytes + table_bytes);
  s.edges = reinterpret_cast<EdgePixel*>(own + pack_bytes + table_bytes + segment_bytes);
  return s;
}

Tiling make_tiling(const ConvDesc& d, const MicroKernel& kernel, int threads) {
  Tiling t;
  t.kernel = &kernel;
  // The output's unit-stride direction: pixels in NCHW, channels in NHWC. The kernel stores
  // its tile's columns contiguously when it prefers columns: the MR side is then that direction.
  const bool pixels_unit = d.layout == Layout::NCHW;
  t.pixels_are_a = pixels_unit == kernel.prefers_cols;
  t.pixel_width = t.pixels_are_a ? kernel.mr : kernel.nr;
  t.pixel_pack = t.pixels_are_a ? kernel.packmr : kernel.packnr;
  t.channel_width = t.pixels_are_a ? kernel.nr : kernel.mr;
  t.channel_pack = t.pixels_are_a ? kernel.packnr : kernel.packmr;
  t.pixels = d.Ho * d.Wo;
  t.channels = d.Mg();
  t.reduction = d.reduction();
  t.flat_rows = d.KW == 1 && d.SW == 1 && d.SH == 1 && d.no_padding();
  t.out_pixel_stride = pixels_unit ? 1 : d.M;
  t.out_channel_stride = pixels_unit ? t.pixels : 1;

  // Reduction blocks no longer than KC and as equal as possible (no short tail block).
  const int64_t k_blocks = ceil_div(t.reduction, kernel.kc);
  t.kc = ceil_div(t.reduction, k_blocks);

  // A packed pixel block holds about MC pixels: BLIS sizes MC x KC to sit in L2 (it is its A
  // block); the same budget serves when the pixels are the B operand.
  t.pixel_panels = ceil_div(t.pixels, t.pixel_width);
  t.channel_panels = ceil_div(t.channels, t.channel_width);
  const std::size_t panel_bytes =
      float_bytes(checked_add(checked_product(std::size_t(t.kc), t.pixel_pack), 32));
  t.table_bytes = round_up(checked_mul(sizeof(TapEntry), std::size_t(t.kc)), 64);
  // pw consecutive pixels touch at most 1 + ceil((pw - 1) / Wo) output rows.
  const int64_t segments_per_panel =
      t.flat_rows ? 1 : std::min(t.pixel_width, 1 + ceil_div(t.pixel_width - 1, d.Wo));
  const std::size_t segment_bytes_per_panel =
      checked_mul(sizeof(RowSegment), std::size_t(segments_per_panel));
  const std::size_t edge_bytes_per_panel =
      t.flat_rows ? 0 : checked_mul(sizeof(EdgePixel), std::size_t(t.pixel_width));
  const std::size_t budget_per_panel =
      checked_add(checked_add(panel_bytes, segment_bytes_per_panel), edge_bytes_per_panel);
  const int64_t budget_panels =
      t.table_bytes < kMaxThreadBytes
          ? int64_t((kMaxThreadBytes - t.table_bytes - 128) / budget_per_panel)
          : 0;
  const int64_t max_panels =
      std::max<int64_t>(1, std::min(kernel.mc / t.pixel_width, budget_panels));
  t.pixel_blocks = ceil_div(t.pixel_panels, max_panels);
  t.block_panels = ceil_div(t.pixel_panels, t.pixel_blocks);
  t.channel_block = std::max<int64_t>(1, kernel.mc / kernel.mr);

  // Work is shared in contiguous ranges of items; a thread packs each pixel block it touches
  // once per reduction block, so channel-panel granularity costs no repacking inside a thread.
  const std::size_t items =
      checked_product(std::size_t(d.N), d.G, t.pixel_blocks, t.channel_panels);
  t.items = int64_t(items);
  t.threads = int(std::min<int64_t>(std::max(threads, 1), t.items));

  t.pack_bytes = round_up(checked_mul(panel_bytes, std::size_t(t.block_panels)), 64);
  t.segment_bytes = round_up(checked_mul(segment_bytes_per_panel, std::size_t(t.block_panels)), 64);
  t.edge_bytes = round_up(checked_mul(edge_bytes_per_panel, std::size_t(t.block_panels)), 64);
  t.thread_bytes = checked_add(checked_add(t.pack_bytes, t.table_bytes),
                               checked_add(t.segment_bytes, t.edge_bytes));
  return t;
}

std::size_t tiled_workspace_bytes(const ConvDesc& d, int threads) {
  const Tiling t = make_tiling(d, micro_kernel(), threads);
  return checked_mul(t.thread_bytes, std::size_t(t.threads));
}

}  // namespace gemmconv
