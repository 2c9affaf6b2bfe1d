// How depthwise-nchw cuts an output plane into bands of rows and strips of columns whose staged
// input fits in 16 KiB per thread: the one statement of that geometry, used both to size the
// workspace and to run.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../../conv/desc.hpp"

namespace gemmconv {

// Distinct values of k * dilation mod stride for k < kernel (they repeat with period
// stride / gcd(dilation, stride)): the segments a band is staged in along one axis.
int64_t stride_phases(int64_t kernel, int64_t dilation, int64_t stride);

// Offsets into a band staged in segments (row_phases x col_phases segments of staged_rows rows
// of `pitch` floats) of what tap ky and tap kx read: tap ky reads row slot ky mod row_phases
// (the phases k * DH mod SH repeat with that period), staged row ky * DH / SH of it; likewise
// kx. Tap (ky, kx) of output position q reads q + row offset + column offset.
int64_t staged_row_offset(const ConvDesc& d, int64_t ky, int64_t row_phases, int64_t col_phases,
                          int64_t staged_rows, int64_t pitch);
int64_t staged_col_offset(const ConvDesc& d, int64_t kx, int64_t col_phases, int64_t staged_rows,
                          int64_t pitch);

struct NchwBands {
  int64_t rows, cols;              // output rows per band, output columns per strip
  int64_t bands, strips;           // per plane
  int64_t row_phases, col_phases;  // staged segments per axis
  int64_t staged_rows, pitch;      // per segment: rows staged, floats per staged row
  std::size_t stage_bytes;         // every segment plus slack, rounded to 64 bytes
  std::size_t band_bytes;          // rows * pitch plus slack, rounded to 64 bytes
  std::size_t thread_bytes;        // stage, band and the tap offsets (KH + KW), each rounded
  int64_t items;                   // N * C * bands * strips
};

NchwBands nchw_bands(const ConvDesc& d);

// Whether staging a band's input costs far more than computing its outputs: a dilation many
// times the stride makes the staged rows span every input column between the taps' reads (one
// output column whose two taps lie 4095 strides apart stages 4096 floats per row for 8
// multiply-adds), and the zero-filling and copying then outweigh the band's arithmetic by
// orders of magnitude. The staging algorithms leave such layers to those that read the input
// where it lies. Real layers stage a fraction of a float per multiply-add (3x3, stride 1: about
// 0.12); an 11x11 kernel dilated by 6 under a 16 KiB stage about 8.
constexpr std::size_t kMaxStagedPerMac = 64;
inline bool staging_dominates(std::size_t staged_floats, int64_t outputs, int64_t taps) {
  return staged_floats / kMaxStagedPerMac / std::size_t(taps) > std::size_t(outputs);
}

// Small planes (multiplier one) go by blocks of channels instead: the band's padded input of
// kBlockChannels planes is staged interleaved, channel fastest ([staged_rows][width][lanes]), so
// the channels-last loop computes it with channels across the lanes, and its outputs
// ([rows][Wo][lanes]) are written back into their planes. Sized for the widest vector (16
// lanes), so one geometry serves every instruction set.
constexpr int64_t kBlockChannels = 16;

struct NchwChannelBlocks {
  bool used;                // the layer goes this way
  int64_t rows, bands;      // output rows per band, bands per plane
  int64_t staged_rows;      // padded input rows a band reads
  int64_t width;            // padded input columns the output row reads
  std::size_t stage_bytes;  // staged_rows * width * kBlockChannels floats, rounded to 64 bytes
  std::size_t tile_bytes;   // rows * Wo * kBlockChannels floats, rounded to 64 bytes
  std::size_t thread_bytes;
  int64_t blocks;  // channel blocks per image
  int64_t items;   // N * blocks * bands
};

NchwChannelBlocks nchw_channel_blocks(const ConvDesc& d);

}  // namespace gemmconv
