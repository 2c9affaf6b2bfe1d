// The vectorised loops of the depthwise and grouped algorithms, compiled once per instruction
// set (kernels_impl.hpp, included by one file per ISA); a plan picks one table at creation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>

#include "../../simd/isa.hpp"

namespace gemmconv {

// Geometry shared by every job: input H x W, output Ho x Wo, kernel, stride, dilation, and the
// padding before the first row and column.
struct WindowGeometry {
  int64_t H, W, Ho, Wo, KH, KW, SH, SW, DH, DW, PT, PL;
};

// The output clamp; `active` false skips it.
struct OutputClamp {
  float lo, hi;
  bool active;
};

// What the channels-last jobs share: output rows [row_begin, row_end) of one image, output
// channels [m_begin, m_end) (m_begin a multiple of V, m_end one too or M).
struct ChannelsLastJob {
  const float* x;        // [H][W][C]
  float* y;              // [Ho][Wo][M]
  const float* weights;  // packed per block of V output channels (below)
  int64_t C, M;
  int64_t row_begin, row_end, m_begin, m_end;
  WindowGeometry g;
  OutputClamp clamp;
};

// Depthwise, channels-last. Weights per block of V output channels: KH*KW vectors of V weights,
// then V biases; lanes past M are zero.
struct DepthwiseNhwcJob : ChannelsLastJob {
  int64_t multiplier;
};

// Grouped, output channels across the lanes. A block of V output channels spans the groups
// g_lo..g_hi and reads their input channels; its weights are V biases, then for each tap
// `block_channels` vectors (one per input channel of those groups, zero in the lanes of other
// groups). Blocks are `block_stride` floats apart. The activations are channels-last as
// ChannelsLastJob says, or channels-first (x [C][H][W], y [M][Ho][Wo]), or a channels-last
// input (a band staged from channels-first planes) with a channels-first output: the same loop,
// with the input read a broadcast at a time either way and the output stored a vector per pixel
// (channels-last) or a lane at a time (channels-first).
struct GroupedLanesJob : ChannelsLastJob {
  int64_t Cg, Mg, block_stride;
  bool input_channels_last, output_channels_last;
  int64_t l2_weight_bytes;  // the weights a chunk may keep in a core's L2 (BLIS's MC x KC block)
};

// How grouped_lanes_rows goes over a job's output channels: in units of whole steps (`channels`:
// lcm(M', V) where vectors span groups, else a wide step of vectors, or the group if narrower),
// and over the rows once per pass of `pass_rows` rows of taps: all of them unless a unit's
// weights would overflow `l2_weight_bytes`. `pass_bytes`: what a unit reads in one pass (its
// biases and its weights of those rows of taps).
struct LanesUnit {
  int64_t channels, pass_rows, pass_bytes;
};

// Blocks of output channels in one step inside one group wide enough: with 32 vector registers
// (16-float vectors) four, so 6 pixels x 4 blocks of sums leave room for the weights and a
// broadcast, and each broadcast feeds four multiply-adds; with 16 registers two.
constexpr int lanes_wide_step(int64_t vector_floats) {
  return vector_floats == 16 ? 4 : 2;
}

inline LanesUnit lanes_unit(int64_t Mg, int64_t vector_floats, int64_t block_stride, int64_t KH,
                            int64_t l2_weight_bytes) {
  const int64_t v = vector_floats;
  LanesUnit u;
  u.channels = Mg % v == 0 ? std::min(Mg, lanes_wide_step(v) * v) : Mg / std::gcd(Mg, v) * v;
  const int64_t blocks = u.channels / v, row_floats = (block_stride - v) / KH;
  const int64_t unit_bytes = blocks * block_stride * int64_t(sizeof(float));
  const int64_t rows_fit = l2_weight_bytes / (blocks * row_floats * int64_t(sizeof(float)));
  u.pass_rows = unit_bytes <= l2_weight_bytes ? KH : std::clamp<int64_t>(rows_fit, 1, KH);
  u.pass_bytes = blocks * (v + row_floats * u.pass_rows) * int64_t(sizeof(float));
  return u;
}

// Depthwise, channels-first: one input plane, a band of output rows and a strip of output
// columns, for the `multiplier` output planes that read it. The band's padded input is staged
// split by the phases its taps read (k * D mod S, per axis), so every tap reads the staged rows
// as one run: segment (row phase, column phase) holds `staged_rows` rows of `pitch` floats, and
// tap (ky, kx) starts at row_taps[ky] + col_taps[kx]. `stage` has room for every segment plus
// kNchwSlackFloats, `band` for rows * pitch + kNchwSlackFloats.
struct DepthwiseNchwJob {
  const float* x;        // [H][W], one input plane
  float* y;              // `multiplier` output planes of [Ho][Wo], consecutive
  const float* weights;  // [multiplier][KH * KW]
  const float* bias;     // [multiplier], or null
  int64_t multiplier;
  int64_t row0, rows, col0, cols;  // the output band and strip
  int64_t row_phases, col_phases;  // segments per axis
  int64_t staged_rows, pitch;      // per segment
  float* stage;
  float* band;
  int64_t* row_taps;  // [KH]
  int64_t* col_taps;  // [KW]
  WindowGeometry g;
  OutputClamp clamp;
};

// Depthwise, channels-first, small planes: V planes at a time move between their own layout and
// the interleaved one of the channels-last loop. Staging fills stage[staged_rows][width][V]
// from the planes' padded input rows y0.. and columns x0..; storing writes tile[pixels][V] into
// the planes from y on. Both take planes `plane` floats apart and lanes past `lanes` as zero
// (staging) or skip them (storing).
struct NchwChannelsJob {
  const float* x;
  float* stage;
  int64_t H, W, y0, x0, staged_rows, width;
  const float* tile;
  float* y;
  int64_t pixels;
  int64_t plane, lanes;
};

// Grouped (any groups, one too), channels-first: output positions across the lanes, kNchwBlock
// output channels of one group per weight block. A tile is `vectors` vectors of positions; its
// vector p reads, for input channel c and tap t, x[c * c_stride + taps[t] + offsets[p] + lane]
// (offsets[p] is p * V, or less for a last vector moved back to end at the band's last
// position). Blocks of weights are [channels][taps][kNchwBlock], `block_floats` apart; the last
// block of a job may have fewer than kNchwBlock channels (`last_channels`), the missing ones
// zero. The outputs of channel k of the job go to y + k * y_channel: tile lane at band position
// q lands at (q / pitch) * Wo + q % pitch, dropped when q % pitch >= Wo or q >= positions.
constexpr int64_t kNchwBlock = 4;
constexpr int kNchwMaxVectors = 6;
struct GroupedNchwTile {
  const float* x;
  int64_t c_stride, channels;
  int64_t chunk;   // input channels per pass
  float* partial;  // blocks * kNchwBlock * vectors * V floats, when chunk < channels
  const int64_t* taps;
  int64_t tap_count;
  int64_t vectors;
  int64_t offsets[kNchwMaxVectors];  // band position of each vector's first lane
  const float* weights;
  int64_t block_floats, blocks, last_channels;
  const float* bias;  // per channel of the job, or null
  float* y;
  int64_t y_channel, pitch, Wo, positions;
  OutputClamp clamp;
};

// Stages the band of `planes` input planes `plane` floats apart into the segments of each
// plane's staged block, `block` floats apart (see DepthwiseNchwJob for the segments).
struct NchwBandStage {
  const float* x;
  float* stage;
  int64_t planes, plane, block;
  int64_t row0, col0;
  int64_t row_phases, col_phases, staged_rows, pitch;
  WindowGeometry g;
};

// Rows [row0, row0 + rows) of C channels-first planes of H x W, `plane` floats apart, as
// channels-last pixels: stage[r][q][c] = x[c][row0 + r][q - PL], zero where that is outside
// the plane (row0 may be negative), for the `width` columns q of the stage.
struct NchwPixelsJob {
  const float* x;
  float* stage;
  int64_t C, plane, H, W, row0, rows, PL, width;
};

struct DepthwiseKernels {
  Isa isa;
  int vector_floats;
  void (*nhwc_rows)(const DepthwiseNhwcJob& job);
  void (*grouped_lanes_rows)(const GroupedLanesJob& job);
  // Once per thread before its bands (zeroes the stage's slack), then per band.
  void (*nchw_prepare)(const DepthwiseNchwJob& job);
  void (*nchw_band)(const DepthwiseNchwJob& job);
  void (*nchw_stage_channels)(const NchwChannelsJob& job);
  void (*nchw_store_channels)(const NchwChannelsJob& job);
  void (*nchw_stage_planes)(const NchwBandStage& job);
  void (*nchw_stage_pixels)(const NchwPixelsJob& job);
  void (*grouped_nchw_tile)(const GroupedNchwTile& job);
  int grouped_nchw_max_vectors;  // the widest tile of this ISA, at most kNchwMaxVectors
};

// The table compiled for `isa`; the baseline one when this build has no such variant.
const DepthwiseKernels& depthwise_kernels(Isa isa);

// Floats past the end of the staged band and of the band buffer that a job may read or write:
// one vector of the widest ISA.
constexpr int64_t kNchwSlackFloats = 16;

}  // namespace gemmconv
