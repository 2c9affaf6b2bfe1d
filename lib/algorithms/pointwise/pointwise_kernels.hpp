// The register tiles of pointwise-nchw, compiled once per instruction set
// (pointwise_kernels_impl.hpp, included by one file per ISA); a plan picks one table at creation.
#pragma once

#include <cstdint>

#include "../../simd/isa.hpp"

namespace gemmconv {

// One image and group of a 1x1 layer on channels-first tensors, and a range of its tiles. A
// tile is `rows` output channels (a block; the group's last block may be narrower) times
// `vectors` vectors of consecutive output pixels; tile t is pixel block t / blocks, channel
// block t % blocks. The group's last pixel block holds the vectors left over, its last vector
// moved back to end at the plane's end (the outputs it shares with the block before are
// computed twice, in the same order, to the same bits).
//
// With strides, each pixel block's input (every input channel at the block's output pixels) is
// first gathered into `stage`, C' rows of one block's width, and the tiles read it there.
struct PointwiseJob {
  const float* x;         // the group's first input plane: [C'][H][W]
  float* y;               // the group's first output plane: [M'][pixels]
  const float* weights;   // per channel block b, at b * rows * C': [C'][rows of the block]
  const float* bias;      // the group's M' biases, or null
  int64_t channels;       // C'
  int64_t outputs;        // M'
  int64_t pixels;         // Ho * Wo, at least one vector
  int64_t in_plane;       // H * W
  int64_t W, Wo, SH, SW;  // input row, output row, strides
  float* stage;           // with strides: C' x (vectors x vector_floats) floats; else null
  int64_t blocks;         // channel blocks: ceil(M' / rows)
  int64_t tile_begin, tile_end;
  float lo, hi;  // the output clamp
  bool clamp;
};

// Pixels of the widest tile (3 vectors of 16 floats): a strided layer's stage holds at most this
// many per input channel, whatever the ISA.
constexpr int64_t kMaxPointwiseBlockFloats = 48;

struct PointwiseKernels {
  Isa isa;
  int64_t vector_floats;
  int64_t rows;     // output channels per full tile
  int64_t vectors;  // pixel vectors per full tile
  void (*tiles)(const PointwiseJob& job);
};

const PointwiseKernels& pointwise_kernels(Isa isa);

}  // namespace gemmconv
