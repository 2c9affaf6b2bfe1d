// kn2row-aa (NCHW) and kn2col-aa (NHWC), the paper's accumulating variants: the taps' 1x1 GEMMs
// run one at a time through a single M' x H x W buffer that is shift-added into Y, instead of
// kn2row's buffer for all taps at once.
//
// Taps of one kernel column (same kx) differ only by whole rows of shift, and a whole-row shift
// of a flat row-major view never wraps. So the buffer holds output rows x input columns and
// accumulates (beta = 1) the KH taps of a kernel column straight from row-offset views of X;
// one shift-add pass per kernel column then moves the sum sideways into Y: KW passes over Y
// instead of KH*KW, the same memory. Output rows are taken H at a time, the buffer's height.
#include <algorithm>

#include "../../base/checked.hpp"
#include "../../blis/gemm.hpp"
#include "../group_driver.hpp"
#include "kn2row_family.hpp"
#include "shift_add.hpp"

namespace gemmconv {

namespace {

// M'*H*W floats: one kernel column's partial sum for H output rows of one image and group.
std::size_t one_tap_bytes(const ConvDesc& d, int, std::size_t) {
  return float_bytes(checked_product(std::size_t(d.Mg()), d.H, d.W));
}

// For output rows [c0, c1) of one image and group, per kernel column kx that reaches them:
// gemm(ky, kx, row range, beta) accumulates tap (ky, kx) into the buffer's rows for those output
// rows, zero(row range) clears buffer rows no tap of the column wrote inside its span, and
// pass(kx, chunk, span, role) shift-adds the span into Y (kx < 0: no source, just bias and
// clamp for a chunk that only sees padding).
template <typename Gemm, typename Zero, typename Pass>
void accumulate_chunk(const ConvDesc& d, IndexRange chunk, Gemm gemm, Zero zero, Pass pass) {
  const auto rows_of = [&](int64_t ky, int64_t kx) {
    const IndexRange r = tap_shift(d, ky, kx).rows;
    return IndexRange{std::max(r.begin, chunk.begin), std::min(r.end, chunk.end)};
  };
  const auto reaches = [&](int64_t kx) {
    if (tap_shift(d, 0, kx).cols.begin >= tap_shift(d, 0, kx).cols.end) return false;
    for (int64_t ky = 0; ky < d.KH; ++ky)
      if (rows_of(ky, kx).begin < rows_of(ky, kx).end) return true;
    return false;
  };
  int64_t last = -1;
  for (int64_t kx = 0; kx < d.KW; ++kx)
    if (reaches(kx)) last = kx;
  if (last < 0) {
    pass(-1, IndexRange{0, 0}, PassRole{true, true});
    return;
  }
  bool first = true;
  for (int64_t kx = 0; kx <= last; ++kx) {
    if (!reaches(kx)) continue;
    // The rows of tap (ky, kx) move up as ky grows (the shift dy grows), so the rows written so
    // far are one span [lo, hi) and each new tap extends it upwards.
    int64_t lo = 0, hi = 0;
    for (int64_t ky = 0; ky < d.KH; ++ky) {
      const IndexRange r = rows_of(ky, kx);
      if (r.begin >= r.end) continue;
      if (lo == hi) {
        gemm(ky, kx, r, 0.0f);
        lo = r.begin;
        hi = r.end;
        continue;
      }
      if (r.begin < lo) gemm(ky, kx, IndexRange{r.begin, std::min(r.end, lo)}, 0.0f);
      if (r.end < lo) zero(IndexRange{r.end, lo});
      if (r.end > lo) gemm(ky, kx, IndexRange{std::max(r.begin, lo), r.end}, 1.0f);
      lo = std::min(lo, r.begin);
    }
    pass(kx, IndexRange{lo, hi}, PassRole{first, kx == last});
    first = false;
  }
}

template <typename Gemm, typename Zero, typename Pass>
void accumulate_columns(const ConvDesc& d, Gemm gemm, Zero zero, Pass pass) {
  for (int64_t c0 = 0; c0 < d.Ho; c0 += d.H) {
    const IndexRange chunk{c0, std::min(d.Ho, c0 + d.H)};
    accumulate_chunk(
        d, chunk,
        [&](int64_t ky, int64_t kx, IndexRange r, float beta) { gemm(chunk, ky, kx, r, beta); },
        [&](IndexRange r) { zero(chunk, r); },
        [&](int64_t kx, IndexRange span, PassRole role) { pass(chunk, kx, span, role); });
  }
}

void run_kn2row_aa(const Plan& plan, const float* input, float* output, float* z) {
  const ConvDesc& d = plan.desc;
  const int64_t pixels = d.H * d.W, cg = d.Cg(), mg = d.Mg();
  for_each_image_group(plan, input, output, d.taps() * mg * cg, [&](const ImageGroup& ig) {
    const float* x = ig.x;
    const float* f = ig.filter;
    float* y = ig.image_y;
    const int64_t g = ig.group;
    accumulate_columns(
        d,
        [&](IndexRange chunk, int64_t ky, int64_t kx, IndexRange r, float beta) {
          // Z rows (M' x rows*W) (+)= F_t (M' x C') * X_g input rows r + dy (C' x rows*W)
          const int64_t t = ky * d.KW + kx, iy = r.begin + tap_shift(d, ky, kx).dy;
          sgemm(mg, (r.end - r.begin) * d.W, cg, {f + t * mg * cg, cg, 1},
                {x + iy * d.W, pixels, 1}, beta, {z + (r.begin - chunk.begin) * d.W, pixels, 1},
                plan.team());
        },
        [&](IndexRange chunk, IndexRange r) {
          for (int64_t m = 0; m < mg; ++m)
            std::fill(z + m * pixels + (r.begin - chunk.begin) * d.W,
                      z + m * pixels + (r.end - chunk.begin) * d.W, 0.0f);
        },
        [&](IndexRange chunk, int64_t kx, IndexRange span, PassRole role) {
          const TapShift s = kx < 0 ? TapShift{} : tap_shift(d, 0, kx);
          const ShiftedSource source{z, -chunk.begin, s.dx, span, s.cols};
          shift_add_nchw(
              plan, g, pixels, kx < 0 ? 0 : 1, [&](int64_t) { return source; }, role, chunk, y);
        });
  });
}

void run_kn2col_aa(const Plan& plan, const float* input, float* output, float* z) {
  const ConvDesc& d = plan.desc;
  const int64_t cg = d.Cg(), mg = d.Mg();
  for_each_image_group(plan, input, output, d.taps() * cg * mg, [&](const ImageGroup& ig) {
    const float* x = ig.x;
    const float* f = ig.filter;
    float* y = ig.image_y;
    const int64_t g = ig.group;
    accumulate_columns(
        d,
        [&](IndexRange chunk, int64_t ky, int64_t kx, IndexRange r, float beta) {
          // Z rows (rows*W x M') (+)= X_g input rows r + dy (rows*W x C') * F_t^T (C' x M')
          const int64_t t = ky * d.KW + kx, iy = r.begin + tap_shift(d, ky, kx).dy;
          sgemm((r.end - r.begin) * d.W, mg, cg, {x + iy * d.W * d.C, d.C, 1},
                {f + t * cg * mg, mg, 1}, beta, {z + (r.begin - chunk.begin) * d.W * mg, mg, 1},
                plan.team());
        },
        [&](IndexRange chunk, IndexRange r) {
          std::fill(z + (r.begin - chunk.begin) * d.W * mg, z + (r.end - chunk.begin) * d.W * mg,
                    0.0f);
        },
        [&](IndexRange chunk, int64_t kx, IndexRange span, PassRole role) {
          const TapShift s = kx < 0 ? TapShift{} : tap_shift(d, 0, kx);
          const ShiftedSource source{z, -chunk.begin, s.dx, span, s.cols};
          shift_add_nhwc(
              plan, g, mg, kx < 0 ? 0 : 1, [&](int64_t) { return source; }, role, chunk, y);
        });
  });
}

}  // namespace

extern const Algorithm kKn2rowAa = {
    "kn2row-aa", kn2_supports_nchw, one_tap_bytes, pack_filter_tap_m_c, run_kn2row_aa,
};
extern const Algorithm kKn2colAa = {
    "kn2col-aa", kn2_supports_nhwc, one_tap_bytes, pack_filter_tap_c_m, run_kn2col_aa,
};

}  // namespace gemmconv
