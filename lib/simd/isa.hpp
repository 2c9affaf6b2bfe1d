// The instruction sets our own vectorised kernels are compiled for, and the one a plan uses.
// The library is built for the baseline ISA of its target; wider variants are compiled into
// the same library and chosen at plan creation from what the CPU reports.
#pragma once

namespace gemmconv {

enum class Isa { Baseline = 0, Avx2 = 1, Avx512 = 2 };

// The widest ISA this CPU runs and this build has, capped by the environment variable
// GEMMCONV_MAX_ISA (`avx512`, `avx2` or `baseline`; other values are ignored), which lets the
// tests run every variant on one machine.
Isa selected_isa();

const char* isa_name(Isa isa);

// Floats in one vector register of the ISA's kernels.
int isa_vector_floats(Isa isa);

}  // namespace gemmconv
