// The own micro-kernels' code (see own_kernels.hpp), included once per instruction set by a
// file that defines GEMMCONV_ISA_NS and GEMMCONV_VECTOR_FLOATS first.
#include <cstdint>

#include "../../simd/vector_ops.hpp"
#include "own_kernels.hpp"

namespace gemmconv {
namespace GEMMCONV_ISA_NS {
namespace {

constexpr int L = GEMMCONV_VECTOR_FLOATS;

// C (m x n, m <= V * L channels, n <= P pixels) = A * B + beta * C over k reduction rows, A
// packed as a[p * V * L + i], B as b[p * P + j]; element (i, j) of C at c[i * rs_c + j * cs_c].
// The V x P accumulators stay in registers (P broadcasts and V loads per reduction row). With
// the channels contiguous (rs_c = 1) each pixel's vectors are stored as they are; otherwise the
// tile leaves through a small buffer, transposed, a store that costs about as much as a few
// dozen reduction rows (the tiling's kc is hundreds).
template <int V, int P>
void broadcast_pixels_kernel(int64_t m, int64_t n, int64_t k, const float* a, const float* b,
                             float beta, float* c, int64_t rs_c, int64_t cs_c) {
  Vec<L> acc[P][V];
#pragma GCC unroll 32
  for (int j = 0; j < P; ++j)
#pragma GCC unroll 32
    for (int v = 0; v < V; ++v) acc[j][v] = Vec<L>{};
  for (int64_t p = 0; p < k; ++p) {
    Vec<L> av[V];
#pragma GCC unroll 32
    for (int v = 0; v < V; ++v) av[v] = load_vec<L>(a + v * L);
#pragma GCC unroll 32
    for (int j = 0; j < P; ++j) {
      const float bj = b[j];
#pragma GCC unroll 32
      for (int v = 0; v < V; ++v) acc[j][v] += av[v] * bj;
    }
    a += V * L;
    b += P;
  }
  if (rs_c == 1) {  // channels contiguous (NHWC): each pixel's channels are whole vectors
    for (int64_t j = 0; j < n; ++j) {
      float* col = c + j * cs_c;
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) {
        const int64_t lanes = m - v * L;
        if (lanes <= 0) break;
        Vec<L> out = acc[j][v];
        if (lanes >= L) {
          if (beta != 0.0f) out += beta * load_vec<L>(col + v * L);
          __builtin_memcpy(col + v * L, &out, sizeof out);
        } else {
          for (int64_t i = 0; i < lanes; ++i)
            col[v * L + i] = beta == 0.0f ? out[i] : beta * col[v * L + i] + out[i];
        }
      }
    }
    return;
  }
  alignas(64) float tile[P][V * L];
  for (int j = 0; j < P; ++j)
    for (int v = 0; v < V; ++v) __builtin_memcpy(&tile[j][v * L], &acc[j][v], sizeof acc[j][v]);
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * rs_c;
    if (beta == 0.0f)
      for (int64_t j = 0; j < n; ++j) row[j * cs_c] = tile[j][i];
    else
      for (int64_t j = 0; j < n; ++j) row[j * cs_c] = beta * row[j * cs_c] + tile[j][i];
  }
}

}  // namespace

// 7 pixels (a 7-wide plane's row, 49 = 7 x 7) x 3 vectors, and 14 x 2: 21 and 28 accumulators
// beside the A vectors and one broadcast, within 32 vector registers.
extern const OwnKernelShape kOwnKernelShapes[] = {
    {3 * L, 7, &broadcast_pixels_kernel<3, 7>, "own 48x7"},
    {2 * L, 14, &broadcast_pixels_kernel<2, 14>, "own 32x14"},
};
extern const int kOwnKernelCount = sizeof kOwnKernelShapes / sizeof kOwnKernelShapes[0];

}  // namespace GEMMCONV_ISA_NS
}  // namespace gemmconv
