// Single-precision GEMM on BLIS with arbitrary row and column strides (no copies).
#pragma once

#include <cstdint>

namespace gemmconv {

// A strided view of a matrix: element (i, j) is data[i * rs + j * cs].
struct MatrixView {
  const float* data;
  int64_t rs, cs;
};
struct MutableMatrixView {
  float* data;
  int64_t rs, cs;
};

// C (m x n) = A (m x k) * B (k x n) + beta * C, on `threads` BLIS threads.
// Never call with threads > 1 from inside an OpenMP parallel region.
void sgemm(int64_t m, int64_t n, int64_t k, MatrixView a, MatrixView b, float beta,
           MutableMatrixView c, int threads);

// The register tile of the micro-kernel BLIS runs, as it matters to callers choosing GEMM
// shapes: `vector` is the tile's extent along the unit-stride dimension of C the kernel prefers
// (NR when it prefers row-major C, MR when column-major). BLIS transposes a GEMM whose C is
// stored the other way, so whichever of m and n is C's unit-stride dimension ends up along
// `vector`; an extent that is not a multiple of vector / 2 leaves narrow edge tiles that BLIS
// runs on slow kernels.
struct SgemmTile {
  int64_t vector;
  bool prefers_rows;
};
SgemmTile sgemm_tile();

}  // namespace gemmconv
