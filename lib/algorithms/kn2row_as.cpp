// kn2row-as (NCHW) and kn2col-as (NHWC), the paper's accumulate-into-output variants: no
// buffer at all. Y first holds the bias (or zero); then each tap's 1x1 GEMM accumulates
// (beta = 1) straight into Y through a view of X offset by the tap's shift; the clamp comes
// last.
//
// Edges, exactly: a tap contributes only to its rectangle of output rows x columns whose input
// is real (TapShift). A flat view of a whole band of rows would wrap from the end of one input
// row into the next, so a band is one GEMM only where the rectangle is whole rows of both
// tensors (dx = 0 and Wo = W: output and input rows line up one to one); otherwise each output
// row of the rectangle is its own GEMM over exactly the valid columns. Padding is never read
// nor added, nothing is subtracted, and BLIS's general strides make every view copy-free.
//
// Threads: output rows are split into one band per thread, each running single-threaded GEMMs
// for all taps on its own rows (disjoint writes, no nesting); with fewer rows than threads the
// rows run in one band on multi-threaded GEMMs instead.
#include <algorithm>
#include <cstdlib>

#include "../blis/gemm.hpp"
#include "../parallel/threads.hpp"
#include "kn2row_family.hpp"

namespace gemmconv {

namespace {

// Each layout provides, for one image and group, `band` (C += A * B over whole output rows
// [oy, oy + rows) of tap t: only for dx = 0 and Wo = W), `row` (the same over output row oy's
// columns [ox, ox + cols)), and `start_rows` / `clamp_rows` (bias, clamp of rows [begin, end)).
// Output rows [begin, end) of one image and group, all taps, on `bt` BLIS threads.
static int64_t knob(const char* name, int64_t def) {
  const char* v = getenv(name);
  return v ? atoll(v) : def;
}

template <typename Gemms>
void accumulate_rows(const ConvDesc& d, const Gemms& gemms, int64_t begin, int64_t end, int bt) {
  static const int64_t mb_knob = knob("AS_MB", 0), tail_knob = knob("AS_TAIL", 0);
  const int64_t mb = mb_knob > 0 ? mb_knob : d.Mg();
  for (int64_t m0 = 0; m0 < d.Mg(); m0 += mb) {
    const int64_t mc = std::min(mb, d.Mg() - m0);
    gemms.start_rows(m0, mc, begin, end);
    for (int64_t t = 0; t < d.taps(); ++t) {
      const TapShift s = tap_shift(d, t);
      const int64_t a = std::max(begin, s.rows.begin), b = std::min(end, s.rows.end);
      if (a >= b || s.cols.begin >= s.cols.end) continue;
      if (s.dx == 0 && d.Wo == d.W) {
        gemms.band(m0, mc, t, s, a, b - a, bt);
      } else {
        const int64_t ncols = s.cols.end - s.cols.begin;
        const int64_t main = tail_knob > 0 ? ncols / tail_knob * tail_knob : ncols;
        if (main > 0)
          for (int64_t oy = a; oy < b; ++oy) gemms.row(m0, mc, t, s, oy, s.cols.begin, main, bt);
        for (int64_t ox = s.cols.begin + main; ox < s.cols.end; ++ox)
          gemms.column(m0, mc, t, s, a, b - a, ox, bt);
      }
    }
    gemms.clamp_rows(m0, mc, begin, end);
  }
}

template <typename Gemms>
void accumulate_image_group(const Plan& plan, const Gemms& gemms) {
  const ConvDesc& d = plan.desc;
  const int threads = plan.threads;
  if (threads == 1 || d.Ho < threads) {
    accumulate_rows(d, gemms, 0, d.Ho, threads);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const Range r = split_range(d.Ho, threads, current_thread_index());
    accumulate_rows(d, gemms, r.begin, r.end, 1);
  }
}

// NCHW: Y_g (M' x Ho*Wo) += F_t (M' x C') * X_g shifted (C' x ...), channel planes apart.
struct NchwGemms {
  const Plan& plan;
  const float* x;  // group g's first input channel plane
  const float* f;  // group g's packed filter [tap][M'][C']
  float* y;        // group g's first output channel plane
  const float* bias;
  int64_t mg, cg, in_plane, out_plane;

  NchwGemms(const Plan& p, const float* input, float* output, int64_t g)
      : plan(p),
        x(input + g * p.desc.Cg() * p.desc.H * p.desc.W),
        f(p.filter.data() + g * p.desc.taps() * p.desc.Mg() * p.desc.Cg()),
        y(output + g * p.desc.Mg() * p.desc.Ho * p.desc.Wo),
        bias(p.has_bias() ? p.bias.data() + g * p.desc.Mg() : nullptr),
        mg(p.desc.Mg()),
        cg(p.desc.Cg()),
        in_plane(p.desc.H * p.desc.W),
        out_plane(p.desc.Ho * p.desc.Wo) {}

  // Channels [m0, m0 + mc) of Y += F_t * X over n pixels at strides xs (input), ys (output).
  void gemm(int64_t m0, int64_t mc, int64_t t, int64_t n, const float* xv, int64_t xs, float* yv,
            int64_t ys, int bt) const {
    sgemm(mc, n, cg, {f + (t * mg + m0) * cg, cg, 1}, {xv, in_plane, xs}, 1.0f,
          {yv + m0 * out_plane, out_plane, ys}, bt);
  }
  void band(int64_t m0, int64_t mc, int64_t t, const TapShift& s, int64_t oy, int64_t rows,
            int bt) const {
    const int64_t w = plan.desc.W;  // == Wo, and dx == 0
    gemm(m0, mc, t, rows * w, x + (oy + s.dy) * w, 1, y + oy * w, 1, bt);
  }
  void row(int64_t m0, int64_t mc, int64_t t, const TapShift& s, int64_t oy, int64_t ox,
           int64_t cols, int bt) const {
    const ConvDesc& d = plan.desc;
    gemm(m0, mc, t, cols, x + (oy + s.dy) * d.W + ox + s.dx, 1, y + oy * d.Wo + ox, 1, bt);
  }
  void column(int64_t m0, int64_t mc, int64_t t, const TapShift& s, int64_t oy, int64_t rows,
              int64_t ox, int bt) const {
    const ConvDesc& d = plan.desc;
    gemm(m0, mc, t, rows, x + (oy + s.dy) * d.W + ox + s.dx, d.W, y + oy * d.Wo + ox, d.Wo, bt);
  }
  void start_rows(int64_t m0, int64_t mc, int64_t begin, int64_t end) const {
    const int64_t wo = plan.desc.Wo;
    for (int64_t m = m0; m < m0 + mc; ++m)
      std::fill(y + m * out_plane + begin * wo, y + m * out_plane + end * wo,
                bias ? bias[m] : 0.0f);
  }
  void clamp_rows(int64_t m0, int64_t mc, int64_t begin, int64_t end) const {
    if (!plan.has_clamp()) return;
    const int64_t wo = plan.desc.Wo;
    for (int64_t m = m0; m < m0 + mc; ++m)
      for (float* v = y + m * out_plane + begin * wo; v < y + m * out_plane + end * wo; ++v)
        *v = plan.clamp(*v);
  }
};

// NHWC: Y_g (Ho*Wo x M') += X_g shifted (... x C') * F_t^T (C' x M'), pixels C or M apart.
struct NhwcGemms {
  const Plan& plan;
  const float* x;  // group g's first channel of input pixel (0, 0)
  const float* f;  // group g's packed filter [tap][C'][M']
  float* y;        // group g's first channel of output pixel (0, 0)
  const float* bias;
  int64_t mg, cg;

  NhwcGemms(const Plan& p, const float* input, float* output, int64_t g)
      : plan(p),
        x(input + g * p.desc.Cg()),
        f(p.filter.data() + g * p.desc.taps() * p.desc.Cg() * p.desc.Mg()),
        y(output + g * p.desc.Mg()),
        bias(p.has_bias() ? p.bias.data() + g * p.desc.Mg() : nullptr),
        mg(p.desc.Mg()),
        cg(p.desc.Cg()) {}

  // Channels [m0, m0 + mc) of Y += X * F_t^T over n pixels at pixel strides xs, ys.
  void gemm(int64_t m0, int64_t mc, int64_t t, int64_t n, const float* xv, int64_t xs, float* yv,
            int64_t ys, int bt) const {
    sgemm(n, mc, cg, {xv, xs, 1}, {f + t * cg * mg + m0, mg, 1}, 1.0f, {yv + m0, ys, 1}, bt);
  }
  void band(int64_t m0, int64_t mc, int64_t t, const TapShift& s, int64_t oy, int64_t rows,
            int bt) const {
    const ConvDesc& d = plan.desc;  // W == Wo, and dx == 0
    gemm(m0, mc, t, rows * d.W, x + (oy + s.dy) * d.W * d.C, d.C, y + oy * d.W * d.M, d.M, bt);
  }
  void row(int64_t m0, int64_t mc, int64_t t, const TapShift& s, int64_t oy, int64_t ox,
           int64_t cols, int bt) const {
    const ConvDesc& d = plan.desc;
    gemm(m0, mc, t, cols, x + ((oy + s.dy) * d.W + ox + s.dx) * d.C, d.C,
         y + (oy * d.Wo + ox) * d.M, d.M, bt);
  }
  void column(int64_t m0, int64_t mc, int64_t t, const TapShift& s, int64_t oy, int64_t rows,
              int64_t ox, int bt) const {
    const ConvDesc& d = plan.desc;
    gemm(m0, mc, t, rows, x + ((oy + s.dy) * d.W + ox + s.dx) * d.C, d.W * d.C,
         y + (oy * d.Wo + ox) * d.M, d.Wo * d.M, bt);
  }
  void start_rows(int64_t m0, int64_t mc, int64_t begin, int64_t end) const {
    const ConvDesc& d = plan.desc;
    for (int64_t p = begin * d.Wo; p < end * d.Wo; ++p) {
      float* pixel = y + p * d.M + m0;
      if (bias)
        std::copy(bias + m0, bias + m0 + mc, pixel);
      else
        std::fill(pixel, pixel + mc, 0.0f);
    }
  }
  void clamp_rows(int64_t m0, int64_t mc, int64_t begin, int64_t end) const {
    if (!plan.has_clamp()) return;
    const ConvDesc& d = plan.desc;
    for (int64_t p = begin * d.Wo; p < end * d.Wo; ++p)
      for (int64_t m = m0; m < m0 + mc; ++m) y[p * d.M + m] = plan.clamp(y[p * d.M + m]);
  }
};

void run_kn2row_as(const Plan& plan, const float* input, float* output, float*) {
  const ConvDesc& d = plan.desc;
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t g = 0; g < d.G; ++g)
      accumulate_image_group(
          plan, NchwGemms(plan, input + n * d.in_image(), output + n * d.out_image(), g));
}

void run_kn2col_as(const Plan& plan, const float* input, float* output, float*) {
  const ConvDesc& d = plan.desc;
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t g = 0; g < d.G; ++g)
      accumulate_image_group(
          plan, NhwcGemms(plan, input + n * d.in_image(), output + n * d.out_image(), g));
}

}  // namespace

// No workspace: the only extra memory is BLIS's own packing buffers, sized by its cache blocks.
extern const Algorithm kKn2rowAs = {
    "kn2row-as", kn2_supports_nchw, no_workspace, pack_filter_tap_m_c, run_kn2row_as, 8,
};
extern const Algorithm kKn2colAs = {
    "kn2col-as", kn2_supports_nhwc, no_workspace, pack_filter_tap_c_m, run_kn2col_as, 8,
};

}  // namespace gemmconv
