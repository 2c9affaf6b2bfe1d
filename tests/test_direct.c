/* `direct`, the algorithm every other one is compared with, against results computed by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

/* Runs direct on the case and checks the output against `want` exactly (small integers). */
static void expect_direct(const conv_case* c, const float* input, const float* filter,
                          const float* bias, const float* want, size_t count) {
  assert_int_equal(case_output_count(c), count);
  gemmconv_plan* plan = make_plan(c, GEMMCONV_ALGO_DIRECT, filter, bias);
  float out[64];
  assert_int_equal(gemmconv_execute(plan, input, out, NULL, 0), GEMMCONV_STATUS_SUCCESS);
  for (size_t i = 0; i < count; ++i) assert_float_equal(out[i], want[i], 0.0f);
  gemmconv_plan_destroy(plan);
}

static conv_case single_channel(uint32_t h, uint32_t w, uint32_t k) {
  conv_case c = base_case();
  case_channels(&c, 1, 1, 1);
  case_input(&c, h, w);
  case_kernel(&c, k, k);
  case_pads(&c, 0, 0, 0, 0);
  return c;
}

static const float ramp9[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static void box_filter(void** state) {
  (void)state;
  const conv_case c = single_channel(3, 3, 2);
  const float ones[4] = {1, 1, 1, 1};
  const float want[4] = {1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9};
  expect_direct(&c, ramp9, ones, NULL, want, 4);
}

static void padding_shifts(void** state) {
  (void)state;
  conv_case c = single_channel(3, 3, 3);
  c.desc.pad_top = c.desc.pad_bottom = c.desc.pad_left = c.desc.pad_right = 1;
  const float top_left[9] = {1, 0, 0, 0, 0, 0, 0, 0, 0}; /* y[i][j] = x[i-1][j-1] */
  const float want[9] = {0, 0, 0, 0, 1, 2, 0, 4, 5};
  expect_direct(&c, ramp9, top_left, NULL, want, 9);
}

static void asymmetric_padding(void** state) {
  (void)state;
  conv_case c = single_channel(3, 3, 1);
  c.desc.pad_bottom = 1; /* 4x4 output, last row and column zero */
  c.desc.pad_right = 1;
  const float two[1] = {2};
  const float want[16] = {2, 4, 6, 0, 8, 10, 12, 0, 14, 16, 18, 0, 0, 0, 0, 0};
  expect_direct(&c, ramp9, two, NULL, want, 16);
}

static void stride_and_dilation(void** state) {
  (void)state;
  conv_case c = single_channel(5, 5, 2);
  c.desc.dilation_height = c.desc.dilation_width = 2; /* taps at offsets 0 and 2 */
  c.desc.stride_height = c.desc.stride_width = 2;     /* 2x2 output */
  float x[25];
  for (int i = 0; i < 25; ++i) x[i] = (float)i;
  const float ones[4] = {1, 1, 1, 1};
  /* y[oy][ox] = x[2oy][2ox] + x[2oy][2ox+2] + x[2oy+2][2ox] + x[2oy+2][2ox+2] */
  const float want[4] = {0 + 2 + 10 + 12, 2 + 4 + 12 + 14, 10 + 12 + 20 + 22, 12 + 14 + 22 + 24};
  expect_direct(&c, x, ones, NULL, want, 4);
}

static void groups_with_bias(void** state) {
  (void)state;
  conv_case c = single_channel(1, 2, 1);
  c.desc.groups = c.desc.in_channels = c.desc.out_channels = 2;
  const float x[4] = {1, 2, 3, 4}; /* channel 0: 1 2, channel 1: 3 4 */
  const float w[2] = {2, 3};
  const float b[2] = {1, -1};
  const float want[4] = {3, 5, 8, 11};
  expect_direct(&c, x, w, b, want, 4);
}

static void channels_sum(void** state) {
  (void)state;
  conv_case c = single_channel(1, 2, 1);
  c.desc.in_channels = 2; /* y = 10 * ch0 + 1 * ch1 */
  const float x[4] = {1, 2, 3, 4};
  const float w[2] = {10, 1};
  const float want[2] = {13, 24};
  expect_direct(&c, x, w, NULL, want, 2);
}

static void nhwc_and_ohwi(void** state) {
  (void)state;
  conv_case c = single_channel(1, 3, 1);
  c.desc.layout = GEMMCONV_LAYOUT_NHWC;
  c.desc.filter_layout = GEMMCONV_FILTER_OHWI;
  c.desc.in_channels = 2;
  c.desc.out_channels = 2;
  c.desc.kernel_width = 2;                     /* filter [m][0][kx][c] */
  const float x[6] = {1, 10, 2, 20, 3, 30};    /* pixels (1,10) (2,20) (3,30) */
  const float w[8] = {1, 0, 0, 0, 0, 1, 1, 1}; /* m0: ch0 at kx0; m1: ch1 at kx0 + both at kx1 */
  const float want[4] = {1, 10 + 2 + 20, 2, 20 + 3 + 30};
  expect_direct(&c, x, w, NULL, want, 4);
}

static void clamp_applies_last(void** state) {
  (void)state;
  conv_case c = single_channel(3, 3, 2);
  c.output_min = 13;
  c.output_max = 20;
  const float ones[4] = {1, 1, 1, 1};
  const float bias[1] = {-1}; /* 11 15 23 27 before the clamp */
  const float want[4] = {13, 15, 20, 20};
  expect_direct(&c, ramp9, ones, bias, want, 4);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(box_filter),         cmocka_unit_test(padding_shifts),
      cmocka_unit_test(asymmetric_padding), cmocka_unit_test(stride_and_dilation),
      cmocka_unit_test(groups_with_bias),   cmocka_unit_test(channels_sum),
      cmocka_unit_test(nhwc_and_ohwi),      cmocka_unit_test(clamp_applies_last),
  };
  return cmocka_run_group_tests_name("direct", tests, NULL, NULL);
}
