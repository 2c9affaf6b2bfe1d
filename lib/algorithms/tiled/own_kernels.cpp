#include "own_kernels.hpp"

namespace gemmconv {

#ifdef GEMMCONV_HAVE_X86_VARIANTS
namespace isa_avx512 {
extern const OwnKernelShape kOwnKernelShapes[];
extern const int kOwnKernelCount;
}  // namespace isa_avx512
#endif

OwnKernelTable own_kernel_table(Isa isa) {
#ifdef GEMMCONV_HAVE_X86_VARIANTS
  if (isa == Isa::Avx512) return {isa_avx512::kOwnKernelShapes, isa_avx512::kOwnKernelCount};
#endif
  (void)isa;
  return {nullptr, 0};
}

namespace {

std::vector<MicroKernel> make_own_micro_kernels() {
  const MicroKernel& blis = micro_kernel();
  const OwnKernelTable table = own_kernel_table(selected_isa());
  std::vector<MicroKernel> kernels;
  for (int i = 0; i < table.count; ++i) {
    const OwnKernelShape& s = table.shapes[i];
    MicroKernel k;
    k.mr = s.mr;
    k.nr = s.nr;
    k.packmr = s.mr;
    k.packnr = s.nr;
    // BLIS's blocking for its kernel, with twice its reduction block: a call's transposed
    // store then costs half as much per multiply-add (4-6% faster than KC on 7x7 layers).
    k.kc = 2 * blis.kc;
    k.mc = blis.mc;
    k.nc = blis.nc;
    // Either storage of the tile is fast (pixels_on_mr_side() gives these kernels the pixels on
    // their NR side in both layouts).
    k.prefers_cols = false;
    k.arch = s.name;
    k.own = s.function;
    kernels.push_back(k);
  }
  return kernels;
}

}  // namespace

const std::vector<MicroKernel>& own_micro_kernels() {
  static const std::vector<MicroKernel> kernels = make_own_micro_kernels();
  return kernels;
}

}  // namespace gemmconv
