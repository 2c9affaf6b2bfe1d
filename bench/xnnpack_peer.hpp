// XNNPACK as gemmconv-bench's peer on NHWC layers (--peer xnnpack with --layout nhwc): the same
// layer through xnn_create_convolution2d_nhwc_f32 on the bench's NHWC tensors as they are.
// Compiled only when libxnnpack-dev and libpthreadpool-dev are found (GEMMCONV_BENCH_XNNPACK).
//
// - The filter goes to XNNPACK in its layout, OHWI per group ([G][M/G][KH][KW][C/G]), converted
//   from the bench's filter outside timing; XNNPACK packs it again at operator creation, like
//   our plan. Bias as for our plans; no clamp (-inf, +inf), as the bench's plans have none.
// - Operator creation and setup (its indirection buffer) are outside timing; only
//   xnn_run_operator is timed.
// - Threads: a pthreadpool of --threads threads (none for one thread: XNNPACK then runs on the
//   calling thread). Its workers spin after every run, and libgomp's after every OpenMP
//   region, each stealing cores from the other pool, so the contestant asks the bench for a
//   gap of untimed runs whenever it switches to or from it (Contestant::switch_gap_ms).
// - Memory: XNNPACK allocates through an allocator the bench gives it, which counts: the bytes
//   operator creation keeps are reported as persistent (packed weights, its zero buffer), those
//   setup keeps as workspace (the indirection buffer).
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "layer_run.hpp"

namespace bench {

std::unique_ptr<Contestant> make_xnnpack_contestant();

// "XNNPACK (<its library file>), pthreadpool": for table headers.
std::string xnnpack_summary();

void print_xnnpack_info(std::FILE* out);

}  // namespace bench
