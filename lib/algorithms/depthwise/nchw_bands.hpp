// How depthwise-nchw cuts an output plane into bands of rows and strips of columns whose staged
// input fits a thread's share of the L1 cache: the one statement of that geometry, used both to
// size the workspace and to run.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../../conv/desc.hpp"

namespace gemmconv {

struct NchwBands {
  int64_t rows, cols;            // output rows per band, output columns per strip
  int64_t bands, strips;         // per plane
  int64_t staged_rows, pitch;    // per stride phase: staged rows, floats per staged row
  std::size_t stage_floats;      // SH * SW * staged_rows * pitch + slack
  std::size_t band_floats;       // rows * pitch + slack
  std::size_t thread_bytes;      // stage, band and tap table, each rounded to 64 bytes
  int64_t items;                 // N * C * bands * strips
};

NchwBands nchw_bands(const ConvDesc& d);

}  // namespace gemmconv
