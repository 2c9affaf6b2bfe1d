// What `gemmconv-bench --info` prints: the library, BLIS and the CPU it runs on.
#pragma once

#include <cstdio>

namespace bench {

void print_system_info(std::FILE* out);

// "skx 32x12" or similar: BLIS's architecture and sgemm micro-kernel shape, for table headers.
const char* blis_kernel_summary();

}  // namespace bench
