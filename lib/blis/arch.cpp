// BLIS 0.9.0 fixes its configuration (micro-kernels and block sizes) once per process, when it
// is initialised, from the BLIS_ARCH_TYPE environment variable or else from CPUID, and offers
// no other switch (its per-configuration contexts are not exported). What it does with the
// variable is unsafe for a library living in someone else's process:
//   - it reads the value as a number: a name such as "haswell" means 0, which is skx;
//   - a number outside its table aborts the process, and so does a configuration this build of
//     BLIS does not contain ("uninitialized context");
//   - a configuration whose instructions the CPU lacks (knl, bulldozer on most CPUs) dies of
//     SIGILL at the first kernel call;
//   - its CPUID detection does not know every AVX-512 CPU (AMD family 0x1A gets the generic
//     kernels, 4.5x slower) and never chooses skx on AMD.
// So, once per process, before BLIS reads the variable, the library decides the configuration:
// a user's BLIS_ARCH_TYPE (a number or a configuration name) when this BLIS has it and this CPU
// runs it; otherwise, on x86-64, skx on a CPU with the AVX-512 subsets its kernels use;
// otherwise BLIS's own detection (always on ARM, where a BLIS built for one configuration, as
// Debian's arm64 one is for cortexa57, runs that one). An unusable value is ignored, never fatal
// (blis_arch_note() says why).
//
// BLIS must then read that decision from the environment. The process environment is changed
// only where that cannot race with another thread's getenv:
//   - when the variable exists, its value is swapped for the decision and swapped back after
//     BLIS has read it: glibc's setenv on an existing name replaces one pointer in the
//     environment array and never frees the old string, so a concurrent getenv sees the old or
//     the new value, never freed memory;
//   - adding the variable (setenv of a new name may reallocate the array) happens only while
//     the process has a single thread (/proc/self/status), that is before main or in a
//     single-threaded host; in a multi-threaded host without the variable, BLIS detects.
#include "arch.hpp"

#include "blis_header.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace gemmconv {

namespace {

// Whether this build of BLIS contains the configuration (blis.h lists those it was built with).
bool built_with(int id) {
  switch (static_cast<arch_t>(id)) {
#ifdef BLIS_CONFIG_SKX
    case BLIS_ARCH_SKX:
#endif
#ifdef BLIS_CONFIG_KNL
    case BLIS_ARCH_KNL:
#endif
#ifdef BLIS_CONFIG_HASWELL
    case BLIS_ARCH_HASWELL:
#endif
#ifdef BLIS_CONFIG_SANDYBRIDGE
    case BLIS_ARCH_SANDYBRIDGE:
#endif
#ifdef BLIS_CONFIG_PENRYN
    case BLIS_ARCH_PENRYN:
#endif
#ifdef BLIS_CONFIG_ZEN3
    case BLIS_ARCH_ZEN3:
#endif
#ifdef BLIS_CONFIG_ZEN2
    case BLIS_ARCH_ZEN2:
#endif
#ifdef BLIS_CONFIG_ZEN
    case BLIS_ARCH_ZEN:
#endif
#ifdef BLIS_CONFIG_EXCAVATOR
    case BLIS_ARCH_EXCAVATOR:
#endif
#ifdef BLIS_CONFIG_STEAMROLLER
    case BLIS_ARCH_STEAMROLLER:
#endif
#ifdef BLIS_CONFIG_PILEDRIVER
    case BLIS_ARCH_PILEDRIVER:
#endif
#ifdef BLIS_CONFIG_BULLDOZER
    case BLIS_ARCH_BULLDOZER:
#endif
#ifdef BLIS_CONFIG_ARMSVE
    case BLIS_ARCH_ARMSVE:
#endif
#ifdef BLIS_CONFIG_A64FX
    case BLIS_ARCH_A64FX:
#endif
#ifdef BLIS_CONFIG_FIRESTORM
    case BLIS_ARCH_FIRESTORM:
#endif
#ifdef BLIS_CONFIG_THUNDERX2
    case BLIS_ARCH_THUNDERX2:
#endif
#ifdef BLIS_CONFIG_CORTEXA57
    case BLIS_ARCH_CORTEXA57:
#endif
#ifdef BLIS_CONFIG_CORTEXA53
    case BLIS_ARCH_CORTEXA53:
#endif
#ifdef BLIS_CONFIG_CORTEXA15
    case BLIS_ARCH_CORTEXA15:
#endif
#ifdef BLIS_CONFIG_CORTEXA9
    case BLIS_ARCH_CORTEXA9:
#endif
#ifdef BLIS_CONFIG_POWER10
    case BLIS_ARCH_POWER10:
#endif
#ifdef BLIS_CONFIG_POWER9
    case BLIS_ARCH_POWER9:
#endif
#ifdef BLIS_CONFIG_POWER7
    case BLIS_ARCH_POWER7:
#endif
#ifdef BLIS_CONFIG_BGQ
    case BLIS_ARCH_BGQ:
#endif
#ifdef BLIS_CONFIG_GENERIC  // Debian's amd64 BLIS has it, its arm64 BLIS (cortexa57 only) not
    case BLIS_ARCH_GENERIC:
#endif
      return true;
    default:
      return false;
  }
}

// Whether this CPU has the instructions the configuration's kernels use.
bool cpu_runs(int id) {
  const arch_t a = static_cast<arch_t>(id);
  if (a == BLIS_ARCH_GENERIC) return true;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  const bool avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool fma4 = __builtin_cpu_supports("fma4") && __builtin_cpu_supports("avx");
  switch (a) {
    case BLIS_ARCH_SKX:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    case BLIS_ARCH_KNL:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512pf") &&
             __builtin_cpu_supports("avx512er");
    case BLIS_ARCH_HASWELL:
    case BLIS_ARCH_ZEN:
    case BLIS_ARCH_ZEN2:
    case BLIS_ARCH_ZEN3:
      return avx2_fma;
    case BLIS_ARCH_SANDYBRIDGE:
      return __builtin_cpu_supports("avx");
    case BLIS_ARCH_PENRYN:
      return __builtin_cpu_supports("ssse3");
    case BLIS_ARCH_BULLDOZER:
      return fma4;
    case BLIS_ARCH_PILEDRIVER:
    case BLIS_ARCH_STEAMROLLER:
    case BLIS_ARCH_EXCAVATOR:
      return fma4 && __builtin_cpu_supports("fma");
    default:
      return false;  // another architecture's configuration
  }
#elif defined(__aarch64__)
  switch (a) {
    case BLIS_ARCH_ARMSVE:
    case BLIS_ARCH_A64FX:
#if defined(__linux__) && defined(HWCAP_SVE)
      return (getauxval(AT_HWCAP) & HWCAP_SVE) != 0;
#else
      return false;
#endif
    case BLIS_ARCH_FIRESTORM:
    case BLIS_ARCH_THUNDERX2:
    case BLIS_ARCH_CORTEXA57:
    case BLIS_ARCH_CORTEXA53:
      return true;  // NEON is the arm64 baseline
    default:
      return false;
  }
#else
  return false;
#endif
}

// A user's value as a configuration id: a whole decimal number, or a configuration name.
// -1 when it is neither.
int parse_arch(const char* value) {
  if (*value != '\0') {
    char* end = nullptr;
    const long n = std::strtol(value, &end, 10);
    if (*end == '\0') return n >= 0 && n < BLIS_NUM_ARCHS ? int(n) : -1;
  }
  for (int id = 0; id < BLIS_NUM_ARCHS; ++id)
    if (std::strcmp(bli_arch_string(static_cast<arch_t>(id)), value) == 0) return id;
  return -1;
}

// The configuration the library prefers to BLIS's detection on this CPU, or -1 for none.
int library_choice() {
#if defined(__x86_64__)
  // BLIS 0.9.0's detection gives AVX-512 CPUs it does not know (and every AMD one) AVX2 kernels.
  if (built_with(BLIS_ARCH_SKX) && cpu_runs(BLIS_ARCH_SKX)) return BLIS_ARCH_SKX;
#endif
  return -1;
}

bool single_threaded_process() {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return false;  // cannot tell: assume other threads
  char line[256];
  bool single = false;
  while (std::fgets(line, sizeof line, status) != nullptr)
    if (std::strncmp(line, "Threads:", 8) == 0) {
      single = std::strtol(line + 8, nullptr, 10) == 1;
      break;
    }
  std::fclose(status);
  return single;
}

std::once_flag blis_once;
char note[160];  // why a user's value was not used; empty when it was, or when there was none

void select_and_init_blis() {
  constexpr const char* kVar = "BLIS_ARCH_TYPE";
  const char* env = std::getenv(kVar);
  const std::string original = env != nullptr ? env : "";
  int wanted = -1;  // -1: BLIS's own detection
  if (env != nullptr) {
    const int id = parse_arch(env);
    if (id >= 0 && built_with(id) && cpu_runs(id))
      wanted = id;
    else
      std::snprintf(note, sizeof note, "%s=%.40s ignored: %s", kVar, env,
                    id < 0            ? "no such BLIS configuration"
                    : !built_with(id) ? "this BLIS was built without it"
                                      : "this CPU lacks its instructions");
  }
  if (wanted < 0) wanted = library_choice();

  // What BLIS must read: the decision, or -1 (its "not set") for its own detection.
  const std::string value = std::to_string(wanted);
  bool added = false;
  if (env != nullptr) {
    setenv(kVar, value.c_str(), 1);  // an existing name: one pointer swapped (see above)
  } else if (wanted >= 0 && single_threaded_process()) {
    setenv(kVar, value.c_str(), 1);
    added = true;
  } else if (wanted >= 0)
    std::snprintf(note, sizeof note,
                  "%s not set and other threads ran at load: BLIS's own detection", kVar);
  bli_init();
  (void)bli_arch_query_id();  // BLIS reads the variable here, once; the choice is fixed
  if (env != nullptr)
    setenv(kVar, original.c_str(), 1);
  else if (added)
    unsetenv(kVar);
}

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

const char* blis_arch_note() {
  ensure_blis_ready();
  return note;
}

}  // namespace gemmconv
