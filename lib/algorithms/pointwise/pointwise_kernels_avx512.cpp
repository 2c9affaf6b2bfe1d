// The pointwise-nchw tiles for the avx512 instruction set (compiler flags in meson.build).
#define GEMMCONV_ISA_NS isa_avx512
#define GEMMCONV_ISA Isa::Avx512
#define GEMMCONV_VECTOR_FLOATS 16
#include "pointwise_kernels_impl.hpp"
