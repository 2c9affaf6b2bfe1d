// BLIS 0.9.0 picks its kernels from CPUID and, on AVX-512 CPUs whose model it does not know,
// falls back to AVX2 kernels: 1.6x slower here. The only switch is the BLIS_ARCH_TYPE
// environment variable, which 0.9.0 reads as a *number* (a name like "haswell" silently means
// 0, which is skx), and which aborts the process unless bli_init() ran before the first
// bli_arch_query_id(). So, once per process, before anyone else uses BLIS:
//   - a user's BLIS_ARCH_TYPE is honoured, a configuration name translated to its number;
//   - otherwise, on a CPU with the AVX-512 subsets the skx kernels use, skx is requested;
//   - BLIS is initialised and its architecture fixed, then the environment is put back.
#include "arch.hpp"

#include <blis-openmp/blis.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace gemmconv {

namespace {

bool cpu_runs_skx_kernels() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

bool is_number(const char* s) {
  if (*s == '\0') return false;
  for (; *s; ++s)
    if (*s < '0' || *s > '9') return false;
  return true;
}

// BLIS's numeric id for a configuration name, or -1.
int arch_id_from_name(const char* name) {
  for (int id = 0; id < BLIS_NUM_ARCHS; ++id)
    if (std::strcmp(bli_arch_string(static_cast<arch_t>(id)), name) == 0) return id;
  return -1;
}

// The BLIS_ARCH_TYPE value to initialise BLIS with, or "" for BLIS's own choice.
std::string requested_arch(const char* user_value) {
  if (user_value != nullptr) {
    if (is_number(user_value)) return user_value;
    const int id = arch_id_from_name(user_value);
    if (id >= 0) return std::to_string(id);
    return "";  // unknown name: let BLIS detect rather than silently get skx
  }
  return cpu_runs_skx_kernels() ? std::to_string(int(BLIS_ARCH_SKX)) : "";
}

void select_and_init_blis() {
  const char* env = std::getenv("BLIS_ARCH_TYPE");
  const bool had_value = env != nullptr;
  const std::string original = had_value ? env : "";
  const std::string wanted = requested_arch(env);
  if (wanted.empty())
    unsetenv("BLIS_ARCH_TYPE");
  else
    setenv("BLIS_ARCH_TYPE", wanted.c_str(), 1);
  bli_init();
  (void)bli_arch_query_id();  // reads the variable once; the choice is fixed from here on
  if (had_value)
    setenv("BLIS_ARCH_TYPE", original.c_str(), 1);
  else
    unsetenv("BLIS_ARCH_TYPE");
}

std::once_flag blis_once;

__attribute__((constructor)) void init_blis_at_load() {
  ensure_blis_ready();
}

}  // namespace

void ensure_blis_ready() {
  std::call_once(blis_once, select_and_init_blis);
}

const char* blis_arch_name() {
  ensure_blis_ready();
  return bli_arch_string(bli_arch_query_id());
}

}  // namespace gemmconv
