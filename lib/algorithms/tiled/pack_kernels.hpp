// The pixel packing's inner loops, compiled once per instruction set (pack_kernels_impl.hpp,
// included by one file per ISA); a tiled plan picks one table at creation.
#pragma once

#include <cstdint>

#include "../../simd/isa.hpp"

namespace gemmconv {

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
};

// The table compiled for `isa`; the baseline one when this build has no such variant.
const PackKernels& pack_kernels(Isa isa);

}  // namespace gemmconv
