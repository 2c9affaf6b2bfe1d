// On-the-fly packing of the pixel operand: the micro-panels of the (never formed) patch matrix
// of one image and group, for one block of the reduction, read straight from X with the tap's
// shift, stride, dilation and zero padding folded in.
//
// Panel q of the block starts at pack + q * Tiling::panel_floats; element (k, i)
// (reduction index k0 + k, pixel i of the panel) is at k * pixel_pack + i. Columns past the last
// pixel of the image are zero, so every panel is complete.
#pragma once

#include <cstdint>

#include "tiling.hpp"

namespace gemmconv {

struct PixelBlock {
  int64_t first_panel, panels;
};

// NCHW, reduction order (c, ky, kx): x is the group's first input channel plane inside the
// whole input tensor `input` (runs may be read unclipped anywhere inside the latter).
void pack_pixels_nchw(const ConvDesc& d, const Tiling& t, const float* input, const float* x,
                      PixelBlock block, int64_t k0, int64_t kb, const ThreadScratch& scratch);

// NHWC, reduction order (ky, kx, c): x points at channel 0 of the group in pixel (0, 0).
void pack_pixels_nhwc(const ConvDesc& d, const Tiling& t, const float* x, PixelBlock block,
                      int64_t k0, int64_t kb, const ThreadScratch& scratch);

}  // namespace gemmconv
