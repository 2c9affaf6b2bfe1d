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

}  // namespace gemmconv
