/* channels-staged-nchw: channels-nchw's loop reading bands of input rows that each thread stages
   channels-last, with the zeros of the padding, in its share of the workspace. What is specific
   to it: bands of one output row up to as many as fit, under the default bound (256 KiB per
   thread) and under a workspace_limit (smaller bands, down to one output row; below that a
   named plan is OVER_BUDGET); bands whose rows lie wholly in the padding; strides, dilations,
   channels that fill no whole vector; threads sharing out rows that bands cut; what it leaves to
   the other algorithms (1x1 layers, a band of one row past the bound); an execute that writes
   only its output and workspace and allocates nothing. Every result is checked against the
   reference. The instruction set is chosen at run time: tests/meson.build runs this file again
   with GEMMCONV_MAX_ISA=avx2 and =baseline. */
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

enum { STAGE_PER_THREAD = 256 * 1024 };

static gemmconv_algo staged(void) {
  return algo_named("channels-staged-nchw");
}

/* NCHW, C input and M output channels, H x W input, 3x3 kernel, stride 1, padding 1. */
static conv_case staged_case(uint32_t c_in, uint32_t m, uint32_t h, uint32_t w) {
  conv_case c = base_case();
  case_layouts(&c, GEMMCONV_LAYOUT_NCHW, GEMMCONV_FILTER_OIHW);
  case_channels(&c, 1, c_in, m);
  case_input(&c, h, w);
  case_kernel(&c, 3, 3);
  case_pads(&c, 1, 1, 1, 1);
  c.threads = 1;
  return c;
}

/* On 1 and 3 threads within the default bound, in both filter layouts. */
static void check_staged(conv_case c) {
  for (int f = 0; f < 2; ++f) {
    case_layouts(&c, GEMMCONV_LAYOUT_NCHW, f ? GEMMCONV_FILTER_OHWI : GEMMCONV_FILTER_OIHW);
    check_runs_on_1_and_3_threads(&c, staged(), STAGE_PER_THREAD);
  }
}

/* -- Shapes ----------------------------------------------------------------------------------- */

/* Input channels below, at and past the vector widths (the stage's channel blocks of 4, 8 or
   16 floats, the last one partial), output channels likewise (the loop's blocks). */
static void channel_counts(void** state) {
  (void)state;
  const uint32_t cm[][2] = {{1, 1}, {3, 8}, {7, 9}, {8, 16}, {16, 17}, {17, 33}, {33, 40}};
  for (size_t i = 0; i < sizeof cm / sizeof cm[0]; ++i)
    check_staged(staged_case(cm[i][0], cm[i][1], 7, 19));
}

/* Kernels of 2 to 5 on each axis, strides of 2 and 3, dilation 2, and padding wider than the
   kernel reaches: the first and last bands stage rows of padding only, whose outputs are the
   bias (and the zeros' products). */
static void geometry(void** state) {
  (void)state;
  for (uint32_t kh = 2; kh <= 5; ++kh)
    for (uint32_t kw = 2; kw <= 5; kw += 3) {
      conv_case c = staged_case(5, 12, 9, 11);
      case_kernel(&c, kh, kw);
      check_staged(c);
    }
  conv_case c = staged_case(6, 10, 15, 17);
  case_stride(&c, 2, 2);
  check_staged(c);
  case_stride(&c, 3, 2);
  case_pads(&c, 0, 2, 2, 0);
  check_staged(c);
  c = staged_case(6, 10, 15, 17);
  case_dilation(&c, 2, 2);
  case_pads(&c, 2, 2, 2, 2);
  check_staged(c);
  c = staged_case(4, 9, 6, 8);
  case_pads(&c, 4, 3, 5, 2);
  c.with_bias = 1;
  check_staged(c);
  c = staged_case(4, 9, 6, 8);
  c.desc.batch = 3;
  c.with_bias = 1;
  c.output_min = -0.5f;
  c.output_max = 0.5f;
  check_staged(c);
}

/* 1x1 layers (nothing to reuse between taps: pointwise-nchw's and channels-nchw's) and layers
   where a band of one output row passes the bound (3x3, 512 channels of 56 columns: 336 KiB)
   are UNSUPPORTED; channels-layout NHWC too. */
static void what_it_leaves(void** state) {
  (void)state;
  gemmconv_plan* plan = NULL;
  conv_case c = staged_case(8, 8, 7, 7);
  case_kernel(&c, 1, 1);
  case_pads(&c, 0, 0, 0, 0);
  assert_int_equal(try_plan(&c, staged(), &plan), GEMMCONV_STATUS_UNSUPPORTED);
  c = staged_case(512, 16, 4, 56);
  assert_int_equal(try_plan(&c, staged(), &plan), GEMMCONV_STATUS_UNSUPPORTED);
  c = staged_case(448, 16, 4, 56); /* 3 rows x 58 x 448 x 4 B: 304 KiB */
  assert_int_equal(try_plan(&c, staged(), &plan), GEMMCONV_STATUS_UNSUPPORTED);
  c = staged_case(384, 16, 4, 56); /* 261 KiB */
  assert_int_equal(try_plan(&c, staged(), &plan), GEMMCONV_STATUS_UNSUPPORTED);
  c = staged_case(368, 16, 4, 56); /* 250 KiB: one row a band */
  check_algorithm_runs(&c, staged());
  c = staged_case(8, 8, 7, 7);
  case_layouts(&c, GEMMCONV_LAYOUT_NHWC, GEMMCONV_FILTER_OHWI);
  assert_int_equal(try_plan(&c, staged(), &plan), GEMMCONV_STATUS_UNSUPPORTED);
}

/* -- Workspace -------------------------------------------------------------------------------- */

/* Layers of the four dense networks: within 256 KiB a thread by default, on 1 and 2 threads;
   those after `run_from` also run at full size against the reference on 2 threads. */
static const layer_shape layers[] = {
    {"vgg_19:conv1_2", 1, 64, 64, 224, 3, 1, 1},
    {"vgg_19:conv3_2", 1, 256, 256, 56, 3, 1, 1},
    {"vgg_19:conv4_2", 1, 512, 512, 28, 3, 1, 1},
    {"vgg_19:conv5_1", 1, 512, 512, 14, 3, 1, 1},
    {"resnet_50:res2a_branch2b", 1, 64, 64, 56, 3, 1, 1},
    {"resnet_50:res5a_branch2b", 1, 512, 512, 7, 3, 1, 1},
    {"googlenet_v1:inception_5a/5x5", 1, 32, 128, 7, 5, 1, 2},
    {"alexnet:conv1", 1, 3, 96, 227, 11, 4, 0},
};
enum { run_from = 3 };

static void real_layers(void** state) {
  (void)state;
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; ++i) {
    conv_case c = layer_case(&layers[i]);
    case_layouts(&c, GEMMCONV_LAYOUT_NCHW, GEMMCONV_FILTER_OIHW);
    for (uint32_t t = 1; t <= 2; ++t) {
      c.threads = t;
      check_workspace_per_thread(&c, staged(), STAGE_PER_THREAD);
    }
    if (i >= run_from) check_algorithm_runs(&c, staged());
  }
}

/* A thread's stage for bands of `rows` output rows: the rows they read, each the padded row
   long, every input channel, rounded up to 64 bytes. */
static size_t stage_bytes(const conv_case* c, uint32_t rows) {
  const gemmconv_conv_desc* d = &c->desc;
  const size_t staged_rows =
      (rows - 1) * d->stride_height + (d->kernel_height - 1) * d->dilation_height + 1;
  const size_t width = d->pad_left + d->in_width + d->pad_right;
  const size_t bytes = staged_rows * width * d->in_channels * sizeof(float);
  return (bytes + 63) / 64 * 64;
}

/* Limits from unbounded down to 0 on 1, 2 and 3 threads: the workspace is the threads' stages
   for the most rows a band that fit the limit's share (all output rows when they fit the
   default bound), one row at the least; below that OVER_BUDGET, and AUTO plans another
   algorithm within the limit. */
static void bands_under_limits(void** state) {
  (void)state;
  conv_case c = staged_case(24, 20, 13, 11);
  c.desc.batch = 2;
  for (uint32_t threads = 1; threads <= 3; ++threads) {
    c.threads = threads;
    prepared_case p = prepare_case(&c);
    size_t bytes = 0;
    assert_int_equal(run_limited(&c, &p, staged(), SIZE_MAX, &bytes), GEMMCONV_STATUS_SUCCESS);
    assert_int_equal(bytes, threads * stage_bytes(&c, 13));
    for (uint32_t rows = 13; rows >= 1; --rows) {
      const size_t fit = threads * stage_bytes(&c, rows);
      assert_int_equal(run_limited(&c, &p, staged(), fit, &bytes), GEMMCONV_STATUS_SUCCESS);
      assert_int_equal(bytes, fit);
      assert_int_equal(run_limited(&c, &p, staged(), fit + 64 * threads - 1, &bytes),
                       GEMMCONV_STATUS_SUCCESS);
      assert_int_equal(bytes, fit);
    }
    const size_t floor = threads * stage_bytes(&c, 1);
    assert_int_equal(run_limited(&c, &p, staged(), floor - 1, &bytes), GEMMCONV_STATUS_OVER_BUDGET);
    assert_int_equal(run_limited(&c, &p, staged(), 0, &bytes), GEMMCONV_STATUS_OVER_BUDGET);
    gemmconv_plan* plan = NULL;
    assert_int_equal(create_plan_limited(&c, GEMMCONV_ALGO_AUTO, floor - 1, p.filter, NULL, &plan),
                     GEMMCONV_STATUS_SUCCESS);
    gemmconv_algo chosen;
    assert_int_equal(gemmconv_plan_algo(plan, &chosen), GEMMCONV_STATUS_SUCCESS);
    assert_int_not_equal(chosen, staged());
    gemmconv_plan_destroy(plan);
    release_case(&p);
  }
}

/* Bits do not depend on the threads: each output is summed in one order whatever the band. */
static void same_bits_across_threads(void** state) {
  (void)state;
  conv_case c = staged_case(19, 24, 17, 9);
  c.desc.batch = 2;
  c.with_bias = 1;
  check_same_bits_across_threads(&c, staged());
}

static void execute_allocates_nothing(void** state) {
  (void)state;
  if (!alloc_count_available()) skip();
  conv_case c = staged_case(12, 20, 15, 16);
  c.desc.batch = 2;
  c.with_bias = 1;
  for (uint32_t t = 1; t <= 3; ++t) {
    c.threads = t;
    assert_int_equal(execute_allocator_calls(&c, staged()), 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(channel_counts),
      cmocka_unit_test(geometry),
      cmocka_unit_test(what_it_leaves),
      cmocka_unit_test(real_layers),
      cmocka_unit_test(bands_under_limits),
      cmocka_unit_test(same_bits_across_threads),
      cmocka_unit_test(execute_allocates_nothing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
