// The CPU the bench runs on, for --info and the tables' headers, read the way the target
// reports it: /proc/cpuinfo's model name and flags on x86-64; on arm64 the kernel's hardware
// capability bits (getauxval) and the MIDR_EL1 register, which Linux lets user code read (and
// which qemu-user emulates, where /proc/cpuinfo would describe the emulating machine instead).
#pragma once

#include <string>
#include <vector>

namespace bench {

// "AMD EPYC 9R14", or on arm64 "ARM Cortex-A72 (MIDR 0x410fd083)".
std::string cpu_model();

// The vector and matrix extensions that matter to the kernels, in /proc/cpuinfo's spelling
// ("sse2 avx avx2 fma avx512f ...", or "fp asimd asimddp sve ..."); the target's baseline
// (sse2, asimd) first.
std::vector<std::string> cpu_features();

// The widest vector extension among them: "AVX-512", "AVX2", "no AVX2"; "SVE", "NEON".
const char* widest_vector_extension();

}  // namespace bench
