/* rows-nchw: KH x KW layers with dilation 1 and strides up to 2 on channels-first tensors, as
   register tiles of output channels x consecutive output pixels, the input rows of a band of
   output rows staged with their padding; the tiles cut from one output row each, or from the
   band's rows laid end to end (flat bands: planes with rows narrower than a vector, or whose
   rows leave fewer lanes idle that way). Sweeps around the edges of its tiles (output rows
   around the tile's pixel side, from one vector of 16 up; output channels around its rows), flat
   bands from rows of one pixel up, kernel shapes, padding on each side (also wider than the
   kernel reaches), row counts around the band, input channels in chunks (a stage over 256 KiB),
   strides of 2 (row phases) in either direction with chunks, flat bands cut short by the stage,
   groups, batches, bias and clamp, both filter layouts, each
   case against the reference on 1, 2 and 3 threads, within its workspace bound, and bit for bit
   across them; what it must refuse; an execute that allocates nothing. tests/meson.build runs this
   file again with GEMMCONV_MAX_ISA=avx2 and =baseline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_count.h"
#include "harness.h"

/* G groups of cg input and mg output channels, NCHW/OIHW, height x width input, k x k kernel
   with "same" padding, one thread. */
static conv_case rows_case(uint32_t groups, uint32_t cg, uint32_t mg, uint32_t height,
                           uint32_t width, uint32_t k) {
  conv_case c = base_case();
  case_layouts(&c, GEMMCONV_LAYOUT_NCHW, GEMMCONV_FILTER_OIHW);
  case_channels(&c, groups, groups * cg, groups * mg);
  case_input(&c, height, width);
  case_kernel(&c, k, k);
  case_same_padding(&c);
  c.threads = 1;
  return c;
}

/* The workspace a thread may take: its stage, at most 256 KiB. */
enum { STAGE_BOUND = 256 * 1024 };

/* Against the reference with both filter layouts, on 1 and 3 threads within the bound, and the
   same bits on 1, 2 and 3 threads. */
static void check_rows(conv_case c) {
  const gemmconv_algo algo = algo_named("rows-nchw");
  static const gemmconv_filter_layout filters[] = {GEMMCONV_FILTER_OIHW, GEMMCONV_FILTER_OHWI};
  for (int f = 0; f < 2; ++f) {
    case_layouts(&c, GEMMCONV_LAYOUT_NCHW, filters[f]);
    check_runs_on_1_and_3_threads(&c, algo, STAGE_BOUND);
  }
  check_same_bits_across_threads(&c, algo);
}

/* Output rows from one vector of the widest ISA (16) up, around the tiles' pixel sides (8 to 48)
   and their multiples. */
static void row_widths(void** state) {
  (void)state;
  static const uint32_t widths[] = {16, 17, 23, 24, 31, 32, 33, 47, 48, 49, 56, 64, 97, 112};
  for (size_t i = 0; i < sizeof widths / sizeof widths[0]; ++i)
    check_rows(rows_case(1, 3, 9, 5, widths[i], 3));
}

/* Output channels per group on both sides of the tiles' rows (6 or 8) and of two blocks. */
static void output_channels(void** state) {
  (void)state;
  static const uint32_t outputs[] = {1, 5, 6, 7, 8, 9, 13, 16, 17};
  for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; ++i)
    check_rows(rows_case(1, 4, outputs[i], 6, 20, 3));
}

/* Kernel shapes, square and not, with "same" padding, none, and padding on one side only or
   wider than the kernel reaches (output rows and columns that read only padding). */
static void kernels_and_padding(void** state) {
  (void)state;
  static const uint32_t shapes[][2] = {{2, 2}, {3, 3}, {5, 5}, {7, 7}, {1, 3}, {3, 1}, {1, 5}};
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i) {
    conv_case c = rows_case(1, 3, 7, 9, 21, 1);
    case_kernel(&c, shapes[i][0], shapes[i][1]);
    case_same_padding(&c);
    check_rows(c);
    case_pads(&c, 0, 0, 0, 0);
    case_input(&c, 9, 15 + shapes[i][1]);
    check_rows(c);
  }
  conv_case c = rows_case(1, 3, 7, 8, 18, 3);
  case_pads(&c, 2, 0, 0, 1);
  check_rows(c);
  case_pads(&c, 0, 3, 4, 0);
  check_rows(c);
  case_pads(&c, 4, 4, 3, 3); /* rows and columns of padding only */
  check_rows(c);
}

/* Output plane heights around the band of two rows, a single row included. */
static void row_counts(void** state) {
  (void)state;
  static const uint32_t heights[] = {1, 2, 3, 4, 5, 8};
  for (size_t i = 0; i < sizeof heights / sizeof heights[0]; ++i) {
    conv_case c = rows_case(1, 5, 8, heights[i], 19, 3);
    c.threads = 2;
    check_rows(c);
  }
}

/* Input channels whose stage passes 256 KiB (a zero and two rows of 101 floats plus two, 1620
   bytes a channel: 200 channels go in two chunks, the first chunk's sums waiting in the output),
   with bias and a clamp applied after the last. */
static void input_channels_in_chunks(void** state) {
  (void)state;
  conv_case c = rows_case(1, 200, 9, 6, 100, 3);
  c.with_bias = 1;
  c.output_min = -2.0f;
  c.output_max = 2.0f;
  check_rows(c);
  c = rows_case(1, 1, 5, 4, 30, 3); /* one input channel */
  check_rows(c);
}

/* Flat bands: planes whose rows are narrower than a vector (from one pixel, the shortest band
   then 9 rows), the planes of real networks' later layers (28x28 to 7x7), kernel shapes and
   padding (one side only, wider than the kernel reaches), on 1, 2 and 3 threads. */
static void flat_bands(void** state) {
  (void)state;
  static const uint32_t planes[][3] = {{7, 7, 3},  {14, 14, 3}, {28, 28, 3}, {9, 3, 3},
                                       {20, 1, 3}, {11, 5, 5},  {6, 12, 3},  {8, 8, 7}};
  for (size_t i = 0; i < sizeof planes / sizeof planes[0]; ++i) {
    conv_case c = rows_case(1, 5, 11, planes[i][0], planes[i][1], planes[i][2]);
    c.with_bias = 1;
    check_rows(c);
  }
  conv_case c = rows_case(1, 4, 9, 12, 6, 3);
  case_kernel(&c, 1, 3);
  case_same_padding(&c);
  check_rows(c);
  case_kernel(&c, 3, 1);
  case_same_padding(&c);
  check_rows(c);
  c = rows_case(1, 4, 9, 12, 6, 3);
  case_pads(&c, 2, 0, 0, 1);
  check_rows(c);
  case_pads(&c, 0, 2, 2, 0);
  check_rows(c);
  case_pads(&c, 4, 4, 3, 3); /* rows and columns of padding only */
  check_rows(c);
}

/* Flat bands of a plane whose stage of all channels passes 256 KiB: 600 channels of 14x14 go in
   three bands (5, 5 and 4 rows, 248 KiB), with bias and clamp; planes of several images and
   groups shared out by band. */
static void flat_bands_cut_by_the_stage(void** state) {
  (void)state;
  conv_case c = rows_case(1, 600, 9, 14, 14, 3);
  c.with_bias = 1;
  c.output_min = -2.0f;
  c.output_max = 2.0f;
  check_rows(c);
  c = rows_case(3, 4, 7, 10, 10, 3);
  c.desc.batch = 2;
  c.with_bias = 1;
  c.threads = 2;
  check_rows(c);
}

/* Strides of 2, both ways or one, each staged row split into its phases: 7x7 first layers
   (3 channels), 3x3, 5x5 with one-sided padding, 2x2 without, 3x7 and 7x3 (rows of 7 taps
   unrolled with any number of rows, and the looped taps), 150 channels in two chunks. */
static void strided_rows(void** state) {
  (void)state;
  conv_case c = rows_case(1, 3, 11, 40, 40, 7);
  case_stride(&c, 2, 2);
  case_pads(&c, 3, 3, 3, 3);
  c.with_bias = 1;
  check_rows(c);
  /* input channels, height, width, kernel, strides, padding (top, bottom, left, right) */
  static const uint32_t shapes[][11] = {
      {4, 13, 35, 3, 3, 2, 2, 1, 1, 1, 1}, {4, 13, 35, 3, 3, 1, 2, 1, 1, 1, 1},
      {4, 13, 20, 3, 3, 2, 1, 1, 1, 1, 1}, {4, 11, 38, 5, 5, 2, 2, 2, 0, 1, 2},
      {4, 9, 33, 2, 2, 2, 2, 0, 0, 0, 0},  {3, 11, 40, 3, 7, 2, 2, 1, 1, 3, 3},
      {3, 11, 40, 7, 3, 2, 2, 3, 3, 1, 1}};
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i) {
    const uint32_t* s = shapes[i];
    c = rows_case(1, s[0], 9, s[1], s[2], s[3]);
    case_kernel(&c, s[3], s[4]);
    case_stride(&c, s[5], s[6]);
    case_pads(&c, s[7], s[8], s[9], s[10]);
    check_rows(c);
  }
  c = rows_case(1, 150, 9, 12, 40, 7); /* 13 rows of two phases of 23 floats a channel */
  case_stride(&c, 2, 2);
  case_pads(&c, 3, 3, 3, 3);
  c.with_bias = 1;
  c.output_min = -2.0f;
  c.output_max = 2.0f;
  check_rows(c);
}

static void groups_batches_bias_clamp(void** state) {
  (void)state;
  conv_case c = rows_case(3, 4, 7, 7, 18, 3);
  check_rows(c);
  c.desc.batch = 2;
  c.with_bias = 1;
  check_rows(c);
  c.output_min = 0.0f;
  c.output_max = __builtin_inff();
  check_rows(c);
}

/* A layer of the size real networks have (VGG-19 conv1_2-like), shared out by rows. */
static void real_layers(void** state) {
  (void)state;
  conv_case c = rows_case(1, 64, 64, 56, 56, 3);
  c.with_bias = 1;
  c.threads = 2;
  check_rows(c);
  c = rows_case(1, 3, 64, 64, 64, 3); /* a first layer: 3 input channels */
  c.with_bias = 1;
  check_rows(c);
}

static void expect_unsupported(const conv_case* c) {
  gemmconv_plan* plan = (gemmconv_plan*)1;
  assert_int_equal(try_plan(c, algo_named("rows-nchw"), &plan), GEMMCONV_STATUS_UNSUPPORTED);
  assert_null(plan);
}

/* What it leaves to the other algorithms: channels-last tensors, 1x1 kernels, strides over 2,
   strided rows shorter than 16, dilations, planes whose flat positions hold no vector of 16, rows
   whose stage passes 256 KiB with one channel and one output row. */
static void refuses_what_it_does_not_compute(void** state) {
  (void)state;
  conv_case c = rows_case(1, 3, 4, 8, 20, 3);
  case_layouts(&c, GEMMCONV_LAYOUT_NHWC, GEMMCONV_FILTER_OHWI);
  expect_unsupported(&c);
  c = rows_case(1, 3, 4, 8, 20, 1);
  expect_unsupported(&c);
  c = rows_case(1, 3, 4, 8, 80, 3);
  case_stride(&c, 1, 3);
  expect_unsupported(&c);
  c = rows_case(1, 3, 4, 16, 40, 3);
  case_stride(&c, 4, 1);
  expect_unsupported(&c);
  c = rows_case(1, 3, 4, 8, 30, 3); /* 15 output columns */
  case_stride(&c, 1, 2);
  expect_unsupported(&c);
  case_input(&c, 8, 32); /* 16 */
  check_algorithm_runs(&c, algo_named("rows-nchw"));
  c = rows_case(1, 3, 4, 8, 40, 3);
  case_dilation(&c, 2, 1);
  expect_unsupported(&c);
  c = rows_case(1, 3, 4, 2, 7, 3); /* two rows of 7 (and a zero): 15 flat positions */
  expect_unsupported(&c);
  c = rows_case(1, 3, 4, 3, 7, 3); /* three: 23 */
  check_algorithm_runs(&c, algo_named("rows-nchw"));
  c = rows_case(1, 1, 2, 2, 21844, 3); /* a zero and 3 rows of 21845 floats: 262144 bytes */
  check_algorithm_runs(&c, algo_named("rows-nchw"));
  c = rows_case(1, 1, 2, 2, 21845, 3); /* a zero and 3 rows of 21846 floats: 262156 bytes */
  expect_unsupported(&c);
}

static void execute_allocates_nothing(void** state) {
  (void)state;
  if (!alloc_count_available()) skip();
  conv_case c = rows_case(2, 8, 13, 9, 20, 3);
  c.desc.batch = 2;
  c.with_bias = 1;
  c.output_min = -1.0f;
  c.output_max = 1.0f;
  for (uint32_t t = 1; t <= 3; ++t) {
    c.threads = t;
    assert_int_equal(execute_allocator_calls(&c, algo_named("rows-nchw")), 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(row_widths),
      cmocka_unit_test(output_channels),
      cmocka_unit_test(kernels_and_padding),
      cmocka_unit_test(row_counts),
      cmocka_unit_test(input_channels_in_chunks),
      cmocka_unit_test(flat_bands),
      cmocka_unit_test(flat_bands_cut_by_the_stage),
      cmocka_unit_test(strided_rows),
      cmocka_unit_test(groups_batches_bias_clamp),
      cmocka_unit_test(real_layers),
      cmocka_unit_test(refuses_what_it_does_not_compute),
      cmocka_unit_test(execute_allocates_nothing),
  };
  return cmocka_run_group_tests_name("rows", tests, NULL, NULL);
}
