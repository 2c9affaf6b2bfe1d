// How a tiled convolution maps onto the BLIS micro-kernel: which operand the output pixels are,
// the panel widths, the cache blocks, the work items the threads share and the workspace.
//
// Per image n and group g the convolution is Y_g (pixels x channels) = P_g * F_g^T with a
// reduction of K = C' * KH * KW; P_g (the patch matrix) is never formed: its panels are packed
// straight from X, one KC block of the reduction at a time. The micro-kernel computes a tile of
// MR x NR. Output element (pixel p, channel m) lives at p + m * HoWo in NCHW and at p * M + m in
// NHWC; the operand roles are chosen so that the tile's contiguous direction is the one the
// kernel prefers to store (a mismatch sends every tile through the kernel's slow detour):
//
//                      column-preferring C (skx)      row-preferring C (haswell)
//   NCHW (pixels unit) pixels = A (MR), filter = B     filter = A (MR), pixels = B (NR)
//   NHWC (chans unit)  filter = A (MR), pixels = B     pixels = A (MR), filter = B (NR)
//
// The bias is one more reduction row: the packed filter's last row holds it, the pixel panels
// of the last reduction block get a row of ones, so the kernel's last pass adds it.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "../../blis/microkernel.hpp"
#include "../../conv/desc.hpp"
#include "../../parallel/threads.hpp"
#include "pack_kernels.hpp"

namespace gemmconv {

// One entry per reduction index k of the KC block being packed (NCHW): where tap (c, ky, kx)
// reads, so the packing loops never decompose k.
struct TapEntry {
  int64_t offset;            // c * H * W + dy * W + dx: the tap's shift of the input plane
  int64_t dy;                // ky * DH - PT (dx = kx * DW - PL is in offset)
  int64_t ox_begin, ox_end;  // output columns whose input column is inside the image
  int64_t prefetch;          // a channel plane's offset whose rows to prefetch here, or -1
};

// A run of pixels of a packed block inside one output row and one micro-panel (NCHW; with
// Flat packing the image is one row).
struct RowSegment {
  int64_t iy0;       // oy * SH
  int64_t ox;        // first output column
  int64_t len;       // pixels
  int64_t source;    // oy * SH * W + ox * SW: add a tap's offset for its first input
  int64_t dest;      // offset in the packed block of the first pixel at k = 0
  bool rows_inside;  // every tap of the reduction block reads an input row of the image
  uint8_t copy;      // how the run is copied (kCopyWide, ... in pack_kernels.hpp)
};

// A pixel of a packed block whose input column is in the left or right padding for some tap
// of the reduction block (NCHW): zeroed after its segment was copied unclipped.
struct EdgePixel {
  int64_t dest;  // offset in the packed block at k = 0
  int64_t ox;    // output column
};

// One thread's share of the workspace. Only `pack` in every mode; the rest as the mode needs.
struct ThreadScratch {
  float* pack;           // the packed pixel block
  TapEntry* table;       // NCHW: the reduction block's taps
  RowSegment* segments;  // Rows, Flat, Staged
  EdgePixel* edges;      // Rows
  float* stage;          // Staged: zero-padded input planes
  float* zeros;          // Channels: kc zeros, what padding pixels read
};

// How the pixel panels are packed from X.
enum class PixelPacking {
  Rows,      // NCHW: runs along output rows, cut at panel edges (see pack_pixels_nchw.cpp)
  Flat,      // NCHW, 1-wide kernel, stride 1, no padding: the image is one long row
  Staged,    // NCHW, small planes: zero-padded copies of the planes, then Rows on them
  Channels,  // NHWC: runs of channels, transposed into the panels
};

struct Tiling {
  const MicroKernel* kernel = nullptr;
  const PackKernels* pack_kernels = nullptr;  // the packing loops of the ISA chosen at creation
  bool pixels_are_a = false;                  // pixels on the MR side (else on the NR side)
  int64_t pixel_width = 0;                    // pixels per micro-panel (MR or NR)
  int64_t pixel_pack = 0;     // packed stride of a pixel micro-panel (PACKMR or PACKNR)
  int64_t channel_width = 0;  // output channels per micro-panel (the other of MR, NR)
  int64_t channel_pack = 0;
  int64_t pixels = 0;          // Ho * Wo
  int64_t channels = 0;        // M' = M / G
  int64_t reduction = 0;       // K = C' * KH * KW
  int64_t kc = 0;              // reduction block (<= BLIS's KC, blocks balanced)
  int64_t panel_floats = 0;    // distance between packed pixel panels (see panel_stride())
  int64_t pixel_panels = 0;    // per image and group
  int64_t channel_panels = 0;  // per group
  int64_t pixel_blocks = 0;    // packed blocks per image and group
  int64_t block_panels = 0;    // pixel panels in the largest block
  int64_t channel_block = 0;   // channel panels per L2 block of filter (pixels on B)
  PixelPacking packing = PixelPacking::Rows;
  int64_t stage_rows = 0, stage_cols = 0;  // Staged: padded plane extent the taps read
  int64_t stage_channels = 0;              // Staged: channel planes a reduction block touches
  int64_t out_pixel_stride = 0;            // output distance between neighbouring pixels
  int64_t out_channel_stride = 0;
  // Work items: (image, group, pixel block, channel panel), channel panel fastest.
  int64_t items = 0;
  int threads = 1;  // threads actually used (<= the plan's)
  // Whether the threads share out pixel panels rather than work items: with few blocks per
  // thread, threads splitting a block's channel panels would each pack the whole block. Split by
  // pixel panels, each thread packs its own share of every block it touches and runs all channel
  // panels over it; the shares are equal to one (pixel panel x channel panel) tile, so a panel
  // where two shares meet is split by channel panels and packed by both threads (at most one
  // panel per thread is packed twice). Nothing packed is shared between threads, so no thread
  // waits for another.
  bool split_pixels = false;
  // Per-thread workspace, in bytes, each part 64-byte aligned.
  std::size_t pack_bytes = 0;     // kc x block_panels pixel micro-panels
  std::size_t table_bytes = 0;    // kc TapEntry
  std::size_t segment_bytes = 0;  // RowSegment for the most a block can be cut into
  std::size_t edge_bytes = 0;     // EdgePixel for every pixel of a block
  std::size_t stage_bytes = 0;    // stage_channels padded planes
  std::size_t zero_bytes = 0;     // kc floats
  std::size_t thread_bytes = 0;   // the sum of the parts
  // The parts in the order they lie in a thread's workspace (ThreadScratch's order): what both
  // the sizing (thread_bytes) and scratch() walk.
  std::array<std::size_t, 6> parts() const {
    return {pack_bytes, table_bytes, segment_bytes, edge_bytes, stage_bytes, zero_bytes};
  }

  // The work items of thread `index` of `team`: a contiguous range holding an equal share of
  // the work, each item weighing its pixel block's panel count (blocks differ by one panel).
  Range thread_items(int index, int team) const;
  // The tiles of thread `index` of `team` (split_pixels): a contiguous range of the
  // N x G x pixel_panels x channel_panels (pixel panel x channel panel) tiles, channel panel
  // fastest, image and group slowest.
  Range thread_tiles(int index, int team) const;
  // Thread `index`'s part of a workspace of threads x thread_bytes.
  ThreadScratch scratch(void* workspace, int index) const;
  // The whole workspace: threads x thread_bytes. Throws Overflow.
  std::size_t workspace_bytes() const;

  // Distance in floats between packed pixel panels of `rows` rows (kc + 1: the last reduction
  // block carries the bias row): room for a panel width of slack after the last row (the
  // packing's fixed-width copies may run over), in whole cache lines, and an odd number of
  // them, so that the same row k of consecutive panels falls in different cache sets
  // (rows * PACK is often a multiple of 4 KiB: the panels would then all compete for one set
  // while being packed).
  int64_t panel_stride(int64_t rows) const {
    const int64_t line = 16, lines = (rows * pixel_pack + pixel_width + line - 1) / line;
    return (lines | 1) * line;
  }
  // Floats of packed filter per channel panel: the whole reduction, then the bias row (the
  // bias, or zeros), which the micro-kernel multiplies by a packed row of ones on the last
  // reduction block: the bias is added inside the kernel, with no pass over the tile.
  int64_t filter_panel_floats() const { return (reduction + 1) * channel_pack; }
  // The packed filter is laid out by reduction block, then channel panel, so that the block of
  // channel panels the kernel streams for one reduction block is one contiguous run (as BLIS
  // packs its A block): per group, block k0's panels start at k0 * channel_panels * PACK, each
  // filter_block_rows(k0) x PACK floats (the last block's extra row is the bias row).
  int64_t filter_block_rows(int64_t k0) const {
    return std::min(kc, reduction - k0) + (k0 + kc >= reduction ? 1 : 0);
  }
  // Offset of channel panel c's micro-panel for the reduction block starting at k0, in group g.
  int64_t filter_offset(int64_t g, int64_t k0, int64_t c) const {
    return (g * channel_panels * (reduction + 1) + k0 * channel_panels +
            c * filter_block_rows(k0)) *
           channel_pack;
  }
  // First pixel panel of block b and its panel count.
  int64_t block_first_panel(int64_t b) const;
  int64_t block_panel_count(int64_t b) const;
};

// The tiling of `d` for `threads` threads on `kernel` whose workspace fits `limit` bytes
// (options.workspace_limit): each thread's share is at most 256 KiB and at most limit / threads.
// Under a tight limit the pixel block shrinks to a floor of two panels, then the staged planes
// are given up and kc is halved down to 32, then the block is one panel; when even one panel at
// the shortest kc does not fit, the result is that smallest tiling, over the limit. Throws
// Overflow.
Tiling make_tiling(const ConvDesc& d, const MicroKernel& kernel, int threads,
                   std::size_t limit = SIZE_MAX);

// The share of the kernel's work on real outputs when `kernel` computes `d`'s tiles: the output
// channels' fill of their micro-panels times the pixels' fill of theirs, on the sides the
// operand roles give them.
double tiling_fill(const ConvDesc& d, const MicroKernel& kernel);

// The micro-kernel that computes `d`'s tiles on `threads` threads: BLIS's (micro_kernel()), or one
// of the library's own (own_kernels.hpp) whose tiles fill enough more of their panels.
const MicroKernel& tiled_kernel(const ConvDesc& d, int threads);

// Exact workspace under `limit`: threads used x per-thread bytes. Throws Overflow.
std::size_t tiled_workspace_bytes(const ConvDesc& d, int threads, std::size_t limit);

}  // namespace gemmconv
