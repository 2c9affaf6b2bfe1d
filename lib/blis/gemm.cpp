#include "gemm.hpp"

#include "blis_header.hpp"

#include "../parallel/team.hpp"

namespace gemmconv {

// Every index and stride handed to BLIS is an int64_t; a BLIS built with 32-bit dim_t would
// silently truncate offsets of tensors past 2^31 elements.
static_assert(sizeof(dim_t) == sizeof(int64_t) && sizeof(inc_t) == sizeof(int64_t),
              "BLIS must be built with 64-bit integers");

namespace {

// Products smaller than this many multiply-adds run on one thread: waking a BLIS thread team
// (barriers between packing and computing) costs more than it saves there.
constexpr double kSmallProduct = 1 << 21;  // e.g. 128 x 128 x 128

}  // namespace

void sgemm(int64_t m, int64_t n, int64_t k, MatrixView a, MatrixView b, float beta,
           MutableMatrixView c, int threads) {
  if (m == 0 || n == 0) return;
  float alpha = 1.0f;
  rntm_t rntm = BLIS_RNTM_INITIALIZER;
  // BLIS aborts when its parallel region gets fewer threads than it asked for, which OpenMP may
  // do with dynamic adjustment on: then it runs on one.
  if (openmp_may_shrink_teams()) threads = 1;
  bli_rntm_set_num_threads(threads, &rntm);
  // BLIS 0.9.0's small-matrix ("sup") kernels of the haswell, zen, zen2 and zen3 configurations
  // (every AVX2 machine) read outside their operands: a few bytes past C, a whole extra row of A
  // or column of B past the end, and for some shapes ~400 bytes before the start of A (measured
  // against guard pages; they never write there and discard what they read). A, B and C are
  // often the caller's input, output or workspace, so a buffer next to an unmapped page makes
  // the read fault (tests/test_guard_pages.c). BLIS's conventional path packs A and B and writes
  // the edges of C through a buffer: it stays inside every operand. Choosing between the two
  // by address would make results depend on where the caller's buffers lie (the paths round
  // differently), and by a view's position in its buffer would rest on measured, undocumented
  // reach; so sup is never used.
  bli_rntm_disable_l3_sup(&rntm);
  if (double(m) * double(n) * double(k) < kSmallProduct) bli_rntm_set_num_threads(1, &rntm);
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
