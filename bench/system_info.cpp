#include "system_info.hpp"

#include "cpu_info.hpp"

#include "../lib/blis/blis_header.hpp"
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <vector>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <gemmconv.h>

namespace bench {

namespace {

dim_t blocksize(bszid_t id, cntx_t* cntx) {
  return bli_cntx_get_blksz_def_dt(BLIS_FLOAT, id, cntx);
}

}  // namespace

std::string cpu_summary() {
  return cpu_model() + " (" + widest_vector_extension() + ")";
}

double measure_micro_kernel_gflops() {
  cntx_t* cntx = bli_gks_query_cntx();
  const dim_t mr = blocksize(BLIS_MR, cntx), nr = blocksize(BLIS_NR, cntx);
  const dim_t kc = blocksize(BLIS_KC, cntx);
  const dim_t packmr = bli_cntx_get_blksz_max_dt(BLIS_FLOAT, BLIS_MR, cntx);
  const dim_t packnr = bli_cntx_get_blksz_max_dt(BLIS_FLOAT, BLIS_NR, cntx);
  // 64-byte aligned panels (the kernels use aligned loads) with a few rows of slack (they load
  // ahead of the row they use).
  auto panel = [](size_t floats, float value) {
    float* p = static_cast<float*>(std::aligned_alloc(64, (floats * 4 + 63) / 64 * 64));
    std::fill(p, p + floats, value);
    return std::unique_ptr<float, void (*)(void*)>(p, std::free);
  };
  const auto a = panel(size_t(packmr * (kc + 8)), 0.5f),
             b = panel(size_t(packnr * (kc + 8)), 0.25f);
  const auto c = panel(size_t(mr * nr), 0.0f);
  const bool cols = bli_cntx_l3_nat_ukr_prefers_cols_dt(BLIS_FLOAT, BLIS_GEMM_UKR, cntx);
  const inc_t rs_c = cols ? 1 : nr, cs_c = cols ? mr : 1;
  auxinfo_t aux{};
  bli_auxinfo_set_schema_a(BLIS_PACKED_ROW_PANELS, &aux);
  bli_auxinfo_set_schema_b(BLIS_PACKED_COL_PANELS, &aux);
  bli_auxinfo_set_is_a(1, &aux);
  bli_auxinfo_set_is_b(1, &aux);
  bli_auxinfo_set_next_a(a.get(), &aux);
  bli_auxinfo_set_next_b(b.get(), &aux);
  const auto ukr =
      reinterpret_cast<sgemm_ukr_ft>(bli_cntx_get_l3_nat_ukr_dt(BLIS_FLOAT, BLIS_GEMM_UKR, cntx));
  float alpha = 1.0f, beta = 1.0f;
  using clock = std::chrono::steady_clock;
  // Best of 5 rounds of at least 40 ms, in batches of 100 calls: 0.2 s whatever the kernel's
  // speed (a Cortex-A53 runs a hundredth of an AVX-512 core's rate, qemu less still).
  const auto round_time = std::chrono::milliseconds(40);
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    long calls = 0;
    const auto t0 = clock::now();
    auto t = t0;
    do {
      for (int i = 0; i < 100; ++i)
        ukr(mr, nr, kc, &alpha, a.get(), b.get(), &beta, c.get(), rs_c, cs_c, &aux, cntx);
      calls += 100;
      t = clock::now();
    } while (t - t0 < round_time);
    const double s = std::chrono::duration<double>(t - t0).count();
    best = std::max(best, 2.0 * double(mr) * double(nr) * double(kc) * double(calls) / s / 1e9);
  }
  return best;
}

double micro_kernel_ceiling_gflops() {
  static const double ceiling = measure_micro_kernel_gflops();
  return ceiling;
}

const char* blis_kernel_summary() {
  static std::string summary;
  cntx_t* cntx = bli_gks_query_cntx();
  summary = std::string(bli_arch_string(bli_arch_query_id())) + " " +
            std::to_string(blocksize(BLIS_MR, cntx)) + "x" +
            std::to_string(blocksize(BLIS_NR, cntx));
  return summary.c_str();
}

void print_system_info(std::FILE* out) {
  cntx_t* cntx = bli_gks_query_cntx();
  std::fprintf(out, "libgemmconv      %s (%d algorithms)\n", gemmconv_version_string(),
               gemmconv_algo_count());
  std::fprintf(out, "BLIS             %s, architecture %s\n", bli_info_get_version_str(),
               bli_arch_string(bli_arch_query_id()));
  std::fprintf(out, "sgemm ukernel    MR x NR = %ld x %ld, KC %ld, MC %ld, NC %ld, prefers %s C\n",
               long(blocksize(BLIS_MR, cntx)), long(blocksize(BLIS_NR, cntx)),
               long(blocksize(BLIS_KC, cntx)), long(blocksize(BLIS_MC, cntx)),
               long(blocksize(BLIS_NC, cntx)),
               bli_cntx_l3_nat_ukr_prefers_cols_dt(BLIS_FLOAT, BLIS_GEMM_UKR, cntx) ? "column-major"
                                                                                    : "row-major");
  std::fprintf(out, "ukernel ceiling  %.1f GFLOP/s on one core, in L1 (measured now)\n",
               micro_kernel_ceiling_gflops());
  const char* env = std::getenv("BLIS_ARCH_TYPE");
  // The library uses a value only when it names (or numbers) a configuration this BLIS has and
  // this CPU runs; anything else is ignored in favour of its own choice.
  const arch_t running = bli_arch_query_id();
  const bool used = env != nullptr && (std::strcmp(env, bli_arch_string(running)) == 0 ||
                                       std::to_string(int(running)) == env);
  std::fprintf(out, "BLIS_ARCH_TYPE   %s%s\n", env ? env : "(unset: libgemmconv's choice)",
               env == nullptr ? ""
               : used         ? " (used)"
                              : " (ignored: not a configuration this BLIS has and this CPU runs)");
  std::fprintf(out, "OpenMP threads   %d (max), %d processors\n", omp_get_max_threads(),
               omp_get_num_procs());
  std::fprintf(out, "CPU              %s\n", cpu_model().c_str());
  std::fprintf(out, "CPU flags        ");
  for (const std::string& f : cpu_features()) std::fprintf(out, "%s ", f.c_str());
  std::fprintf(out, "\n");
}

}  // namespace bench
