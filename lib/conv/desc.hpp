// The internal convolution descriptor: validated, with derived output size and tensor sizes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gemmconv {

enum class Layout { NCHW, NHWC };
enum class FilterLayout { OIHW, OHWI };

struct ConvDesc {
  Layout layout = Layout::NCHW;
  FilterLayout filter_layout = FilterLayout::OIHW;
  int64_t N = 1, G = 1, C = 0, M = 0, H = 0, W = 0, KH = 0, KW = 0;
  int64_t SH = 1, SW = 1, DH = 1, DW = 1;
  int64_t PT = 0, PB = 0, PL = 0, PR = 0;
  // Derived by finalize_desc().
  int64_t Ho = 0, Wo = 0;
  std::size_t input_bytes = 0, output_bytes = 0, filter_bytes = 0;

  int64_t Cg() const { return C / G; }  // input channels per group
  int64_t Mg() const { return M / G; }  // output channels per group
  int64_t taps() const { return KH * KW; }
  int64_t reduction() const { return Cg() * KH * KW; }  // GEMM K of the patch algorithms
  int64_t in_image() const { return C * H * W; }        // floats per input image
  int64_t out_image() const { return M * Ho * Wo; }     // floats per output image
  bool stride_one() const { return SH == 1 && SW == 1; }
  bool no_padding() const { return PT == 0 && PB == 0 && PL == 0 && PR == 0; }
};

// Output extent along one axis, or -1 when the kernel does not fit even once. kernel, stride and
// dilation must be >= 1. Throws Overflow when the extent does not fit in uint32.
int64_t output_extent(int64_t in, int64_t pad_begin, int64_t pad_end, int64_t kernel,
                      int64_t stride, int64_t dilation);

// Checks the geometry (sizes >= 1, at least one output) and sets Ho and Wo.
void finalize_geometry(ConvDesc& d);

// finalize_geometry plus channels, groups and the checked byte sizes of every tensor.
// Throws InvalidArgument or Overflow.
void finalize_desc(ConvDesc& d);

// Multiply-adds of the whole convolution (2x this is its FLOP count).
double conv_macs(const ConvDesc& d);

}  // namespace gemmconv
