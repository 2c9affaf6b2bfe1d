// What `gemmconv-bench --info` prints: the library, BLIS and the CPU it runs on.
#pragma once

#include <cstdio>
#include <string>

namespace bench {

void print_system_info(std::FILE* out);

// The sgemm micro-kernel's throughput on one core with everything in L1 (one MR x NR tile,
// KC-deep panels, called back to back for about 0.2 s): the ceiling a convolution on it can
// approach. GFLOP/s; measured once per process.
double micro_kernel_ceiling_gflops();
// The same measurement taken afresh (on a shared machine the first one can land in a slow
// moment: the bench measures again at the end of a run and reports both).
double measure_micro_kernel_gflops();

// "skx 32x12" or similar: BLIS's architecture and sgemm micro-kernel shape, for table headers.
const char* blis_kernel_summary();

// "AMD EPYC (AVX-512)", "ARM Cortex-A72 (MIDR 0x410fd083) (NEON)": the CPU's model and the
// widest vector extension it has, for table headers (the same model name comes with or without
// AVX-512 on shared machines).
std::string cpu_summary();

}  // namespace bench
