// What mec-col and mec-row share: MEC (Cho and Brand, 2017) lowers each image and group once
// into L, which holds for every output column ox the KW input columns it reads, over all padded
// input rows and all C' channels of the group. Output row oy then reads the KH padded rows
// starting at oy * SH of every strip: one contiguous window per strip, so one GEMM per output
// row runs straight on a strided view of L.
#pragma once

#include <algorithm>

#include "../../base/checked.hpp"
#include "../algorithm.hpp"

namespace gemmconv {

inline int64_t padded_height(const ConvDesc& d) {
  return d.H + d.PT + d.PB;
}

// Workspace = one lowered matrix L = Wo * (H + PT + PB) * C' * KW floats (C' = C / G), reused
// for every image and group. All threads share it (they lower disjoint parts, then only read
// it), so it does not grow with threads; BLIS's packing buffers are BLIS's own.
inline std::size_t mec_lowered_bytes(const ConvDesc& d, int, std::size_t) {
  return float_bytes(checked_product(std::size_t(d.Wo), padded_height(d), d.Cg(), d.KW));
}

// Whether some output row's window contains padded row r (with SH > KH windows leave gaps,
// and the rows below the last window are never read either): only those rows are lowered.
inline bool padded_row_is_read(const ConvDesc& d, int64_t r) {
  const int64_t first = r < d.KH ? 0 : (r - d.KH + d.SH) / d.SH;  // first oy with oy*SH+KH > r
  const int64_t last = std::min(d.Ho - 1, r / d.SH);              // last oy with oy*SH <= r
  return first <= last;
}

// Runs gemm_row(oy, blis_threads), the one GEMM of output row oy, for every output row. With
// enough rows they are shared out among the plan's OpenMP threads, each GEMM on one BLIS thread:
// the GEMMs are small (one output row wide), and on vgg_19:conv3_1 this measured faster than
// one multi-threaded GEMM per row. With few rows, the rows run one after another and each GEMM
// uses all threads. Either way no multi-threaded BLIS call runs inside an OpenMP region.
template <typename GemmRow>
void for_each_output_row(const ConvDesc& d, int threads, GemmRow gemm_row) {
  if (threads > 1 && d.Ho >= 2 * int64_t{threads}) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t oy = 0; oy < d.Ho; ++oy) gemm_row(oy, 1);
  } else {
    for (int64_t oy = 0; oy < d.Ho; ++oy) gemm_row(oy, threads);
  }
}

}  // namespace gemmconv
