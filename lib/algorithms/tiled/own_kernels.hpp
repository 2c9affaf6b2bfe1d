// Micro-kernels of our own for the tiled algorithms, beside BLIS's: register tiles whose pixel
// side is 7 or 14 wide, so that the small output planes of deep layers (7x7: 49 pixels, 14x14:
// 196, 13x13: 169) fill their micro-panels, where BLIS's 32-wide side leaves up to a quarter of
// the kernel's work on padding pixels. The pixels are the broadcast operand (B, NR wide) and the
// output channels the vector operand (A, a few vectors wide); the tile is stored with the
// pixels contiguous (NCHW), transposed once per call, or with the channels contiguous (NHWC),
// a vector per pixel and channel group. Compiled per instruction set
// (own_kernels_impl.hpp); an ISA whose registers cannot hold such a tile has none.
#pragma once

#include <vector>

#include "../../blis/microkernel.hpp"
#include "../../simd/isa.hpp"

namespace gemmconv {

// One kernel as the per-ISA table lists it: its register tile and function.
struct OwnKernelShape {
  int64_t mr, nr;
  OwnMicroKernelFn function;
  const char* name;
};

struct OwnKernelTable {
  const OwnKernelShape* shapes;
  int count;
};

// The table compiled for `isa` (empty when this build or ISA has none).
OwnKernelTable own_kernel_table(Isa isa);

// The kernels this process may use (those of selected_isa()), as MicroKernel records with the
// cache blocking of BLIS's kernel (micro_kernel()). Built once; valid for the process's life.
const std::vector<MicroKernel>& own_micro_kernels();

}  // namespace gemmconv
