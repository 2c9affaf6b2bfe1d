#include "pointwise_kernels.hpp"

namespace gemmconv {

namespace isa_baseline {
extern const PointwiseKernels kPointwiseKernels;
}
#ifdef GEMMCONV_HAVE_X86_VARIANTS
namespace isa_avx2 {
extern const PointwiseKernels kPointwiseKernels;
}
namespace isa_avx512 {
extern const PointwiseKernels kPointwiseKernels;
}
#endif

const PointwiseKernels& pointwise_kernels(Isa isa) {
#ifdef GEMMCONV_HAVE_X86_VARIANTS
  if (isa == Isa::Avx512) return isa_avx512::kPointwiseKernels;
  if (isa == Isa::Avx2) return isa_avx2::kPointwiseKernels;
#endif
  (void)isa;
  return isa_baseline::kPointwiseKernels;
}

double narrow_tile_share(const PointwiseKernels& k) {
  return k.vector_floats < kWidestVectorFloats ? 0.85 : 1.0;
}

}  // namespace gemmconv
