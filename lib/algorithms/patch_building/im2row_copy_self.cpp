// im2row-copy-self: build each output pixel's patch mostly from patches already built.
//
// Along one axis, tap k of the kernel reads input o * S + k * D - pad for output o. Taps k and
// k + period, period = S / gcd(S, D), read the same inputs shift = D / gcd(S, D) outputs apart:
// pixel o's tap k is pixel (o - shift)'s tap k + period. In a patch, laid out (ky, kx, c), that
// makes two contiguous copies:
//  - vertically, kernel rows ky < KH - period_y of pixel (oy, ox) are kernel rows ky + period_y
//    of pixel (oy - shift_y, ox): one block of (KH - period_y) * KW * C' values;
//  - horizontally, in each remaining kernel row, taps kx < KW - period_x are taps
//    kx + period_x of pixel (oy, ox - shift_x): one run of (KW - period_x) * C' values.
// Only the remaining taps (with stride 1 and dilation 1: the last tap of the last kernel row)
// are copied from the input. Where a period reaches the kernel size, or the source pixel does
// not exist, the patch is copied from the input as im2row-copy-short would.
// Threads take contiguous blocks of output rows; a block's first rows derive nothing vertically,
// so no thread reads what another is writing.
#include <algorithm>
#include <cstring>

#include "../../conv/geometry.hpp"
#include "../../parallel/threads.hpp"
#include "patch_building.hpp"
#include "tap_repetition.hpp"

namespace gemmconv {

namespace {

// Taps [kx_begin, KW) of kernel row ky of pixel (oy, ox), straight from the input; `dst` is the
// start of that kernel row in the patch.
void copy_taps_from_input(const ConvDesc& d, const float* x, int64_t oy, int64_t ox, int64_t ky,
                          int64_t kx_begin, float* dst) {
  const int64_t cg = d.Cg(), iy = input_row(d, oy, ky);
  if (iy < 0 || iy >= d.H) {
    std::fill(dst + kx_begin * cg, dst + d.KW * cg, 0.0f);
    return;
  }
  const float* src_row = x + iy * d.W * d.C;
  for (int64_t kx = kx_begin; kx < d.KW; ++kx) {
    const int64_t ix = input_col(d, ox, kx);
    if (ix < 0 || ix >= d.W)
      std::fill_n(dst + kx * cg, cg, 0.0f);
    else
      std::memcpy(dst + kx * cg, src_row + ix * d.C, sizeof(float) * cg);
  }
}

void build_rows_copy_self(const ConvDesc& d, const float* x, float* patches, int threads) {
  const int64_t k = d.reduction(), row_len = d.KW * d.Cg();
  const TapRepetition along_y = tap_repetition(d.SH, d.DH), along_x = tap_repetition(d.SW, d.DW);
  // Kernel rows [0, shared_rows) and, in the others, taps [0, shared_taps) can be derived.
  const int64_t shared_rows = std::max<int64_t>(0, d.KH - along_y.period);
  const int64_t shared_taps = std::max<int64_t>(0, d.KW - along_x.period);
  const int64_t parts = std::min<int64_t>(threads, d.Ho);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t part = 0; part < parts; ++part) {
    const Range rows = split_range(d.Ho, parts, part);
    for (int64_t oy = rows.begin; oy < rows.end; ++oy)
      for (int64_t ox = 0; ox < d.Wo; ++ox) {
        float* patch = patches + (oy * d.Wo + ox) * k;
        int64_t fresh_from = 0;  // first kernel row not derived vertically
        if (shared_rows > 0 && oy - along_y.shift >= rows.begin) {
          const float* above = patches + ((oy - along_y.shift) * d.Wo + ox) * k;
          std::memcpy(patch, above + along_y.period * row_len,
                      sizeof(float) * shared_rows * row_len);
          fresh_from = shared_rows;
        }
        const bool left_exists = shared_taps > 0 && ox >= along_x.shift;
        const float* left = patches + (oy * d.Wo + ox - (left_exists ? along_x.shift : 0)) * k;
        for (int64_t ky = fresh_from; ky < d.KH; ++ky) {
          float* dst = patch + ky * row_len;
          if (left_exists)
            std::memcpy(dst, left + ky * row_len + along_x.period * d.Cg(),
                        sizeof(float) * shared_taps * d.Cg());
          copy_taps_from_input(d, x, oy, ox, ky, left_exists ? shared_taps : 0, dst);
        }
      }
  }
}

}  // namespace

extern const Algorithm kIm2rowCopySelf =
    GEMMCONV_IM2ROW_ALGORITHM("im2row-copy-self", build_rows_copy_self);

}  // namespace gemmconv
