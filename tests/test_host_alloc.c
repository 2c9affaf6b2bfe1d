/* gemmconv_execute allocates nothing for the tiled, depthwise and grouped algorithms, in every
   situation a host puts it in: 1 and 2 threads, a case with a single work item (1x1 output, one
   image, few channels: most of a 2-thread team has nothing to do), inside the caller's own
   `omp parallel num_threads(2)` region (each caller thread executing its own plan into its own
   buffers), with nesting enabled there too (omp_set_max_active_levels(2)), and alternating
   between a 1-thread and a 2-thread plan. A call that runs on one thread must enter no OpenMP
   parallel region: libgomp allocates a team for every nested region, and for a top-level one
   whose size differs from the last. alloc_count.c counts the calls into the allocator of the
   calling thread and of live workers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "alloc_count.h"
#include "harness.h"

typedef enum kind { TILED_NCHW, TILED_NHWC, DEPTHWISE_NCHW, DEPTHWISE_NHWC, GROUPED_NHWC } kind;
static const char* const names[] = {"tiled-nchw", "tiled-nhwc", "depthwise-nchw", "depthwise-nhwc",
                                    "grouped-nhwc"};
enum { KINDS = 5 };

/* A case the algorithm of `k` computes: 2 images, 20x20, 3x3 "same", bias, clamp. */
static conv_case regular_case(kind k, uint32_t threads) {
  conv_case c = base_case();
  c.desc.batch = 2;
  case_input(&c, 20, 20);
  case_channels(&c, 1, 16, 24);
  case_layouts(
      &c, (k == TILED_NCHW || k == DEPTHWISE_NCHW) ? GEMMCONV_LAYOUT_NCHW : GEMMCONV_LAYOUT_NHWC,
      GEMMCONV_FILTER_OIHW);
  if (k == DEPTHWISE_NCHW || k == DEPTHWISE_NHWC) case_channels(&c, 16, 16, 32); /* multiplier 2 */
  if (k == GROUPED_NHWC) case_channels(&c, 4, 16, 16);
  c.with_bias = 1;
  c.output_min = -1.0f;
  c.output_max = 1.0f;
  c.threads = threads;
  return c;
}

/* One work item: one image, 3x3 input, 3x3 kernel, no padding (a 1x1 output), few channels. */
static conv_case one_item_case(kind k, uint32_t threads) {
  conv_case c = regular_case(k, threads);
  c.desc.batch = 1;
  case_input(&c, 3, 3);
  case_pads(&c, 0, 0, 0, 0);
  case_channels(&c, 1, 4, 4);
  if (k == DEPTHWISE_NCHW || k == DEPTHWISE_NHWC) c.desc.groups = 4;
  if (k == GROUPED_NHWC) c.desc.groups = 2;
  return c;
}

static void expect_none(const conv_case* c, kind k, long calls, const char* situation) {
  if (calls != 0) {
    char what[400];
    describe_case(c, what, sizeof what);
    fail_msg("%s, %s: %ld allocator calls in execute (%s)", names[k], situation, calls, what);
  }
}

static void one_and_two_threads(void** state) {
  (void)state;
  if (!alloc_count_available()) skip();
  for (int k = 0; k < KINDS; ++k)
    for (uint32_t t = 1; t <= 2; ++t) {
      const conv_case c = regular_case((kind)k, t);
      expect_none(&c, (kind)k, execute_allocator_calls(&c, algo_named(names[k])),
                  t == 1 ? "1 thread" : "2 threads");
    }
}

static void single_work_item(void** state) {
  (void)state;
  if (!alloc_count_available()) skip();
  for (int k = 0; k < KINDS; ++k)
    for (uint32_t t = 1; t <= 2; ++t) {
      const conv_case c = one_item_case((kind)k, t);
      uint32_t ho = 0, wo = 0;
      assert_int_equal(gemmconv_output_dims(&c.desc, &ho, &wo), GEMMCONV_STATUS_SUCCESS);
      assert_true(ho == 1 && wo == 1);
      expect_none(&c, (kind)k, execute_allocator_calls(&c, algo_named(names[k])),
                  t == 1 ? "one work item, 1 thread" : "one work item, 2 threads");
    }
}

/* A plan with its own buffers and its output computed beforehand. */
typedef struct runner {
  gemmconv_plan* plan;
  float *input, *output, *expected;
  void* ws;
  size_t ws_bytes, nout;
} runner;

static runner make_runner(const conv_case* c, gemmconv_algo algo, uint32_t seed) {
  runner r;
  const size_t nin = case_input_count(c), nf = case_filter_count(c);
  r.nout = case_output_count(c);
  r.input = malloc(nin * sizeof(float));
  float* filter = malloc(nf * sizeof(float));
  float* bias = malloc(c->desc.out_channels * sizeof(float));
  fill_random(r.input, nin, seed);
  fill_random(filter, nf, seed + 1);
  fill_random(bias, c->desc.out_channels, seed + 2);
  r.plan = make_plan(c, algo, filter, c->with_bias ? bias : NULL);
  free(filter);
  free(bias);
  assert_int_equal(gemmconv_plan_workspace_size(r.plan, &r.ws_bytes), GEMMCONV_STATUS_SUCCESS);
  r.ws = aligned_buffer(r.ws_bytes);
  r.output = malloc(r.nout * sizeof(float));
  r.expected = malloc(r.nout * sizeof(float));
  assert_int_equal(gemmconv_execute(r.plan, r.input, r.expected, r.ws, r.ws_bytes),
                   GEMMCONV_STATUS_SUCCESS);
  return r;
}

static gemmconv_status run(runner* r) {
  return gemmconv_execute(r->plan, r->input, r->output, r->ws, r->ws_bytes);
}

static void free_runner(runner* r) {
  gemmconv_plan_destroy(r->plan);
  free(r->input);
  free(r->output);
  free(r->expected);
  free(r->ws);
}

#ifdef _OPENMP
/* Each of the caller's 2 threads executes its own 2-thread plan: once to warm up, then 3 times
   counted. Only the executes are inside the counting window: it opens and closes between
   barriers of the caller's region, which itself is libgomp's business. */
static void in_callers_region(kind k, const conv_case* c, int max_active_levels) {
  const int saved_levels = omp_get_max_active_levels();
  omp_set_max_active_levels(max_active_levels);
  runner r[2];
  for (int i = 0; i < 2; ++i) r[i] = make_runner(c, algo_named(names[k]), 40 + 10 * (uint32_t)i);
  gemmconv_status status[2][4];
  int team = 0;
  long calls = -1;
#pragma omp parallel num_threads(2)
  {
    const int me = omp_get_thread_num();
#pragma omp master
    team = omp_get_num_threads();
    status[me][0] = run(&r[me]); /* warm-up */
#pragma omp barrier
#pragma omp master
    alloc_count_start();
#pragma omp barrier
    for (int rep = 1; rep < 4; ++rep) status[me][rep] = run(&r[me]);
#pragma omp barrier
#pragma omp master
    calls = alloc_count_stop();
  }
  omp_set_max_active_levels(saved_levels);
  assert_int_equal(team, 2);
  for (int i = 0; i < 2; ++i) {
    for (int rep = 0; rep < 4; ++rep) assert_int_equal(status[i][rep], GEMMCONV_STATUS_SUCCESS);
    if (memcmp(r[i].output, r[i].expected, r[i].nout * sizeof(float)) != 0)
      fail_msg("%s: result inside the caller's region differs from the one outside", names[k]);
    free_runner(&r[i]);
  }
  char situation[120];
  snprintf(situation, sizeof situation,
           "inside the caller's omp parallel num_threads(2), max_active_levels %d",
           max_active_levels);
  expect_none(c, k, calls, situation);
}
#endif

static void inside_callers_parallel_region(void** state) {
  (void)state;
#ifndef _OPENMP
  skip(); /* built without OpenMP: the caller has no parallel region */
#else
  if (!alloc_count_available()) skip();
  for (int levels = 1; levels <= 2; ++levels)
    for (int k = 0; k < KINDS; ++k) {
      conv_case c = regular_case((kind)k, 2);
      in_callers_region((kind)k, &c, levels);
      c = one_item_case((kind)k, 2);
      in_callers_region((kind)k, &c, levels);
    }
#endif
}

/* A 1-thread plan and a 2-thread plan of the same case, executed in turn. */
static void alternating_thread_counts(void** state) {
  (void)state;
  if (!alloc_count_available()) skip();
  for (int k = 0; k < KINDS; ++k) {
    const conv_case c1 = regular_case((kind)k, 1), c2 = regular_case((kind)k, 2);
    runner one = make_runner(&c1, algo_named(names[k]), 60);
    runner two = make_runner(&c2, algo_named(names[k]), 60);
    assert_int_equal(run(&one), GEMMCONV_STATUS_SUCCESS);
    assert_int_equal(run(&two), GEMMCONV_STATUS_SUCCESS);
    gemmconv_status s[8];
    alloc_count_start();
    for (int i = 0; i < 8; ++i) s[i] = run(i % 2 ? &two : &one);
    const long calls = alloc_count_stop();
    for (int i = 0; i < 8; ++i) assert_int_equal(s[i], GEMMCONV_STATUS_SUCCESS);
    /* same data, same results whatever the thread count */
    assert_memory_equal(one.output, two.output, one.nout * sizeof(float));
    free_runner(&one);
    free_runner(&two);
    expect_none(&c2, (kind)k, calls, "alternating 1-thread and 2-thread plans");
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(one_and_two_threads),
      cmocka_unit_test(single_work_item),
      cmocka_unit_test(inside_callers_parallel_region),
      cmocka_unit_test(alternating_thread_counts),
  };
  return cmocka_run_group_tests_name("host_alloc", tests, NULL, NULL);
}
