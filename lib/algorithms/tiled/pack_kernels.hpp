// The pixel packing's inner loops, compiled once per instruction set (pack_kernels_impl.hpp,
// included by one file per ISA); a tiled plan picks one table at creation.
#pragma once

#include <cstdint>

#include "../../simd/isa.hpp"

namespace gemmconv {

struct TapEntry;
struct RowSegment;
struct EdgePixel;

// How a segment's run is copied for one tap (NCHW rows).
enum : uint8_t {
  kCopyWide = 0,    // a whole panel width from the segment's start, unclipped (see NchwRowsJob)
  kCopyExact = 1,   // its own length, unclipped
  kCopyClipped = 2  // its own length, clipped to the image (the unclipped run leaves the input)
};

// NCHW, rows: for every k of the reduction block, every segment's run copied from the input
// shifted by the tap, then the edge pixels whose column is in the padding for that tap zeroed
// (see pack_pixels_nchw.cpp for the cut). A kCopyWide segment is copied as a whole panel width
// of input: the pixels past its end receive input that does not belong there, but they are the
// next segments' (copied next), or the next row k + 1's (copied at k + 1), or the slack after
// the panel (see Tiling::panel_stride()): every copy is a few fixed-size vector moves, whatever
// the segment's length. Such a copy reads pixel_width * SW floats from the segment's first
// input: the cut gives kCopyWide only where those lie inside the input.
struct NchwRowsJob {
  const TapEntry* table;  // kb taps
  const RowSegment* segments;
  const EdgePixel* edges;
  const float* x;  // the first channel plane the table's offsets count from
  float* pack;
  int64_t kb, segment_count, edge_count;
  int64_t H, SW;
  int64_t pixel_width, pixel_pack, panel_floats;
  int64_t prefetch_begin, prefetch_count;  // floats of a plane whose rows to prefetch
};

// NHWC: the pixel panels of one pixel block for one reduction block [k0, k0 + kb), reduction
// order (ky, kx, c). Panel q of the block starts at pack + q * panel_floats, element (k, i) at
// k * pixel_pack + i; columns past the image's last pixel are zero.
struct NhwcPackJob {
  const float* x;      // channel 0 of the group in pixel (0, 0) of the image
  const float* zeros;  // kb zeros: what padding pixels read
  float* pack;
  int64_t H, W, C, Cg, KW, SH, SW, DH, DW, PT, PL, Wo;
  int64_t pixels;  // Ho * Wo
  int64_t pixel_width, pixel_pack, panel_floats;
  int64_t first_panel, panels;
  int64_t k0, kb;
};

struct PackKernels {
  Isa isa;
  void (*nhwc_block)(const NhwcPackJob& job);
  void (*nchw_rows)(const NchwRowsJob& job);
};

// The table compiled for `isa`; the baseline one when this build has no such variant.
const PackKernels& pack_kernels(Isa isa);

}  // namespace gemmconv
