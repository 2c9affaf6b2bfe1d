// The own micro-kernels for the avx512 instruction set (compiler flags in meson.build): 32
// vector registers of 16 floats.
#define GEMMCONV_ISA_NS isa_avx512
#define GEMMCONV_VECTOR_FLOATS 16
#include "own_kernels_impl.hpp"
