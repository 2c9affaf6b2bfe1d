/* pointwise-nchw: 1x1 layers without padding on channels-first tensors, as register tiles of
   output channels x consecutive pixels, strided layers through a stage per thread. Sweeps around
   the edges of its tiles (output channels per group around the tile's rows, 6 or 8; planes
   around its pixel side, 8 to 48, from one vector of 16 up), strides (stride-2 rows gathered a
   vector at a time where the row allows), groups, batches, bias and clamp, both filter layouts,
   each case against the reference on 1, 2 and 3 threads, within its workspace bound, and bit for
   bit across them; what it must refuse; an execute that allocates nothing. The instruction set
   is chosen at run time: tests/meson.build runs this file again with GEMMCONV_MAX_ISA=avx2 and
   =baseline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_count.h"
#include "harness.h"

/* G groups of cg input and mg output channels, NCHW/OIHW, height x width, 1x1, one thread. */
static conv_case pointwise_case(uint32_t groups, uint32_t cg, uint32_t mg, uint32_t height,
                                uint32_t width) {
  conv_case c = base_case();
  case_layouts(&c, GEMMCONV_LAYOUT_NCHW, GEMMCONV_FILTER_OIHW);
  case_channels(&c, groups, groups * cg, groups * mg);
  case_input(&c, height, width);
  case_kernel(&c, 1, 1);
  case_pads(&c, 0, 0, 0, 0);
  c.threads = 1;
  return c;
}

/* The workspace a thread may take: none with unit strides, else one stage of C' rows of the
   widest tile's 48 pixels and 16 floats (rounded up to 64 bytes). */
static size_t stage_bound(const conv_case* c) {
  const gemmconv_conv_desc* d = &c->desc;
  if (d->stride_height == 1 && d->stride_width == 1) return 0;
  return (((size_t)(d->in_channels / d->groups) * 48 + 16) * sizeof(float) + 63) / 64 * 64;
}

/* Against the reference with both filter layouts, on 1 and 3 threads within the workspace
   bound, and the same bits on 1, 2 and 3 threads. */
static void check_pointwise(conv_case c) {
  const gemmconv_algo algo = algo_named("pointwise-nchw");
  static const gemmconv_filter_layout filters[] = {GEMMCONV_FILTER_OIHW, GEMMCONV_FILTER_OHWI};
  for (int f = 0; f < 2; ++f) {
    case_layouts(&c, GEMMCONV_LAYOUT_NCHW, filters[f]);
    check_runs_on_1_and_3_threads(&c, algo, stage_bound(&c));
  }
  check_same_bits_across_threads(&c, algo);
}

/* Output channels per group on both sides of the tiles' rows and of two and three blocks. */
static void output_channels(void** state) {
  (void)state;
  static const uint32_t outputs[] = {1, 2, 5, 6, 7, 8, 9, 12, 13, 16, 17, 23, 24, 25};
  for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; ++i)
    check_pointwise(pointwise_case(1, 5, outputs[i], 7, 9));
}

/* Planes from one vector of the widest ISA (16 pixels) up, around the tiles' pixel sides (16,
   32, 48 with 16-float vectors; 8, 16 with 8 and 4) and their multiples, rows of one pixel and
   of one column. */
static void planes(void** state) {
  (void)state;
  static const uint32_t shapes[][2] = {{4, 4},  {1, 17},  {17, 1},  {3, 7},   {5, 7},  {4, 8},
                                       {7, 7},  {3, 16},  {1, 49},  {10, 10}, {8, 13}, {6, 16},
                                       {9, 11}, {14, 14}, {13, 13}, {2, 97}};
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i)
    check_pointwise(pointwise_case(1, 3, 9, shapes[i][0], shapes[i][1]));
}

/* Reductions of one input channel to a few hundred. */
static void input_channels(void** state) {
  (void)state;
  static const uint32_t inputs[] = {1, 2, 3, 16, 67, 256};
  for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; ++i)
    check_pointwise(pointwise_case(1, inputs[i], 10, 5, 10));
}

/* Strides: both 2 on even and odd rows (the last vector of a row's run falls back to single
   pixels where its last lane would pass the row), one axis only, 3, and output rows shorter
   and longer than a tile's pixels; with groups, a batch and several blocks of channels. */
static void strides(void** state) {
  (void)state;
  static const uint32_t shapes[][4] = {
      /* height, width, stride_height, stride_width */
      {8, 8, 2, 2},   {9, 9, 2, 2},   {12, 13, 2, 2}, {56, 56, 2, 2}, {11, 70, 2, 2},
      {6, 100, 2, 2}, {10, 7, 1, 2},  {4, 40, 1, 2},  {12, 5, 2, 1},  {13, 14, 3, 3},
      {20, 33, 2, 3}, {28, 28, 2, 2}, {7, 66, 2, 2},
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i) {
    conv_case c = pointwise_case(1, 5, 9, shapes[i][0], shapes[i][1]);
    case_stride(&c, shapes[i][2], shapes[i][3]);
    check_pointwise(c);
  }
  conv_case c = pointwise_case(3, 4, 13, 30, 31);
  case_stride(&c, 2, 2);
  c.desc.batch = 2;
  c.with_bias = 1;
  check_pointwise(c);
}

/* Groups and batches: each image and group is its own matrix of tiles, shared out across the
   threads with the others. */
static void groups_and_batches(void** state) {
  (void)state;
  static const uint32_t groups[] = {2, 3, 5};
  for (size_t i = 0; i < sizeof groups / sizeof groups[0]; ++i) {
    conv_case c = pointwise_case(groups[i], 4, 7, 6, 9);
    check_pointwise(c);
    c.desc.batch = 3;
    check_pointwise(c);
  }
  conv_case c = pointwise_case(1, 8, 20, 5, 5);
  c.desc.batch = 4;
  check_pointwise(c);
}

/* The bias and the clamp are applied in the tile: with either, both and neither. */
static void bias_and_clamp(void** state) {
  (void)state;
  conv_case c = pointwise_case(2, 6, 11, 7, 7);
  c.with_bias = 1;
  check_pointwise(c);
  c.output_min = -0.25f;
  c.output_max = 0.5f;
  check_pointwise(c);
  c.with_bias = 0;
  c.output_min = 0.0f;
  c.output_max = __builtin_inff();
  check_pointwise(c);
}

/* Layers of the size real networks have (ResNet-50 res2a_branch2a-like, with bias), where the
   threads share out dozens of tiles. */
static void real_layers(void** state) {
  (void)state;
  conv_case c = pointwise_case(1, 64, 64, 56, 56);
  c.with_bias = 1;
  c.threads = 2;
  check_pointwise(c);
  c = pointwise_case(1, 96, 40, 14, 14);
  c.with_bias = 1;
  check_pointwise(c);
}

/* Planes of few pixel blocks with many channel blocks: the threads (2 and 3) share out the
   channel blocks instead of the tiles, unit-stride and strided (each thread gathering every
   block), with groups and a batch. */
static void few_pixel_blocks_shared_by_channels(void** state) {
  (void)state;
  conv_case c = pointwise_case(1, 20, 100, 14, 14);
  c.with_bias = 1;
  c.threads = 2;
  check_pointwise(c);
  c = pointwise_case(2, 12, 61, 20, 18);
  case_stride(&c, 2, 2);
  c.desc.batch = 2;
  c.threads = 3;
  check_pointwise(c);
}

static void expect_unsupported(const conv_case* c) {
  gemmconv_plan* plan = (gemmconv_plan*)1;
  assert_int_equal(try_plan(c, algo_named("pointwise-nchw"), &plan), GEMMCONV_STATUS_UNSUPPORTED);
  assert_null(plan);
}

/* What it leaves to the other algorithms: channels-last tensors, kernels wider than one tap,
   padding, output planes of fewer than 16 pixels, strided layers whose stage would pass 256 KiB
   (1366 input channels of 48 pixels). */
static void refuses_what_it_does_not_compute(void** state) {
  (void)state;
  conv_case c = pointwise_case(1, 4, 4, 8, 8);
  case_layouts(&c, GEMMCONV_LAYOUT_NHWC, GEMMCONV_FILTER_OHWI);
  expect_unsupported(&c);
  c = pointwise_case(1, 4, 4, 8, 8);
  case_kernel(&c, 1, 3);
  expect_unsupported(&c);
  c = pointwise_case(1, 4, 4, 8, 8);
  case_pads(&c, 0, 0, 1, 0);
  expect_unsupported(&c);
  c = pointwise_case(1, 4, 4, 3, 5);
  expect_unsupported(&c);
  /* The output plane counts: an 8 x 16 input with strides 2 x 4 gives 16 pixels, 4 x 4 gives 8. */
  c = pointwise_case(1, 4, 4, 8, 16);
  case_stride(&c, 2, 4);
  check_algorithm_runs(&c, algo_named("pointwise-nchw"));
  case_stride(&c, 4, 4);
  expect_unsupported(&c);
  c = pointwise_case(1, 1365, 2, 8, 8);
  case_stride(&c, 1, 2);
  check_algorithm_runs(&c, algo_named("pointwise-nchw"));
  c = pointwise_case(1, 1366, 2, 8, 8);
  case_stride(&c, 1, 2);
  expect_unsupported(&c);
  case_stride(&c, 1, 1); /* read where it lies: no stage */
  check_algorithm_runs(&c, algo_named("pointwise-nchw"));
}

static void execute_allocates_nothing(void** state) {
  (void)state;
  if (!alloc_count_available()) skip();
  conv_case c = pointwise_case(2, 8, 13, 9, 10);
  c.desc.batch = 2;
  case_stride(&c, 1, 2);
  c.with_bias = 1;
  c.output_min = -1.0f;
  c.output_max = 1.0f;
  for (uint32_t t = 1; t <= 3; ++t) {
    c.threads = t;
    assert_int_equal(execute_allocator_calls(&c, algo_named("pointwise-nchw")), 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(output_channels),
      cmocka_unit_test(planes),
      cmocka_unit_test(input_channels),
      cmocka_unit_test(strides),
      cmocka_unit_test(groups_and_batches),
      cmocka_unit_test(bias_and_clamp),
      cmocka_unit_test(real_layers),
      cmocka_unit_test(few_pixel_blocks_shared_by_channels),
      cmocka_unit_test(refuses_what_it_does_not_compute),
      cmocka_unit_test(execute_allocates_nothing),
  };
  return cmocka_run_group_tests_name("pointwise", tests, NULL, NULL);
}
