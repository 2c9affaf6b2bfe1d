/* The C API contract: initialisers, names, statuses, and every bad input getting its status
   without writing anything. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static void desc_init_defaults(void** state) {
  (void)state;
  gemmconv_conv_desc d;
  memset(&d, 0x5A, sizeof d);
  gemmconv_conv_desc_init(&d);
  assert_int_equal(d.struct_size, sizeof d);
  assert_int_equal(d.layout, GEMMCONV_LAYOUT_NCHW);
  assert_int_equal(d.filter_layout, GEMMCONV_FILTER_OIHW);
  assert_int_equal(d.batch, 1);
  assert_int_equal(d.groups, 1);
  assert_int_equal(d.stride_height, 1);
  assert_int_equal(d.stride_width, 1);
  assert_int_equal(d.dilation_height, 1);
  assert_int_equal(d.dilation_width, 1);
  assert_int_equal(d.in_channels, 0);
  assert_int_equal(d.kernel_height, 0);
  assert_int_equal(d.pad_right, 0);
}

static void options_init_defaults(void** state) {
  (void)state;
  gemmconv_plan_options o;
  memset(&o, 0x5A, sizeof o);
  gemmconv_plan_options_init(&o);
  assert_int_equal(o.struct_size, sizeof o);
  assert_int_equal(o.algo, GEMMCONV_ALGO_AUTO);
  assert_int_equal(o.num_threads, 0);
  assert_int_equal(o.flags, 0);
  assert_true(o.workspace_limit == SIZE_MAX);
  assert_true(isinf(o.output_min) && o.output_min < 0);
  assert_true(isinf(o.output_max) && o.output_max > 0);
}

static void output_dims(void** state) {
  (void)state;
  conv_case c = base_case();
  uint32_t ho = 0, wo = 0;
  assert_int_equal(gemmconv_output_dims(&c.desc, &ho, &wo), GEMMCONV_STATUS_SUCCESS);
  assert_int_equal(ho, 7);
  assert_int_equal(wo, 8);
  c.desc.stride_height = 2;  /* (7 + 2 - 3) / 2 + 1 = 4 */
  c.desc.dilation_width = 2; /* (8 + 2 - 5) / 1 + 1 = 6 */
  c.desc.pad_right = 0;      /* (8 + 1 - 5) + 1 = 5 */
  assert_int_equal(gemmconv_output_dims(&c.desc, &ho, &wo), GEMMCONV_STATUS_SUCCESS);
  assert_int_equal(ho, 4);
  assert_int_equal(wo, 5);
  assert_int_equal(gemmconv_output_dims(NULL, &ho, &wo), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(gemmconv_output_dims(&c.desc, NULL, &wo), GEMMCONV_STATUS_INVALID_ARGUMENT);
  c.desc.kernel_width = 20; /* no output column */
  assert_int_equal(gemmconv_output_dims(&c.desc, &ho, &wo), GEMMCONV_STATUS_INVALID_ARGUMENT);
}

static void names_round_trip(void** state) {
  (void)state;
  const int count = gemmconv_algo_count();
  assert_true(count >= 4);
  assert_string_equal(gemmconv_algo_name(GEMMCONV_ALGO_DIRECT), "direct");
  assert_string_equal(gemmconv_algo_name(GEMMCONV_ALGO_GEMM_1X1), "gemm-1x1");
  assert_string_equal(gemmconv_algo_name(GEMMCONV_ALGO_IM2COL_COPY_LONG), "im2col-copy-long");
  assert_string_equal(gemmconv_algo_name(GEMMCONV_ALGO_IM2ROW_COPY_SHORT), "im2row-copy-short");
  /* Every enum constant names its algorithm: registry positions are the public numbers. */
  static const struct {
    gemmconv_algo algo;
    const char* name;
  } fixed[] = {
      {GEMMCONV_ALGO_IM2COL_SCAN, "im2col-scan"},
      {GEMMCONV_ALGO_IM2COL_COPY_SHORT, "im2col-copy-short"},
      {GEMMCONV_ALGO_IM2COL_COPY_SELF, "im2col-copy-self"},
      {GEMMCONV_ALGO_IM2ROW_SCAN, "im2row-scan"},
      {GEMMCONV_ALGO_IM2ROW_COPY_LONG, "im2row-copy-long"},
      {GEMMCONV_ALGO_IM2ROW_COPY_SELF, "im2row-copy-self"},
      {GEMMCONV_ALGO_MEC_COL, "mec-col"},
      {GEMMCONV_ALGO_MEC_ROW, "mec-row"},
      {GEMMCONV_ALGO_KN2ROW, "kn2row"},
      {GEMMCONV_ALGO_KN2COL, "kn2col"},
      {GEMMCONV_ALGO_KN2ROW_AA, "kn2row-aa"},
      {GEMMCONV_ALGO_KN2COL_AA, "kn2col-aa"},
      {GEMMCONV_ALGO_KN2ROW_AS, "kn2row-as"},
      {GEMMCONV_ALGO_KN2COL_AS, "kn2col-as"},
      {GEMMCONV_ALGO_TILED_NCHW, "tiled-nchw"},
      {GEMMCONV_ALGO_TILED_NHWC, "tiled-nhwc"},
  };
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; ++i)
    assert_string_equal(gemmconv_algo_name(fixed[i].algo), fixed[i].name);
  for (int a = 0; a <= count; ++a) {
    const char* name = gemmconv_algo_name((gemmconv_algo)a);
    assert_non_null(name);
    gemmconv_algo back = (gemmconv_algo)-1;
    assert_int_equal(gemmconv_algo_from_name(name, &back), GEMMCONV_STATUS_SUCCESS);
    assert_int_equal(back, a);
  }
  assert_null(gemmconv_algo_name((gemmconv_algo)(count + 1)));
  assert_null(gemmconv_algo_name((gemmconv_algo)-1));
  gemmconv_algo out = GEMMCONV_ALGO_DIRECT;
  assert_int_equal(gemmconv_algo_from_name("no-such-algo", &out), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(out, GEMMCONV_ALGO_DIRECT);
  assert_int_equal(gemmconv_algo_from_name(NULL, &out), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(gemmconv_algo_from_name("direct", NULL), GEMMCONV_STATUS_INVALID_ARGUMENT);
}

static void status_strings_and_version(void** state) {
  (void)state;
  for (int s = 0; s <= GEMMCONV_STATUS_INTERNAL + 5; ++s)
    assert_non_null(gemmconv_status_string((gemmconv_status)s));
  assert_non_null(gemmconv_status_string((gemmconv_status)-7));
  assert_string_not_equal(gemmconv_status_string(GEMMCONV_STATUS_SUCCESS),
                          gemmconv_status_string(GEMMCONV_STATUS_OVERFLOW));
  const char* v = gemmconv_version_string();
  int major = -1, minor = -1, patch = -1;
  assert_int_equal(sscanf(v, "%d.%d.%d", &major, &minor, &patch), 3);
  assert_true(major >= 0 && minor >= 0 && patch >= 0);
}

/* Plan creation with a descriptor modified by `edit` must give `want` and leave *plan NULL. */
static float filter_store[4096];
static void expect_create(const conv_case* c, const gemmconv_plan_options* o,
                          gemmconv_status want) {
  gemmconv_plan* plan = (gemmconv_plan*)(uintptr_t)0x1; /* must be reset to NULL */
  assert_int_equal(gemmconv_plan_create(&c->desc, filter_store, NULL, o, &plan), want);
  assert_null(plan);
}

static void bad_descriptors(void** state) {
  (void)state;
  conv_case c;
#define EXPECT_BAD(field, value, status) \
  c = base_case();                       \
  c.desc.field = value;                  \
  expect_create(&c, NULL, status)
  EXPECT_BAD(batch, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(groups, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(in_channels, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(out_channels, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(in_height, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(in_width, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(kernel_height, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(kernel_width, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(stride_height, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(stride_width, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(dilation_height, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(dilation_width, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(groups, 2, GEMMCONV_STATUS_INVALID_ARGUMENT); /* C = 3 not divisible */
  c = base_case();
  c.desc.in_channels = 4;
  c.desc.groups = 4;
  c.desc.out_channels = 6; /* M = 6 not divisible by G = 4 */
  expect_create(&c, NULL, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(kernel_height, 10, GEMMCONV_STATUS_INVALID_ARGUMENT); /* 7 + 2 < 10: no output */
  EXPECT_BAD(dilation_width, 6, GEMMCONV_STATUS_INVALID_ARGUMENT); /* span 13 > 8 + 2 */
  EXPECT_BAD(struct_size, sizeof(gemmconv_conv_desc) - 1, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(struct_size, 0, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(layout, (gemmconv_layout)2, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD(filter_layout, (gemmconv_filter_layout)7, GEMMCONV_STATUS_INVALID_ARGUMENT);
#undef EXPECT_BAD
  /* A larger struct (a later version) is accepted: only the known prefix is read. */
  struct {
    gemmconv_conv_desc d;
    uint32_t future_field;
  } bigger;
  c = base_case();
  bigger.d = c.desc;
  bigger.d.struct_size = sizeof bigger;
  bigger.future_field = 77;
  gemmconv_plan* plan = NULL;
  assert_int_equal(gemmconv_plan_create(&bigger.d, filter_store, NULL, NULL, &plan),
                   GEMMCONV_STATUS_SUCCESS);
  gemmconv_plan_destroy(plan);
}

static void null_arguments(void** state) {
  (void)state;
  conv_case c = base_case();
  gemmconv_plan* plan = (gemmconv_plan*)(uintptr_t)0x1;
  assert_int_equal(gemmconv_plan_create(NULL, filter_store, NULL, NULL, &plan),
                   GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_null(plan);
  plan = (gemmconv_plan*)(uintptr_t)0x1;
  assert_int_equal(gemmconv_plan_create(&c.desc, NULL, NULL, NULL, &plan),
                   GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_null(plan);
  assert_int_equal(gemmconv_plan_create(&c.desc, filter_store, NULL, NULL, NULL),
                   GEMMCONV_STATUS_INVALID_ARGUMENT);
  size_t bytes = 123;
  gemmconv_algo algo = GEMMCONV_ALGO_DIRECT;
  assert_int_equal(gemmconv_plan_workspace_size(NULL, &bytes), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(gemmconv_plan_persistent_size(NULL, &bytes), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(gemmconv_plan_algo(NULL, &algo), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(bytes, 123);
  assert_int_equal(algo, GEMMCONV_ALGO_DIRECT);
  plan = make_plan(&c, GEMMCONV_ALGO_AUTO, filter_store, NULL);
  assert_int_equal(gemmconv_plan_workspace_size(plan, NULL), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(gemmconv_plan_persistent_size(plan, NULL), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(gemmconv_plan_algo(plan, NULL), GEMMCONV_STATUS_INVALID_ARGUMENT);
  float in[256], out[256];
  assert_int_equal(gemmconv_execute(NULL, in, out, NULL, 0), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(gemmconv_execute(plan, NULL, out, NULL, 0), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(gemmconv_execute(plan, in, NULL, NULL, 0), GEMMCONV_STATUS_INVALID_ARGUMENT);
  gemmconv_plan_destroy(plan);
  gemmconv_plan_destroy(NULL);
}

static void bad_options(void** state) {
  (void)state;
  conv_case c = base_case();
  gemmconv_plan_options o;
#define EXPECT_BAD_OPTION(field, value, status) \
  gemmconv_plan_options_init(&o);               \
  o.field = value;                              \
  expect_create(&c, &o, status)
  EXPECT_BAD_OPTION(struct_size, sizeof o - 1, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD_OPTION(algo, (gemmconv_algo)(gemmconv_algo_count() + 1),
                    GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD_OPTION(algo, (gemmconv_algo)-1, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD_OPTION(flags, 0x80u, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD_OPTION(output_min, NAN, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD_OPTION(output_max, NAN, GEMMCONV_STATUS_INVALID_ARGUMENT);
  EXPECT_BAD_OPTION(num_threads, 1u << 30, GEMMCONV_STATUS_INVALID_ARGUMENT);
  gemmconv_plan_options_init(&o);
  o.output_min = 1.0f;
  o.output_max = 0.0f;
  expect_create(&c, &o, GEMMCONV_STATUS_INVALID_ARGUMENT);
#undef EXPECT_BAD_OPTION
}

static void unsupported_algorithm(void** state) {
  (void)state;
  conv_case c = base_case(); /* 3x3 with padding: not gemm-1x1's */
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = GEMMCONV_ALGO_GEMM_1X1;
  expect_create(&c, &o, GEMMCONV_STATUS_UNSUPPORTED);
  o.algo = GEMMCONV_ALGO_IM2ROW_COPY_SHORT; /* NHWC only */
  expect_create(&c, &o, GEMMCONV_STATUS_UNSUPPORTED);
  c.desc.layout = GEMMCONV_LAYOUT_NHWC;
  o.algo = GEMMCONV_ALGO_IM2COL_COPY_LONG; /* NCHW only */
  expect_create(&c, &o, GEMMCONV_STATUS_UNSUPPORTED);
}

static void workspace_limit(void** state) {
  (void)state;
  conv_case c = base_case();
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = GEMMCONV_ALGO_IM2COL_COPY_LONG;
  gemmconv_plan* plan = NULL;
  assert_int_equal(gemmconv_plan_create(&c.desc, filter_store, NULL, &o, &plan),
                   GEMMCONV_STATUS_SUCCESS);
  size_t need = 0;
  assert_int_equal(gemmconv_plan_workspace_size(plan, &need), GEMMCONV_STATUS_SUCCESS);
  assert_int_equal(need, 3 * 3 * 3 * 7 * 8 * sizeof(float)); /* C*KH*KW*Ho*Wo floats */
  gemmconv_plan_destroy(plan);
  o.workspace_limit = need - 1;
  expect_create(&c, &o, GEMMCONV_STATUS_OVER_BUDGET);
  o.workspace_limit = need;
  assert_int_equal(gemmconv_plan_create(&c.desc, filter_store, NULL, &o, &plan),
                   GEMMCONV_STATUS_SUCCESS);
  gemmconv_plan_destroy(plan);
  /* AUTO under a zero budget still finds an algorithm (direct needs no workspace). */
  o.algo = GEMMCONV_ALGO_AUTO;
  o.workspace_limit = 0;
  assert_int_equal(gemmconv_plan_create(&c.desc, filter_store, NULL, &o, &plan),
                   GEMMCONV_STATUS_SUCCESS);
  assert_int_equal(gemmconv_plan_workspace_size(plan, &need), GEMMCONV_STATUS_SUCCESS);
  assert_int_equal(need, 0);
  gemmconv_plan_destroy(plan);
}

static void overflowing_sizes(void** state) {
  (void)state;
  conv_case c = base_case(); /* H = W = 2^20, C = 2^16: 2^58 bytes of input */
  c.desc.in_height = c.desc.in_width = 1u << 20;
  c.desc.in_channels = 1u << 16;
  expect_create(&c, NULL, GEMMCONV_STATUS_OVERFLOW);
  uint32_t ho, wo; /* the geometry alone is fine */
  assert_int_equal(gemmconv_output_dims(&c.desc, &ho, &wo), GEMMCONV_STATUS_SUCCESS);
  assert_int_equal(ho, 1u << 20);
  c = base_case(); /* every dimension at its maximum */
  c.desc.batch = c.desc.in_channels = c.desc.out_channels = UINT32_MAX;
  c.desc.in_height = c.desc.in_width = UINT32_MAX;
  expect_create(&c, NULL, GEMMCONV_STATUS_OVERFLOW);
  c = base_case(); /* padded height beyond uint32 output: 2^32 - 1 + 2 * (2^32 - 1) */
  c.desc.in_height = c.desc.pad_top = c.desc.pad_bottom = UINT32_MAX;
  c.desc.kernel_height = 1;
  assert_int_equal(gemmconv_output_dims(&c.desc, &ho, &wo), GEMMCONV_STATUS_OVERFLOW);
  c = base_case(); /* a filter of 2^62 bytes */
  c.desc.in_channels = c.desc.out_channels = 1u << 30;
  expect_create(&c, NULL, GEMMCONV_STATUS_OVERFLOW);
}

/* Without MEASURE, AUTO runs the eligible candidate its cost model estimates fastest (which one
   that is, is the model's business: a refit may change it). */
static void expect_least_estimate(const gemmconv_plan* plan, gemmconv_algo algo) {
  size_t count = 0;
  assert_int_equal(gemmconv_plan_candidate_count(plan, &count), GEMMCONV_STATUS_SUCCESS);
  assert_int_equal(count, (size_t)gemmconv_algo_count());
  double chosen = -1, least = 1e300;
  for (size_t i = 0; i < count; ++i) {
    gemmconv_candidate c;
    c.struct_size = sizeof c;
    assert_int_equal(gemmconv_plan_candidate(plan, i, &c), GEMMCONV_STATUS_SUCCESS);
    if (c.verdict != GEMMCONV_STATUS_SUCCESS) continue;
    assert_true(c.estimated_seconds > 0);
    if (c.estimated_seconds < least) least = c.estimated_seconds;
    if (c.algo == algo) chosen = c.estimated_seconds;
  }
  assert_true(chosen > 0);
  assert_true(chosen == least);
}

static void plan_queries(void** state) {
  (void)state;
  conv_case c = base_case();
  c.desc.kernel_height = c.desc.kernel_width = 1;
  c.desc.pad_top = c.desc.pad_bottom = c.desc.pad_left = c.desc.pad_right = 0;
  gemmconv_plan* plan = make_plan(&c, GEMMCONV_ALGO_AUTO, filter_store, filter_store);
  gemmconv_algo algo = GEMMCONV_ALGO_AUTO;
  assert_int_equal(gemmconv_plan_algo(plan, &algo), GEMMCONV_STATUS_SUCCESS);
  expect_least_estimate(plan, algo);
  size_t persistent = 0;
  assert_int_equal(gemmconv_plan_persistent_size(plan, &persistent), GEMMCONV_STATUS_SUCCESS);
  assert_true(persistent >= (4 * 3 + 4) * sizeof(float)); /* at least filter and bias */
  gemmconv_plan_destroy(plan);
  c = base_case();
  plan = make_plan(&c, GEMMCONV_ALGO_AUTO, filter_store, NULL);
  assert_int_equal(gemmconv_plan_algo(plan, &algo), GEMMCONV_STATUS_SUCCESS);
  assert_int_not_equal(algo, GEMMCONV_ALGO_AUTO);
  expect_least_estimate(plan, algo);
  gemmconv_plan_destroy(plan);
}

int main(void) {
  fill_random(filter_store, 4096, 9);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(desc_init_defaults),
      cmocka_unit_test(options_init_defaults),
      cmocka_unit_test(output_dims),
      cmocka_unit_test(names_round_trip),
      cmocka_unit_test(status_strings_and_version),
      cmocka_unit_test(bad_descriptors),
      cmocka_unit_test(null_arguments),
      cmocka_unit_test(bad_options),
      cmocka_unit_test(unsupported_algorithm),
      cmocka_unit_test(workspace_limit),
      cmocka_unit_test(overflowing_sizes),
      cmocka_unit_test(plan_queries),
  };
  return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
