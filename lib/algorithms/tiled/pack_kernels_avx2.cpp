// The pixel packing loops for the avx2 instruction set (compiler flags in meson.build).
#define GEMMCONV_ISA_NS isa_avx2
#define GEMMCONV_ISA Isa::Avx2
#define GEMMCONV_VECTOR_FLOATS 8
#include "pack_kernels_impl.hpp"
