// The pointwise-nchw tiles for the avx2 instruction set (compiler flags in meson.build).
#define GEMMCONV_ISA_NS isa_avx2
#define GEMMCONV_ISA Isa::Avx2
#define GEMMCONV_VECTOR_FLOATS 8
#include "pointwise_kernels_impl.hpp"
