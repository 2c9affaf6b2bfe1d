/* AUTO: always a plan for a valid descriptor, within the workspace limit, with a record of what
   it considered; MEASURE gives a correct plan. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "harness.h"

static float filter[16 * 16 * 25];

static gemmconv_plan* auto_plan(const conv_case* c, size_t limit, uint32_t flags) {
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.workspace_limit = limit;
  o.flags = flags;
  o.num_threads = c->threads;
  gemmconv_plan* plan = NULL;
  assert_int_equal(gemmconv_plan_create(&c->desc, filter, NULL, &o, &plan),
                   GEMMCONV_STATUS_SUCCESS);
  return plan;
}

/* The candidates cover every algorithm once, the chosen one is eligible, fits, and is the
   cheapest eligible by the criterion in use. */
static void check_candidates(const gemmconv_plan* plan, size_t limit, int measured) {
  size_t count = 0;
  assert_int_equal(gemmconv_plan_candidate_count(plan, &count), GEMMCONV_STATUS_SUCCESS);
  assert_int_equal(count, (size_t)gemmconv_algo_count());
  gemmconv_algo chosen;
  assert_int_equal(gemmconv_plan_algo(plan, &chosen), GEMMCONV_STATUS_SUCCESS);
  size_t ws = 0;
  assert_int_equal(gemmconv_plan_workspace_size(plan, &ws), GEMMCONV_STATUS_SUCCESS);
  assert_true(ws <= limit);
  /* MEASURE times the eligible candidates estimated within 3x of the best estimate (the
     library's documented pruning); the others keep measured_seconds < 0. */
  double best_estimate = INFINITY;
  for (size_t i = 0; i < count; ++i) {
    gemmconv_candidate c;
    c.struct_size = sizeof c;
    assert_int_equal(gemmconv_plan_candidate(plan, i, &c), GEMMCONV_STATUS_SUCCESS);
    if (c.verdict == GEMMCONV_STATUS_SUCCESS && c.estimated_seconds < best_estimate)
      best_estimate = c.estimated_seconds;
  }
  double best = INFINITY, chosen_cost = -1;
  int timed = 0;
  for (size_t i = 0; i < count; ++i) {
    gemmconv_candidate c;
    c.struct_size = sizeof c;
    assert_int_equal(gemmconv_plan_candidate(plan, i, &c), GEMMCONV_STATUS_SUCCESS);
    assert_int_equal(c.algo, (gemmconv_algo)(i + 1));
    if (c.verdict != GEMMCONV_STATUS_SUCCESS) {
      assert_true(c.verdict == GEMMCONV_STATUS_UNSUPPORTED ||
                  c.verdict == GEMMCONV_STATUS_OVER_BUDGET ||
                  c.verdict == GEMMCONV_STATUS_OVERFLOW);
      assert_int_not_equal(c.algo, chosen);
      assert_true(c.measured_seconds < 0);
      continue;
    }
    assert_true(c.workspace_bytes <= limit);
    assert_true(c.estimated_seconds >= 0);
    if (measured) {
      const int should_time = c.estimated_seconds <= 3.0 * best_estimate;
      assert_int_equal(c.measured_seconds >= 0, should_time);
      timed += should_time;
      if (!should_time) continue;
    } else {
      assert_true(c.measured_seconds < 0);
    }
    const double cost = measured ? c.measured_seconds : c.estimated_seconds;
    if (cost < best) best = cost;
    if (c.algo == chosen) {
      chosen_cost = cost;
      assert_int_equal(c.workspace_bytes, ws);
    }
  }
  if (measured) assert_true(timed >= 1);
  assert_true(chosen_cost >= 0);
  /* Estimate: the least estimate. MEASURE: the least measured time, or the least estimate when
     that one's measured time is within 3% of the least (timing noise at plan creation). */
  if (measured)
    assert_true(chosen_cost <= 1.03 * best);
  else
    assert_true(chosen_cost == best);
  gemmconv_candidate c;
  c.struct_size = sizeof c - 1;
  assert_int_equal(gemmconv_plan_candidate(plan, 0, &c), GEMMCONV_STATUS_INVALID_ARGUMENT);
  c.struct_size = sizeof c;
  assert_int_equal(gemmconv_plan_candidate(plan, count, &c), GEMMCONV_STATUS_INVALID_ARGUMENT);
}

static conv_case auto_case(gemmconv_layout layout) {
  conv_case c = base_case();
  case_layouts(&c, layout, GEMMCONV_FILTER_OIHW);
  case_channels(&c, 1, 8, 16);
  case_input(&c, 12, 12);
  return c;
}

static void estimate_respects_limits(void** state) {
  (void)state;
  for (int layout = 0; layout < 2; ++layout) {
    conv_case c = auto_case((gemmconv_layout)layout);
    const size_t limits[] = {SIZE_MAX, 100000, 4096, 64, 0};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; ++i) {
      gemmconv_plan* plan = auto_plan(&c, limits[i], 0);
      check_candidates(plan, limits[i], 0);
      gemmconv_plan_destroy(plan);
    }
  }
}

static void measure_gives_correct_plan(void** state) {
  (void)state;
  for (int layout = 0; layout < 2; ++layout) {
    conv_case c = auto_case((gemmconv_layout)layout);
    gemmconv_plan* plan = auto_plan(&c, SIZE_MAX, GEMMCONV_FLAG_MEASURE);
    check_candidates(plan, SIZE_MAX, 1);
    gemmconv_algo chosen;
    gemmconv_plan_algo(plan, &chosen);
    gemmconv_plan_destroy(plan);
    assert_int_equal(check_algorithm(&c, chosen), 1); /* the chosen algorithm is correct */
  }
}

static void named_plan_has_no_candidates(void** state) {
  (void)state;
  conv_case c = auto_case(GEMMCONV_LAYOUT_NCHW);
  gemmconv_plan* plan = make_plan(&c, GEMMCONV_ALGO_DIRECT, filter, NULL);
  size_t count = 7;
  assert_int_equal(gemmconv_plan_candidate_count(plan, &count), GEMMCONV_STATUS_SUCCESS);
  assert_int_equal(count, 0);
  gemmconv_candidate cand;
  cand.struct_size = sizeof cand;
  assert_int_equal(gemmconv_plan_candidate(plan, 0, &cand), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(gemmconv_plan_candidate_count(NULL, &count), GEMMCONV_STATUS_INVALID_ARGUMENT);
  assert_int_equal(gemmconv_plan_candidate_count(plan, NULL), GEMMCONV_STATUS_INVALID_ARGUMENT);
  gemmconv_plan_destroy(plan);
}

static void every_case_gets_a_plan(void** state) {
  (void)state; /* odd shapes under a zero budget: AUTO must still answer */
  const uint32_t kernels[] = {1, 2, 5};
  for (size_t k = 0; k < 3; ++k)
    for (uint32_t s = 1; s <= 2; ++s) {
      conv_case c = auto_case(s == 1 ? GEMMCONV_LAYOUT_NCHW : GEMMCONV_LAYOUT_NHWC);
      c.desc.kernel_height = c.desc.kernel_width = kernels[k];
      c.desc.stride_height = c.desc.stride_width = s;
      c.desc.dilation_height = 2;
      gemmconv_plan* plan = auto_plan(&c, 0, 0);
      size_t ws = 1;
      gemmconv_plan_workspace_size(plan, &ws);
      assert_int_equal(ws, 0);
      gemmconv_plan_destroy(plan);
      check_algorithm(&c, GEMMCONV_ALGO_AUTO);
    }
}

int main(void) {
  fill_random(filter, sizeof filter / sizeof filter[0], 11);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(estimate_respects_limits),
      cmocka_unit_test(measure_gives_correct_plan),
      cmocka_unit_test(named_plan_has_no_candidates),
      cmocka_unit_test(every_case_gets_a_plan),
  };
  return cmocka_run_group_tests_name("auto", tests, NULL, NULL);
}
