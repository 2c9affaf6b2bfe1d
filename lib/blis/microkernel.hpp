// The BLIS sgemm micro-kernel in use, as a plain handle: its function, its register tile
// (MR x NR), the cache blocking BLIS chose for it (KC, MC, NC), the packed panel strides
// (PACKMR, PACKNR) and the storage of C it computes without a detour. Everything comes from the
// BLIS context at run time; nothing here is hard-coded per CPU.
//
// Packed operands, as the micro-kernel reads them:
//   A: an MR-row micro-panel, element (i, p) at a[p * PACKMR + i], i < MR, p < k;
//   B: an NR-column micro-panel, element (p, j) at b[p * PACKNR + j], j < NR, p < k.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gemmconv {

// Bytes a micro-kernel may load past the end of the packed panels it is given: BLIS's kernels
// load the next rows of a panel ahead of their use (valgrind saw the AVX2 kernel read 32 bytes
// past the last panel). Every packed buffer the library hands a kernel ends with this much
// readable memory.
constexpr std::size_t kMicroKernelReadAhead = 128;

// A micro-kernel of the library's own (tiled/own_kernels.hpp), with MicroTileRunner::run's
// contract.
using OwnMicroKernelFn = void (*)(int64_t m, int64_t n, int64_t k, const float* a, const float* b,
                                  float beta, float* c, int64_t rs_c, int64_t cs_c);

struct MicroKernel {
  int64_t mr = 0, nr = 0;          // register tile
  int64_t kc = 0, mc = 0, nc = 0;  // BLIS's cache blocking for this kernel
  int64_t packmr = 0, packnr = 0;  // distance between consecutive p in packed A and B
  bool prefers_cols = false;       // C column-stored (rs_c = 1) is the fast path, else rows
  const char* arch = "";           // BLIS's sub-configuration ("skx", ...), or an own kernel's name
  void* function = nullptr;        // the BLIS function; called only through MicroTileRunner::run
  void* context = nullptr;         // the BLIS context the function belongs to
  OwnMicroKernelFn own = nullptr;  // set for the library's own kernels instead of function
};

// The micro-kernel of the BLIS configuration this process runs (fixed at library load, see
// arch.cpp). Queried once; the reference stays valid for the life of the process.
const MicroKernel& micro_kernel();

// Prefetch hints for the micro-kernel: the panels the next call will read.
struct NextPanels {
  const float* a;
  const float* b;
};

// Calls the micro-kernel on tiles. Keeps BLIS's per-call information block, filled once, so a
// call only updates the prefetch hints. One runner per thread (it is not shared).
class MicroTileRunner {
 public:
  explicit MicroTileRunner(const MicroKernel& kernel);
  // C (m x n) = A (m x k) * B (k x n) + beta * C, with m <= MR and n <= NR, on packed panels;
  // element (i, j) of C is c[i * rs_c + j * cs_c]. With beta == 0, C is not read (it may hold
  // NaN). Edges (m < MR, n < NR) are the kernel's own business, as BLIS 0.9 defines it.
  void run(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float beta, float* c,
           int64_t rs_c, int64_t cs_c, NextPanels next);

 private:
  static constexpr int kInfoBytes = 128;  // room for BLIS's auxinfo_t (checked where defined)
  const MicroKernel* kernel_;
  alignas(16) unsigned char info_[kInfoBytes];
};

}  // namespace gemmconv
