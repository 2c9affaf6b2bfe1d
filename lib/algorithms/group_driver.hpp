// The one driver of the GEMM-based algorithms: every image and group in turn, with the
// activation layout as data. A group's activations are a (channels x pixels) matrix in either
// layout, only strided differently, so one GEMM call serves both: Y_g (M' x pixels) =
// F_g (M' x K) * P (K x pixels), each operand with the strides its layout gives it.
#pragma once

#include <cstdint>

#include "../blis/gemm.hpp"
#include "algorithm.hpp"

namespace gemmconv {

// Distances in floats along a group's (channels x pixels) activation matrix.
struct ChannelPixelStrides {
  int64_t channel, pixel;
};

// The layout of the input and output activations, as data.
struct ActivationLayout {
  int64_t group_in, group_out;  // floats from group g to g + 1 within an image
  ChannelPixelStrides in, out;  // a group's input (C' x H*W) and output (M' x Ho*Wo)
};

inline ActivationLayout activation_layout(const ConvDesc& d) {
  if (d.layout == Layout::NCHW)
    return {d.Cg() * d.H * d.W, d.Mg() * d.Ho * d.Wo, {d.H * d.W, 1}, {d.Ho * d.Wo, 1}};
  return {d.Cg(), d.Mg(), {1, d.C}, {1, d.M}};
}

// One image and group: its input and output (first channel of the group, pixel 0), the image's
// whole output, and the group's part of the packed filter.
struct ImageGroup {
  int64_t image, group;
  const float* x;
  float* y;
  float* image_y;
  const float* filter;
};

// Calls body(ImageGroup) for every image and group in order; the packed filter holds
// `filter_floats` floats per group.
template <typename Body>
void for_each_image_group(const Plan& plan, const float* input, float* output,
                          int64_t filter_floats, Body&& body) {
  const ConvDesc& d = plan.desc;
  const ActivationLayout layout = activation_layout(d);
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t g = 0; g < d.G; ++g) {
      float* image_y = output + n * d.out_image();
      body(ImageGroup{n, g, input + n * d.in_image() + g * layout.group_in,
                      image_y + g * layout.group_out, image_y,
                      plan.filter.data() + g * filter_floats});
    }
}

// The group's output block of `pixels` pixels from y as a GEMM's C (M' x pixels).
inline MutableMatrixView output_matrix(const ConvDesc& d, float* y) {
  const ActivationLayout layout = activation_layout(d);
  return {y, layout.out.channel, layout.out.pixel};
}

}  // namespace gemmconv
