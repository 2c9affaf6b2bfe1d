// kn2row-as (NCHW) and kn2col-as (NHWC), the paper's accumulate-into-output variants: no
// buffer at all. Y first holds the bias (or zero); then each tap's 1x1 GEMM accumulates
// (beta = 1) straight into Y through a view of X offset by the tap's shift; the clamp comes
// last. Workspace: none. The only extra memory is BLIS's own packing buffers, sized by its
// cache blocking (KC x MC and KC x NC panels), whatever C, M, H or W.
//
// Edges, exactly: a tap contributes only to its rectangle of output rows x columns whose input
// is real (TapShift). A flat view of a band of rows would wrap from the end of one input row
// into the next, so a band is one GEMM only where the rectangle is whole rows of both tensors
// (dx = 0 and Wo = W: output and input rows line up one to one). Otherwise each output row of
// the rectangle is its own GEMM over exactly its valid columns, and when the pixels run along
// the micro-kernel's vector dimension (NCHW on a row-preferring kernel) the row GEMMs stop at a
// multiple of half the register tile: the last few columns, which BLIS would run on its
// slowest narrow-edge kernels, become one strided GEMM per column down all rows of the band.
// Padding is never read nor added, nothing is subtracted, and every view is copy-free.
//
// Threads: output rows are split into one band per thread, each running single-threaded GEMMs
// for all taps on its own rows (disjoint writes, no nesting); with fewer rows than threads the
// rows run as one band on multi-threaded GEMMs instead.
#include <algorithm>

#include "../../blis/gemm.hpp"
#include "../../parallel/threads.hpp"
#include "../group_driver.hpp"
#include "kn2row_family.hpp"

namespace gemmconv {

namespace {

// Each layout provides, for one image and group, the GEMMs Y += F_t * X-shifted of tap t over
//   band(t, s, oy, rows):        whole output rows [oy, oy + rows) (only when dx = 0, Wo = W),
//   row(t, s, oy, ox, cols):     output row oy, columns [ox, ox + cols),
//   column(t, s, oy, rows, ox):  output column ox, rows [oy, oy + rows),
// and start_rows / clamp_rows (bias, clamp) of output rows [begin, end); `bt` BLIS threads.

// Output rows [begin, end) of one image and group, all taps. Row GEMMs cover a multiple of
// `granule` columns, the rest of each tap's columns go down the band one column at a time.
template <typename Gemms>
void accumulate_rows(const ConvDesc& d, const Gemms& gemms, int64_t begin, int64_t end,
                     int64_t granule, int bt) {
  gemms.start_rows(begin, end, bt);
  for (int64_t t = 0; t < d.taps(); ++t) {
    const TapShift s = tap_shift(d, t);
    const int64_t a = std::max(begin, s.rows.begin), b = std::min(end, s.rows.end);
    if (a >= b || s.cols.begin >= s.cols.end) continue;
    if (s.dx == 0 && d.Wo == d.W) {
      gemms.band(t, s, a, b - a, bt);
      continue;
    }
    const int64_t cols = s.cols.end - s.cols.begin, main = cols - cols % granule;
    if (main > 0)
      for (int64_t oy = a; oy < b; ++oy) gemms.row(t, s, oy, s.cols.begin, main, bt);
    for (int64_t ox = s.cols.begin + main; ox < s.cols.end; ++ox)
      gemms.column(t, s, a, b - a, ox, bt);
  }
  gemms.clamp_rows(begin, end, bt);
}

// `pixels_along_vector`: whether the layout's C has its pixels on the unit-stride side the
// micro-kernel prefers, so that row GEMM widths meet the kernel's vector tile.
template <typename Gemms>
void accumulate_image_group(const Plan& plan, const Gemms& gemms, bool pixels_along_vector) {
  const ConvDesc& d = plan.desc;
  const SgemmTile tile = sgemm_tile();
  const int64_t granule = pixels_along_vector ? std::max<int64_t>(1, tile.vector / 2) : int64_t{1};
  const int threads = plan.team();
  if (threads == 1 || d.Ho < threads) {
    accumulate_rows(d, gemms, 0, d.Ho, granule, threads);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    // One band per requested thread, dealt round the team actually running (all of them to
    // the one thread of a build without OpenMP).
    for (int b = current_thread_index(); b < threads; b += current_team_size()) {
      const Range r = split_range(d.Ho, threads, b);
      accumulate_rows(d, gemms, r.begin, r.end, granule, 1);
    }
  }
}

// NCHW: Y_g (M' x pixels) += F_t (M' x C') * X_g shifted (C' x pixels), channel planes apart.
struct NchwGemms {
  const Plan& plan;
  const ConvDesc& d;
  const float* x;  // group g's first input channel plane
  const float* f;  // group g's packed filter [tap][M'][C']
  float* y;        // group g's first output channel plane
  const float* bias;
  int64_t mg, cg, in_plane, out_plane;

  NchwGemms(const Plan& p, const ImageGroup& ig)
      : plan(p),
        d(p.desc),
        x(ig.x),
        f(ig.filter),
        y(ig.y),
        bias(p.has_bias() ? p.bias.data() + ig.group * d.Mg() : nullptr),
        mg(d.Mg()),
        cg(d.Cg()),
        in_plane(d.H * d.W),
        out_plane(d.Ho * d.Wo) {}

  // n pixels starting at xv / yv, stepping xs / ys.
  void gemm(int64_t t, int64_t n, const float* xv, int64_t xs, float* yv, int64_t ys,
            int bt) const {
    sgemm(mg, n, cg, {f + t * mg * cg, cg, 1}, {xv, in_plane, xs}, 1.0f, {yv, out_plane, ys}, bt);
  }
  void band(int64_t t, const TapShift& s, int64_t oy, int64_t rows, int bt) const {
    gemm(t, rows * d.W, x + (oy + s.dy) * d.W, 1, y + oy * d.W, 1, bt);  // W == Wo, dx == 0
  }
  void row(int64_t t, const TapShift& s, int64_t oy, int64_t ox, int64_t cols, int bt) const {
    gemm(t, cols, x + (oy + s.dy) * d.W + ox + s.dx, 1, y + oy * d.Wo + ox, 1, bt);
  }
  void column(int64_t t, const TapShift& s, int64_t oy, int64_t rows, int64_t ox, int bt) const {
    gemm(t, rows, x + (oy + s.dy) * d.W + ox + s.dx, d.W, y + oy * d.Wo + ox, d.Wo, bt);
  }
  void start_rows(int64_t begin, int64_t end, int) const {
    for (int64_t m = 0; m < mg; ++m)
      std::fill(y + m * out_plane + begin * d.Wo, y + m * out_plane + end * d.Wo,
                bias ? bias[m] : 0.0f);
  }
  void clamp_rows(int64_t begin, int64_t end, int) const {
    if (!plan.has_clamp()) return;
    for (int64_t m = 0; m < mg; ++m)
      for (float* v = y + m * out_plane + begin * d.Wo; v < y + m * out_plane + end * d.Wo; ++v)
        *v = plan.clamp(*v);
  }
};

// NHWC: Y_g (pixels x M') += X_g shifted (pixels x C') * F_t^T (C' x M'), pixels C or M apart.
struct NhwcGemms {
  const Plan& plan;
  const ConvDesc& d;
  const float* x;  // group g's first channel of input pixel (0, 0)
  const float* f;  // group g's packed filter [tap][C'][M']
  float* y;        // group g's first channel of output pixel (0, 0)
  const float* bias;
  int64_t mg, cg;

  NhwcGemms(const Plan& p, const ImageGroup& ig)
      : plan(p),
        d(p.desc),
        x(ig.x),
        f(ig.filter),
        y(ig.y),
        bias(p.has_bias() ? p.bias.data() + ig.group * d.Mg() : nullptr),
        mg(d.Mg()),
        cg(d.Cg()) {}

  // n pixels starting at input pixel xp / output pixel yp, stepping xs / ys pixels.
  void gemm(int64_t t, int64_t n, int64_t xp, int64_t xs, int64_t yp, int64_t ys, int bt) const {
    sgemm(n, mg, cg, {x + xp * d.C, xs * d.C, 1}, {f + t * cg * mg, mg, 1}, 1.0f,
          {y + yp * d.M, ys * d.M, 1}, bt);
  }
  void band(int64_t t, const TapShift& s, int64_t oy, int64_t rows, int bt) const {
    gemm(t, rows * d.W, (oy + s.dy) * d.W, 1, oy * d.W, 1, bt);  // W == Wo, dx == 0
  }
  void row(int64_t t, const TapShift& s, int64_t oy, int64_t ox, int64_t cols, int bt) const {
    gemm(t, cols, (oy + s.dy) * d.W + ox + s.dx, 1, oy * d.Wo + ox, 1, bt);
  }
  void column(int64_t t, const TapShift& s, int64_t oy, int64_t rows, int64_t ox, int bt) const {
    gemm(t, rows, (oy + s.dy) * d.W + ox + s.dx, d.W, oy * d.Wo + ox, d.Wo, bt);
  }
  void start_rows(int64_t begin, int64_t end, int) const {
    for (int64_t p = begin * d.Wo; p < end * d.Wo; ++p) {
      float* pixel = y + p * d.M;
      if (bias)
        std::copy(bias, bias + mg, pixel);
      else
        std::fill(pixel, pixel + mg, 0.0f);
    }
  }
  void clamp_rows(int64_t begin, int64_t end, int) const {
    if (!plan.has_clamp()) return;
    for (int64_t p = begin * d.Wo; p < end * d.Wo; ++p)
      for (int64_t m = 0; m < mg; ++m) y[p * d.M + m] = plan.clamp(y[p * d.M + m]);
  }
};

void run_kn2row_as(const Plan& plan, const float* input, float* output, float*) {
  const ConvDesc& d = plan.desc;
  // C = Y_g (M' x pixels) has unit stride along pixels.
  const bool pixels_along_vector = sgemm_tile().prefers_rows;
  for_each_image_group(plan, input, output, d.taps() * d.Mg() * d.Cg(), [&](const ImageGroup& ig) {
    accumulate_image_group(plan, NchwGemms(plan, ig), pixels_along_vector);
  });
}

void run_kn2col_as(const Plan& plan, const float* input, float* output, float*) {
  const ConvDesc& d = plan.desc;
  // C = Y_g (pixels x M') has unit stride along channels.
  const bool pixels_along_vector = !sgemm_tile().prefers_rows;
  for_each_image_group(plan, input, output, d.taps() * d.Cg() * d.Mg(), [&](const ImageGroup& ig) {
    accumulate_image_group(plan, NhwcGemms(plan, ig), pixels_along_vector);
  });
}

}  // namespace

// Workspace: 0 bytes, for any shape and thread count (no_workspace).
extern const Algorithm kKn2rowAs = {
    "kn2row-as", kn2_supports_nchw, no_workspace, pack_filter_tap_m_c, run_kn2row_as,
};
extern const Algorithm kKn2colAs = {
    "kn2col-as", kn2_supports_nhwc, no_workspace, pack_filter_tap_c_m, run_kn2col_as,
};

}  // namespace gemmconv
