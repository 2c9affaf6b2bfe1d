#include "pack_kernels.hpp"

namespace gemmconv {

namespace isa_baseline {
extern const PackKernels kPackKernels;
}
#ifdef GEMMCONV_HAVE_X86_VARIANTS
namespace isa_avx2 {
extern const PackKernels kPackKernels;
}
namespace isa_avx512 {
extern const PackKernels kPackKernels;
}
#endif

const PackKernels& pack_kernels(Isa isa) {
#ifdef GEMMCONV_HAVE_X86_VARIANTS
  if (isa == Isa::Avx512) return isa_avx512::kPackKernels;
  if (isa == Isa::Avx2) return isa_avx2::kPackKernels;
#endif
  (void)isa;
  return isa_baseline::kPackKernels;
}

}  // namespace gemmconv
