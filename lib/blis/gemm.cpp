#include "gemm.hpp"

#include <blis-openmp/blis.h>

namespace gemmconv {

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

SgemmTile sgemm_tile() {
  cntx_t* cntx = bli_gks_query_cntx();
  const bool cols = bli_cntx_l3_nat_ukr_prefers_cols_dt(BLIS_FLOAT, BLIS_GEMM_UKR, cntx);
  const dim_t extent = bli_cntx_get_blksz_def_dt(BLIS_FLOAT, cols ? BLIS_MR : BLIS_NR, cntx);
  return {int64_t(extent), !cols};
}

}  // namespace gemmconv
