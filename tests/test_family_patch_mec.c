/* What is specific to the patch-building variants (im2col-*, im2row-*) and MEC (mec-col,
   mec-row): the exact workspace formula of each, the layouts and dilations they refuse, and
   copy-self where it derives most of P from itself and where it must fall back to copying from
   the input. The correctness runs here poison the workspace with NaN first, so a patch or
   lowered element that is read without having been written shows up. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "harness.h"

/* The family, each with the layout it computes. */
typedef struct member {
  gemmconv_algo algo;
  gemmconv_layout layout;
} member;
static const member family[] = {
    {GEMMCONV_ALGO_IM2COL_SCAN, GEMMCONV_LAYOUT_NCHW},
    {GEMMCONV_ALGO_IM2COL_COPY_SHORT, GEMMCONV_LAYOUT_NCHW},
    {GEMMCONV_ALGO_IM2COL_COPY_LONG, GEMMCONV_LAYOUT_NCHW},
    {GEMMCONV_ALGO_IM2COL_COPY_SELF, GEMMCONV_LAYOUT_NCHW},
    {GEMMCONV_ALGO_IM2ROW_SCAN, GEMMCONV_LAYOUT_NHWC},
    {GEMMCONV_ALGO_IM2ROW_COPY_SHORT, GEMMCONV_LAYOUT_NHWC},
    {GEMMCONV_ALGO_IM2ROW_COPY_LONG, GEMMCONV_LAYOUT_NHWC},
    {GEMMCONV_ALGO_IM2ROW_COPY_SELF, GEMMCONV_LAYOUT_NHWC},
    {GEMMCONV_ALGO_MEC_COL, GEMMCONV_LAYOUT_NCHW},
    {GEMMCONV_ALGO_MEC_ROW, GEMMCONV_LAYOUT_NHWC},
};
enum { ALL = sizeof family / sizeof family[0] };

static int is_mec(gemmconv_algo a) {
  return a == GEMMCONV_ALGO_MEC_COL || a == GEMMCONV_ALGO_MEC_ROW;
}

/* The workspace formula, in floats, from the descriptor alone. */
static size_t expected_floats(const gemmconv_conv_desc* d, gemmconv_algo a) {
  const size_t ho = (d->in_height + d->pad_top + d->pad_bottom -
                     d->dilation_height * (d->kernel_height - 1) - 1) /
                        d->stride_height +
                    1;
  const size_t wo =
      (d->in_width + d->pad_left + d->pad_right - d->dilation_width * (d->kernel_width - 1) - 1) /
          d->stride_width +
      1;
  const size_t cg = d->in_channels / d->groups;
  if (is_mec(a)) /* Wo * (H + PT + PB) * C' * KW */
    return wo * (d->in_height + d->pad_top + d->pad_bottom) * cg * d->kernel_width;
  return cg * d->kernel_height * d->kernel_width * ho * wo; /* C' * KH * KW * Ho * Wo */
}

static void names(void** state) {
  (void)state;
  static const char* const expected[] = {
      "im2col-scan",      "im2col-copy-short", "im2col-copy-self", "im2row-scan",
      "im2row-copy-long", "im2row-copy-self",  "mec-col",          "mec-row"};
  assert_true(gemmconv_algo_count() >= 12);
  for (int i = 0; i < 8; ++i) {
    gemmconv_algo a;
    assert_string_equal(gemmconv_algo_name((gemmconv_algo)(5 + i)), expected[i]);
    assert_int_equal(gemmconv_algo_from_name(expected[i], &a), GEMMCONV_STATUS_SUCCESS);
    assert_int_equal(a, 5 + i);
  }
}

static void workspace_formulas(void** state) {
  (void)state;
  conv_case shapes[6];
  for (int i = 0; i < 6; ++i) shapes[i] = base_case();
  shapes[1].desc.groups = 3; /* C' = 2 */
  shapes[1].desc.in_channels = 6;
  shapes[1].desc.out_channels = 9;
  shapes[2].desc.stride_height = shapes[2].desc.stride_width = 2;
  case_pads(&shapes[3], 2, 0, 1, 3); /* asymmetric */
  shapes[4].desc.kernel_height = 2;  /* non-square kernel, stride 3 > KH, batch */
  shapes[4].desc.kernel_width = 5;
  shapes[4].desc.stride_height = 3;
  shapes[4].desc.batch = 2;
  case_pads(&shapes[4], 0, 3, 2, 1);
  shapes[5].desc.groups = 2; /* everything at once, on 3 threads */
  shapes[5].desc.in_channels = 4;
  shapes[5].desc.out_channels = 6;
  shapes[5].desc.stride_width = 2;
  case_pads(&shapes[5], 1, 2, 0, 3);
  shapes[5].threads = 3;
  for (int s = 0; s < 6; ++s)
    for (int i = 0; i < ALL; ++i) {
      conv_case c = shapes[s];
      c.desc.layout = family[i].layout;
      gemmconv_plan* plan = NULL;
      assert_int_equal(try_plan(&c, family[i].algo, &plan), GEMMCONV_STATUS_SUCCESS);
      size_t bytes = 0;
      assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
      assert_int_equal(bytes, expected_floats(&c.desc, family[i].algo) * sizeof(float));
      gemmconv_plan_destroy(plan);
    }
}

static void expect_unsupported(const conv_case* c, gemmconv_algo a) {
  gemmconv_plan* plan = (gemmconv_plan*)&plan; /* must be reset to NULL */
  assert_int_equal(try_plan(c, a, &plan), GEMMCONV_STATUS_UNSUPPORTED);
  assert_null(plan);
}

static void refusals(void** state) {
  (void)state;
  for (int i = 0; i < ALL; ++i) {
    const gemmconv_algo a = family[i].algo;
    conv_case c = base_case();
    c.desc.layout =
        family[i].layout == GEMMCONV_LAYOUT_NCHW ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
    expect_unsupported(&c, a); /* the other layout */
    if (!is_mec(a)) continue;
    c.desc.layout = family[i].layout;
    c.desc.dilation_height = 2;
    expect_unsupported(&c, a);
    c.desc.dilation_height = 1;
    c.desc.dilation_width = 2;
    expect_unsupported(&c, a);
  }
}

/* Every algorithm of the family on the case, with bias, in its own layout and both filter
   layouts (check_algorithm's workspace starts full of NaN: what is read must be written). Each
   must run and match in both filter layouts, except MEC on a dilated kernel, which it refuses
   in both: the plan repacks the filter into the algorithm's own order, so the filter layout
   changes nothing of what an algorithm takes. */
static void run_family(conv_case c) {
  c.with_bias = 1;
  const int dense = c.desc.dilation_height == 1 && c.desc.dilation_width == 1;
  for (int i = 0; i < ALL; ++i) {
    const int runs = is_mec(family[i].algo) ? dense : 1;
    c.desc.layout = family[i].layout;
    c.desc.filter_layout = GEMMCONV_FILTER_OIHW;
    assert_int_equal(check_algorithm(&c, family[i].algo), runs);
    c.desc.filter_layout = GEMMCONV_FILTER_OHWI;
    assert_int_equal(check_algorithm(&c, family[i].algo), runs);
  }
}

/* A case on an input of h x w with a kh x kw kernel and the given stride and dilation. */
static conv_case geometry(uint32_t h, uint32_t w, uint32_t kh, uint32_t kw, uint32_t sh,
                          uint32_t sw, uint32_t dh, uint32_t dw) {
  conv_case c = base_case();
  case_input(&c, h, w);
  case_kernel(&c, kh, kw);
  case_stride(&c, sh, sw);
  case_dilation(&c, dh, dw);
  return c;
}

/* Stride 1: every row of P (im2col) or all but one tap of each patch (im2row) derives. */
static void copy_self_derives(void** state) {
  (void)state;
  run_family(geometry(7, 8, 3, 3, 1, 1, 1, 1));
  conv_case c = geometry(6, 9, 5, 4, 1, 1, 1, 1); /* shifts up to 4 over 5 or 6 outputs */
  case_pads(&c, 2, 1, 0, 3);
  run_family(c);
  c = geometry(4, 3, 5, 5, 1, 1, 1, 1); /* shifts beyond the output: nothing left to copy */
  case_pads(&c, 2, 2, 2, 2);
  run_family(c);
  run_family(geometry(12, 11, 3, 3, 1, 1, 3, 2)); /* dilation: taps repeat 3 and 2 apart */
  run_family(geometry(13, 13, 3, 3, 2, 2, 2, 2)); /* stride 2 with dilation 2 still derives */
  c = geometry(9, 9, 3, 3, 1, 1, 1, 1);
  case_pads(&c, 4, 3, 5, 4); /* whole rows and columns of padding */
  run_family(c);
}

/* Strides the taps do not repeat under: partly (period 2 < KW) or not at all (period = KW). */
static void copy_self_falls_back(void** state) {
  (void)state;
  run_family(geometry(9, 10, 3, 3, 2, 2, 1, 1));  /* tap 2 repeats tap 0, one output on */
  run_family(geometry(10, 10, 3, 3, 3, 3, 1, 1)); /* nothing repeats: all from the input */
  run_family(geometry(13, 13, 5, 5, 2, 2, 3, 3)); /* period 2, shift 3 */
  run_family(geometry(9, 10, 3, 3, 1, 3, 1, 1));  /* derives vertically only */
  run_family(geometry(10, 9, 3, 3, 3, 1, 1, 1));  /* derives horizontally only */
  run_family(geometry(11, 11, 3, 3, 2, 1, 2, 2)); /* mixed */
  conv_case c = geometry(9, 9, 1, 1, 2, 2, 1, 1); /* 1x1: nothing to derive */
  case_pads(&c, 0, 0, 0, 0);
  run_family(c);
}

/* Threads, groups, batch, bias and the MEC windows with gaps (stride > kernel). */
static void threads_groups_batch(void** state) {
  (void)state;
  for (uint32_t t = 1; t <= 3; ++t) {
    conv_case c = geometry(7, 6, 3, 3, 1, 1, 1, 1);
    c.threads = t;
    c.desc.batch = 2;
    c.desc.groups = 2;
    c.desc.in_channels = 4;
    c.desc.out_channels = 6;
    c.with_bias = 1;
    run_family(c);
    c = geometry(11, 10, 2, 3, 3, 2, 1, 1); /* stride 3 over a 2-row kernel: MEC row gaps */
    c.threads = t;
    case_pads(&c, 1, 2, 2, 0);
    run_family(c);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(names),
      cmocka_unit_test(workspace_formulas),
      cmocka_unit_test(refusals),
      cmocka_unit_test(copy_self_derives),
      cmocka_unit_test(copy_self_falls_back),
      cmocka_unit_test(threads_groups_batch),
  };
  return cmocka_run_group_tests_name("family_patch_mec", tests, NULL, NULL);
}
