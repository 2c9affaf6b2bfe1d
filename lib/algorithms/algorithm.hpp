// One algorithm = one record. The registry lists them in public enum order.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../blis/microkernel.hpp"
#include "../conv/desc.hpp"
#include "../plan.hpp"

namespace gemmconv {

// The caller's filter, read in its own layout during prepare().
struct FilterView {
  const float* data;
  const ConvDesc* desc;
  float at(int64_t m, int64_t c, int64_t ky, int64_t kx) const {
    const ConvDesc& d = *desc;
    if (d.filter_layout == FilterLayout::OIHW)
      return data[((m * d.Cg() + c) * d.KH + ky) * d.KW + kx];
    return data[((m * d.KH + ky) * d.KW + kx) * d.Cg() + c];
  }
};

// How much of its typical rate a GEMM-based algorithm keeps on a layer whose per-group GEMM is
// small: output channels per group (M') below 64 (two register tiles) and reductions
// (K = C' * KH * KW) below 64 leave the kernel's tiles and loops partly empty (a depthwise
// layer, M' = 1 and K = 9, keeps well under 1%); and the output pixels fill their micro-panels
// (pixel_panel_fill) on the side of the tile BLIS gives them.
double gemm_shape_factor(const ConvDesc& d, int threads);

// The share of real pixels in the micro-panels of `pixel_width` that an output plane of
// Ho x Wo pixels fills (a 7x7 plane in 32-wide panels: 49 of 64).
double pixel_panel_fill(const ConvDesc& d, int64_t pixel_width);

// Whether the output pixels take the MR side of the kernel's tile when the tile is stored the
// way the kernel prefers: the output's unit-stride direction (pixels in NCHW, channels in NHWC)
// goes on the MR side of a column-preferring kernel and on the NR side of a row-preferring one,
// in BLIS's own GEMMs as in the algorithms that drive its micro-kernel. The library's own
// kernels (tiled/own_kernels.hpp) take the pixels on their broadcast (NR) side in either layout:
// they store their tiles either way round.
bool pixels_on_mr_side(const ConvDesc& d, const MicroKernel& kernel);

// The same for the algorithms that drive BLIS's micro-kernel themselves: the output channels of
// a group fill ceil(M' / w) channel micro-panels of width `channel_width`, and a reduction per
// kernel call shorter than 32 leaves the kernel's loop mostly overhead.
double micro_tile_fill(const ConvDesc& d, int64_t channel_width, int64_t call_reduction);

struct Algorithm {
  const char* name;
  // Whether this algorithm computes the descriptor (layout included).
  bool (*supports)(const ConvDesc& d);
  // Exact workspace bytes for `threads` threads under options.workspace_limit `limit`. An
  // algorithm whose workspace is fixed ignores the limit; one that can trade speed for memory
  // (the tiled ones) sizes itself to fit, and returns its smallest size, over the limit, when
  // even that does not fit. Throws Overflow.
  std::size_t (*workspace_bytes)(const ConvDesc& d, int threads, std::size_t limit);
  // Packs the filter into plan.filter (and anything else the plan keeps).
  void (*prepare)(Plan& plan, const FilterView& filter);
  // Computes the whole batch. `workspace` holds plan.workspace_bytes, 64-byte aligned.
  void (*run)(const Plan& plan, const float* input, float* output, float* workspace);
  // AUTO's cost model: the fraction of its measured rate (planner/measured_model.cpp) this
  // algorithm keeps on the descriptor's shape, run on `threads` threads.
  double (*shape_factor)(const ConvDesc& d, int threads) = gemm_shape_factor;
};

// For algorithms whose rate does not depend on the shape the way a GEMM's does.
double same_rate(const ConvDesc& d, int threads);

// Filter packings shared by several algorithms.
// [M][C'][KH][KW]: row m is one GEMM row of length C'*KH*KW, taps fastest.
void pack_filter_oihw(Plan& plan, const FilterView& filter);
// [M][KH][KW][C']: row m is one GEMM row of length KH*KW*C', channels fastest.
void pack_filter_ohwi(Plan& plan, const FilterView& filter);
// OIHW for NCHW plans, OHWI for NHWC plans: the reduction order that reads activations
// contiguously in each layout.
void pack_filter_for_layout(Plan& plan, const FilterView& filter);

std::size_t no_workspace(const ConvDesc& d, int threads, std::size_t limit);

}  // namespace gemmconv
