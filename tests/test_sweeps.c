/* Parameter sweeps around a small base case, one or two fields at a time (XNNPACK style). Each
   case runs through every algorithm that supports it, in both activation layouts and both
   filter layouts, against the reference computed from the definition. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

/* Runs the case as NCHW/OIHW, NHWC/OHWI and NHWC/OIHW; every layout has at least one GEMM
   algorithm besides direct, so fewer than two algorithms running is a failure. */
static void sweep(conv_case c) {
  c.desc.layout = GEMMCONV_LAYOUT_NCHW;
  c.desc.filter_layout = GEMMCONV_FILTER_OIHW;
  assert_true(check_case(&c) >= 2);
  c.desc.layout = GEMMCONV_LAYOUT_NHWC;
  c.desc.filter_layout = GEMMCONV_FILTER_OHWI;
  assert_true(check_case(&c) >= 2);
  c.desc.filter_layout = GEMMCONV_FILTER_OIHW;
  assert_true(check_case(&c) >= 2);
}

static void base(void** state) {
  (void)state;
  sweep(base_case());
}

static void strides(void** state) {
  (void)state;
  for (uint32_t sh = 1; sh <= 3; ++sh)
    for (uint32_t sw = 1; sw <= 3; ++sw) {
      conv_case c = base_case();
      c.desc.stride_height = sh;
      c.desc.stride_width = sw;
      sweep(c);
    }
}

static void dilations(void** state) {
  (void)state;
  for (uint32_t dh = 1; dh <= 3; ++dh)
    for (uint32_t dw = 1; dw <= 3; ++dw) {
      conv_case c = base_case();
      c.desc.in_height = 11;
      c.desc.in_width = 12;
      c.desc.dilation_height = dh;
      c.desc.dilation_width = dw;
      sweep(c);
    }
}

static void dilation_with_stride(void** state) {
  (void)state;
  conv_case c = base_case();
  c.desc.in_height = c.desc.in_width = 13;
  c.desc.dilation_height = c.desc.dilation_width = 2;
  c.desc.stride_height = c.desc.stride_width = 2;
  case_pads(&c, 2, 1, 0, 2);
  sweep(c);
}

static void each_padding_side(void** state) {
  (void)state;
  for (int side = 0; side < 4; ++side)
    for (uint32_t p = 1; p <= 3; ++p) {
      conv_case c = base_case();
      case_pads(&c, side == 0 ? p : 0, side == 1 ? p : 0, side == 2 ? p : 0, side == 3 ? p : 0);
      sweep(c);
    }
}

static void no_padding(void** state) {
  (void)state;
  conv_case c = base_case();
  case_pads(&c, 0, 0, 0, 0);
  sweep(c);
}

static void padding_wider_than_kernel(void** state) {
  (void)state;
  conv_case c = base_case(); /* whole output rows and columns see only padding */
  case_pads(&c, 4, 3, 5, 4);
  sweep(c);
}

static void kernel_sizes(void** state) {
  (void)state;
  for (uint32_t k = 1; k <= 7; ++k) {
    conv_case c = base_case();
    c.desc.in_height = c.desc.in_width = 9;
    c.desc.kernel_height = c.desc.kernel_width = k;
    case_same_padding(&c);
    sweep(c);
  }
}

static void non_square_kernels(void** state) {
  (void)state;
  const uint32_t shapes[][2] = {{1, 3}, {3, 1}, {2, 4}, {5, 2}, {1, 7}, {7, 1}};
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i) {
    conv_case c = base_case();
    c.desc.in_height = c.desc.in_width = 9;
    c.desc.kernel_height = shapes[i][0];
    c.desc.kernel_width = shapes[i][1];
    case_pads(&c, shapes[i][0] / 2, 0, 0, shapes[i][1] / 2);
    sweep(c);
  }
}

static void channel_counts(void** state) {
  (void)state;
  const uint32_t cm[][2] = {{1, 1}, {1, 5}, {5, 1}, {7, 3}, {17, 19}, {32, 8}};
  for (size_t i = 0; i < sizeof cm / sizeof cm[0]; ++i) {
    conv_case c = base_case();
    c.desc.in_channels = cm[i][0];
    c.desc.out_channels = cm[i][1];
    sweep(c);
  }
}

static void odd_spatial_sizes(void** state) {
  (void)state;
  const uint32_t hw[][2] = {{1, 1}, {1, 9}, {9, 1}, {3, 3}, {13, 5}, {2, 17}};
  for (size_t i = 0; i < sizeof hw / sizeof hw[0]; ++i) {
    conv_case c = base_case();
    c.desc.in_height = hw[i][0];
    c.desc.in_width = hw[i][1];
    sweep(c);
  }
}

static void kernel_covers_input(void** state) {
  (void)state;
  conv_case c = base_case(); /* a single output pixel */
  c.desc.kernel_height = 7;
  c.desc.kernel_width = 8;
  case_pads(&c, 0, 0, 0, 0);
  sweep(c);
}

static void groups(void** state) {
  (void)state;
  const uint32_t gcm[][3] = {{2, 4, 6}, {3, 6, 9}, {3, 9, 3}, {4, 8, 4}};
  for (size_t i = 0; i < sizeof gcm / sizeof gcm[0]; ++i) {
    conv_case c = base_case();
    c.desc.groups = gcm[i][0];
    c.desc.in_channels = gcm[i][1];
    c.desc.out_channels = gcm[i][2];
    sweep(c);
  }
}

static void depthwise(void** state) {
  (void)state;
  conv_case c = base_case();
  c.desc.groups = c.desc.in_channels = c.desc.out_channels = 5;
  sweep(c);
  c.desc.out_channels = 10; /* channel multiplier 2 */
  sweep(c);
  c.desc.stride_height = c.desc.stride_width = 2;
  sweep(c);
}

static void batch(void** state) {
  (void)state;
  conv_case c = base_case();
  c.desc.batch = 3;
  sweep(c);
  c.desc.groups = 3;
  c.desc.in_channels = 3;
  c.desc.out_channels = 6;
  sweep(c);
}

static void bias(void** state) {
  (void)state;
  conv_case c = base_case();
  c.with_bias = 1;
  sweep(c);
  c.desc.groups = c.desc.in_channels = c.desc.out_channels = 3;
  sweep(c);
}

static void clamp(void** state) {
  (void)state;
  for_each_clamp(base_case(), sweep);
}

static void threads(void** state) {
  (void)state;
  for (uint32_t t = 1; t <= 4; ++t) {
    conv_case c = base_case();
    c.desc.batch = 2;
    c.desc.out_channels = 9;
    c.threads = t;
    sweep(c);
  }
  conv_case c = base_case();
  c.threads = 0; /* the OpenMP default */
  sweep(c);
}

static void pointwise(void** state) {
  (void)state;
  conv_case c = base_case();
  c.desc.kernel_height = c.desc.kernel_width = 1;
  case_pads(&c, 0, 0, 0, 0);
  c.desc.in_channels = 16;
  c.desc.out_channels = 12;
  sweep(c);
  c.with_bias = 1;
  c.desc.groups = 4;
  c.desc.batch = 2;
  sweep(c);
  c.desc.stride_height = c.desc.stride_width = 2; /* not gemm-1x1's: others must cover it */
  sweep(c);
  c.desc.stride_height = c.desc.stride_width = 1;
  c.desc.dilation_height = c.desc.dilation_width = 3; /* irrelevant for a 1x1 kernel */
  sweep(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(base),
      cmocka_unit_test(strides),
      cmocka_unit_test(dilations),
      cmocka_unit_test(dilation_with_stride),
      cmocka_unit_test(each_padding_side),
      cmocka_unit_test(no_padding),
      cmocka_unit_test(padding_wider_than_kernel),
      cmocka_unit_test(kernel_sizes),
      cmocka_unit_test(non_square_kernels),
      cmocka_unit_test(channel_counts),
      cmocka_unit_test(odd_spatial_sizes),
      cmocka_unit_test(kernel_covers_input),
      cmocka_unit_test(groups),
      cmocka_unit_test(depthwise),
      cmocka_unit_test(batch),
      cmocka_unit_test(bias),
      cmocka_unit_test(clamp),
      cmocka_unit_test(threads),
      cmocka_unit_test(pointwise),
  };
  return cmocka_run_group_tests_name("sweeps", tests, NULL, NULL);
}
