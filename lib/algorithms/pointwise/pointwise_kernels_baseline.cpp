// The pointwise-nchw tiles for the target's baseline instruction set: SSE2 on x86-64, NEON on
// arm64 (4 floats a vector).
#define GEMMCONV_ISA_NS isa_baseline
#define GEMMCONV_ISA Isa::Baseline
#define GEMMCONV_VECTOR_FLOATS 4
#include "pointwise_kernels_impl.hpp"
