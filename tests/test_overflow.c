/* Descriptors at and past the limits of size_t and uint32: each size that does not fit gets
   OVERFLOW at plan creation (before the filter is read: the small filter passed here would be
   overrun otherwise, which ASan would report), sizes that do fit plan normally, and geometry
   whose intermediate products pass 2^63 gets an answer instead of undefined behaviour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "harness.h"

static float small_filter[128]; /* holds the 108-float filter planned below */

/* A 1x1, unpadded, stride-1 convolution of the given sizes. */
static gemmconv_conv_desc pointwise(uint32_t n, uint32_t c, uint32_t m, uint32_t h, uint32_t w) {
  gemmconv_conv_desc d;
  gemmconv_conv_desc_init(&d);
  d.batch = n;
  d.in_channels = c;
  d.out_channels = m;
  d.in_height = h;
  d.in_width = w;
  d.kernel_height = d.kernel_width = 1;
  return d;
}

static void expect_plan_status(const gemmconv_conv_desc* d, gemmconv_algo algo,
                               gemmconv_status want) {
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = algo;
  gemmconv_plan* plan = (gemmconv_plan*)(uintptr_t)0x1;
  const gemmconv_status got = gemmconv_plan_create(d, small_filter, small_filter, &o, &plan);
  if (got != want)
    fail_msg("%s: got %s, expected %s", gemmconv_algo_name(algo), gemmconv_status_string(got),
             gemmconv_status_string(want));
  assert_null(plan);
}

static void input_elements_overflow_size_t(void** state) {
  (void)state;
  /* N * C * H * W = 2^64: the element count itself wraps. */
  const gemmconv_conv_desc d = pointwise(1u << 16, 1u << 16, 1, 1u << 16, 1u << 16);
  expect_plan_status(&d, GEMMCONV_ALGO_AUTO, GEMMCONV_STATUS_OVERFLOW);
  expect_plan_status(&d, GEMMCONV_ALGO_DIRECT, GEMMCONV_STATUS_OVERFLOW);
}

static void input_bytes_overflow_size_t(void** state) {
  (void)state;
  /* 2^62 elements fit size_t, their 2^64 bytes do not. */
  const gemmconv_conv_desc d = pointwise(1u << 14, 1u << 16, 1, 1u << 16, 1u << 16);
  expect_plan_status(&d, GEMMCONV_ALGO_AUTO, GEMMCONV_STATUS_OVERFLOW);
  /* 2^50 bytes fit size_t but no 64-bit machine can map them: refused as well. */
  const gemmconv_conv_desc e = pointwise(1, 1u << 16, 1, 1u << 16, 1u << 16);
  expect_plan_status(&e, GEMMCONV_ALGO_AUTO, GEMMCONV_STATUS_OVERFLOW);
}

static void output_only_overflows(void** state) {
  (void)state;
  /* Input 2^32 floats and filter 2^32 - 1 floats fit; output (2^32 - 1) * 2^32 floats does not. */
  const gemmconv_conv_desc d = pointwise(1, 1, UINT32_MAX, 1u << 16, 1u << 16);
  expect_plan_status(&d, GEMMCONV_ALGO_AUTO, GEMMCONV_STATUS_OVERFLOW);
}

static void filter_only_overflows(void** state) {
  (void)state;
  /* Input and output 2^31 floats each; the filter M * C = 2^62 floats = 2^64 bytes. */
  const gemmconv_conv_desc d = pointwise(1, 1u << 31, 1u << 31, 1, 1);
  expect_plan_status(&d, GEMMCONV_ALGO_AUTO, GEMMCONV_STATUS_OVERFLOW);
  /* The same channels in 2^30 groups: the filter is only 2^31 * 2 floats, so it is the input
     and output that decide; they fit, so this is a valid (if huge) convolution. Checked through
     output_dims only: planning it would read a 32 GiB filter. */
  gemmconv_conv_desc g = d;
  g.groups = 1u << 30;
  uint32_t ho = 0, wo = 0;
  assert_int_equal(gemmconv_output_dims(&g, &ho, &wo), GEMMCONV_STATUS_SUCCESS);
  assert_int_equal(ho, 1);
  assert_int_equal(wo, 1);
}

static void every_dimension_at_uint32_max(void** state) {
  (void)state;
  gemmconv_conv_desc d = pointwise(UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX);
  expect_plan_status(&d, GEMMCONV_ALGO_AUTO, GEMMCONV_STATUS_OVERFLOW);
  d.kernel_height = d.kernel_width = UINT32_MAX; /* span = input: one output pixel */
  expect_plan_status(&d, GEMMCONV_ALGO_AUTO, GEMMCONV_STATUS_OVERFLOW);
}

/* dilation * (kernel - 1) reaches (2^32 - 1) * (2^32 - 2), past INT64_MAX: the library must not
   form it in int64 (UBSan reports signed overflow) and must still answer correctly. */
static void dilated_span_beyond_int64(void** state) {
  (void)state;
  conv_case c = base_case();
  c.desc.kernel_height = c.desc.kernel_width = UINT32_MAX;
  c.desc.dilation_height = c.desc.dilation_width = UINT32_MAX;
  uint32_t ho = 0, wo = 0;
  assert_int_equal(gemmconv_output_dims(&c.desc, &ho, &wo), GEMMCONV_STATUS_INVALID_ARGUMENT);
  expect_plan_status(&c.desc, GEMMCONV_ALGO_AUTO, GEMMCONV_STATUS_INVALID_ARGUMENT);
  c = base_case(); /* only one axis */
  c.desc.kernel_width = UINT32_MAX;
  c.desc.dilation_width = UINT32_MAX;
  assert_int_equal(gemmconv_output_dims(&c.desc, &ho, &wo), GEMMCONV_STATUS_INVALID_ARGUMENT);
}

/* The output extent at exactly 2^32 - 1 is representable; one more is OVERFLOW. */
static void output_extent_at_uint32_limit(void** state) {
  (void)state;
  conv_case c = base_case();
  c.desc.in_height = c.desc.pad_top = c.desc.pad_bottom = UINT32_MAX; /* padded 3 * (2^32 - 1) */
  c.desc.dilation_height = UINT32_MAX;
  c.desc.kernel_height = 3; /* span 2^33 - 1: Ho = 2^32 - 1 */
  uint32_t ho = 0, wo = 0;
  assert_int_equal(gemmconv_output_dims(&c.desc, &ho, &wo), GEMMCONV_STATUS_SUCCESS);
  assert_int_equal(ho, UINT32_MAX);
  assert_int_equal(wo, 8);
  /* Input 3 * (2^32 - 1) * 8 floats, output 4 * (2^32 - 1) * 8: large but plannable (the filter
     is 4 * 3 * 3 * 3 floats). Nothing is executed. */
  gemmconv_plan* plan = NULL;
  assert_int_equal(gemmconv_plan_create(&c.desc, small_filter, NULL, NULL, &plan),
                   GEMMCONV_STATUS_SUCCESS);
  size_t bytes = 0;
  assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
  gemmconv_plan_destroy(plan);
  c.desc.kernel_height = 2; /* span 2^32: Ho = 2^33 - 2 */
  assert_int_equal(gemmconv_output_dims(&c.desc, &ho, &wo), GEMMCONV_STATUS_OVERFLOW);
  expect_plan_status(&c.desc, GEMMCONV_ALGO_AUTO, GEMMCONV_STATUS_OVERFLOW);
}

/* Tensors that fit, but a named algorithm's workspace (C/G * KH * KW * Ho * Wo floats, about
   2^62 bytes here) does not: that algorithm answers OVERFLOW, AUTO passes it over. */
static void workspace_overflows(void** state) {
  (void)state;
  gemmconv_conv_desc d = pointwise(1, 1, 1, 1u << 20, 1u << 20); /* input 2^42 bytes */
  d.kernel_height = d.kernel_width = 1u << 10;
  const size_t nfilter = (size_t)1 << 20;
  float* filter = calloc(nfilter, sizeof(float));
  assert_non_null(filter);
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  gemmconv_plan* plan = (gemmconv_plan*)(uintptr_t)0x1;
  o.algo = GEMMCONV_ALGO_IM2COL_COPY_LONG;
  assert_int_equal(gemmconv_plan_create(&d, filter, NULL, &o, &plan), GEMMCONV_STATUS_OVERFLOW);
  assert_null(plan);
  d.layout = GEMMCONV_LAYOUT_NHWC;
  o.algo = GEMMCONV_ALGO_IM2ROW_COPY_SHORT;
  assert_int_equal(gemmconv_plan_create(&d, filter, NULL, &o, &plan), GEMMCONV_STATUS_OVERFLOW);
  assert_null(plan);
  o.algo = GEMMCONV_ALGO_AUTO;
  assert_int_equal(gemmconv_plan_create(&d, filter, NULL, &o, &plan), GEMMCONV_STATUS_SUCCESS);
  size_t bytes = 0;
  assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
  assert_true(bytes < ((size_t)1 << 48));
  gemmconv_plan_destroy(plan);
  free(filter);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(input_elements_overflow_size_t),
      cmocka_unit_test(input_bytes_overflow_size_t),
      cmocka_unit_test(output_only_overflows),
      cmocka_unit_test(filter_only_overflows),
      cmocka_unit_test(every_dimension_at_uint32_max),
      cmocka_unit_test(dilated_span_beyond_int64),
      cmocka_unit_test(output_extent_at_uint32_limit),
      cmocka_unit_test(workspace_overflows),
  };
  return cmocka_run_group_tests_name("overflow", tests, NULL, NULL);
}
