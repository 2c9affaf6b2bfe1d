// How kn2row-as / kn2col-as drive the BLIS micro-kernel: per tap, Y += F_t (M' x C') times the
// tap's shifted input, as micro-tiles of (pixels x output channels) over a reduction of C'.
//
// Operand roles follow the kernel's preferred storage of C, as for the tiled algorithms
// (tiled/tiling.hpp): the output's unit-stride direction (pixels in NCHW, channels in NHWC)
// takes the MR side on a column-preferring kernel, the NR side on a row-preferring one.
//
// The filter is packed once at plan time, per group, tap, reduction block and channel panel
// (filter_offset()). The input is packed at run time one pixel panel at a time: the only
// workspace is, per thread, that panel (kc x PACK floats) and one micro-tile of C (MR x NR),
// whatever H, W, C or M.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../../blis/microkernel.hpp"
#include "../../conv/desc.hpp"

namespace gemmconv {

// One tap's valid output rectangle, clipped to a band of output rows, and its shift: output
// (oy, ox) reads input (oy + dy, ox + dx), which is inside the image for every pixel of it.
struct TapRect {
  int64_t row0, rows, col0, cols;
  int64_t dy, dx;
};

// A piece of a pixel panel that lies in one output row: `len` pixels from panel column
// `column`, reading input pixels from `source` (iy * W + ix) on, writing output pixels from
// `dest` (oy * Wo + ox) on.
struct PanelRun {
  int64_t column, len, source, dest;
};

struct AsTiling {
  const MicroKernel* kernel = nullptr;
  bool pixels_are_a = false;  // pixels on the MR side (else on the NR side)
  int64_t pixel_width = 0;    // pixels per micro-panel (MR or NR)
  int64_t pixel_pack = 0;     // packed stride of a pixel micro-panel (PACKMR or PACKNR)
  int64_t channel_width = 0;  // output channels per micro-panel (the other of MR, NR)
  int64_t channel_pack = 0;
  int64_t channels = 0;        // M'
  int64_t reduction = 0;       // C': one tap's 1x1 reduction
  int64_t kc = 0;              // reduction block (<= BLIS's KC, blocks balanced)
  int64_t channel_panels = 0;  // per group
  int64_t taps = 0;
  // Output strides (floats) between neighbouring pixels and channels, and the same in the
  // thread's tile buffer, which is stored the way the kernel prefers.
  int64_t out_pixel_stride = 0, out_channel_stride = 0;
  int64_t tile_pixel_stride = 0, tile_channel_stride = 0;
  int bands = 1;  // bands of output rows, one per thread used
  // Per-thread workspace in bytes, each part 64-byte aligned: the packed pixel panel (with the
  // kernel's read-ahead after it), the tile, and the panel's runs (at most one per pixel).
  std::size_t panel_bytes = 0, tile_bytes = 0, run_bytes = 0, thread_bytes = 0;

  // Reduction rows of the block starting at channel k0.
  int64_t block_rows(int64_t k0) const { return k0 + kc < reduction ? kc : reduction - k0; }
  // Packed filter floats per group: every tap's C' rows of every channel panel.
  int64_t group_filter_floats() const { return taps * reduction * channel_panels * channel_pack; }
  // Channel panel c of tap t for the reduction block starting at k0, in group g: the block's
  // channel panels are one contiguous run, streamed while one pixel panel stays.
  int64_t filter_offset(int64_t g, int64_t t, int64_t k0, int64_t c) const {
    return g * group_filter_floats() +
           ((t * reduction + k0) * channel_panels + c * block_rows(k0)) * channel_pack;
  }
  // Thread `index`'s pixel panel and tile in a workspace of bands x thread_bytes.
  float* panel(float* workspace, int index) const {
    return workspace + std::size_t(index) * thread_bytes / sizeof(float);
  }
  float* tile(float* workspace, int index) const {
    return panel(workspace, index) + panel_bytes / sizeof(float);
  }
  PanelRun* runs(float* workspace, int index) const {
    return reinterpret_cast<PanelRun*>(tile(workspace, index) + tile_bytes / sizeof(float));
  }
};

// The tiling of `d` for `threads` threads on `kernel`. Throws Overflow.
AsTiling make_as_tiling(const ConvDesc& d, const MicroKernel& kernel, int threads);

// Exact workspace: bands x per-thread bytes (one panel each: the least the algorithm runs in,
// whatever the limit). Throws Overflow.
std::size_t as_workspace_bytes(const ConvDesc& d, int threads, std::size_t limit);

}  // namespace gemmconv
