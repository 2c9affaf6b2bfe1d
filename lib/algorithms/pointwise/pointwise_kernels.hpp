// The register tiles of pointwise-nchw and rows-nchw, compiled once per instruction set
// (pointwise_kernels_impl.hpp, included by one file per ISA); a plan picks one table at creation.
#pragma once

#include <cstddef>
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
  int64_t outputs;        // the job's output channels: M', or a range of whole blocks
  int64_t pixels;         // Ho * Wo, at least one vector
  int64_t in_plane;       // H * W
  int64_t W, Wo, SH, SW;  // input row, output row, strides
  float* stage;           // with strides: C' x (vectors x vector_floats) floats; else null
  int64_t blocks;         // channel blocks: ceil(M' / rows)
  int64_t tile_begin, tile_end;
  float lo, hi;  // the output clamp
  bool clamp;
};

// A KH x KW convolution with dilation 1 (any strides and padding) on channels-first tensors, one
// image and group, output rows [row_begin, row_end), in bands of `band` rows, the input channels in
// chunks of `chunk`: per band and chunk, the input rows the band reads are staged, then every
// channel block runs over the whole band, so that its weights for the chunk serve the whole
// band. The sums of all but the last chunk wait in the output.
//
// The stage holds, per input channel of the chunk, `zeros` zeros, then the (band - 1) x SH + KH
// input rows the band reads, of `pitch` = W + zeros floats, each the row's W values followed by
// `zeros` zeros (rows outside the image all zeros): the zeros after a row are the right padding of
// that row and the left padding of the next. Output pixel (oy, ox) of the band is then flat
// position q = (oy - first row) * pitch + ox, and its tap (ky, kx) reads the stage at a fixed
// shift, q + ky * pitch + kx + base, base = zeros - PL. Tiles are cut from one output row each, or
// with `flat` from the band's flat positions, across rows: the positions past a row's end (ox >=
// Wo) are computed and not stored. Flat bands take all channels in one chunk and unit strides.
//
// With a column stride SW > 1 (row tiles only) each staged row is instead SW phases of `phase`
// floats, phase f holding the zero-padded row's columns f, f + SW, ... (zeros = 0, base = 0,
// pitch = SW * phase): tap kx of output column ox reads phase kx % SW at ox + kx / SW. Output
// row oy reads input rows oy * SH + ky - PT: a band stages (band - 1) * SH + KH rows.
struct RowTilesJob {
  const float* x;        // the group's first input plane: [C'][H][W]
  float* y;              // the group's first output plane: [M'][Ho][Wo]
  const float* weights;  // per channel block b, at b * rows * C' * KH * KW: [C'][KH][KW][rows]
  const float* bias;     // the group's M' biases, or null
  float* stage;
  int64_t channels, outputs;  // C', M'
  int64_t H, W, Ho, Wo, KH, KW, SH, SW, PT, PL, zeros, pitch, phase, base;
  int64_t row_begin, row_end, band, chunk;
  float lo, hi;  // the output clamp
  bool clamp, flat;
};

// Floats in the widest ISA's vector (AVX-512): planes and rows must hold one, as a last vector
// moves back to end at their end.
constexpr int64_t kWidestVectorFloats = 16;
// Pixels of the widest tile (3 vectors of 16 floats): a strided layer's stage holds at most this
// many per input channel, whatever the ISA.
constexpr int64_t kMaxPointwiseBlockFloats = 3 * kWidestVectorFloats;
// A thread's stage at the most (strided pointwise-nchw, rows-nchw): the library's 256 KiB of
// workspace per thread.
constexpr std::size_t kMaxTileStageBytes = std::size_t{256} << 10;
// The most rows of taps (KH) a row tile takes.
constexpr int64_t kMaxRowTileTaps = 16;
// The largest stride (SH, SW) a row tile takes: its tiles are compiled for column strides of 1
// and 2. With stride 4 (AlexNet conv1, 11x11) they ran 1.07x-1.15x grouped-nchw's time (skx and
// haswell, 1 and 2 threads), and 0.96x-1.05x with its rows of 11 taps unrolled (1 thread, as
// fast as channels-nchw too); with stride 2 (7x7 first layers of ResNet-50 and GoogLeNet)
// 0.85x-0.92x on skx and 0.94x-1.0x on haswell.
constexpr int64_t kMaxRowTileStride = 2;

struct PointwiseKernels {
  Isa isa;
  int64_t vector_floats;
  int64_t rows;     // output channels per full tile
  int64_t vectors;  // pixel vectors per full tile
  void (*tiles)(const PointwiseJob& job);
  void (*row_tiles)(const RowTilesJob& job);
};

const PointwiseKernels& pointwise_kernels(Isa isa);

// The share of their rate the tiles keep beside the other algorithms on ISAs with 16 vector
// registers (6 x 2 tiles), where the others keep more of the kernel's ceiling than with 32:
// fitted on BLIS's AVX2 kernel, 1x1 layers of ResNet-50 and GoogLeNet v1, 1 thread (AUTO's
// choices within 1.006x of each layer's fastest NCHW algorithm; 14x14 planes, 0.95x-1.08x
// channels-nchw's time, are where it errs).
double narrow_tile_share(const PointwiseKernels& k);

}  // namespace gemmconv
