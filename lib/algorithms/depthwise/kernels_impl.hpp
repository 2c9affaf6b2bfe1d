// The depthwise and grouped loops, written once over the vector width V with GCC's vector
// extensions and compiled once per instruction set: each kernels_<isa>.cpp defines
// GEMMCONV_ISA_NS and GEMMCONV_VECTOR_FLOATS and includes this file. Everything here lives in
// that namespace and uses no inline function of another header, so no code compiled for a wider
// ISA can be shared with (and run by) a narrower variant.
//
// Summation order: every output starts from its bias and adds its taps in (ky, kx) order (and,
// grouped, input channel order), the same in every path, so the results do not depend on how
// work is split between threads.
#include <cstdint>
#include <utility>

#include "kernels.hpp"

namespace gemmconv {
namespace GEMMCONV_ISA_NS {
namespace {

constexpr int V = GEMMCONV_VECTOR_FLOATS;
typedef float vec __attribute__((vector_size(V * sizeof(float))));

inline vec load(const float* p) {
  vec v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, vec v) {
  __builtin_memcpy(p, &v, sizeof v);
}
// Every lane s, one broadcast (vec{} + s would add +0.0 to s first, a scalar add in the loops).
template <int... I>
inline vec broadcast_lane0(vec v, std::integer_sequence<int, I...>) {
  return __builtin_shufflevector(v, v, (I * 0)...);
}
inline vec splat(float s) {
  return broadcast_lane0(vec{s}, std::make_integer_sequence<int, V>());
}
inline vec clamp_between(vec v, vec lo, vec hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}
inline vec clamp(vec v, const OutputClamp& c) {
  if (!c.active) return v;
  return clamp_between(v, splat(c.lo), splat(c.hi));
}
inline float clamp(float v, const OutputClamp& c) {
  if (!c.active) return v;
  return v < c.lo ? c.lo : (v > c.hi ? c.hi : v);
}
inline int64_t min64(int64_t a, int64_t b) {
  return a < b ? a : b;
}
inline int64_t max64(int64_t a, int64_t b) {
  return a > b ? a : b;
}
// Floor division for any sign of a, b > 0.
inline int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// The taps [begin, end) along one axis that read a real input index for output o:
// 0 <= o * stride - pad + k * dilation < extent.
struct TapRange {
  int64_t begin, end;
};
inline TapRange valid_taps(int64_t o, int64_t stride, int64_t pad, int64_t dilation, int64_t kernel,
                           int64_t extent) {
  const int64_t first = o * stride - pad;
  const int64_t begin = first >= 0 ? 0 : (-first + dilation - 1) / dilation;
  const int64_t end = min64(kernel, floor_div(extent - 1 - first, dilation) + 1);
  return {begin, max64(begin, end)};
}

// The outputs [begin, end) along one axis whose taps all read real input.
struct OutputRange {
  int64_t begin, end;
};
inline OutputRange interior_outputs(int64_t out_extent, int64_t stride, int64_t pad,
                                    int64_t dilation, int64_t kernel, int64_t extent) {
  const int64_t begin = min64(out_extent, (pad + stride - 1) / stride);
  const int64_t last = floor_div(extent - 1 + pad - (kernel - 1) * dilation, stride);
  return {begin, max64(begin, min64(out_extent, last + 1))};
}

// ---- depthwise, channels-last -------------------------------------------------------------

// The V input lanes of output channels m0..m0+lanes-1 at one pixel: channel m reads input
// channel m / multiplier. Lanes past `lanes` are zero.
template <bool kFull, bool kMultiplierOne>
inline vec input_lanes(const float* pixel, int64_t m0, int64_t lanes, int64_t multiplier) {
  if (kFull && kMultiplierOne) return load(pixel + m0);
  vec v = {};
  for (int64_t l = 0; l < lanes; ++l)
    v[l] = kMultiplierOne ? pixel[m0 + l] : pixel[(m0 + l) / multiplier];
  return v;
}

template <bool kFull>
inline void store_lanes(float* y, vec v, int64_t lanes) {
  if (kFull) {
    store(y, v);
    return;
  }
  for (int64_t l = 0; l < lanes; ++l) y[l] = v[l];
}

// P consecutive output pixels, NB consecutive blocks of channels (NB > 1 only with full
// blocks). x_off is the input offset of the first pixel's tap (0, 0), which may lie in the
// padding: only the taps rows x cols are read. KW and SW > 0 are the kernel width and column
// stride known at compile time (then dilation is 1 and cols are all KW columns); 0 takes them,
// and the dilation, from the job. Few pixels take several blocks, so that enough independent
// sums are in flight to cover the multiply-add latency.
template <int P, int NB, int KW, int SW, bool kFull, bool kMultiplierOne>
inline void depthwise_nhwc_pixels(const DepthwiseNhwcJob& j, const float* w, int64_t m0,
                                  int64_t lanes, int64_t x_off, int64_t y_off, TapRange rows,
                                  TapRange cols) {
  const WindowGeometry& g = j.g;
  const int64_t kw = KW > 0 ? KW : g.KW, sw = SW > 0 ? SW : g.SW, dw = KW > 0 ? 1 : g.DW;
  const int64_t row_step = g.DH * g.W * j.C, block_floats = (g.KH * kw + 1) * V;
  vec acc[NB][P];
  for (int b = 0; b < NB; ++b) {
    const vec bias = load(w + b * block_floats + g.KH * kw * V);
    for (int p = 0; p < P; ++p) acc[b][p] = bias;
  }
  int64_t row = x_off + rows.begin * row_step;
  for (int64_t ky = rows.begin; ky < rows.end; ++ky, row += row_step) {
    auto tap = [&](int64_t kx) {
      for (int b = 0; b < NB; ++b) {
        const vec wv = load(w + b * block_floats + (ky * kw + kx) * V);
        for (int p = 0; p < P; ++p)
          acc[b][p] += wv * input_lanes<kFull, kMultiplierOne>(j.x + row + (p * sw + kx * dw) * j.C,
                                                               m0 + b * V, lanes, j.multiplier);
      }
    };
    if constexpr (KW > 0) {
      for (int kx = 0; kx < KW; ++kx) tap(kx);
    } else {
      for (int64_t kx = cols.begin; kx < cols.end; ++kx) tap(kx);
    }
  }
  for (int b = 0; b < NB; ++b)
    for (int p = 0; p < P; ++p)
      store_lanes<kFull>(j.y + y_off + p * j.M + m0 + b * V, clamp(acc[b][p], j.clamp), lanes);
}

// P consecutive output pixels of row oy from ox on, every block of channels. The block loop is
// innermost: one pixel's channels are contiguous, so inputs, weights and outputs are walked as a
// few contiguous streams (one block's pixels lie C floats apart, and with C a multiple of 1024
// would all share one cache set).
template <int P, int KW, int SW, bool kMultiplierOne>
inline void depthwise_nhwc_all_blocks(const DepthwiseNhwcJob& j, int64_t oy, int64_t ox,
                                      TapRange rows, TapRange cols) {
  constexpr int NB = P == 1 ? 4 : (P == 2 ? 2 : 1);
  const WindowGeometry& g = j.g;
  const int64_t x_off = ((oy * g.SH - g.PT) * g.W + ox * g.SW - g.PL) * j.C;
  const int64_t y_off = (oy * g.Wo + ox) * j.M;
  const int64_t block_floats = (g.KH * g.KW + 1) * V, full_end = j.m_end / V * V;
  const float* w = j.weights + j.m_begin / V * block_floats;
  int64_t m0 = j.m_begin;
  for (; m0 + NB * V <= full_end; m0 += NB * V, w += NB * block_floats)
    depthwise_nhwc_pixels<P, NB, KW, SW, true, kMultiplierOne>(j, w, m0, V, x_off, y_off, rows,
                                                               cols);
  for (; m0 < full_end; m0 += V, w += block_floats)
    depthwise_nhwc_pixels<P, 1, KW, SW, true, kMultiplierOne>(j, w, m0, V, x_off, y_off, rows,
                                                              cols);
  if (m0 < j.m_end)
    depthwise_nhwc_pixels<P, 1, KW, SW, false, kMultiplierOne>(j, w, m0, j.m_end - m0, x_off, y_off,
                                                               rows, cols);
}

// Per output row: border pixels one at a time with their columns checked, interior pixels P at
// a time, then fewer.
template <int KW, int SW, bool kMultiplierOne>
void depthwise_nhwc_rows_for(const DepthwiseNhwcJob& j) {
  const WindowGeometry& g = j.g;
  const OutputRange inner = interior_outputs(g.Wo, g.SW, g.PL, g.DW, g.KW, g.W);
  const TapRange all = {0, g.KW};
  for (int64_t oy = j.row_begin; oy < j.row_end; ++oy) {
    const TapRange rows = valid_taps(oy, g.SH, g.PT, g.DH, g.KH, g.H);
    auto border = [&](int64_t ox) {
      const TapRange cols = valid_taps(ox, g.SW, g.PL, g.DW, g.KW, g.W);
      depthwise_nhwc_all_blocks<1, 0, 0, kMultiplierOne>(j, oy, ox, rows, cols);
    };
    for (int64_t ox = 0; ox < inner.begin; ++ox) border(ox);
    int64_t ox = inner.begin;
    // Eight pixels share most of their input columns at stride 1; at larger strides they share
    // few, and four keep the number of input streams down.
    if (SW == 1)
      for (; ox + 8 <= inner.end; ox += 8)
        depthwise_nhwc_all_blocks<8, KW, SW, kMultiplierOne>(j, oy, ox, rows, all);
    for (; ox + 4 <= inner.end; ox += 4)
      depthwise_nhwc_all_blocks<4, KW, SW, kMultiplierOne>(j, oy, ox, rows, all);
    for (; ox + 2 <= inner.end; ox += 2)
      depthwise_nhwc_all_blocks<2, KW, SW, kMultiplierOne>(j, oy, ox, rows, all);
    for (; ox < inner.end; ++ox)
      depthwise_nhwc_all_blocks<1, KW, SW, kMultiplierOne>(j, oy, ox, rows, all);
    for (ox = inner.end; ox < g.Wo; ++ox) border(ox);
  }
}

// The common kernel widths and strides get their compile-time form; the rest, and multipliers
// above one, the general one.
void depthwise_nhwc_rows(const DepthwiseNhwcJob& j) {
  const WindowGeometry& g = j.g;
  if (j.multiplier != 1) return depthwise_nhwc_rows_for<0, 0, false>(j);
  if (g.DW == 1 && g.KW == 3 && g.SW == 1) return depthwise_nhwc_rows_for<3, 1, true>(j);
  if (g.DW == 1 && g.KW == 3 && g.SW == 2) return depthwise_nhwc_rows_for<3, 2, true>(j);
  if (g.DW == 1 && g.KW == 5 && g.SW == 1) return depthwise_nhwc_rows_for<5, 1, true>(j);
  if (g.DW == 1 && g.KW == 5 && g.SW == 2) return depthwise_nhwc_rows_for<5, 2, true>(j);
  if (g.DW == 1 && g.KW == 7 && g.SW == 1) return depthwise_nhwc_rows_for<7, 1, true>(j);
  depthwise_nhwc_rows_for<0, 0, true>(j);
}

// ---- grouped, channels-last -----------------------------------------------------------------

// Compile-time values for generic lambdas.
template <bool B>
struct Flag {
  static constexpr bool value = B;
};
template <int N>
struct Count {
  static constexpr int value = N;
};

// Output pixels that share their valid taps, evenly spaced in the input and the output: along
// an output row, or down an output column.
struct PixelRun {
  int64_t x_off;        // input offset of the first pixel's tap (0, 0)
  int64_t y_off;        // output offset of the first pixel
  int64_t x_step;       // input distance between the pixels
  int64_t y_step;       // output distance between the pixels
  TapRange rows, cols;  // the taps every pixel of the run reads
};

// The rows of taps one pass over the outputs adds: the first pass starts each sum from the
// bias, the others from the output the pass before stored; the last clamps. A sum goes through
// the same additions in the same order whatever the passes.
struct TapPass {
  int64_t ky_begin, ky_end;
  bool first, last;
};

// P output pixels of a run, NB consecutive blocks of output channels that read the same
// input channels [c0, c0 + channels) (NB > 1 only inside one group at least NB vectors wide):
// per input channel, NB weight vectors and P broadcasts make NB * P multiply-adds; only the
// run's taps rows x cols are read.
template <bool kInLast, bool kOutLast, int P, int NB, bool kFull>
inline void grouped_lanes_pixels(const GroupedLanesJob& j, const float* w, int64_t m0,
                                 int64_t lanes, int64_t c0, int64_t channels, const PixelRun& run,
                                 const TapPass& pass) {
  const int64_t x_off = run.x_off, y_off = run.y_off, pixel_step = run.x_step;
  // The run's rows of taps inside the pass (empty where they do not meet).
  const int64_t ky_begin = max64(run.rows.begin, pass.ky_begin);
  const TapRange rows = {ky_begin, max64(ky_begin, min64(run.rows.end, pass.ky_end))};
  const TapRange cols = run.cols;
  const WindowGeometry& g = j.g;
  const int64_t plane = g.Ho * g.Wo;
  vec acc[NB][P];
  for (int b = 0; b < NB; ++b) {
    if (pass.first) {
      const vec bias = load(w + b * j.block_stride);
      for (int p = 0; p < P; ++p) acc[b][p] = bias;
      continue;
    }
    for (int p = 0; p < P; ++p) {
      const float* y = j.y + y_off + p * run.y_step + (m0 + b * V) * (kOutLast ? 1 : plane);
      vec v = {};
      if (kOutLast && kFull)
        v = load(y);
      else
        for (int64_t l = 0; l < (kFull ? V : lanes); ++l) v[l] = y[l * (kOutLast ? 1 : plane)];
      acc[b][p] = v;
    }
  }
  if constexpr (kOutLast && kFull) {
    // The output lines of the run's next step, asked for with intent to write while this step
    // computes: VGG-19 conv1_1 stores a float per 27 multiply-adds (a 3x3 layer with 64 input
    // channels one per 576), and on planes larger than the caches its stores waited for their
    // lines to come from memory (0.61-0.87x the time with this, the 7x7 stride-2 first layers
    // 0.92-0.95x, other layers unchanged). The addresses are integers: the next step may lie
    // past the output, and a prefetch there does nothing.
    constexpr int64_t kLineBytes = 64;
    const uintptr_t here = reinterpret_cast<uintptr_t>(j.y + y_off + m0);
    const int64_t pixel_bytes = run.y_step * int64_t(sizeof(float));
    for (int p = P; p < 2 * P; ++p)
      for (int64_t f = 0; f < NB * V * int64_t(sizeof(float)); f += kLineBytes)
        __builtin_prefetch(reinterpret_cast<const void*>(here + uintptr_t(p * pixel_bytes + f)), 1);
  }
  // Floats between neighbouring input pixels and between input channels.
  const int64_t x_pixel = kInLast ? j.C : 1, x_channel = kInLast ? 1 : g.H * g.W;
  const int64_t row_step = g.DH * g.W * x_pixel;
  const int64_t row = x_off + rows.begin * row_step + c0 * x_channel;
  // Per input channel: NB weight vectors times P broadcasts, the channels x_channel apart.
  // Channels-last the loop is unrolled by four, the four channels' broadcasts adjacent floats at
  // each pixel (the four networks' NHWC layers side by side: 0.95-0.97x the time with AVX2,
  // 0.975-0.98x with AVX-512); channels-first, each channel a plane away, unrolled it ran the
  // 224x224 and 112x112 layers 1.08-1.39x slower. The body is written out in both loops: as a
  // lambda called from them GCC left it out of line and the sums in memory (3.4x slower).
  auto add_channels = [&](const float* wt, const float* px, int64_t count) {
    if constexpr (kInLast) {
#pragma GCC unroll 4
      for (int64_t c = 0; c < count; ++c) {
        vec wv[NB];
        for (int b = 0; b < NB; ++b) wv[b] = load(wt + b * j.block_stride + c * V);
        for (int p = 0; p < P; ++p) {
          const float xv = px[c + p * pixel_step];
          for (int b = 0; b < NB; ++b) acc[b][p] += wv[b] * xv;
        }
      }
      return;
    }
    for (int64_t c = 0; c < count; ++c, px += x_channel) {
      vec wv[NB];
      for (int b = 0; b < NB; ++b) wv[b] = load(wt + b * j.block_stride + c * V);
      for (int p = 0; p < P; ++p) {
        const float xv = px[p * pixel_step];
        for (int b = 0; b < NB; ++b) acc[b][p] += wv[b] * xv;
      }
    }
  };
  // Channels-last with every input channel in the block and undilated columns: a row of taps
  // reads one run of cols x C floats per pixel, and its weights are one run too, so the row is
  // one loop (a layer with 3 input channels would otherwise loop three times per tap).
  const bool row_is_one_run = kInLast && g.DW == 1 && channels == j.C;
  // Channels-first with two vectors a step, the channels go in parts of about kPartChannels,
  // each over all the taps: the KW taps of a row reread its input lines, one per channel plane, and
  // a part keeps those lines and its weights (32 channels x 9 taps x 2 vectors: 18 KiB) in a
  // 32 KiB L1 between the rereads, where all the channels at once stream 2 vectors of weights
  // and a line per channel through it (VGG-19 conv2_2-conv4_1 with the AVX2 loop 0.80-0.91x the
  // time, side by side; other layers 0.93-1.04x; parts of 16 or 64 channels gained less). The
  // AVX-512 step makes four times the multiply-adds per line read and gains nothing.
  constexpr int64_t kPartChannels = 32;
  const bool in_parts = !kInLast && lanes_wide_step(V) == 2 && cols.end - cols.begin > 1;
  const int64_t parts = in_parts ? (channels + kPartChannels - 1) / kPartChannels : 1;
  for (int64_t part = 0; part < parts; ++part) {
    const int64_t c_begin = channels * part / parts, c_end = channels * (part + 1) / parts;
    const float* x = j.x + row + c_begin * x_channel;
    for (int64_t ky = rows.begin; ky < rows.end; ++ky, x += row_step) {
      const float* wt = w + V + ky * g.KW * channels * V;
      if (row_is_one_run) {
        add_channels(wt + cols.begin * channels * V, x + cols.begin * x_pixel,
                     (cols.end - cols.begin) * channels);
        continue;
      }
      for (int64_t kx = cols.begin; kx < cols.end; ++kx)
        add_channels(wt + (kx * channels + c_begin) * V, x + kx * g.DW * x_pixel, c_end - c_begin);
    }
  }
  if (kOutLast && kFull) {
    // Whole vectors: stored straight from the registers, the clamp decided once per step.
    float* y = j.y + y_off + m0;
    auto store_sums = [&](auto adjust) {
#pragma GCC unroll 16
      for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
        for (int b = 0; b < NB; ++b) store(y + p * run.y_step + b * V, adjust(acc[b][p]));
    };
    if (pass.last && j.clamp.active) {
      const vec lo = splat(j.clamp.lo), hi = splat(j.clamp.hi);
      store_sums([&](vec v) { return clamp_between(v, lo, hi); });
    } else {
      store_sums([](vec v) { return v; });
    }
    return;
  }
  for (int b = 0; b < NB; ++b)
    for (int p = 0; p < P; ++p) {
      const vec v = pass.last ? clamp(acc[b][p], j.clamp) : acc[b][p];
      float* y = j.y + y_off + p * run.y_step;
      if (kOutLast) {
        store_lanes<kFull>(y + m0 + b * V, v, lanes);
      } else {
        for (int64_t l = 0; l < (kFull ? V : lanes); ++l) y[(m0 + b * V + l) * plane] = v[l];
      }
    }
}

constexpr int kWideStep = lanes_wide_step(V);

// The blocks of output channels in order, kWideStep at a time where they share a group's
// inputs, else one: calls step(Count<blocks>, Flag<full>, weights, m0, lanes, c0, channels).
template <int kMaxStep, typename Step>
inline void each_grouped_block(const GroupedLanesJob& j, int64_t m_begin, int64_t m_end,
                               Step&& step) {
  for (int64_t m0 = m_begin; m0 < m_end;) {
    const float* w = j.weights + (m0 / V) * j.block_stride;
    const int64_t lanes = min64(V, j.M - m0);
    const int64_t g_lo = m0 / j.Mg, g_hi = (m0 + lanes - 1) / j.Mg;
    const int64_t c0 = g_lo * j.Cg, channels = (g_hi - g_lo + 1) * j.Cg;
    const int64_t group_end = (g_lo + 1) * j.Mg;
    const bool whole = lanes == V && g_lo == g_hi;
    constexpr int kWide = kMaxStep < kWideStep ? kMaxStep : kWideStep;
    if (kWide > 2 && whole && m0 + kWide * V <= group_end && m0 + kWide * V <= m_end) {
      step(Count<kWide>{}, Flag<true>{}, w, m0, V, c0, channels);
      m0 += kWide * V;
    } else if (whole && m0 + 2 * V <= group_end && m0 + 2 * V <= m_end) {
      step(Count<2>{}, Flag<true>{}, w, m0, V, c0, channels);
      m0 += 2 * V;
    } else {
      if (lanes == V)
        step(Count<1>{}, Flag<true>{}, w, m0, V, c0, channels);
      else
        step(Count<1>{}, Flag<false>{}, w, m0, lanes, c0, channels);
      m0 += V;
    }
  }
}

// Calls step(Count<count>{}) for a count in [1, kMax] known only at run time.
template <int kMax, typename Step>
inline void with_count(int64_t count, Step&& step) {
  if constexpr (kMax > 1) {
    if (count < kMax) return with_count<kMax - 1>(count, step);
  }
  step(Count<kMax>{});
}

// The most pixels a narrow step (two vectors) takes at once below a whole wide step: a row's
// last seven to nine pixels go in one step (up to 18 sums), not as a step of four and one of
// three or fewer. Ten gained nothing over six and four, and eleven ran 2.4x slower than six
// and five (NHWC, skx), so neither is compiled.
constexpr int64_t kNarrowTail = 9;

// Calls step(Count<P>{}, first) over n pixels: steps of kWide (12 or 6) while a whole one fits
// (with steps of 12, a rest of seven to kNarrowTail pixels in one step), the rest in steps of
// six, a last step of one or two pixels (whose few accumulators wait on the multiply-add
// latency) merged with the six before it into two steps of three or four.
template <int kWide, typename Step>
inline void each_pixel_step(int64_t n, Step&& step) {
  int64_t first = 0;
  if constexpr (kWide > 6) {
    for (; n - first >= kWide; first += kWide) step(Count<kWide>{}, first);
    if (n - first > 6 && n - first <= kNarrowTail)
      return with_count<kNarrowTail>(n - first, [&](auto c) { step(c, first); });
  }
  int64_t left = n - first;
  for (; left >= 6 && left != 7 && left != 8; left -= 6, first += 6) step(Count<6>{}, first);
  auto tail = [&](int64_t count) {
    if (count > 0) with_count<6>(count, [&](auto c) { step(c, first); });
    first += count;
  };
  if (left > 6) tail(4);
  tail(n - first);
}

// Output rows [row_begin, row_end) for the output channels [m_begin, m_end): the interior
// columns along each row, the border columns (whose windows cross the left or right padding)
// down the column through the rows that share their row taps, so that border pixels too go up to
// six at a time and read only their real taps.
template <bool kInLast, bool kOutLast, int kPixels, int kMaxBlocks>
void grouped_lanes_sweep(const GroupedLanesJob& j, int64_t m_begin, int64_t m_end,
                         const TapPass& pass) {
  const WindowGeometry& g = j.g;
  const OutputRange inner = interior_outputs(g.Wo, g.SW, g.PL, g.DW, g.KW, g.W);
  auto pixels = [&](auto count, const PixelRun& run) {
    each_grouped_block<kMaxBlocks>(j, m_begin, m_end,
                                   [&](auto blocks, auto full, const float* w, int64_t m0,
                                       int64_t lanes, int64_t c0, int64_t channels) {
                                     constexpr int P = decltype(count)::value,
                                                   NB = decltype(blocks)::value;
                                     constexpr bool kFull = decltype(full)::value;
                                     if constexpr (P > 6 && NB == 1) {
                                       // One vector takes a wide step as two of six: only the
                                       // two-vector step of more than six pixels is compiled.
                                       PixelRun rest = run;
                                       rest.x_off += 6 * run.x_step;
                                       rest.y_off += 6 * run.y_step;
                                       grouped_lanes_pixels<kInLast, kOutLast, 6, 1, kFull>(
                                           j, w, m0, lanes, c0, channels, run, pass);
                                       grouped_lanes_pixels<kInLast, kOutLast, P - 6, 1, kFull>(
                                           j, w, m0, lanes, c0, channels, rest, pass);
                                     } else {
                                       grouped_lanes_pixels<kInLast, kOutLast, P, NB, kFull>(
                                           j, w, m0, lanes, c0, channels, run, pass);
                                     }
                                   });
  };
  auto run_at = [&](int64_t oy, int64_t ox, TapRange rows, TapRange cols, bool down) {
    const int64_t x_pixel = kInLast ? j.C : 1, y_pixel = kOutLast ? j.M : 1;
    PixelRun run;
    run.x_off = ((oy * g.SH - g.PT) * g.W + ox * g.SW - g.PL) * x_pixel;
    run.y_off = (oy * g.Wo + ox) * y_pixel;
    run.x_step = (down ? g.SH * g.W : g.SW) * x_pixel;
    run.y_step = (down ? g.Wo : 1) * y_pixel;
    run.rows = rows;
    run.cols = cols;
    return run;
  };
  for (int64_t oy = j.row_begin; oy < j.row_end; ++oy) {
    const TapRange rows = valid_taps(oy, g.SH, g.PT, g.DH, g.KH, g.H);
    each_pixel_step<kPixels>(inner.end - inner.begin, [&](auto count, int64_t first) {
      pixels(count, run_at(oy, inner.begin + first, rows, {0, g.KW}, false));
    });
  }
  auto column = [&](int64_t ox) {
    const TapRange cols = valid_taps(ox, g.SW, g.PL, g.DW, g.KW, g.W);
    for (int64_t oy = j.row_begin; oy < j.row_end;) {
      const TapRange rows = valid_taps(oy, g.SH, g.PT, g.DH, g.KH, g.H);
      int64_t end = oy + 1;
      for (; end < j.row_end; ++end) {
        const TapRange next = valid_taps(end, g.SH, g.PT, g.DH, g.KH, g.H);
        if (next.begin != rows.begin || next.end != rows.end) break;
      }
      each_pixel_step<kPixels>(end - oy, [&](auto count, int64_t first) {
        pixels(count, run_at(oy + first, ox, rows, cols, true));
      });
      oy = end;
    }
  };
  for (int64_t ox = 0; ox < inner.begin; ++ox) column(ox);
  for (int64_t ox = inner.end; ox < g.Wo; ++ox) column(ox);
}

// One group: the channels that fill wide steps go 6 pixels at a time; the last one to three
// vectors, which a wide step does not fill, go 12 pixels at a time, so that their step keeps
// as many sums in flight (a layer with 96 or 32 output channels). Rows of seven to kNarrowTail
// pixels (7x7 outputs of strided 1x1 layers) go two vectors at a time, a row a step: each
// weight vector read from L2 then feeds the whole row, where wide steps of four and three
// pixels read four vectors for three or four pixels (1x1 layer with 1024 input channels on a
// 7x7 output: 1.25x faster).
template <bool kInLast, bool kOutLast>
void grouped_lanes_channels(const GroupedLanesJob& j, int64_t m_begin, int64_t m_end,
                            const TapPass& pass) {
  if constexpr (kWideStep == 4) {
    const OutputRange inner = interior_outputs(j.g.Wo, j.g.SW, j.g.PL, j.g.DW, j.g.KW, j.g.W);
    const int64_t row = inner.end - inner.begin;
    if (j.Mg == j.M && row > 6 && row <= kNarrowTail) {
      grouped_lanes_sweep<kInLast, kOutLast, 12, 2>(j, m_begin, m_end, pass);
      return;
    }
    if (j.Mg == j.M) {
      const int64_t m_wide = m_begin + (m_end - m_begin) / (4 * V) * (4 * V);
      if (m_wide > m_begin) grouped_lanes_sweep<kInLast, kOutLast, 6, 4>(j, m_begin, m_wide, pass);
      if (m_end > m_wide) grouped_lanes_sweep<kInLast, kOutLast, 12, 2>(j, m_wide, m_end, pass);
      return;
    }
  }
  grouped_lanes_sweep<kInLast, kOutLast, 6, kWideStep>(j, m_begin, m_end, pass);
}

// Output channels go in chunks whose packed weights stay in a core's L2 cache, each chunk over
// all the rows: within a pixel step every block of the chunk reads its pixels' contiguous
// channels, and the weights come from L2 from one step to the next (a whole ResNeXt stage's
// weights would not, nor would a 3x3 layer's with 384 channels: 3.4 MiB). A chunk is whole
// units of lanes_unit(), at least one, so no block or wide step is split. Where one unit's
// weights overflow the L2 block (a wide step of a 3x3 layer with 512 channels: 1.2 MiB), the
// chunk goes over the rows once per pass of the rows of taps that fit, the sums kept in the
// output in between.
template <bool kInLast, bool kOutLast>
void grouped_rows_in_chunks(const GroupedLanesJob& j) {
  constexpr int64_t kChunkWeightBytes = 256 * 1024;
  const LanesUnit u = lanes_unit(j.Mg, V, j.block_stride, j.g.KH, j.l2_weight_bytes);
  const int64_t chunk = max64(1, kChunkWeightBytes / u.pass_bytes) * u.channels;
  for (int64_t m0 = j.m_begin; m0 < j.m_end; m0 += chunk)
    for (int64_t ky = 0; ky < j.g.KH; ky += u.pass_rows) {
      const TapPass pass = {ky, min64(j.g.KH, ky + u.pass_rows), ky == 0,
                            ky + u.pass_rows >= j.g.KH};
      grouped_lanes_channels<kInLast, kOutLast>(j, m0, min64(j.m_end, m0 + chunk), pass);
    }
}

void grouped_lanes_rows(const GroupedLanesJob& j) {
  if (j.input_channels_last && j.output_channels_last)
    grouped_rows_in_chunks<true, true>(j);
  else if (j.input_channels_last)
    grouped_rows_in_chunks<true, false>(j);
  else
    grouped_rows_in_chunks<false, false>(j);
}

// ---- depthwise, channels-first --------------------------------------------------------------

// The even elements of the 2V floats a, b (GCC 12 and clang both have __builtin_shufflevector,
// which wants its indices spelled out).
inline vec even_lanes(vec a, vec b) {
#if GEMMCONV_VECTOR_FLOATS == 16
  return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
#elif GEMMCONV_VECTOR_FLOATS == 8
  return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
#else
  return __builtin_shufflevector(a, b, 0, 2, 4, 6);
#endif
}

// dst[i] = src[2 * i] for i < count, reading no further than src[2 * count - 2].
inline void deinterleave_even(float* dst, const float* src, int64_t count) {
  int64_t i = 0;
  for (; i + V < count; i += V)
    store(dst + i, even_lanes(load(src + 2 * i), load(src + 2 * i + V)));
  for (; i < count; ++i) dst[i] = src[2 * i];
}

// Stages one plane's band of padded input: segment (row slot sr, column slot sc) holds, for
// staged row r, the padded input row (row0 + r) * SH + rp at padded columns (col0 + q) * SW + cp,
// with rp = sr * DH mod SH and cp = sc * DW mod SW; zero where that is padding.
void stage_plane(const float* x, float* stage, int64_t row0, int64_t col0, int64_t row_phases,
                 int64_t col_phases, int64_t staged_rows, int64_t pitch, const WindowGeometry& g) {
  for (int64_t sc = 0; sc < col_phases; ++sc) {
    // Real columns of this phase: 0 <= first + q * SW < W for q in [q0, q1).
    const int64_t first = col0 * g.SW + sc * g.DW % g.SW - g.PL;
    const int64_t q0 = min64(pitch, first >= 0 ? 0 : (-first + g.SW - 1) / g.SW);
    const int64_t q1 = max64(q0, min64(pitch, floor_div(g.W - 1 - first, g.SW) + 1));
    for (int64_t sr = 0; sr < row_phases; ++sr)
      for (int64_t r = 0; r < staged_rows; ++r) {
        float* dst = stage + ((sr * col_phases + sc) * staged_rows + r) * pitch;
        const int64_t iy = (row0 + r) * g.SH + sr * g.DH % g.SH - g.PT;
        if (iy < 0 || iy >= g.H || q1 == q0) {
          for (int64_t q = 0; q < pitch; ++q) dst[q] = 0.0f;
          continue;
        }
        for (int64_t q = 0; q < q0; ++q) dst[q] = 0.0f;
        const float* src = x + iy * g.W + first + q0 * g.SW;  // the first real column
        if (g.SW == 1)
          __builtin_memcpy(dst + q0, src, sizeof(float) * (q1 - q0));
        else if (g.SW == 2)
          deinterleave_even(dst + q0, src, q1 - q0);
        else
          for (int64_t q = q0; q < q1; ++q) dst[q] = src[(q - q0) * g.SW];
        for (int64_t q = q1; q < pitch; ++q) dst[q] = 0.0f;
      }
  }
}

void stage_band(const DepthwiseNchwJob& j) {
  stage_plane(j.x, j.stage, j.row0, j.col0, j.row_phases, j.col_phases, j.staged_rows, j.pitch,
              j.g);
}

// Output (r, c) of the band is flat position r * pitch + c; tap t adds weight t times the staged
// value at taps[t] + that position. P vectors of positions from i on.
template <int P>
inline void nchw_positions(const DepthwiseNchwJob& j, const float* w, float bias, int64_t i) {
  vec acc[P];
  for (int p = 0; p < P; ++p) acc[p] = splat(bias);
  for (int64_t ky = 0; ky < j.g.KH; ++ky)
    for (int64_t kx = 0; kx < j.g.KW; ++kx) {
      const vec wv = splat(w[ky * j.g.KW + kx]);
      const float* s = j.stage + j.row_taps[ky] + j.col_taps[kx] + i;
      for (int p = 0; p < P; ++p) acc[p] += wv * load(s + p * V);
    }
  for (int p = 0; p < P; ++p) store(j.band + i + p * V, acc[p]);
}

// What every band of a thread shares: the zero slack after the staged input (staging never
// writes there).
void depthwise_nchw_prepare(const DepthwiseNchwJob& j) {
  float* slack = j.stage + j.row_phases * j.col_phases * j.staged_rows * j.pitch;
  for (int64_t i = 0; i < kNchwSlackFloats; ++i) slack[i] = 0.0f;
}

void depthwise_nchw_band(const DepthwiseNchwJob& j) {
  const WindowGeometry& g = j.g;
  stage_band(j);
  const int64_t positions = (j.rows - 1) * j.pitch + j.cols;
  for (int64_t k = 0; k < j.multiplier; ++k) {
    const float* w = j.weights + k * g.KH * g.KW;
    const float bias = j.bias ? j.bias[k] : 0.0f;
    int64_t i = 0;
    for (; i + 4 * V <= positions; i += 4 * V) nchw_positions<4>(j, w, bias, i);
    for (; i < positions; i += V) nchw_positions<1>(j, w, bias, i);
    float* y = j.y + k * g.Ho * g.Wo + j.row0 * g.Wo + j.col0;
    const float* band = j.band;
    const int64_t rows = j.rows, cols = j.cols, pitch = j.pitch, wo = g.Wo;
    if (j.clamp.active) {
      const float lo = j.clamp.lo, hi = j.clamp.hi;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
          const float v = band[r * pitch + c];
          y[r * wo + c] = v < lo ? lo : (v > hi ? hi : v);
        }
    } else {
      for (int64_t r = 0; r < rows; ++r)
        __builtin_memcpy(y + r * wo, band + r * pitch, sizeof(float) * cols);
    }
  }
}

// ---- depthwise, channels-first, by blocks of channels --------------------------------------

// a0 b0 a1 b1 ... over the low halves of a and b, and over the high halves.
inline vec zip_low(vec a, vec b) {
#if GEMMCONV_VECTOR_FLOATS == 16
  return __builtin_shufflevector(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
#elif GEMMCONV_VECTOR_FLOATS == 8
  return __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
#else
  return __builtin_shufflevector(a, b, 0, 4, 1, 5);
#endif
}
inline vec zip_high(vec a, vec b) {
#if GEMMCONV_VECTOR_FLOATS == 16
  return __builtin_shufflevector(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15,
                                 31);
#elif GEMMCONV_VECTOR_FLOATS == 8
  return __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
#else
  return __builtin_shufflevector(a, b, 2, 6, 3, 7);
#endif
}

// Transposes the V x V block r[0..V): log2(V) perfect shuffles of the rows.
inline void transpose(vec* r) {
#pragma GCC unroll 4
  for (int width = 1; width < V; width *= 2) {
    vec t[V];
#pragma GCC unroll 16
    for (int i = 0; i < V / 2; ++i) {
      t[2 * i] = zip_low(r[i], r[i + V / 2]);
      t[2 * i + 1] = zip_high(r[i], r[i + V / 2]);
    }
#pragma GCC unroll 16
    for (int i = 0; i < V; ++i) r[i] = t[i];
  }
}

// stage[r][q][l] = plane l's padded input at row y0 + r, column x0 + q; zero in the padding and
// in lanes past `lanes`. V columns at a time: V rows of V columns, one per plane, transposed.
void nchw_stage_channels(const NchwChannelsJob& j) {
  const int64_t q_lo = min64(j.width, max64(0, -j.x0));
  const int64_t q_hi = max64(q_lo, min64(j.width, j.W - j.x0));
  for (int64_t r = 0; r < j.staged_rows; ++r) {
    const int64_t iy = j.y0 + r;
    float* dst = j.stage + r * j.width * V;
    const bool real_row = iy >= 0 && iy < j.H;
    for (int64_t q0 = 0; q0 < j.width; q0 += V) {
      const int64_t count = min64(V, j.width - q0);
      const int64_t lo = max64(q0, real_row ? q_lo : q0), hi = min64(q0 + V, real_row ? q_hi : q0);
      vec rows[V];
      for (int l = 0; l < V; ++l) {
        rows[l] = vec{};
        if (l >= j.lanes || hi <= lo) continue;
        const float* src = j.x + l * j.plane + iy * j.W + j.x0;
        if (lo == q0 && hi == q0 + V) {
          rows[l] = load(src + q0);
        } else {
          for (int64_t q = lo; q < hi; ++q) rows[l][q - q0] = src[q];
        }
      }
      transpose(rows);
      for (int64_t k = 0; k < count; ++k) store(dst + (q0 + k) * V, rows[k]);
    }
  }
}

// y[l][p] = tile[p][l] for the job's pixels and lanes: V pixels at a time, transposed.
void nchw_store_channels(const NchwChannelsJob& j) {
  for (int64_t p0 = 0; p0 < j.pixels; p0 += V) {
    const int64_t count = min64(V, j.pixels - p0);
    vec rows[V];
    for (int k = 0; k < V; ++k) rows[k] = k < count ? load(j.tile + (p0 + k) * V) : vec{};
    transpose(rows);
    for (int64_t l = 0; l < j.lanes; ++l) {
      float* y = j.y + l * j.plane + p0;
      if (count == V)
        store(y, rows[l]);
      else
        for (int64_t k = 0; k < count; ++k) y[k] = rows[l][k];
    }
  }
}

// V channels by V columns at a time: V rows of V columns, one per plane, transposed.
void nchw_stage_pixels(const NchwPixelsJob& j) {
  const int64_t left = min64(j.PL, j.width), right = min64(j.width, j.PL + j.W);
  for (int64_t r = 0; r < j.rows; ++r) {
    float* dst = j.stage + r * j.width * j.C;
    if (j.row0 + r < 0 || j.row0 + r >= j.H) {
      for (int64_t i = 0; i < j.width * j.C; ++i) dst[i] = 0.0f;
      continue;
    }
    for (int64_t i = 0; i < left * j.C; ++i) dst[i] = 0.0f;
    for (int64_t i = right * j.C; i < j.width * j.C; ++i) dst[i] = 0.0f;
    const float* src = j.x + (j.row0 + r) * j.W;
    for (int64_t c0 = 0; c0 < j.C; c0 += V) {
      const int64_t lanes = min64(V, j.C - c0);
      for (int64_t q0 = 0; q0 < right - j.PL; q0 += V) {
        const int64_t count = min64(V, right - j.PL - q0);
        vec rows[V];
        for (int l = 0; l < V; ++l) {
          rows[l] = vec{};
          if (l >= lanes) continue;
          const float* line = src + (c0 + l) * j.plane + q0;
          if (count == V) {
            rows[l] = load(line);
          } else {
            for (int64_t q = 0; q < count; ++q) rows[l][q] = line[q];
          }
        }
        transpose(rows);
        float* out = dst + (j.PL + q0) * j.C + c0;
        for (int64_t k = 0; k < count; ++k) {
          if (lanes == V) {
            store(out + k * j.C, rows[k]);
          } else {
            for (int64_t l = 0; l < lanes; ++l) out[k * j.C + l] = rows[k][l];
          }
        }
      }
    }
  }
}

#include "grouped_nchw_impl.hpp"

}  // namespace

extern const DepthwiseKernels kKernels = {
    GEMMCONV_ISA,           V,
    depthwise_nhwc_rows,    grouped_lanes_rows,
    depthwise_nchw_prepare, depthwise_nchw_band,
    nchw_stage_channels,    nchw_store_channels,
    nchw_stage_planes,      nchw_stage_pixels,
    grouped_nchw_tile,      kGroupedNchwVectors,
};

}  // namespace GEMMCONV_ISA_NS
}  // namespace gemmconv
