#include "kernels.hpp"

namespace gemmconv {

namespace isa_baseline {
extern const DepthwiseKernels kKernels;
}
#ifdef GEMMCONV_HAVE_X86_VARIANTS
namespace isa_avx2 {
extern const DepthwiseKernels kKernels;
}
namespace isa_avx512 {
extern const DepthwiseKernels kKernels;
}
#endif

const DepthwiseKernels& depthwise_kernels(Isa isa) {
#ifdef GEMMCONV_HAVE_X86_VARIANTS
  if (isa == Isa::Avx512) return isa_avx512::kKernels;
  if (isa == Isa::Avx2) return isa_avx2::kKernels;
#endif
  (void)isa;
  return isa_baseline::kKernels;
}

}  // namespace gemmconv
