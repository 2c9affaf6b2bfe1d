/* One plan, four pthreads executing it at once with their own outputs and workspaces: every
   result must match the reference (the convolution from its definition, within the API's error
   bound) and equal, bit for bit, the result of the same plan run alone. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

enum { THREADS = 4, RUNS = 8 };

/* What a worker saw. cmocka's assertions must not run outside the test's own thread, so the
   workers count and the test asserts after joining them. */
typedef struct worker {
  const gemmconv_plan* plan;
  const float* input;
  const float* alone; /* the plan's result run alone */
  const double* reference;
  const double* bound;
  size_t nout, ws_bytes;
  int failures, off_reference, differing;
  size_t first_off; /* the first element off the reference, when off_reference > 0 */
} worker;

static void* run_worker(void* arg) {
  worker* w = arg;
  float* out = malloc(w->nout * sizeof(float));
  void* ws = aligned_buffer(w->ws_bytes);
  for (int r = 0; r < RUNS; ++r) {
    memset(out, 0xFF, w->nout * sizeof(float)); /* NaN: every element must be written */
    if (gemmconv_execute(w->plan, w->input, out, ws, w->ws_bytes) != GEMMCONV_STATUS_SUCCESS) {
      ++w->failures;
      continue;
    }
    int off = 0;
    for (size_t i = 0; i < w->nout && !off; ++i)
      if (!(fabs(out[i] - w->reference[i]) <= w->bound[i])) {
        if (w->off_reference == 0) w->first_off = i;
        off = 1;
      }
    w->off_reference += off;
    if (memcmp(out, w->alone, w->nout * sizeof(float)) != 0) ++w->differing;
  }
  free(out);
  free(ws);
  return NULL;
}

static void one_plan_many_threads(const conv_case* c) {
  const size_t nin = case_input_count(c), nout = case_output_count(c);
  float* filter = malloc(case_filter_count(c) * sizeof(float));
  float* bias = malloc(c->desc.out_channels * sizeof(float));
  float* input = malloc(nin * sizeof(float));
  float* alone = malloc(nout * sizeof(float));
  double* reference = malloc(nout * sizeof(double));
  double* bound = malloc(nout * sizeof(double));
  fill_random(filter, case_filter_count(c), 6);
  fill_random(bias, c->desc.out_channels, 7);
  fill_random(input, nin, 8);
  const float* b = c->with_bias ? bias : NULL;
  reference_conv(c, input, filter, b, reference, bound);
  for (int a = 0; a <= gemmconv_algo_count(); ++a) {
    const char* name = gemmconv_algo_name((gemmconv_algo)a);
    gemmconv_plan_options o;
    gemmconv_plan_options_init(&o);
    o.algo = (gemmconv_algo)a;
    o.num_threads = c->threads;
    o.output_min = c->output_min;
    o.output_max = c->output_max;
    gemmconv_plan* plan = NULL;
    if (gemmconv_plan_create(&c->desc, filter, b, &o, &plan) == GEMMCONV_STATUS_UNSUPPORTED)
      continue;
    assert_non_null(plan);
    size_t bytes = 0;
    assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
    void* ws = aligned_buffer(bytes);
    assert_int_equal(gemmconv_execute(plan, input, alone, ws, bytes), GEMMCONV_STATUS_SUCCESS);
    free(ws);
    for (size_t i = 0; i < nout; ++i)
      if (!(fabs(alone[i] - reference[i]) <= bound[i]))
        fail_msg("%s alone: output[%zu] = %.9g, reference %.9g", name, i, (double)alone[i],
                 reference[i]);
    worker workers[THREADS];
    pthread_t tids[THREADS];
    for (int t = 0; t < THREADS; ++t) {
      workers[t] = (worker){plan, input, alone, reference, bound, nout, bytes, 0, 0, 0, 0};
      assert_int_equal(pthread_create(&tids[t], NULL, run_worker, &workers[t]), 0);
    }
    for (int t = 0; t < THREADS; ++t) assert_int_equal(pthread_join(tids[t], NULL), 0);
    for (int t = 0; t < THREADS; ++t) {
      const worker* w = &workers[t];
      if (w->failures != 0) fail_msg("%s: thread %d had %d executes fail", name, t, w->failures);
      if (w->off_reference != 0)
        fail_msg(
            "%s: thread %d saw %d of %d results off the reference (first at output[%zu], "
            "reference %.9g)",
            name, t, w->off_reference, RUNS, w->first_off, reference[w->first_off]);
      if (w->differing != 0)
        fail_msg("%s: thread %d saw %d results differing from the plan run alone", name, t,
                 w->differing);
    }
    gemmconv_plan_destroy(plan);
  }
  free(filter);
  free(bias);
  free(input);
  free(alone);
  free(reference);
  free(bound);
}

static conv_case concurrency_case(gemmconv_layout layout, uint32_t k) {
  conv_case c = base_case();
  case_layouts(&c, layout, GEMMCONV_FILTER_OIHW);
  case_channels(&c, 1, 16, 24);
  case_input(&c, 20, 20);
  case_same_padding(case_kernel(&c, k, k));
  c.with_bias = 1;
  return c;
}

static void nchw_3x3(void** state) {
  (void)state;
  conv_case c = concurrency_case(GEMMCONV_LAYOUT_NCHW, 3);
  one_plan_many_threads(&c);
  c.threads = 1;
  one_plan_many_threads(&c);
}

static void nhwc_3x3(void** state) {
  (void)state;
  conv_case c = concurrency_case(GEMMCONV_LAYOUT_NHWC, 3);
  one_plan_many_threads(&c);
}

static void pointwise(void** state) {
  (void)state;
  conv_case c = concurrency_case(GEMMCONV_LAYOUT_NCHW, 1);
  one_plan_many_threads(&c);
  c.desc.layout = GEMMCONV_LAYOUT_NHWC;
  one_plan_many_threads(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nchw_3x3),
      cmocka_unit_test(nhwc_3x3),
      cmocka_unit_test(pointwise),
  };
  return cmocka_run_group_tests_name("concurrency", tests, NULL, NULL);
}
