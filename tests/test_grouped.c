/* Grouped convolutions, and what is specific to grouped-nhwc and grouped-nchw (any number of
   groups, one included, any C/G and M/G, each in its layout). Parameter sweeps one or two fields
   at a time around a small base case (XNNPACK style); each case runs through every algorithm that
   supports it, in both layouts and both filter layouts, against the reference, and must also have
   run the layout's grouped algorithm, so that an UNSUPPORTED cannot pass for a success. Then what
   their contract adds: bit-identical results for any thread count, a workspace bound per thread
   (16 KiB for grouped-nhwc; grouped-nchw's staged band and partial sums, 320 KiB), checked on
   every case and on real layers, an execute that allocates nothing. The instruction set is chosen
   at run time: tests/meson.build runs this file again with GEMMCONV_MAX_ISA=avx2 and =baseline. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_count.h"
#include "harness.h"

/* The workspace each thread may take: the loop with output channels across the lanes
   (grouped-nhwc, and channels-nchw on channels-first tensors), and grouped-nchw. */
enum { LANES_WORKSPACE_PER_THREAD = 16 * 1024, NCHW_WORKSPACE_PER_THREAD = 320 * 1024 };

/* The grouped algorithm of a layout, and the workspace it may take per thread. */
static gemmconv_algo grouped_algo(gemmconv_layout layout) {
  return algo_named(layout == GEMMCONV_LAYOUT_NHWC ? "grouped-nhwc" : "grouped-nchw");
}
static size_t grouped_workspace_bound(gemmconv_layout layout) {
  return layout == GEMMCONV_LAYOUT_NHWC ? LANES_WORKSPACE_PER_THREAD : NCHW_WORKSPACE_PER_THREAD;
}

/* G groups of cg input and mg output channels each, NHWC/OHWI, 9 x 10 input, 3x3 kernel,
   stride 1, padding 1, one thread (check_grouped adds three). */
static conv_case grouped_case(uint32_t groups, uint32_t cg, uint32_t mg) {
  conv_case c = base_case();
  case_layouts(&c, GEMMCONV_LAYOUT_NHWC, GEMMCONV_FILTER_OHWI);
  case_channels(&c, groups, groups * cg, groups * mg);
  case_input(&c, 9, 10);
  c.threads = 1;
  return c;
}

/* The layout's grouped algorithm must run and match (and keep to its workspace bound), on the
   case's threads and on three; then every algorithm, AUTO included, against the reference on
   the case's threads. Only the grouped algorithms get the extra threads: the GEMM algorithms
   enter a parallel region per group, which costs a scheduler time slice per group on a machine
   busy with other tests. */
static void check_grouped(const conv_case* c) {
  check_runs_on_1_and_3_threads(c, grouped_algo(c->desc.layout),
                                grouped_workspace_bound(c->desc.layout));
  check_case(c);
}

/* Both activation layouts with both filter layouts (which differ whenever C/G > 1). */
static void sweep(conv_case c) {
  for_each_layout(c, check_grouped);
}

/* -- Sweeps ----------------------------------------------------------------------------------- */

static void base(void** state) {
  (void)state;
  sweep(grouped_case(3, 2, 3));
}

/* Channels per group on both sides from 1 to 33: below, at and past every vector width, and
   M/G both larger and smaller than C/G; each pair with two group counts, the first running
   through 2..8. */
static void channels_per_group(void** state) {
  (void)state;
  const uint32_t cm[][2] = {{1, 1},  {2, 3},   {4, 4},  {5, 7},  {8, 8}, {16, 16},
                            {17, 9}, {32, 32}, {33, 2}, {3, 1},  {1, 6}, {9, 17},
                            {2, 33}, {24, 24}, {8, 1},  {1, 16}, {7, 8}, {15, 17}};
  for (size_t i = 0; i < sizeof cm / sizeof cm[0]; ++i) {
    const uint32_t g = 2 + (uint32_t)(i % 7);
    const uint32_t groups[] = {g, g == 8 ? 3 : 8};
    for (int j = 0; j < 2; ++j) {
      conv_case c = grouped_case(groups[j], cm[i][0], cm[i][1]);
      c.desc.in_height = 6;
      c.desc.in_width = 7;
      sweep(c);
    }
  }
}

static void group_counts(void** state) {
  (void)state;
  for (uint32_t g = 2; g <= 8; ++g) sweep(grouped_case(g, 3, 5));
  sweep(grouped_case(16, 4, 4));
  sweep(grouped_case(32, 4, 4)); /* ResNeXt's cardinality */
  sweep(grouped_case(64, 2, 2));
}

/* C/G = 1: depthwise convolutions are grouped ones too. */
static void one_channel_per_group(void** state) {
  (void)state;
  for (uint32_t mult = 1; mult <= 3; ++mult) {
    sweep(grouped_case(16, 1, mult));
    sweep(grouped_case(17, 1, mult));
  }
}

/* One group: grouped-nhwc is then a direct convolution vectorised over output channels, as
   on first layers (C = 3) and on 1x1 layers. */
static void one_group(void** state) {
  (void)state;
  const uint32_t cm[][2] = {{1, 1},  {3, 32},  {3, 64},  {2, 17},
                            {5, 33}, {16, 16}, {17, 48}, {33, 7}};
  for (size_t i = 0; i < sizeof cm / sizeof cm[0]; ++i) sweep(grouped_case(1, cm[i][0], cm[i][1]));
  conv_case c = grouped_case(1, 3, 32); /* MobileNet's first layer, smaller */
  c.desc.in_height = c.desc.in_width = 16;
  c.desc.stride_height = c.desc.stride_width = 2;
  case_pads(&c, 0, 1, 0, 1);
  c.with_bias = 1;
  sweep(c);
}

/* Groups wide enough that grouped-nhwc and channels-nchw cut their output channels into chunks
   whose weights fit a core's L2 (a wide step of vectors each here: 64 channels of a 3x3 layer
   with 256 input channels), the last chunk partial; a group of 96 cut inside (64 + 32); 9x9
   planes, whose border columns go down the column in runs of rows. With 384 input channels a
   wide step's weights (864 KiB) overflow BLIS's L2 block on every kernel (at most 720 KiB, skx),
   so the rows of taps go in passes, the sums kept in the output between them: with a clamp,
   which only the last pass may apply. Only the two algorithms that run that loop, on 1 and 3
   threads (the sweeps run every algorithm on such shapes at smaller widths). */
static void wide_groups_in_chunks(void** state) {
  (void)state;
  const uint32_t gcm[][3] = {{1, 256, 160}, {2, 192, 96}, {1, 384, 80}};
  for (size_t i = 0; i < sizeof gcm / sizeof gcm[0]; ++i) {
    conv_case c = grouped_case(gcm[i][0], gcm[i][1], gcm[i][2]);
    c.desc.in_height = c.desc.in_width = 9;
    c.with_bias = 1;
    if (i == 2) {
      c.output_min = -0.5f;
      c.output_max = 0.5f;
    }
    check_runs_on_1_and_3_threads(&c, grouped_algo(GEMMCONV_LAYOUT_NHWC),
                                  LANES_WORKSPACE_PER_THREAD);
    case_layouts(&c, GEMMCONV_LAYOUT_NCHW, GEMMCONV_FILTER_OIHW);
    check_runs_on_1_and_3_threads(&c, algo_named("channels-nchw"), LANES_WORKSPACE_PER_THREAD);
  }
}

/* 1x1 layers with unit stride and no padding run as rows of up to 256 pixels that divide the
   plane: planes whose pixel count is prime, a square, above 256, with a batch; and the 1x1
   layers that keep their rows (padded, strided). */
static void one_by_one_rows(void** state) {
  (void)state;
  const uint32_t hw[][2] = {{7, 7},   {1, 13},  {13, 1},  {13, 13}, {3, 200},
                            {16, 20}, {17, 19}, {23, 23}, {2, 3}};
  for (size_t i = 0; i < sizeof hw / sizeof hw[0]; ++i) {
    conv_case c = grouped_case(1, 9, 40);
    c.desc.in_height = hw[i][0];
    c.desc.in_width = hw[i][1];
    c.desc.kernel_height = c.desc.kernel_width = 1;
    case_pads(&c, 0, 0, 0, 0);
    c.desc.batch = i % 2 ? 2 : 1;
    c.with_bias = i % 3 == 0;
    sweep(c);
  }
  conv_case c = grouped_case(2, 8, 24);
  c.desc.in_height = c.desc.in_width = 14;
  c.desc.kernel_height = c.desc.kernel_width = 1;
  case_pads(&c, 0, 0, 0, 0);
  sweep(c);
  case_pads(&c, 1, 0, 0, 1);
  sweep(c);
  case_pads(&c, 0, 0, 0, 0);
  c.desc.stride_width = 2;
  sweep(c);
}

/* Rows of every length from 1 to 20 interior pixels: the pixel steps of six and twelve and the
   shorter steps that end a row, with output channels that fill no wide step (33) and that fill
   one with a vector left over (80; rows of seven to nine pixels then go two vectors a step). */
static void row_lengths(void** state) {
  (void)state;
  const uint32_t outputs[] = {33, 80};
  for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; ++i)
    for (uint32_t w = 1; w <= 20; ++w) {
      conv_case c = grouped_case(1, 3, outputs[i]);
      c.desc.in_height = 3;
      c.desc.in_width = w;
      c.desc.kernel_height = c.desc.kernel_width = 1;
      case_pads(&c, 0, 0, 0, 0);
      c.desc.stride_height = 2; /* keeps the rows as they are */
      sweep(c);
    }
}

static void kernel_sizes(void** state) {
  (void)state;
  const uint32_t k[] = {1, 2, 3, 5, 7};
  for (size_t i = 0; i < sizeof k / sizeof k[0]; ++i) {
    conv_case c = grouped_case(3, 5, 7);
    c.desc.in_height = 11;
    c.desc.in_width = 12;
    c.desc.kernel_height = c.desc.kernel_width = k[i];
    case_same_padding(&c);
    sweep(c);
  }
}

static void non_square_kernels(void** state) {
  (void)state;
  const uint32_t shapes[][2] = {{1, 3}, {3, 1}, {5, 2}, {2, 5}, {1, 7}};
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i) {
    conv_case c = grouped_case(4, 4, 3);
    c.desc.in_height = c.desc.in_width = 11;
    c.desc.kernel_height = shapes[i][0];
    c.desc.kernel_width = shapes[i][1];
    case_pads(&c, shapes[i][0] / 2, 0, 0, shapes[i][1] / 2);
    sweep(c);
  }
}

static void strides(void** state) {
  (void)state;
  const uint32_t s[][2] = {{2, 2}, {2, 1}, {1, 3}, {3, 3}};
  for (size_t i = 0; i < sizeof s / sizeof s[0]; ++i) {
    conv_case c = grouped_case(3, 5, 7);
    c.desc.in_height = 13;
    c.desc.in_width = 14;
    c.desc.stride_height = s[i][0];
    c.desc.stride_width = s[i][1];
    sweep(c);
  }
  conv_case c = grouped_case(4, 8, 8); /* strided 1x1, as in a downsampling shortcut */
  c.desc.kernel_height = c.desc.kernel_width = 1;
  c.desc.stride_height = c.desc.stride_width = 2;
  case_pads(&c, 0, 0, 0, 0);
  sweep(c);
}

static void dilations(void** state) {
  (void)state;
  const uint32_t d[][2] = {{2, 2}, {3, 1}, {1, 3}};
  for (size_t i = 0; i < sizeof d / sizeof d[0]; ++i) {
    conv_case c = grouped_case(3, 5, 7);
    c.desc.in_height = 13;
    c.desc.in_width = 14;
    c.desc.dilation_height = d[i][0];
    c.desc.dilation_width = d[i][1];
    case_pads(&c, d[i][0], d[i][0], d[i][1], d[i][1]);
    sweep(c);
  }
}

static void padding(void** state) {
  (void)state;
  for (int side = 0; side < 4; ++side)
    for (uint32_t p = 1; p <= 2; ++p) {
      conv_case c = grouped_case(3, 2, 3);
      case_pads(&c, side == 0 ? p : 0, side == 1 ? p : 0, side == 2 ? p : 0, side == 3 ? p : 0);
      sweep(c);
    }
  const uint32_t pads[][4] = {{2, 0, 1, 3}, {0, 3, 2, 0}, {0, 0, 0, 0}, {4, 3, 5, 4}};
  for (size_t i = 0; i < sizeof pads / sizeof pads[0]; ++i) {
    conv_case c = grouped_case(3, 5, 7);
    case_pads(&c, pads[i][0], pads[i][1], pads[i][2], pads[i][3]);
    sweep(c);
  }
}

static void planes(void** state) {
  (void)state;
  const uint32_t hw[][2] = {{1, 1}, {1, 9}, {9, 1}, {2, 17}, {28, 28}};
  for (size_t i = 0; i < sizeof hw / sizeof hw[0]; ++i) {
    conv_case c = grouped_case(3, 5, 7);
    c.desc.in_height = hw[i][0];
    c.desc.in_width = hw[i][1];
    sweep(c);
  }
  conv_case c = grouped_case(4, 4, 4);
  c.desc.in_height = c.desc.in_width = 56;
  c.desc.stride_height = c.desc.stride_width = 2;
  case_pads(&c, 0, 1, 0, 1);
  sweep(c);
}

static void batch(void** state) {
  (void)state;
  conv_case c = grouped_case(3, 5, 7);
  c.desc.batch = 3;
  sweep(c);
}

static void bias(void** state) {
  (void)state;
  conv_case c = grouped_case(3, 5, 7);
  c.with_bias = 1;
  sweep(c);
  c = grouped_case(8, 16, 16);
  c.with_bias = 1;
  sweep(c);
}

static void clamp(void** state) {
  (void)state;
  for_each_clamp(grouped_case(3, 5, 7), sweep);
}

static void threads(void** state) {
  (void)state;
  for (uint32_t t = 1; t <= 4; ++t) {
    conv_case c = grouped_case(4, 5, 9);
    c.desc.batch = 2;
    c.desc.in_height = 15;
    c.desc.in_width = 14;
    c.threads = t;
    sweep(c);
  }
}

/* Several fields at once: the index arithmetic of stride, dilation and padding together. */
static void mixtures(void** state) {
  (void)state;
  conv_case c = grouped_case(3, 17, 9);
  c.desc.batch = 2;
  c.desc.in_height = c.desc.in_width = 13;
  c.desc.stride_height = c.desc.stride_width = 2;
  c.desc.dilation_height = c.desc.dilation_width = 2;
  case_pads(&c, 2, 1, 0, 2);
  c.with_bias = 1;
  c.output_min = -0.75f;
  c.output_max = 0.5f;
  sweep(c);

  c = grouped_case(4, 5, 7);
  c.desc.in_height = 17;
  c.desc.in_width = 19;
  c.desc.kernel_height = c.desc.kernel_width = 5;
  c.desc.stride_height = 2;
  c.desc.stride_width = 3;
  case_pads(&c, 2, 0, 3, 1);
  c.with_bias = 1;
  sweep(c);
}

/* -- Same result for any thread count --------------------------------------------------------- */

/* The case in NHWC and in NCHW, each through its layout's grouped algorithm. */
static void check_same_bits_in_both_layouts(conv_case c) {
  check_same_bits_across_threads(&c, grouped_algo(c.desc.layout));
  case_layouts(&c, GEMMCONV_LAYOUT_NCHW, c.desc.filter_layout);
  check_same_bits_across_threads(&c, grouped_algo(c.desc.layout));
}

static void bit_identical_across_threads(void** state) {
  (void)state;
  conv_case c = grouped_case(8, 16, 16);
  c.desc.batch = 2;
  c.desc.in_height = 21;
  c.desc.in_width = 22;
  c.with_bias = 1;
  check_same_bits_in_both_layouts(c);
  c.desc.kernel_height = c.desc.kernel_width = 1; /* in place, in NCHW */
  case_pads(&c, 0, 0, 0, 0);
  check_same_bits_in_both_layouts(c);
  c = grouped_case(3, 17, 9);
  c.desc.in_height = 25;
  c.desc.in_width = 23;
  c.desc.kernel_height = c.desc.kernel_width = 5;
  c.desc.stride_height = c.desc.stride_width = 2;
  case_pads(&c, 1, 3, 2, 0);
  c.desc.filter_layout = GEMMCONV_FILTER_OIHW;
  c.output_min = -0.5f;
  c.output_max = 0.5f;
  check_same_bits_in_both_layouts(c);
  c = grouped_case(2, 5, 7); /* fewer output rows than threads */
  c.desc.in_height = 1;
  c.desc.in_width = 30;
  check_same_bits_in_both_layouts(c);
  /* 7 rows, which the threads share out with the channels cut into slabs (5 vectors of
     AVX-512), also through channels-nchw, the same loop on channels-first tensors */
  c = grouped_case(1, 24, 80);
  c.desc.in_height = c.desc.in_width = 7;
  c.with_bias = 1;
  check_same_bits_in_both_layouts(c);
  case_layouts(&c, GEMMCONV_LAYOUT_NCHW, c.desc.filter_layout);
  check_same_bits_across_threads(&c, algo_named("channels-nchw"));
}

/* channels-nchw on small planes with several threads: with 16-float vectors the threads take
   slabs of the output channels instead of rows of the planes where the slabs are even and two
   vectors wide or more (96 channels on 2 and 3 threads), and rows where they are not (80
   channels: 48 + 32 on 2 threads, under two vectors a slab on 3). Then 1x1 layers on 7x7,
   whose slabs run their 49 pixels as one row (grouped-nhwc's too, where 7 rows on 2 threads are
   cut into 2 slabs). Against the reference on 2 and 3 threads, and bit for bit against 1
   thread. */
static void small_planes_shared_by_slabs(void** state) {
  (void)state;
  static const uint32_t outputs[] = {96, 80}, kernels[] = {3, 1};
  for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; ++i)
    for (size_t j = 0; j < sizeof kernels / sizeof kernels[0]; ++j) {
      const uint32_t k = kernels[j];
      conv_case c = grouped_case(1, 40, outputs[i]);
      case_layouts(&c, GEMMCONV_LAYOUT_NCHW, GEMMCONV_FILTER_OIHW);
      case_input(&c, k == 3 ? 14 : 7, k == 3 ? 14 : 7);
      c.desc.kernel_height = c.desc.kernel_width = k;
      case_pads(&c, k / 2, k / 2, k / 2, k / 2);
      c.with_bias = 1;
      c.output_min = -0.5f;
      c.output_max = 0.5f;
      c.threads = 2;
      check_runs_on_1_and_3_threads(&c, algo_named("channels-nchw"), LANES_WORKSPACE_PER_THREAD);
      check_same_bits_across_threads(&c, algo_named("channels-nchw"));
      if (k == 1) {
        case_layouts(&c, GEMMCONV_LAYOUT_NHWC, GEMMCONV_FILTER_OHWI);
        check_runs_on_1_and_3_threads(&c, algo_named("grouped-nhwc"), LANES_WORKSPACE_PER_THREAD);
        check_same_bits_across_threads(&c, algo_named("grouped-nhwc"));
      }
    }
}

/* NCHW with a stage that holds a few rows only (128 input channels): the plane goes in several
   bands of unequal count per thread (5 bands of 28 rows), so the output channels are cut into
   more slabs to even out the threads' shares, and a band's slabs are split between threads.
   Against the reference on 2 and 3 threads, and bit for bit against 1 thread. */
static void few_bands_shared_by_slabs(void** state) {
  (void)state;
  conv_case c = grouped_case(1, 128, 24);
  case_layouts(&c, GEMMCONV_LAYOUT_NCHW, GEMMCONV_FILTER_OIHW);
  case_input(&c, 28, 28);
  c.desc.kernel_height = c.desc.kernel_width = 3;
  case_pads(&c, 1, 1, 1, 1);
  c.with_bias = 1;
  c.threads = 2;
  check_runs_on_1_and_3_threads(&c, grouped_algo(c.desc.layout),
                                grouped_workspace_bound(c.desc.layout));
  check_same_bits_across_threads(&c, grouped_algo(c.desc.layout));
}

/* -- Workspace on real layers ----------------------------------------------------------------- */

/* Grouped layers of real networks at full size. */
static const layer_shape grouped_layers[] = {
    {"resnext_50_32x4d:conv2", 32, 128, 128, 56, 3, 1, 1},
    {"resnext_50_32x4d:conv3", 32, 256, 256, 56, 3, 2, 1},
    {"resnext_50_32x4d:conv5", 32, 1024, 1024, 7, 3, 1, 1},
    {"alexnet:conv2", 2, 96, 256, 27, 5, 1, 2},
    {"alexnet:conv4", 2, 384, 384, 13, 3, 1, 1},
    {"shufflenet_v1_g3:stage2_1x1", 3, 240, 60, 28, 1, 1, 0},
    {"regnetx_200mf:stage2_block1", 7, 56, 56, 56, 3, 2, 1}, /* group width 8 */
    {"mobilenet_v1:conv1", 1, 3, 32, 224, 3, 2, 1},
    {"mobilenet_v1:conv13_pw", 1, 1024, 1024, 7, 1, 1, 0},
};

static const gemmconv_layout layouts[] = {GEMMCONV_LAYOUT_NHWC, GEMMCONV_LAYOUT_NCHW};

static void workspace_bound_per_thread(void** state) {
  (void)state;
  for (size_t i = 0; i < sizeof grouped_layers / sizeof grouped_layers[0]; ++i)
    for (int l = 0; l < 2; ++l)
      for (int f = 0; f < 2; ++f)
        for (uint32_t t = 1; t <= 2; ++t) {
          conv_case c = layer_case(&grouped_layers[i]);
          case_layouts(&c, layouts[l], f ? GEMMCONV_FILTER_OIHW : GEMMCONV_FILTER_OHWI);
          c.threads = t;
          check_workspace_per_thread(&c, grouped_algo(layouts[l]),
                                     grouped_workspace_bound(layouts[l]));
        }
}

/* Each layer once at full size against the reference, in both layouts, on two threads. */
static void real_layers(void** state) {
  (void)state;
  for (size_t i = 0; i < sizeof grouped_layers / sizeof grouped_layers[0]; ++i)
    for (int l = 0; l < 2; ++l) {
      conv_case c = layer_case(&grouped_layers[i]);
      case_layouts(&c, layouts[l], GEMMCONV_FILTER_OHWI);
      c.threads = 2;
      check_algorithm_runs(&c, grouped_algo(layouts[l]));
    }
}

/* -- No allocation in execute ----------------------------------------------------------------- */

static void check_no_allocation(conv_case c) {
  for (int l = 0; l < 2; ++l)
    for (uint32_t t = 1; t <= 3; ++t) {
      case_layouts(&c, layouts[l], c.desc.filter_layout);
      c.threads = t;
      const long calls = execute_allocator_calls(&c, grouped_algo(layouts[l]));
      if (calls != 0) {
        char what[400];
        describe_case(&c, what, sizeof what);
        fail_msg("%s: %ld allocator calls in 3 executions (%s)",
                 l ? "grouped-nchw" : "grouped-nhwc", calls, what);
      }
    }
}

static void execute_allocates_nothing(void** state) {
  (void)state;
  if (!alloc_count_available()) skip();
  conv_case c = grouped_case(4, 8, 8);
  c.desc.batch = 2;
  c.desc.in_height = 20;
  c.desc.in_width = 21;
  c.with_bias = 1;
  c.output_min = -1.0f;
  c.output_max = 1.0f;
  check_no_allocation(c);
  c = grouped_case(3, 17, 9);
  c.desc.stride_height = c.desc.stride_width = 2;
  check_no_allocation(c);
  c = grouped_case(2, 3, 5); /* one output pixel: a single work item for any number of threads */
  c.desc.in_height = c.desc.in_width = 1;
  check_no_allocation(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(base),
      cmocka_unit_test(channels_per_group),
      cmocka_unit_test(group_counts),
      cmocka_unit_test(one_channel_per_group),
      cmocka_unit_test(one_group),
      cmocka_unit_test(wide_groups_in_chunks),
      cmocka_unit_test(one_by_one_rows),
      cmocka_unit_test(row_lengths),
      cmocka_unit_test(kernel_sizes),
      cmocka_unit_test(non_square_kernels),
      cmocka_unit_test(strides),
      cmocka_unit_test(dilations),
      cmocka_unit_test(padding),
      cmocka_unit_test(planes),
      cmocka_unit_test(batch),
      cmocka_unit_test(bias),
      cmocka_unit_test(clamp),
      cmocka_unit_test(threads),
      cmocka_unit_test(mixtures),
      cmocka_unit_test(bit_identical_across_threads),
      cmocka_unit_test(small_planes_shared_by_slabs),
      cmocka_unit_test(few_bands_shared_by_slabs),
      cmocka_unit_test(workspace_bound_per_thread),
      cmocka_unit_test(real_layers),
      cmocka_unit_test(execute_allocates_nothing),
  };
  return cmocka_run_group_tests_name("grouped", tests, NULL, NULL);
}
