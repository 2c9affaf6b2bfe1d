/* The depthwise algorithms (depthwise-nchw, depthwise-nhwc): groups = C, M = C x multiplier.
   Parameter sweeps one or two fields at a time around a small base case (XNNPACK style); each
   case runs through every algorithm that supports it against the reference, and must also have
   run the depthwise algorithm of its layout, so that an UNSUPPORTED cannot pass for a success.
   Then what their contract adds: bit-identical results for any thread count, at most 16 KiB of
   workspace per thread (checked on every case and on MobileNet v1's layers), an execute that
   allocates nothing, and GEMMCONV_MAX_ISA. The instruction set is chosen at run time:
   tests/meson.build runs this file again with GEMMCONV_MAX_ISA=avx2 and =baseline. */
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

enum { WORKSPACE_PER_THREAD = 16 * 1024 };

static gemmconv_algo depthwise_algo(gemmconv_layout layout) {
  return algo_named(layout == GEMMCONV_LAYOUT_NHWC ? "depthwise-nhwc" : "depthwise-nchw");
}

/* The base case: 7 channels (a multiple of no vector width), multiplier 1, 9 x 10 input,
   3x3 kernel, stride 1, padding 1, one thread (check_dw adds three). */
static conv_case dw_case(uint32_t channels, uint32_t multiplier) {
  conv_case c = base_case();
  case_channels(&c, channels, channels, channels * multiplier);
  case_input(&c, 9, 10);
  c.threads = 1;
  return c;
}

/* The depthwise algorithm of the case's layout must run and match (and keep to its workspace
   bound), on the case's threads and on three; then every algorithm, AUTO included, against the
   reference on the case's threads. Only the depthwise algorithm gets the extra threads: the GEMM
   algorithms enter a parallel region per group, and with as many groups as channels that costs
   a scheduler time slice per group on a machine busy with other tests. */
static void check_dw(const conv_case* c) {
  check_runs_on_1_and_3_threads(c, depthwise_algo(c->desc.layout), WORKSPACE_PER_THREAD);
  check_case(c);
}

/* Both activation layouts with both filter layouts. */
static void sweep(conv_case c) {
  for_each_layout(c, check_dw);
}

/* -- Sweeps ----------------------------------------------------------------------------------- */

static void base(void** state) {
  (void)state;
  sweep(dw_case(7, 1));
}

static void multipliers(void** state) {
  (void)state;
  for (uint32_t mult = 1; mult <= 4; ++mult) sweep(dw_case(7, mult));
  sweep(dw_case(16, 2));
  sweep(dw_case(5, 3));
}

static void kernel_sizes(void** state) {
  (void)state;
  for (uint32_t k = 1; k <= 7; ++k) {
    conv_case c = dw_case(7, 1);
    c.desc.in_height = 11;
    c.desc.in_width = 12;
    c.desc.kernel_height = c.desc.kernel_width = k;
    case_same_padding(&c);
    sweep(c);
  }
}

static void non_square_kernels(void** state) {
  (void)state;
  const uint32_t shapes[][2] = {{1, 3}, {3, 1}, {5, 2}, {2, 5}, {1, 7}, {7, 1}, {2, 4}, {4, 6}};
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i) {
    conv_case c = dw_case(7, 1);
    c.desc.in_height = c.desc.in_width = 11;
    c.desc.kernel_height = shapes[i][0];
    c.desc.kernel_width = shapes[i][1];
    case_same_padding(&c);
    sweep(c);
  }
}

/* Kernels whose reach (dilation x (size - 1) + 1) spans far more rows and columns than the
   usual 3x3 to 7x7: NCHW stages the input rows a band of outputs reads, and those rows must still
   fit the 16 KiB per thread, with large strides (many stride phases) too. */
static void large_kernel_reach(void** state) {
  (void)state;
  const uint32_t kds[][3] = {{9, 1, 1}, {11, 1, 1}, {15, 1, 1}, {21, 1, 1}, {31, 1, 1},
                             {7, 6, 1}, {11, 6, 1}, {15, 4, 2}, {9, 6, 16}};
  for (size_t i = 0; i < sizeof kds / sizeof kds[0]; ++i) {
    const uint32_t k = kds[i][0], d = kds[i][1], reach = d * (k - 1) + 1;
    conv_case c = dw_case(4, 1);
    c.desc.in_height = reach + 5;
    c.desc.in_width = reach + 9;
    c.desc.kernel_height = c.desc.kernel_width = k;
    c.desc.dilation_height = c.desc.dilation_width = d;
    c.desc.stride_height = c.desc.stride_width = kds[i][2];
    case_same_padding(&c);
    sweep(c);
  }
}

/* A dilation thousands of times the stride: a band's staged rows would span every input column
   between the taps' reads (4096 floats a row for one output column and 8 multiply-adds), so the
   staging algorithms decline the layer in NCHW and AUTO computes it another way, correctly and
   quickly (staged, one execute takes seconds under the fuzzer's instrumentation). */
static void far_dilation_not_staged(void** state) {
  (void)state;
  conv_case c = dw_case(2, 2);
  case_layouts(&c, GEMMCONV_LAYOUT_NCHW, GEMMCONV_FILTER_OIHW);
  case_input(&c, 1, 1);
  c.desc.kernel_height = 4;
  c.desc.kernel_width = 2;
  c.desc.stride_height = 1u << 24;
  c.desc.stride_width = 1u << 20;
  c.desc.dilation_height = 65537;
  c.desc.dilation_width = UINT32_MAX - 1;
  case_pads(&c, UINT32_MAX, 3506438143u, UINT32_MAX, 255);
  gemmconv_plan* plan = NULL;
  assert_int_equal(try_plan(&c, algo_named("depthwise-nchw"), &plan), GEMMCONV_STATUS_UNSUPPORTED);
  assert_int_equal(try_plan(&c, algo_named("grouped-nchw"), &plan), GEMMCONV_STATUS_UNSUPPORTED);
  check_algorithm_runs(&c, GEMMCONV_ALGO_AUTO);
}

static void kernel_covers_input(void** state) {
  (void)state;
  conv_case c = dw_case(7, 2); /* a single output pixel */
  c.desc.kernel_height = 9;
  c.desc.kernel_width = 10;
  case_pads(&c, 0, 0, 0, 0);
  sweep(c);
}

static void strides(void** state) {
  (void)state;
  for (uint32_t sh = 1; sh <= 3; ++sh)
    for (uint32_t sw = 1; sw <= 3; ++sw) {
      conv_case c = dw_case(7, 1);
      c.desc.in_height = 13;
      c.desc.in_width = 14;
      c.desc.stride_height = sh;
      c.desc.stride_width = sw;
      sweep(c);
    }
}

static void dilations(void** state) {
  (void)state;
  const uint32_t d[][2] = {{2, 2}, {3, 3}, {1, 2}, {2, 1}, {3, 1}, {1, 3}, {2, 3}};
  for (size_t i = 0; i < sizeof d / sizeof d[0]; ++i) {
    conv_case c = dw_case(7, 1);
    c.desc.in_height = 13;
    c.desc.in_width = 14;
    c.desc.dilation_height = d[i][0];
    c.desc.dilation_width = d[i][1];
    case_pads(&c, d[i][0], d[i][0], d[i][1], d[i][1]);
    sweep(c);
  }
}

static void each_padding_side(void** state) {
  (void)state;
  for (int side = 0; side < 4; ++side)
    for (uint32_t p = 1; p <= 3; ++p) {
      conv_case c = dw_case(7, 1);
      case_pads(&c, side == 0 ? p : 0, side == 1 ? p : 0, side == 2 ? p : 0, side == 3 ? p : 0);
      sweep(c);
    }
}

static void asymmetric_padding(void** state) {
  (void)state;
  const uint32_t pads[][4] = {{2, 0, 1, 3}, {0, 3, 2, 0}, {1, 2, 0, 1}, {3, 0, 0, 2}, {0, 0, 0, 0}};
  for (size_t i = 0; i < sizeof pads / sizeof pads[0]; ++i) {
    conv_case c = dw_case(7, 1);
    case_pads(&c, pads[i][0], pads[i][1], pads[i][2], pads[i][3]);
    sweep(c);
  }
}

static void padding_wider_than_kernel(void** state) {
  (void)state;
  conv_case c = dw_case(7, 1); /* whole output rows and columns see only padding */
  case_pads(&c, 4, 3, 5, 4);
  sweep(c);
  c.desc.out_channels = 14;
  c.desc.stride_height = c.desc.stride_width = 2;
  sweep(c);
}

/* Channels across the lanes (NHWC) leave a tail for every count that is no multiple of the
   vector width; C = 1 is a plain single-channel convolution. */
static void channel_counts(void** state) {
  (void)state;
  const uint32_t channels[] = {1, 2, 3, 4, 5, 8, 13, 15, 16, 17, 24, 31, 32, 33, 40, 48, 64, 65};
  for (size_t i = 0; i < sizeof channels / sizeof channels[0]; ++i) sweep(dw_case(channels[i], 1));
  const uint32_t doubled[] = {1, 7, 8, 17, 33};
  for (size_t i = 0; i < sizeof doubled / sizeof doubled[0]; ++i) sweep(dw_case(doubled[i], 2));
  const uint32_t tripled[] = {1, 5, 16};
  for (size_t i = 0; i < sizeof tripled / sizeof tripled[0]; ++i) sweep(dw_case(tripled[i], 3));
  sweep(dw_case(1, 5));
}

static void small_planes(void** state) {
  (void)state;
  const uint32_t hw[][2] = {{1, 1}, {1, 9}, {9, 1}, {2, 2}, {3, 3}, {2, 17}, {13, 5}, {5, 40}};
  for (size_t i = 0; i < sizeof hw / sizeof hw[0]; ++i) {
    conv_case c = dw_case(7, 1);
    c.desc.in_height = hw[i][0];
    c.desc.in_width = hw[i][1];
    sweep(c);
  }
}

/* Output columns across the lanes (NCHW) leave a tail for every row length that is no multiple
   of the vector width, and a row may be shorter or longer than one vector or several. */
static void output_row_lengths(void** state) {
  (void)state;
  const uint32_t widths[] = {7,  8,  9,  15, 16, 17, 23, 24, 25, 31,
                             32, 33, 47, 48, 49, 63, 64, 65, 97};
  for (size_t i = 0; i < sizeof widths / sizeof widths[0]; ++i) {
    conv_case c = dw_case(3, 1);
    c.desc.in_height = 4;
    c.desc.in_width = widths[i];
    sweep(c);
  }
  const uint32_t strided[] = {31, 32, 33, 63, 64, 65};
  for (size_t i = 0; i < sizeof strided / sizeof strided[0]; ++i) {
    conv_case c = dw_case(3, 2);
    c.desc.in_height = 5;
    c.desc.in_width = strided[i];
    c.desc.stride_height = c.desc.stride_width = 2;
    sweep(c);
  }
}

/* MobileNet-sized planes: 112x112 with few channels, and 56x56 halved by stride 2 with
   TensorFlow's "same" padding (all of it after the image). */
static void large_planes(void** state) {
  (void)state;
  conv_case c = dw_case(3, 1);
  c.desc.in_height = c.desc.in_width = 112;
  sweep(c);
  c = dw_case(24, 1);
  c.desc.in_height = c.desc.in_width = 56;
  c.desc.stride_height = c.desc.stride_width = 2;
  case_pads(&c, 0, 1, 0, 1);
  c.with_bias = 1;
  sweep(c);
  c = dw_case(8, 2);
  c.desc.in_height = 30;
  c.desc.in_width = 31;
  sweep(c);
}

/* NCHW, multiplier 1: planes up to 14 output columns go by blocks of channels staged
   interleaved, wider ones plane by plane. Both ways with every stride, dilation and padding
   side: each case once with at most 12 output columns and once with at least 14 (NHWC runs
   them too). The narrow planes also
   with channel counts around the block of 16 and enough rows for several bands. */
static void nchw_both_ways(void** state) {
  (void)state;
  for (uint32_t wide = 0; wide < 2; ++wide) {
    const uint32_t geometry[][5] = {/* stride, dilation, kernel, pad before, pad after */
                                    {1, 1, 3, 1, 1}, {2, 1, 3, 0, 1}, {2, 1, 3, 1, 1},
                                    {3, 1, 5, 2, 0}, {1, 2, 3, 2, 2}, {2, 2, 3, 0, 3},
                                    {1, 1, 5, 0, 4}, {1, 3, 7, 1, 0}};
    for (size_t i = 0; i < sizeof geometry / sizeof geometry[0]; ++i) {
      conv_case c = dw_case(5, 1);
      const uint32_t reach = geometry[i][1] * (geometry[i][2] - 1) + 1;
      const uint32_t pads = geometry[i][3] + geometry[i][4];
      c.desc.in_height = 21;
      c.desc.in_width = (wide ? 40 : 11) + reach - pads; /* 11 / stride + 1 output columns */
      c.desc.stride_height = c.desc.stride_width = geometry[i][0];
      c.desc.dilation_height = c.desc.dilation_width = geometry[i][1];
      c.desc.kernel_height = c.desc.kernel_width = geometry[i][2];
      case_pads(&c, geometry[i][3], geometry[i][4], geometry[i][4], geometry[i][3]);
      c.with_bias = i % 2;
      sweep(c);
    }
  }
  const uint32_t channels[] = {1, 15, 16, 17, 33};
  for (size_t i = 0; i < sizeof channels / sizeof channels[0]; ++i) {
    conv_case c = dw_case(channels[i], 1);
    c.desc.in_height = 60; /* several bands of rows */
    c.desc.in_width = 14;
    c.desc.batch = 1 + (uint32_t)(i % 2);
    c.output_min = -0.5f;
    c.output_max = 0.5f;
    sweep(c);
  }
}

static void batch(void** state) {
  (void)state;
  conv_case c = dw_case(7, 1);
  c.desc.batch = 3;
  sweep(c);
  c = dw_case(5, 2);
  c.desc.batch = 2;
  c.desc.stride_height = c.desc.stride_width = 2;
  sweep(c);
}

static void bias(void** state) {
  (void)state;
  for (uint32_t mult = 1; mult <= 3; ++mult) {
    conv_case c = dw_case(7, mult);
    c.with_bias = 1;
    sweep(c);
  }
}

static void clamp(void** state) {
  (void)state;
  conv_case c = dw_case(7, 1);
  c.output_min = -0.5f;
  c.output_max = 0.25f;
  sweep(c);
  c = dw_case(7, 2);
  c.with_bias = 1;
  c.output_min = 0.0f; /* ReLU */
  sweep(c);
  c.output_max = 0.5f; /* both bounds inside the outputs' range, as ReLU6's are */
  sweep(c);
  c.output_min = -INFINITY;
  c.output_max = 0.0f;
  sweep(c);
}

/* The depthwise algorithms alone on 1 to 4 threads, in both layouts and filter layouts (the
   sweeps run every algorithm on one thread and the depthwise ones on three too). */
static void threads(void** state) {
  (void)state;
  for (uint32_t t = 1; t <= 4; ++t)
    for (int l = 0; l < 2; ++l)
      for (int f = 0; f < 2; ++f) {
        conv_case c = dw_case(16, 2);
        c.desc.layout = l ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
        c.desc.filter_layout = f ? GEMMCONV_FILTER_OHWI : GEMMCONV_FILTER_OIHW;
        c.desc.batch = 2;
        c.desc.in_height = 15;
        c.desc.in_width = 14;
        c.with_bias = 1;
        c.threads = t;
        check_algorithm_runs(&c, depthwise_algo(c.desc.layout));
        check_workspace_per_thread(&c, depthwise_algo(c.desc.layout), WORKSPACE_PER_THREAD);
      }
}

/* Several fields at once: the index arithmetic of stride, dilation and padding together. */
static void mixtures(void** state) {
  (void)state;
  conv_case c = dw_case(5, 2);
  c.desc.in_height = c.desc.in_width = 13;
  c.desc.stride_height = c.desc.stride_width = 2;
  c.desc.dilation_height = c.desc.dilation_width = 2;
  case_pads(&c, 2, 1, 0, 2);
  sweep(c);

  c = dw_case(17, 3);
  c.desc.batch = 2;
  c.desc.in_height = 19;
  c.desc.in_width = 23;
  c.desc.kernel_height = 5;
  c.desc.kernel_width = 3;
  c.desc.stride_height = 2;
  c.desc.stride_width = 3;
  c.desc.dilation_height = 3;
  case_pads(&c, 0, 2, 3, 1);
  c.with_bias = 1;
  c.output_min = -0.75f;
  c.output_max = 0.5f;
  sweep(c);

  c = dw_case(33, 1);
  c.desc.in_height = 20;
  c.desc.in_width = 21;
  c.desc.kernel_height = c.desc.kernel_width = 7;
  c.desc.stride_height = c.desc.stride_width = 3;
  case_pads(&c, 3, 3, 3, 3);
  c.with_bias = 1;
  sweep(c);

  c = dw_case(9, 2); /* 1x1 with stride: every output a scaled input */
  c.desc.kernel_height = c.desc.kernel_width = 1;
  c.desc.stride_height = c.desc.stride_width = 2;
  case_pads(&c, 0, 1, 1, 0);
  c.with_bias = 1;
  sweep(c);
}

/* -- Same result for any thread count --------------------------------------------------------- */

static void bit_identical_across_threads(void** state) {
  (void)state;
  for (int l = 0; l < 2; ++l) {
    const gemmconv_layout layout = l ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
    conv_case c = dw_case(24, 2);
    c.desc.layout = layout;
    c.desc.batch = 2;
    c.desc.in_height = 28;
    c.desc.in_width = 29;
    c.with_bias = 1;
    check_same_bits_across_threads(&c, depthwise_algo(c.desc.layout));
    c = dw_case(17, 1);
    c.desc.layout = layout;
    c.desc.in_height = 33;
    c.desc.in_width = 31;
    c.desc.kernel_height = c.desc.kernel_width = 5;
    c.desc.stride_height = c.desc.stride_width = 2;
    c.desc.dilation_height = c.desc.dilation_width = 2;
    case_pads(&c, 3, 4, 4, 2);
    c.output_min = -0.5f;
    c.output_max = 0.5f;
    check_same_bits_across_threads(&c, depthwise_algo(c.desc.layout));
    c = dw_case(3, 1); /* fewer output rows than threads */
    c.desc.layout = layout;
    c.desc.in_height = 1;
    c.desc.in_width = 40;
    check_same_bits_across_threads(&c, depthwise_algo(c.desc.layout));
  }
}

/* -- Workspace on real layers ----------------------------------------------------------------- */

/* MobileNet v1's depthwise layers at full size (conv_dw_7 to conv_dw_11 are alike: one stands
   for them). */
static const layer_shape mobilenet_v1[] = {
    {"mobilenet_v1:conv_dw_1", 32, 32, 32, 112, 3, 1, 1},
    {"mobilenet_v1:conv_dw_2", 64, 64, 64, 112, 3, 2, 1},
    {"mobilenet_v1:conv_dw_3", 128, 128, 128, 56, 3, 1, 1},
    {"mobilenet_v1:conv_dw_4", 128, 128, 128, 56, 3, 2, 1},
    {"mobilenet_v1:conv_dw_5", 256, 256, 256, 28, 3, 1, 1},
    {"mobilenet_v1:conv_dw_6", 256, 256, 256, 28, 3, 2, 1},
    {"mobilenet_v1:conv_dw_7", 512, 512, 512, 14, 3, 1, 1},
    {"mobilenet_v1:conv_dw_12", 512, 512, 512, 14, 3, 2, 1},
    {"mobilenet_v1:conv_dw_13", 1024, 1024, 1024, 7, 3, 1, 1},
};

/* The layer as the network runs it: bias and ReLU6, filters in the layout's usual order. */
static conv_case mobilenet_layer(size_t i, gemmconv_layout layout) {
  conv_case c = layer_case(&mobilenet_v1[i]);
  case_layouts(&c, layout,
               layout == GEMMCONV_LAYOUT_NHWC ? GEMMCONV_FILTER_OHWI : GEMMCONV_FILTER_OIHW);
  c.output_min = 0.0f;
  c.output_max = 6.0f;
  c.threads = 1;
  return c;
}

/* grouped-nhwc must keep to the same bound on these layers: they are grouped convolutions too. */
static void workspace_at_most_16kib_per_thread(void** state) {
  (void)state;
  for (size_t i = 0; i < sizeof mobilenet_v1 / sizeof mobilenet_v1[0]; ++i)
    for (int l = 0; l < 2; ++l)
      for (uint32_t t = 1; t <= 2; ++t) {
        conv_case c = mobilenet_layer(i, l ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW);
        c.threads = t;
        check_workspace_per_thread(&c, depthwise_algo(c.desc.layout), WORKSPACE_PER_THREAD);
        if (l) check_workspace_per_thread(&c, algo_named("grouped-nhwc"), WORKSPACE_PER_THREAD);
      }
}

/* Each layer once at full size against the reference, on two threads. */
static void mobilenet_layers(void** state) {
  (void)state;
  for (size_t i = 0; i < sizeof mobilenet_v1 / sizeof mobilenet_v1[0]; ++i)
    for (int l = 0; l < 2; ++l) {
      conv_case c = mobilenet_layer(i, l ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW);
      c.threads = 2;
      check_algorithm_runs(&c, depthwise_algo(c.desc.layout));
    }
}

/* -- No allocation in execute ----------------------------------------------------------------- */

static void check_no_allocation(conv_case c) {
  const gemmconv_algo a = depthwise_algo(c.desc.layout);
  for (uint32_t t = 1; t <= 3; ++t) {
    c.threads = t;
    const long calls = execute_allocator_calls(&c, a);
    if (calls != 0) {
      char what[400];
      describe_case(&c, what, sizeof what);
      fail_msg("%s: %ld allocator calls in 3 executions (%s)", gemmconv_algo_name(a), calls, what);
    }
  }
}

static void execute_allocates_nothing(void** state) {
  (void)state;
  if (!alloc_count_available()) skip();
  for (int l = 0; l < 2; ++l) {
    const gemmconv_layout layout = l ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
    conv_case c = dw_case(32, 1);
    c.desc.layout = layout;
    c.desc.batch = 2;
    c.desc.in_height = 20;
    c.desc.in_width = 21;
    c.with_bias = 1;
    c.output_min = -1.0f;
    c.output_max = 1.0f;
    check_no_allocation(c);
    c.desc.out_channels = 64;
    c.desc.stride_height = c.desc.stride_width = 2;
    check_no_allocation(c);
    c = dw_case(8, 1); /* one output pixel: a single work item for any number of threads */
    c.desc.layout = layout;
    c.desc.in_height = c.desc.in_width = 1;
    check_no_allocation(c);
  }
}

/* -- GEMMCONV_MAX_ISA ------------------------------------------------------------------------- */

/* Read at plan creation, so one process can try every cap: each must compute correctly (a cap
   above what the CPU runs is no error), and a value the library does not know is ignored, giving
   the same bits as no cap at all. */
static void isa_cap(void** state) {
  (void)state;
  const char* outer = getenv("GEMMCONV_MAX_ISA");
  char* saved = outer ? strdup(outer) : NULL;
  for (int l = 0; l < 2; ++l) {
    conv_case c = dw_case(17, 2);
    c.desc.layout = l ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
    c.desc.in_height = 11;
    c.desc.in_width = 37;
    c.with_bias = 1;
    c.threads = 2;
    const gemmconv_algo a = depthwise_algo(c.desc.layout);
    const char* const caps[] = {"avx512", "avx2", "baseline", "sse9", ""};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; ++i) {
      assert_int_equal(setenv("GEMMCONV_MAX_ISA", caps[i], 1), 0);
      check_algorithm_runs(&c, a);
    }

    const size_t nin = case_input_count(&c), nout = case_output_count(&c);
    const size_t nf = case_filter_count(&c);
    float* in = malloc(nin * sizeof(float));
    float* filter = malloc(nf * sizeof(float));
    float* uncapped = malloc(nout * sizeof(float));
    float* unknown = malloc(nout * sizeof(float));
    fill_random(in, nin, 31);
    fill_random(filter, nf, 32);
    assert_int_equal(unsetenv("GEMMCONV_MAX_ISA"), 0);
    run_case(&c, a, in, filter, NULL, uncapped);
    assert_int_equal(setenv("GEMMCONV_MAX_ISA", "sse9", 1), 0);
    run_case(&c, a, in, filter, NULL, unknown);
    assert_memory_equal(uncapped, unknown, nout * sizeof(float));
    free(in);
    free(filter);
    free(uncapped);
    free(unknown);
  }
  if (saved) {
    assert_int_equal(setenv("GEMMCONV_MAX_ISA", saved, 1), 0);
    free(saved);
  } else {
    assert_int_equal(unsetenv("GEMMCONV_MAX_ISA"), 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(base),
      cmocka_unit_test(multipliers),
      cmocka_unit_test(kernel_sizes),
      cmocka_unit_test(non_square_kernels),
      cmocka_unit_test(large_kernel_reach),
      cmocka_unit_test(far_dilation_not_staged),
      cmocka_unit_test(kernel_covers_input),
      cmocka_unit_test(strides),
      cmocka_unit_test(dilations),
      cmocka_unit_test(each_padding_side),
      cmocka_unit_test(asymmetric_padding),
      cmocka_unit_test(padding_wider_than_kernel),
      cmocka_unit_test(channel_counts),
      cmocka_unit_test(small_planes),
      cmocka_unit_test(output_row_lengths),
      cmocka_unit_test(large_planes),
      cmocka_unit_test(nchw_both_ways),
      cmocka_unit_test(batch),
      cmocka_unit_test(bias),
      cmocka_unit_test(clamp),
      cmocka_unit_test(threads),
      cmocka_unit_test(mixtures),
      cmocka_unit_test(bit_identical_across_threads),
      cmocka_unit_test(workspace_at_most_16kib_per_thread),
      cmocka_unit_test(mobilenet_layers),
      cmocka_unit_test(execute_allocates_nothing),
      cmocka_unit_test(isa_cap),
  };
  return cmocka_run_group_tests_name("depthwise", tests, NULL, NULL);
}
