#include "isa.hpp"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace gemmconv {

namespace {

Isa cpu_isa() {
#if defined(__x86_64__) && defined(GEMMCONV_HAVE_X86_VARIANTS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#endif
  return Isa::Baseline;
}

// The cap from GEMMCONV_MAX_ISA; Avx512 (no cap) when unset or unknown.
Isa isa_cap() {
  const char* env = std::getenv("GEMMCONV_MAX_ISA");
  if (env == nullptr) return Isa::Avx512;
  for (Isa isa : {Isa::Baseline, Isa::Avx2, Isa::Avx512})
    if (std::strcmp(env, isa_name(isa)) == 0) return isa;
  return Isa::Avx512;
}

}  // namespace

Isa selected_isa() {
  static const Isa cpu = cpu_isa();
  const Isa cap = isa_cap();
  return static_cast<int>(cap) < static_cast<int>(cpu) ? cap : cpu;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return "avx512";
    case Isa::Avx2:
      return "avx2";
    case Isa::Baseline:
      break;
  }
  return "baseline";
}

int isa_vector_floats(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return 16;
    case Isa::Avx2:
      return 8;
    case Isa::Baseline:
      break;
  }
  return 4;  // SSE2 on x86-64, NEON on arm64
}

}  // namespace gemmconv
