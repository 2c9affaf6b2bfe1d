// The tiled algorithms' work sharing and pixel packing on their own, below the public API and
// without a convolution around them: Tiling::thread_items must give every work item to exactly
// one thread of any team, and the packed pixel panels must hold what a naive im2col of the input
// puts there, in both layouts, with padding, strides and dilations, on the micro-kernel BLIS
// runs in this process (BLIS_ARCH_TYPE chooses it), with every instruction-set variant of the
// packing loops the CPU has. Built against the internal headers and linked with the library's
// own objects.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

// Before cmocka.h, which defines a macro fail() that would clash with gemmconv::fail().
#include "../lib/algorithms/tiled/own_kernels.hpp"
#include "../lib/algorithms/tiled/pack_pixels.hpp"
#include "../lib/algorithms/tiled/tiling.hpp"
#include "../lib/blis/microkernel.hpp"
#include "../lib/conv/desc.hpp"

// cmocka.h needs these first.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

// This cmocka.h has no extern "C" guard of its own.
extern "C" {
#include <cmocka.h>
}

namespace {

using gemmconv::ConvDesc;
using gemmconv::Layout;
using gemmconv::PixelPacking;
using gemmconv::Range;
using gemmconv::Tiling;

// A convolution as the tests write it: everything but the derived sizes.
struct Shape {
  const char* what;
  Layout layout;
  int64_t N, G, C, M, H, W, KH, KW, SH, SW, DH, DW, PT, PB, PL, PR;
};

ConvDesc desc_of(const Shape& s) {
  ConvDesc d;
  d.layout = s.layout;
  d.N = s.N;
  d.G = s.G;
  d.C = s.C;
  d.M = s.M;
  d.H = s.H;
  d.W = s.W;
  d.KH = s.KH;
  d.KW = s.KW;
  d.SH = s.SH;
  d.SW = s.SW;
  d.DH = s.DH;
  d.DW = s.DW;
  d.PT = s.PT;
  d.PB = s.PB;
  d.PL = s.PL;
  d.PR = s.PR;
  gemmconv::finalize_desc(d);
  return d;
}

// Output extent from the definition, independently of the library's.
int64_t extent(int64_t in, int64_t pad_begin, int64_t pad_end, int64_t k, int64_t s, int64_t d) {
  return (in + pad_begin + pad_end - d * (k - 1) - 1) / s + 1;
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

const gemmconv::MicroKernel& kernel() {
  return gemmconv::micro_kernel();
}

// -- Work sharing -------------------------------------------------------------------------------

const Shape kShareShapes[] = {
    {"tiny: one pixel panel", Layout::NCHW, 1, 1, 3, 4, 7, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"56x56, 2 images: many pixel blocks", Layout::NCHW, 2, 1, 16, 40, 56, 56, 3, 3, 1, 1, 1, 1, 1,
     1, 1, 1},
    {"30x33, 3 images, 2 groups", Layout::NHWC, 3, 2, 8, 26, 30, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"4 groups of 25 channels, stride 2", Layout::NCHW, 1, 4, 8, 100, 17, 19, 3, 3, 2, 2, 1, 1, 1,
     1, 1, 1},
    {"1x1, 256 channels", Layout::NHWC, 1, 1, 64, 256, 28, 28, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
    {"7x7 planes, 512 channels", Layout::NCHW, 2, 1, 32, 512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"45x47, 5 images", Layout::NHWC, 5, 1, 3, 7, 45, 47, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2},
    {"31x29 NCHW, 3 images, 3 groups", Layout::NCHW, 3, 3, 3, 9, 31, 29, 3, 3, 1, 1, 1, 1, 1, 1, 1,
     1},
};

// What thread_items weighs an item by: the panel count of its pixel block.
int64_t item_weight(const Tiling& t, int64_t item) {
  return t.block_panel_count(item / t.channel_panels % t.pixel_blocks);
}

// The tiling's sizes against the shape, and its blocks: consecutive, covering every pixel
// panel once, balanced to one panel.
void check_tiling_sizes(const Shape& s, const Tiling& t, int threads) {
  const int64_t ho = extent(s.H, s.PT, s.PB, s.KH, s.SH, s.DH);
  const int64_t wo = extent(s.W, s.PL, s.PR, s.KW, s.SW, s.DW);
  const gemmconv::MicroKernel& k = kernel();
  assert_int_equal(t.pixels, ho * wo);
  assert_int_equal(t.channels, s.M / s.G);
  assert_int_equal(t.reduction, s.C / s.G * s.KH * s.KW);
  assert_true((t.pixel_width == k.mr && t.channel_width == k.nr) ||
              (t.pixel_width == k.nr && t.channel_width == k.mr));
  assert_int_equal(t.pixel_panels, ceil_div(ho * wo, t.pixel_width));
  assert_int_equal(t.channel_panels, ceil_div(s.M / s.G, t.channel_width));
  assert_true(t.pixel_blocks >= 1 && t.pixel_blocks <= t.pixel_panels);
  int64_t next = 0, smallest = std::numeric_limits<int64_t>::max(), largest = 0;
  for (int64_t b = 0; b < t.pixel_blocks; ++b) {
    assert_int_equal(t.block_first_panel(b), next);
    const int64_t count = t.block_panel_count(b);
    smallest = std::min(smallest, count);
    largest = std::max(largest, count);
    next += count;
  }
  assert_int_equal(next, t.pixel_panels);
  assert_true(smallest >= 1 && largest - smallest <= 1 && largest == t.block_panels);
  assert_int_equal(t.items, s.N * s.G * t.pixel_blocks * t.channel_panels);
  assert_true(t.threads >= 1 && t.threads <= std::max(threads, 1) && t.threads <= t.items);
}

// Every item in exactly one thread's range, and each thread's work (items weighted by their
// block's panels) within one item, and the share's rounding, of an equal share.
void check_team(const Shape& s, const Tiling& t, int team) {
  std::vector<int> owners(static_cast<std::size_t>(t.items), 0);
  int64_t total = 0, heaviest = 0;
  for (int64_t item = 0; item < t.items; ++item) {
    total += item_weight(t, item);
    heaviest = std::max(heaviest, item_weight(t, item));
  }
  for (int i = 0; i < team; ++i) {
    const Range r = t.thread_items(i, team);
    if (r.begin < 0 || r.begin > r.end || r.end > t.items)
      fail_msg("%s, team of %d: thread %d gets [%lld, %lld) of %lld items", s.what, team, i,
               (long long)r.begin, (long long)r.end, (long long)t.items);
    int64_t work = 0;
    for (int64_t item = r.begin; item < r.end; ++item) {
      ++owners[static_cast<std::size_t>(item)];
      work += item_weight(t, item);
    }
    const double share = double(total) / team;
    if (double(work) < share - double(heaviest) - 1 || double(work) > share + double(heaviest) + 1)
      fail_msg("%s, team of %d: thread %d has %lld of %lld panels of work", s.what, team, i,
               (long long)work, (long long)total);
  }
  for (int64_t item = 0; item < t.items; ++item)
    if (owners[static_cast<std::size_t>(item)] != 1)
      fail_msg("%s, team of %d: item %lld of %lld belongs to %d threads", s.what, team,
               (long long)item, (long long)t.items, owners[static_cast<std::size_t>(item)]);
}

void thread_shares_cover_every_item_once(void** state) {
  (void)state;
  const int thread_counts[] = {1, 2, 3, 4, 5, 7, 8, 16, 64};
  bool uneven_blocks = false;
  for (const Shape& s : kShareShapes) {
    const ConvDesc d = desc_of(s);
    for (int threads : thread_counts) {
      const Tiling t = gemmconv::make_tiling(d, kernel(), threads);
      check_tiling_sizes(s, t, threads);
      // Every team the plan can run on: OpenMP may grant fewer threads than the tiling uses.
      for (int team = 1; team <= t.threads; ++team) check_team(s, t, team);
      uneven_blocks |= t.pixel_blocks > 1 && t.pixel_panels % t.pixel_blocks != 0;
    }
  }
  // Items of unequal weight are what the sharing has to balance: the shapes must include some.
  assert_true(uneven_blocks);
}

// -- Pixel packing ------------------------------------------------------------------------------

// The "several reduction blocks" shapes reduce over 75 * 9 = 675 rows: more than the KC of every
// kernel tested (256 haswell, 384 skx, 640 cortexa57).

const Shape kPackShapes[] = {
    {"NCHW long rows, asymmetric padding, 2 images, 2 groups", Layout::NCHW, 2, 2, 6, 4, 5, 70, 3,
     3, 1, 1, 1, 1, 1, 2, 0, 1},
    {"NCHW long rows, stride 2, dilation 2", Layout::NCHW, 1, 1, 3, 5, 9, 150, 3, 3, 2, 2, 2, 2, 2,
     1, 3, 2},
    {"NCHW long rows, several reduction blocks", Layout::NCHW, 1, 1, 75, 8, 4, 66, 3, 3, 1, 1, 1, 1,
     1, 1, 1, 1},
    {"NCHW small planes, 2 images", Layout::NCHW, 2, 1, 4, 7, 9, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
    {"NCHW small planes, stride, dilation, asymmetric padding, 2 groups", Layout::NCHW, 1, 2, 6, 6,
     11, 12, 3, 2, 2, 1, 1, 3, 0, 2, 3, 1},
    {"NCHW small planes, several reduction blocks", Layout::NCHW, 1, 1, 75, 8, 9, 10, 3, 3, 1, 1, 1,
     1, 1, 1, 1, 1},
    {"NCHW 1-wide kernel, no padding (flat)", Layout::NCHW, 2, 2, 4, 6, 12, 13, 3, 1, 1, 1, 2, 1, 0,
     0, 0, 0},
    {"NCHW 1x1 stride 2", Layout::NCHW, 2, 1, 5, 3, 10, 70, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
    {"NCHW 40x40: several pixel blocks", Layout::NCHW, 1, 1, 3, 8, 40, 40, 3, 3, 1, 1, 1, 1, 1, 1,
     1, 1},
    {"NHWC stride, dilation, asymmetric padding, 2 images, 2 groups", Layout::NHWC, 2, 2, 6, 4, 7,
     9, 3, 3, 2, 1, 1, 2, 1, 0, 2, 1},
    {"NHWC several reduction blocks", Layout::NHWC, 1, 1, 75, 8, 7, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1,
     1},
    {"NHWC 1x1 stride 2", Layout::NHWC, 1, 1, 5, 3, 10, 10, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
    {"NHWC 40x40: several pixel blocks", Layout::NHWC, 1, 1, 3, 8, 40, 40, 3, 3, 1, 1, 1, 1, 1, 1,
     1, 1},
    {"NCHW long rows, 3 channels, 11x11 stride 4", Layout::NCHW, 1, 1, 3, 4, 15, 300, 11, 11, 4, 4,
     1, 1, 0, 0, 0, 0},
    {"NCHW long rows, stride 3, padding", Layout::NCHW, 1, 1, 4, 4, 12, 200, 3, 3, 3, 3, 1, 1, 1, 1,
     1, 1},
    {"NHWC 3 channels, 7x7 stride 2, padding 3: filter rows as runs", Layout::NHWC, 1, 1, 3, 8, 20,
     21, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3},
    {"NHWC 5 channels, 5x5 stride 4, small plane", Layout::NHWC, 1, 1, 5, 4, 9, 11, 5, 5, 4, 4, 1,
     1, 2, 2, 2, 2},
    {"NHWC 19 channels, stride 3, column dilation 2", Layout::NHWC, 2, 1, 19, 4, 13, 14, 3, 3, 3, 3,
     1, 2, 2, 1, 2, 1},
    {"NHWC 24 channels: runs no multiple of a vector", Layout::NHWC, 1, 1, 24, 4, 10, 12, 3, 3, 1,
     1, 1, 1, 1, 1, 1, 1},
    {"NHWC 7 channels, 9x9, 2 reduction blocks cutting filter rows", Layout::NHWC, 1, 1, 7, 4, 14,
     15, 9, 9, 1, 1, 1, 1, 4, 4, 4, 4},
    {"NHWC 2 groups of 3 channels, 5x5", Layout::NHWC, 1, 2, 6, 4, 11, 12, 5, 5, 1, 1, 1, 1, 2, 2,
     2, 2},
};

// Element (k, p) of the patch matrix of image n and group g, from the definition: reduction
// index k in the layout's order ((c, ky, kx) in NCHW, (ky, kx, c) in NHWC), output pixel p,
// zero in the padding and for pixels past the image.
float im2col(const Shape& s, const std::vector<float>& input, int64_t n, int64_t g, int64_t k,
             int64_t p) {
  const int64_t ho = extent(s.H, s.PT, s.PB, s.KH, s.SH, s.DH);
  const int64_t wo = extent(s.W, s.PL, s.PR, s.KW, s.SW, s.DW);
  if (p >= ho * wo) return 0.0f;
  const int64_t cg = s.C / s.G, oy = p / wo, ox = p % wo;
  int64_t c, ky, kx;
  if (s.layout == Layout::NCHW) {
    c = k / (s.KH * s.KW);
    ky = k / s.KW % s.KH;
    kx = k % s.KW;
  } else {
    c = k % cg;
    ky = k / cg / s.KW;
    kx = k / cg % s.KW;
  }
  const int64_t iy = oy * s.SH - s.PT + ky * s.DH, ix = ox * s.SW - s.PL + kx * s.DW;
  if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W) return 0.0f;
  const int64_t ch = g * cg + c;
  const int64_t at = s.layout == Layout::NCHW ? ((n * s.C + ch) * s.H + iy) * s.W + ix
                                              : ((n * s.H + iy) * s.W + ix) * s.C + ch;
  return input[static_cast<std::size_t>(at)];
}

// A thread's workspace, 64-byte aligned, filled with NaN before every packing: an element the
// packing does not write cannot equal what im2col puts there.
struct Workspace {
  explicit Workspace(std::size_t bytes)
      : floats((bytes + 63) / 64 * 16),
        data(static_cast<float*>(std::aligned_alloc(64, floats * sizeof(float)))) {
    assert_non_null(data);
  }
  ~Workspace() { std::free(data); }
  void poison() { std::fill(data, data + floats, std::numeric_limits<float>::quiet_NaN()); }
  std::size_t floats;
  float* data;
};

// Stands for an own kernel's function in records whose tiles are only packed, never computed.
void never_called(int64_t, int64_t, int64_t, const float*, const float*, float, float*, int64_t,
                  int64_t) {
  fail_msg("a packing test called a micro-kernel");
}

// A kernel record with an own kernel's tile, 16 * 48 / nr channels by nr pixels, and BLIS's
// blocking: what the own kernels' tilings are made from (an own kernel takes the pixels on its
// NR side in both layouts).
gemmconv::MicroKernel own_tile_of_width(int64_t nr) {
  gemmconv::MicroKernel k = kernel();
  k.mr = k.packmr = 16 * 48 / nr / 16 * 16;
  k.nr = k.packnr = nr;
  k.kc = 2 * k.kc;
  k.prefers_cols = false;
  k.own = never_called;
  k.arch = nr == 7 ? "own-shaped 48x7" : "own-shaped 32x14";
  return k;
}

// Packs every reduction block of every pixel block of every image and group with the packing
// loops of `isa`, and compares each panel element (k, i) with im2col.
void check_packing(const Shape& s, const gemmconv::MicroKernel& kernel, gemmconv::Isa isa,
                   PixelPacking* seen_mode) {
  const ConvDesc d = desc_of(s);
  Tiling t = gemmconv::make_tiling(d, kernel, 1);
  t.pack_kernels = &gemmconv::pack_kernels(isa);
  *seen_mode = t.packing;
  // Input values are their index + 1: exact in float, never zero, so that a read of the wrong
  // element, or a zero where an element belongs, shows.
  std::vector<float> input(static_cast<std::size_t>(s.N * s.C * s.H * s.W));
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = float(i + 1);
  assert_true(input.size() < (std::size_t{1} << 24));
  Workspace ws(t.thread_bytes);
  const gemmconv::ThreadScratch scratch = t.scratch(ws.data, 0);
  const bool nchw = s.layout == Layout::NCHW;
  const int64_t cg = s.C / s.G, pw = t.pixel_width;
  for (int64_t n = 0; n < s.N; ++n)
    for (int64_t g = 0; g < s.G; ++g) {
      const float* x = input.data() + n * d.in_image() + g * cg * (nchw ? s.H * s.W : 1);
      for (int64_t b = 0; b < t.pixel_blocks; ++b) {
        const gemmconv::PixelBlock block{t.block_first_panel(b), t.block_panel_count(b)};
        for (int64_t k0 = 0; k0 < t.reduction; k0 += t.kc) {
          const int64_t kb = std::min(t.kc, t.reduction - k0);
          ws.poison();
          if (nchw)
            gemmconv::pack_pixels_nchw(d, t, input.data(), x, block, k0, kb, scratch);
          else
            gemmconv::pack_pixels_nhwc(d, t, x, block, k0, kb, scratch);
          for (int64_t q = 0; q < block.panels; ++q)
            for (int64_t k = 0; k < kb; ++k)
              for (int64_t i = 0; i < pw; ++i) {
                const float got = scratch.pack[q * t.panel_floats + k * t.pixel_pack + i];
                const int64_t p = (block.first_panel + q) * pw + i;
                const float want = im2col(s, input, n, g, k0 + k, p);
                if (!(got == want))
                  fail_msg(
                      "%s (%s, %s, pixel panel width %lld, kc %lld): image %lld group %lld, k "
                      "%lld, pixel %lld: packed %g, im2col %g",
                      s.what, kernel.arch, gemmconv::isa_name(isa), (long long)pw, (long long)t.kc,
                      (long long)n, (long long)g, (long long)(k0 + k), (long long)p, (double)got,
                      (double)want);
              }
        }
      }
    }
}

void packed_panels_are_im2col(void** state) {
  (void)state;
  bool modes[4] = {false, false, false, false};
  bool several_blocks = false, several_k_blocks[2] = {false, false};
  // Every variant of the packing loops this CPU runs (GEMMCONV_MAX_ISA lowers the ceiling), for
  // BLIS's kernel and for the own kernels' tiles (pixels 7 and 14 wide, on the B side) whether
  // or not this CPU runs those kernels: the packing is the same code.
  const gemmconv::Isa best = gemmconv::selected_isa();
  for (const Shape& s : kPackShapes) {
    PixelPacking mode = PixelPacking::Rows;
    for (gemmconv::Isa isa : {gemmconv::Isa::Baseline, gemmconv::Isa::Avx2, gemmconv::Isa::Avx512})
      if (static_cast<int>(isa) <= static_cast<int>(best)) {
        check_packing(s, kernel(), isa, &mode);
        PixelPacking own_mode = mode;
        for (int64_t nr : {7, 14}) check_packing(s, own_tile_of_width(nr), isa, &own_mode);
      }
    modes[static_cast<int>(mode)] = true;
    const Tiling t = gemmconv::make_tiling(desc_of(s), kernel(), 1);
    several_blocks |= t.pixel_blocks > 1;
    several_k_blocks[s.layout == Layout::NHWC] |= t.kc < t.reduction;
  }
  // The shapes reach every packing mode, several pixel blocks and, in both layouts, several
  // reduction blocks, on whatever kernel this is.
  static const char* const names[] = {"rows", "flat", "staged", "channels"};
  for (int m = 0; m < 4; ++m)
    if (!modes[m]) fail_msg("packing mode %s not reached (%s kernel)", names[m], kernel().arch);
  assert_true(several_blocks && several_k_blocks[0] && several_k_blocks[1]);
}

// -- The own micro-kernels ---------------------------------------------------------------------

// Each own kernel of this CPU against a naive product, for every tile edge (m < MR, n < NR),
// reductions of 1 to past one unrolled step, beta 0 and 1 (C then holds values), and C stored
// both ways (pixels contiguous, as in NCHW, and channels contiguous); outputs outside the
// m x n tile are never written.
void own_kernels_match_naive_gemm(void** state) {
  (void)state;
  const gemmconv::OwnKernelTable table = gemmconv::own_kernel_table(gemmconv::selected_isa());
  if (table.count == 0) {
    std::printf("no own micro-kernels for %s here\n", gemmconv::isa_name(gemmconv::selected_isa()));
    skip();
  }
  for (int s = 0; s < table.count; ++s) {
    const gemmconv::OwnKernelShape& shape = table.shapes[s];
    const int64_t mr = shape.mr, nr = shape.nr;
    for (int64_t k : {1, 2, 7, 100})
      for (int64_t m : {int64_t(1), mr - 1, mr})
        for (int64_t n : {int64_t(1), nr - 1, nr})
          for (float beta : {0.0f, 1.0f})
            for (bool pixels_unit : {true, false}) {
              std::vector<float> a(std::size_t(mr * k)), b(std::size_t(nr * k));
              for (std::size_t i = 0; i < a.size(); ++i) a[i] = float(int(i % 13) - 6) / 8.0f;
              for (std::size_t i = 0; i < b.size(); ++i) b[i] = float(int(i % 7) - 3) / 4.0f;
              // C with a gap between rows and columns: (i, j) at i * rs + j * cs.
              const int64_t rs = pixels_unit ? nr + 3 : 1, cs = pixels_unit ? 1 : mr + 5;
              const std::size_t c_size = std::size_t((mr + 1) * (nr + 3) * (mr + 5));
              std::vector<float> c(c_size), start(c_size);
              for (std::size_t i = 0; i < c.size(); ++i) start[i] = c[i] = float(i % 5) - 2.0f;
              shape.function(m, n, k, a.data(), b.data(), beta, c.data(), rs, cs);
              std::vector<float> want = start;
              for (int64_t i = 0; i < m; ++i)
                for (int64_t j = 0; j < n; ++j) {
                  double sum = beta == 0.0f ? 0.0 : double(start[std::size_t(i * rs + j * cs)]);
                  for (int64_t p = 0; p < k; ++p)
                    sum += double(a[std::size_t(p * mr + i)]) * double(b[std::size_t(p * nr + j)]);
                  want[std::size_t(i * rs + j * cs)] = float(sum);
                }
              for (std::size_t i = 0; i < c.size(); ++i)
                if (c[i] != want[i])  // exact: every product and partial sum is a short binary
                  fail_msg("%s: m %lld n %lld k %lld beta %g %s: C[%zu] %g, want %g", shape.name,
                           (long long)m, (long long)n, (long long)k, (double)beta,
                           pixels_unit ? "pixels contiguous" : "channels contiguous", i,
                           (double)c[i], (double)want[i]);
            }
  }
}

// Where an own kernel's panels fill much better than those of a column-preferring BLIS kernel
// with an MR of 16 or more (skx's 32x12: NCHW pixels go on its MR side, NHWC pixels on its 12-wide
// NR side; the layers test_tiled's small_planes_own_kernels computes), tiled takes it on a CPU
// that has it.
void own_kernels_chosen_for_small_planes(void** state) {
  (void)state;
  const bool have =
      !gemmconv::own_micro_kernels().empty() && kernel().prefers_cols && kernel().mr >= 16;
  const int64_t planes[][3] = {{7, 7, 190}, {6, 9, 192}, {14, 14, 158}, {2, 13, 128}};
  for (const auto& p : planes) {
    const Shape s = {
        "small plane", Layout::NCHW, 1, 1, 100, p[2], p[0], p[1], 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
    const gemmconv::MicroKernel& k = gemmconv::tiled_kernel(desc_of(s), 1);
    if (have && k.own == nullptr)
      fail_msg("%lldx%lld plane, M %lld: tiled-nchw runs %s", (long long)p[0], (long long)p[1],
               (long long)p[2], k.arch);
  }
  // At 2 threads the 7x7 plane's 4 channel panels of 48 would leave each thread's packed pixel
  // panels to 2 of them: BLIS's kernel. With 600 channels (13 panels) at 3 threads: the own one.
  const Shape seven = {"7x7", Layout::NCHW, 1, 1, 100, 190, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  assert_null(gemmconv::tiled_kernel(desc_of(seven), 2).own);
  Shape wide = seven;
  wide.M = 600;
  if (have) assert_non_null(gemmconv::tiled_kernel(desc_of(wide), 3).own);
  // In NHWC a 7x7 plane fills 49 of 60 pixels on a 12-wide side, all 49 on the own 7-wide one.
  const Shape nhwc = {"7x7 NHWC", Layout::NHWC, 1, 1, 100, 190, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  if (have && kernel().nr == 12) assert_non_null(gemmconv::tiled_kernel(desc_of(nhwc), 1).own);
  // A 28x28 plane fills BLIS's panels almost as well (784 of 800 pixels) but with a reduction of
  // 512 x 9 the own kernel is taken when filling as much; with 128 x 9 it is not.
  const Shape deep = {"28x28", Layout::NCHW, 1, 1, 512, 512, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  if (have) assert_non_null(gemmconv::tiled_kernel(desc_of(deep), 1).own);
  Shape shallow = deep;
  shallow.C = 128;
  assert_null(gemmconv::tiled_kernel(desc_of(shallow), 1).own);
  // A 56x56 plane with 64 channels: BLIS's panels are less filled, but two channel panels would
  // share each pixel panel: BLIS's kernel.
  const Shape big = {"56x56", Layout::NCHW, 1, 1, 64, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  assert_null(gemmconv::tiled_kernel(desc_of(big), 1).own);
}

}  // namespace

int main() {
  const gemmconv::MicroKernel& k = kernel();
  std::printf(
      "micro-kernel %s: MR %lld, NR %lld, KC %lld, MC %lld, PACKMR %lld, PACKNR %lld, "
      "prefers %s\n",
      k.arch, (long long)k.mr, (long long)k.nr, (long long)k.kc, (long long)k.mc,
      (long long)k.packmr, (long long)k.packnr, k.prefers_cols ? "columns" : "rows");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(thread_shares_cover_every_item_once),
      cmocka_unit_test(packed_panels_are_im2col),
      cmocka_unit_test(own_kernels_match_naive_gemm),
      cmocka_unit_test(own_kernels_chosen_for_small_planes),
  };
  return cmocka_run_group_tests_name("tiling_units", tests, nullptr, nullptr);
}
