/* The workspace contract, for every algorithm: the reported size is exactly enough (guard bytes
   on both sides stay untouched, checked by check_algorithm), one byte less is refused, NULL and
   misaligned workspaces are refused, overlapping buffers are refused, and a refused call writes
   nothing. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static conv_case contract_case(gemmconv_layout layout, uint32_t groups, uint32_t k) {
  conv_case c = base_case();
  case_layouts(&c, layout, GEMMCONV_FILTER_OIHW);
  case_channels(&c, groups, 6, 9);
  c.desc.batch = 2;
  case_same_padding(case_kernel(&c, k, k));
  c.with_bias = 1;
  return c;
}

/* Executes and expects `want`; on failure the output must still hold its sentinel. */
static void expect_refused(const gemmconv_plan* plan, const float* in, float* out, size_t nout,
                           void* ws, size_t bytes, gemmconv_status want) {
  for (size_t i = 0; i < nout; ++i) out[i] = -12345.0f;
  assert_int_equal(gemmconv_execute(plan, in, out, ws, bytes), want);
  for (size_t i = 0; i < nout; ++i) assert_true(out[i] == -12345.0f);
}

/* Returns the algorithms that ran, as a bit mask of (1 << algo). */
static uint64_t contract_for(const conv_case* c) {
  uint64_t ran = 0;
  const size_t nin = case_input_count(c), nout = case_output_count(c);
  float* filter = malloc(case_filter_count(c) * sizeof(float));
  float* in = malloc(nin * sizeof(float));
  float* out = malloc(nout * sizeof(float));
  fill_random(filter, case_filter_count(c), 4);
  fill_random(in, nin, 5);
  for (int a = 1; a <= gemmconv_algo_count(); ++a) {
    if (!check_algorithm(c, (gemmconv_algo)a)) continue; /* exact size, guards, correct */
    ran |= UINT64_C(1) << a;
    gemmconv_plan* plan = make_plan(c, (gemmconv_algo)a, filter, NULL);
    size_t bytes = 0;
    assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
    assert_true(bytes % sizeof(float) == 0);
    if (bytes > 0) {
      guarded_workspace ws = guarded_alloc(bytes + 64);
      expect_refused(plan, in, out, nout, ws.data, bytes - 1, GEMMCONV_STATUS_WORKSPACE_TOO_SMALL);
      expect_refused(plan, in, out, nout, NULL, bytes, GEMMCONV_STATUS_INVALID_ARGUMENT);
      expect_refused(plan, in, out, nout, (char*)ws.data + 4, bytes, GEMMCONV_STATUS_MISALIGNED);
      assert_true(guards_intact(&ws));
      /* More than needed is fine. */
      assert_int_equal(gemmconv_execute(plan, in, out, ws.data, bytes + 64),
                       GEMMCONV_STATUS_SUCCESS);
      assert_true(guards_intact(&ws));
      guarded_free(&ws);
    } else {
      assert_int_equal(gemmconv_execute(plan, in, out, NULL, 0), GEMMCONV_STATUS_SUCCESS);
      /* A workspace nobody needs may be anything, even misaligned. */
      char spare[8];
      assert_int_equal(gemmconv_execute(plan, in, out, spare + 1, 3), GEMMCONV_STATUS_SUCCESS);
    }
    gemmconv_plan_destroy(plan);
  }
  free(filter);
  free(in);
  free(out);
  return ran;
}

static void contract_nchw(void** state) {
  (void)state;
  conv_case c = contract_case(GEMMCONV_LAYOUT_NCHW, 1, 3);
  contract_for(&c);
  c = contract_case(GEMMCONV_LAYOUT_NCHW, 3, 1);
  contract_for(&c);
  c = contract_case(GEMMCONV_LAYOUT_NCHW, 1, 1);
  c.desc.pad_top = c.desc.pad_bottom = c.desc.pad_left = c.desc.pad_right = 0;
  contract_for(&c);
}

static void contract_nhwc(void** state) {
  (void)state;
  conv_case c = contract_case(GEMMCONV_LAYOUT_NHWC, 1, 3);
  contract_for(&c);
  c = contract_case(GEMMCONV_LAYOUT_NHWC, 3, 5);
  contract_for(&c);
  c = contract_case(GEMMCONV_LAYOUT_NHWC, 3, 1);
  c.desc.pad_top = c.desc.pad_bottom = c.desc.pad_left = c.desc.pad_right = 0;
  contract_for(&c);
}

static int ran(uint64_t mask, const char* name) {
  return (mask >> algo_named(name)) & 1;
}

/* groups = C = 6, multiplier 2; strided with asymmetric padding too. */
static void contract_depthwise_algorithms(void** state) {
  (void)state;
  for (int l = 0; l < 2; ++l) {
    conv_case c = contract_case(l ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW, 6, 3);
    c.desc.out_channels = 12;
    const char* name = l ? "depthwise-nhwc" : "depthwise-nchw";
    assert_true(ran(contract_for(&c), name));
    c.desc.kernel_height = c.desc.kernel_width = 5;
    c.desc.stride_height = c.desc.stride_width = 2;
    c.desc.pad_top = c.desc.pad_left = 2;
    c.desc.pad_bottom = 0;
    c.desc.pad_right = 1;
    assert_true(ran(contract_for(&c), name));
  }
}

/* 3 groups of 2 -> 3 channels, then of 2 -> 2 channels strided in the other filter layout. */
static void contract_grouped_nhwc(void** state) {
  (void)state;
  conv_case c = contract_case(GEMMCONV_LAYOUT_NHWC, 3, 3);
  assert_true(ran(contract_for(&c), "grouped-nhwc"));
  c.desc.out_channels = 6;
  c.desc.stride_height = 2;
  c.desc.filter_layout = GEMMCONV_FILTER_OHWI;
  assert_true(ran(contract_for(&c), "grouped-nhwc"));
}

static void overlap_for(const conv_case* c) {
  const size_t nin = case_input_count(c), nout = case_output_count(c);
  float* filter = calloc(case_filter_count(c), sizeof(float));
  float* buffer = calloc(nin + nout, sizeof(float));
  for (int a = 1; a <= gemmconv_algo_count(); ++a) {
    gemmconv_plan_options o;
    gemmconv_plan_options_init(&o);
    o.algo = (gemmconv_algo)a;
    gemmconv_plan* plan = NULL;
    if (gemmconv_plan_create(&c->desc, filter, NULL, &o, &plan) != GEMMCONV_STATUS_SUCCESS)
      continue;
    size_t bytes = 0;
    gemmconv_plan_workspace_size(plan, &bytes);
    guarded_workspace ws = guarded_alloc(bytes);
    void* w = bytes ? ws.data : NULL;
    /* Same buffer, and output starting inside the input. */
    assert_int_equal(gemmconv_execute(plan, buffer, buffer, w, bytes),
                     GEMMCONV_STATUS_INVALID_ARGUMENT);
    assert_int_equal(gemmconv_execute(plan, buffer, buffer + nin - 1, w, bytes),
                     GEMMCONV_STATUS_INVALID_ARGUMENT);
    assert_int_equal(gemmconv_execute(plan, buffer + 1, buffer, w, bytes),
                     GEMMCONV_STATUS_INVALID_ARGUMENT);
    for (size_t i = 0; i < nin + nout; ++i) assert_true(buffer[i] == 0.0f);
    /* Adjacent but disjoint is fine. */
    assert_int_equal(gemmconv_execute(plan, buffer, buffer + nin, w, bytes),
                     GEMMCONV_STATUS_SUCCESS);
    guarded_free(&ws);
    gemmconv_plan_destroy(plan);
  }
  free(filter);
  free(buffer);
}

static void overlapping_buffers(void** state) {
  (void)state;
  conv_case c = contract_case(GEMMCONV_LAYOUT_NCHW, 1, 3);
  overlap_for(&c);
  c = contract_case(GEMMCONV_LAYOUT_NCHW, 6, 3); /* depthwise */
  overlap_for(&c);
  c.desc.layout = GEMMCONV_LAYOUT_NHWC;
  overlap_for(&c);
  c = contract_case(GEMMCONV_LAYOUT_NHWC, 3, 3);
  overlap_for(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(contract_nchw),
      cmocka_unit_test(contract_nhwc),
      cmocka_unit_test(contract_depthwise_algorithms),
      cmocka_unit_test(contract_grouped_nhwc),
      cmocka_unit_test(overlapping_buffers),
  };
  return cmocka_run_group_tests_name("workspace", tests, NULL, NULL);
}
