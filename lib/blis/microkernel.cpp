#include "microkernel.hpp"

#include "blis_header.hpp"

#include "arch.hpp"

#include <new>

namespace gemmconv {

namespace {

MicroKernel query_micro_kernel() {
  ensure_blis_ready();  // the architecture must be fixed before its context is looked up
  cntx_t* cntx = bli_gks_query_cntx();
  MicroKernel k;
  k.mr = bli_cntx_get_blksz_def_dt(BLIS_FLOAT, BLIS_MR, cntx);
  k.nr = bli_cntx_get_blksz_def_dt(BLIS_FLOAT, BLIS_NR, cntx);
  k.kc = bli_cntx_get_blksz_def_dt(BLIS_FLOAT, BLIS_KC, cntx);
  k.mc = bli_cntx_get_blksz_def_dt(BLIS_FLOAT, BLIS_MC, cntx);
  k.nc = bli_cntx_get_blksz_def_dt(BLIS_FLOAT, BLIS_NC, cntx);
  // For the register blocksizes BLIS keeps the packing dimension in the "max" slot.
  k.packmr = bli_cntx_get_blksz_max_dt(BLIS_FLOAT, BLIS_MR, cntx);
  k.packnr = bli_cntx_get_blksz_max_dt(BLIS_FLOAT, BLIS_NR, cntx);
  k.prefers_cols = bli_cntx_l3_nat_ukr_prefers_cols_dt(BLIS_FLOAT, BLIS_GEMM_UKR, cntx);
  k.arch = bli_arch_string(bli_arch_query_id());
  k.function = reinterpret_cast<void*>(bli_cntx_get_l3_nat_ukr_dt(BLIS_FLOAT, BLIS_GEMM_UKR, cntx));
  k.context = cntx;
  return k;
}

}  // namespace

const MicroKernel& micro_kernel() {
  static const MicroKernel kernel = query_micro_kernel();
  return kernel;
}

static_assert(sizeof(auxinfo_t) <= 128 && alignof(auxinfo_t) <= 16,
              "MicroTileRunner::kInfoBytes holds BLIS's auxinfo_t");

MicroTileRunner::MicroTileRunner(const MicroKernel& kernel) : kernel_(&kernel) {
  auxinfo_t* aux = new (info_) auxinfo_t();
  bli_auxinfo_set_schema_a(BLIS_PACKED_ROW_PANELS, aux);
  bli_auxinfo_set_schema_b(BLIS_PACKED_COL_PANELS, aux);
  bli_auxinfo_set_is_a(1, aux);
  bli_auxinfo_set_is_b(1, aux);
}

void MicroTileRunner::run(int64_t m, int64_t n, int64_t k, const float* a, const float* b,
                          float beta, float* c, int64_t rs_c, int64_t cs_c, NextPanels next) {
  if (kernel_->own) return kernel_->own(m, n, k, a, b, beta, c, rs_c, cs_c);
  auxinfo_t* aux = reinterpret_cast<auxinfo_t*>(info_);
  bli_auxinfo_set_next_a(const_cast<float*>(next.a), aux);
  bli_auxinfo_set_next_b(const_cast<float*>(next.b), aux);
  float alpha = 1.0f;
  // BLIS takes non-const panel pointers but never writes them.
  const auto fn = reinterpret_cast<sgemm_ukr_ft>(kernel_->function);
  fn(m, n, k, &alpha, const_cast<float*>(a), const_cast<float*>(b), &beta, c, rs_c, cs_c, aux,
     static_cast<cntx_t*>(kernel_->context));
}

}  // namespace gemmconv
