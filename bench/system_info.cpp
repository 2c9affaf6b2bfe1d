#include "system_info.hpp"

#include <blis-openmp/blis.h>
#include <omp.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gemmconv.h>

namespace bench {

namespace {

std::string cpu_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, key.size(), key) == 0) {
      const size_t colon = line.find(':');
      return colon == std::string::npos ? "" : line.substr(colon + 2);
    }
  return "";
}

dim_t blocksize(bszid_t id, cntx_t* cntx) {
  return bli_cntx_get_blksz_def_dt(BLIS_FLOAT, id, cntx);
}

}  // namespace

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
  const char* env = std::getenv("BLIS_ARCH_TYPE");
  std::fprintf(out, "BLIS_ARCH_TYPE   %s\n", env ? env : "(unset: libgemmconv's choice)");
  std::fprintf(out, "OpenMP threads   %d (max), %d processors\n", omp_get_max_threads(),
               omp_get_num_procs());
  std::fprintf(out, "CPU              %s\n", cpu_field("model name").c_str());
  std::istringstream flags(cpu_field("flags"));
  std::set<std::string> have;
  for (std::string f; flags >> f;) have.insert(f);
  std::fprintf(out, "CPU flags        ");
  for (const char* f : {"sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw",
                        "avx512vl", "avx512_vnni", "avx512_bf16"})
    if (have.count(f)) std::fprintf(out, "%s ", f);
  std::fprintf(out, "\n");
}

}  // namespace bench
