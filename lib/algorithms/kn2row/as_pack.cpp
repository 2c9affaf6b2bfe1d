#include "as_pack.hpp"

#include <algorithm>

#include "../../base/checked.hpp"
#include "../tiled/copy_runs.hpp"

namespace gemmconv {

void pack_as_filter(Plan& plan, const AsTiling& t, const FilterView& filter) {
  const ConvDesc& d = plan.desc;
  const int64_t cw = t.channel_width, cp = t.channel_pack, mg = d.Mg();
  // Zeroed slack keeps the kernel's loads past the last panel inside the plan's memory.
  const std::size_t packed = checked_mul(std::size_t(d.G), std::size_t(t.group_filter_floats()));
  const std::size_t slack = kMicroKernelReadAhead / sizeof(float);
  plan.filter = AlignedBuffer(checked_add(packed, slack));
  float* base = plan.filter.data();
  std::fill(base + packed, base + packed + slack, 0.0f);
  for (int64_t g = 0; g < d.G; ++g)
    for (int64_t tap = 0; tap < t.taps; ++tap)
      for (int64_t k0 = 0; k0 < t.reduction; k0 += t.kc)
        for (int64_t panel = 0; panel < t.channel_panels; ++panel) {
          float* out = base + t.filter_offset(g, tap, k0, panel);
          for (int64_t c = k0; c < k0 + t.block_rows(k0); ++c)
            for (int64_t j = 0; j < cp; ++j) {
              const int64_t m = panel * cw + j;
              *out++ = j < cw && m < mg ? filter.at(g * mg + m, c, tap / d.KW, tap % d.KW) : 0.0f;
            }
        }
}

int64_t cut_panel(const ConvDesc& d, const TapRect& r, int64_t first, int64_t count,
                  PanelRun* runs) {
  int64_t n = 0, row = first / r.cols, col = first % r.cols;
  for (int64_t i = 0; i < count; ++row, col = 0) {
    const int64_t oy = r.row0 + row, ox = r.col0 + col, len = std::min(r.cols - col, count - i);
    runs[n++] = {i, len, (oy + r.dy) * d.W + ox + r.dx, oy * d.Wo + ox};
    i += len;
  }
  return n;
}

namespace {

// How far ahead, in pixels, the packing asks for the input: the kb channel planes a panel reads
// are too many streams for the hardware prefetcher, so the next panel's rows are requested
// while this one is copied.
constexpr int64_t kPrefetchPixels = 32;

template <int kWidth>
void pack_runs_nchw(const ConvDesc& d, const AsTiling& t, const float* x, int64_t kb,
                    const PanelRun* runs, int64_t run_count, float* panel) {
  const int64_t plane = d.H * d.W, pp = t.pixel_pack;
  const PanelRun& last = runs[run_count - 1];
  const float* next = x + last.source + last.len;
  for (int64_t k = 0; k < kb; ++k) {
    const float* xk = x + k * plane;
    float* dst = panel + k * pp;
    __builtin_prefetch(next + k * plane + kPrefetchPixels - 16);
    __builtin_prefetch(next + k * plane + kPrefetchPixels);
    for (int64_t n = 0; n < run_count; ++n)
      copy_short<kWidth>(dst + runs[n].column, xk + runs[n].source, runs[n].len);
  }
}

}  // namespace

void pack_panel_nchw(const ConvDesc& d, const AsTiling& t, const float* x, int64_t k0, int64_t kb,
                     const PanelRun* runs, int64_t run_count, int64_t count, float* panel) {
  const float* xk0 = x + k0 * d.H * d.W;
  with_panel_width(t.pixel_width, [&](auto width) {
    pack_runs_nchw<decltype(width)::value>(d, t, xk0, kb, runs, run_count, panel);
  });
  zero_panel_tail(panel, kb, t.pixel_pack, count);
}

namespace {

// Pixels transposed at a time: one source pointer each.
constexpr int64_t kGatherPixels = 64;

template <int kWidth>
void gather_nhwc(const float* const* src, int64_t width, int64_t kb, int64_t pp, float* panel) {
  const int64_t w = kWidth > 0 ? kWidth : width;
  for (int64_t k = 0; k < kb; ++k, panel += pp)
    for (int64_t i = 0; i < w; ++i) panel[i] = src[i][k];
}

}  // namespace

void pack_panel_nhwc(const ConvDesc& d, const AsTiling& t, const float* x, int64_t k0, int64_t kb,
                     const PanelRun* runs, int64_t run_count, int64_t count, float* panel) {
  const float* src[kGatherPixels];
  int64_t filled = 0, column = 0;  // src[0, filled) are the pixels of columns from `column`
  auto flush = [&] {
    if (filled == t.pixel_width) {
      with_panel_width(filled, [&](auto width) {
        gather_nhwc<decltype(width)::value>(src, filled, kb, t.pixel_pack, panel + column);
      });
    } else {
      gather_nhwc<0>(src, filled, kb, t.pixel_pack, panel + column);
    }
    column += filled;
    filled = 0;
  };
  for (int64_t n = 0; n < run_count; ++n)
    for (int64_t i = 0; i < runs[n].len; ++i) {
      src[filled++] = x + (runs[n].source + i) * d.C + k0;
      if (filled == kGatherPixels) flush();
    }
  if (filled > 0) flush();
  zero_panel_tail(panel, kb, t.pixel_pack, count);
}

}  // namespace gemmconv
