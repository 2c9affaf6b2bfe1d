// oneDNN as gemmconv-bench's peer (--peer onednn): the same layer through oneDNN's f32
// forward-inference direct convolution, with a user scratchpad the bench allocates. Compiled
// only when libdnnl-dev is found (GEMMCONV_BENCH_ONEDNN).
//
// The contestants, the weights always in oneDNN's own layout (format_tag::any; grouped and
// depthwise ones with the groups as their own dimension), reordered once outside timing like
// libgemmconv's packed filter:
// - "onednn-plain" (NCHW), "onednn-nhwc" (NHWC): the primitive created on the user's tensors as
//   they are, src and dst in the bench's layout: the implementation oneDNN has for them (on
//   AVX2, NCHW: gemm:jit, its im2col + sgemm, with a user scratchpad; NHWC: its JIT and
//   brgconv kernels, which read channels-last directly). No reorder at all.
// The others on the primitive oneDNN creates for format_tag::any (its own choice of blocked
// layouts):
// - "onednn-nchw" (NCHW only): the user's tensors in the bench's layout; the reorders of src
//   into oneDNN's layout and of dst back are INSIDE the timed run, as a user holding NCHW
//   tensors would pay them. Its workspace is the scratchpad plus the two intermediate tensors.
// - "onednn-blocked": src and dst already in oneDNN's layout, no reorder timed: its best case.
//   Its workspace is the scratchpad alone.
// oneDNN (Debian's libdnnl2) threads with OpenMP: it runs omp_get_max_threads() threads, so the
// bench calls omp_set_num_threads(--threads) before creating any primitive.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gemmconv.h>

#include "layer_run.hpp"

namespace bench {

// NCHW: user layout with reorders (the table's reference), plain, blocked; NHWC: plain (the
// reference, "onednn-nhwc"), blocked.
std::vector<std::unique_ptr<Contestant>> make_onednn_contestants(gemmconv_layout layout);

// The name of the user-layout contestant our times are compared with per layer.
std::string onednn_reference_name(gemmconv_layout layout);

// "oneDNN 2.6.3 (OpenMP), ISA avx2": for --info and table headers.
std::string onednn_summary();

void print_onednn_info(std::FILE* out);

}  // namespace bench
