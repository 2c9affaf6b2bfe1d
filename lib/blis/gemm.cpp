#include "gemm.hpp"

#include <blis-openmp/blis.h>

namespace gemmconv {

// Every index and stride handed to BLIS is an int64_t; a BLIS built with 32-bit dim_t would
// silently truncate offsets of tensors past 2^31 elements.
static_assert(sizeof(dim_t) == sizeof(int64_t) && sizeof(inc_t) == sizeof(int64_t),
              "BLIS must be built with 64-bit integers");

void sgemm(int64_t m, int64_t n, int64_t k, MatrixView a, MatrixView b, float beta,
           MutableMatrixView c, int threads) {
  if (m == 0 || n == 0) return;
  float alpha = 1.0f;
  rntm_t rntm = BLIS_RNTM_INITIALIZER;
  bli_rntm_set_num_threads(threads, &rntm);
  // BLIS takes non-const pointers but does not write A or B.
  bli_sgemm_ex(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &alpha, const_cast<float*>(a.data),
               a.rs, a.cs, const_cast<float*>(b.data), b.rs, b.cs, &beta, c.data, c.rs, c.cs,
               nullptr, &rntm);
}

}  // namespace gemmconv
