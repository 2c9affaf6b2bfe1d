// How depthwise-nchw cuts an output plane into bands of rows and strips of columns whose staged
// input fits in 16 KiB per thread: the one statement of that geometry, used both to size the
// workspace and to run.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../../conv/desc.hpp"

namespace gemmconv {

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

}  // namespace gemmconv
