/* Stress: four threads each run 500 executes on a handful of shared plans (every algorithm, both
   layouts) while two more threads create, query, run and destroy plans in a loop. Every result
   must equal, bit for bit, what the same plan computed alone beforehand (itself checked against
   the reference). Runs in the sanitized CI pass too, where ASan watches the plan lifecycle. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

enum { EXECUTORS = 4, EXECUTES_EACH = 500, CREATORS = 2, MAX_PLANS = 64 };

/* One shared plan and what it must produce. */
typedef struct shared_plan {
  gemmconv_plan* plan;
  const conv_case* c;
  const float* input;
  float* expected;
  size_t nout, ws_bytes;
} shared_plan;

static conv_case cases[2]; /* NCHW 3x3 and NHWC 3x3 */
static conv_case pointwise_cases[2];
static float* inputs[4];
static float* filters[4];
static float* biases[4];
static shared_plan plans[MAX_PLANS];
static int plan_count;

static int stop_creators; /* read and written with __atomic builtins */

typedef struct executor {
  int index, executes, mismatches, failures;
} executor;

static void* run_executor(void* arg) {
  executor* e = arg;
  size_t max_out = 0, max_ws = 0;
  for (int p = 0; p < plan_count; ++p) {
    if (plans[p].nout > max_out) max_out = plans[p].nout;
    if (plans[p].ws_bytes > max_ws) max_ws = plans[p].ws_bytes;
  }
  float* out = malloc(max_out * sizeof(float));
  void* ws = aligned_buffer(max_ws);
  for (int i = 0; i < EXECUTES_EACH; ++i) {
    const shared_plan* sp = &plans[(e->index * 7 + i) % plan_count];
    memset(out, 0xFF, sp->nout * sizeof(float));
    if (gemmconv_execute(sp->plan, sp->input, out, ws, sp->ws_bytes) != GEMMCONV_STATUS_SUCCESS)
      ++e->failures;
    else if (memcmp(out, sp->expected, sp->nout * sizeof(float)) != 0)
      ++e->mismatches;
    ++e->executes;
  }
  free(out);
  free(ws);
  return NULL;
}

typedef struct creator {
  int index, creates, refusals, failures;
} creator;

/* Creates a plan for one of the cases with some algorithm, queries it, runs it once and
   destroys it; every few rounds asks for something invalid as well. Until told to stop. */
static void* run_creator(void* arg) {
  creator* cr = arg;
  const int count = gemmconv_algo_count();
  for (int round = 0; !__atomic_load_n(&stop_creators, __ATOMIC_ACQUIRE); ++round) {
    const int k = (round + cr->index) % 4;
    const conv_case* c = k < 2 ? &cases[k] : &pointwise_cases[k - 2];
    gemmconv_plan_options o;
    gemmconv_plan_options_init(&o);
    o.algo = (gemmconv_algo)(round % (count + 1));
    o.num_threads = 1;
    if (round % 5 == 4) o.num_threads = 1u << 20; /* refused: INVALID_ARGUMENT */
    gemmconv_plan* plan = NULL;
    const gemmconv_status s = gemmconv_plan_create(&c->desc, filters[k], biases[k], &o, &plan);
    if (s == GEMMCONV_STATUS_UNSUPPORTED || s == GEMMCONV_STATUS_INVALID_ARGUMENT) {
      if (plan != NULL) ++cr->failures;
      ++cr->refusals;
      continue;
    }
    if (s != GEMMCONV_STATUS_SUCCESS) {
      ++cr->failures;
      continue;
    }
    ++cr->creates;
    size_t bytes = 0, persistent = 0;
    gemmconv_algo algo;
    if (gemmconv_plan_workspace_size(plan, &bytes) != GEMMCONV_STATUS_SUCCESS ||
        gemmconv_plan_persistent_size(plan, &persistent) != GEMMCONV_STATUS_SUCCESS ||
        gemmconv_plan_algo(plan, &algo) != GEMMCONV_STATUS_SUCCESS)
      ++cr->failures;
    if (round % 3 == 0) { /* and run it once, in its own buffers */
      float* out = malloc(case_output_count(c) * sizeof(float));
      void* ws = aligned_buffer(bytes);
      if (gemmconv_execute(plan, inputs[k], out, ws, bytes) != GEMMCONV_STATUS_SUCCESS)
        ++cr->failures;
      free(out);
      free(ws);
    }
    gemmconv_plan_destroy(plan);
  }
  return NULL;
}

/* Adds a plan for every algorithm (and AUTO) that takes case c, its expected output computed
   alone and checked against the reference. */
static void add_plans(const conv_case* c, int k) {
  const size_t nin = case_input_count(c), nout = case_output_count(c);
  inputs[k] = malloc(nin * sizeof(float));
  filters[k] = malloc(case_filter_count(c) * sizeof(float));
  biases[k] = malloc(c->desc.out_channels * sizeof(float));
  fill_random(inputs[k], nin, 11 + k);
  fill_random(filters[k], case_filter_count(c), 21 + k);
  fill_random(biases[k], c->desc.out_channels, 31 + k);
  double* reference = malloc(nout * sizeof(double));
  double* bound = malloc(nout * sizeof(double));
  reference_conv(c, inputs[k], filters[k], biases[k], reference, bound);
  for (int a = 0; a <= gemmconv_algo_count() && plan_count < MAX_PLANS; ++a) {
    gemmconv_plan_options o;
    gemmconv_plan_options_init(&o);
    o.algo = (gemmconv_algo)a;
    o.num_threads = c->threads;
    gemmconv_plan* plan = NULL;
    const gemmconv_status s = gemmconv_plan_create(&c->desc, filters[k], biases[k], &o, &plan);
    if (s == GEMMCONV_STATUS_UNSUPPORTED) continue;
    assert_int_equal(s, GEMMCONV_STATUS_SUCCESS);
    shared_plan* sp = &plans[plan_count++];
    sp->plan = plan;
    sp->c = c;
    sp->input = inputs[k];
    sp->nout = nout;
    sp->expected = malloc(nout * sizeof(float));
    assert_int_equal(gemmconv_plan_workspace_size(plan, &sp->ws_bytes), GEMMCONV_STATUS_SUCCESS);
    void* ws = aligned_buffer(sp->ws_bytes);
    assert_int_equal(gemmconv_execute(plan, inputs[k], sp->expected, ws, sp->ws_bytes),
                     GEMMCONV_STATUS_SUCCESS);
    free(ws);
    for (size_t i = 0; i < nout; ++i)
      if (!(fabs(sp->expected[i] - reference[i]) <= bound[i]))
        fail_msg("%s: output[%zu] = %g, reference %g", gemmconv_algo_name((gemmconv_algo)a), i,
                 (double)sp->expected[i], reference[i]);
  }
  free(reference);
  free(bound);
}

static void executes_while_plans_come_and_go(void** state) {
  (void)state;
  cases[0] = same_padding_case(GEMMCONV_LAYOUT_NCHW, 3, 8);
  cases[1] = same_padding_case(GEMMCONV_LAYOUT_NHWC, 3, 8);
  pointwise_cases[0] = same_padding_case(GEMMCONV_LAYOUT_NCHW, 1, 8);
  pointwise_cases[1] = same_padding_case(GEMMCONV_LAYOUT_NHWC, 1, 8);
  cases[1].threads = 2; /* one shared plan runs its own OpenMP team inside each caller */
  add_plans(&cases[0], 0);
  add_plans(&cases[1], 1);
  add_plans(&pointwise_cases[0], 2);
  add_plans(&pointwise_cases[1], 3);
  assert_true(plan_count >= 4);

  executor executors[EXECUTORS];
  creator creators[CREATORS];
  pthread_t executor_ids[EXECUTORS], creator_ids[CREATORS];
  __atomic_store_n(&stop_creators, 0, __ATOMIC_RELEASE);
  for (int t = 0; t < CREATORS; ++t) {
    creators[t] = (creator){t, 0, 0, 0};
    assert_int_equal(pthread_create(&creator_ids[t], NULL, run_creator, &creators[t]), 0);
  }
  for (int t = 0; t < EXECUTORS; ++t) {
    executors[t] = (executor){t, 0, 0, 0};
    assert_int_equal(pthread_create(&executor_ids[t], NULL, run_executor, &executors[t]), 0);
  }
  int executes = 0, creates = 0, refusals = 0;
  for (int t = 0; t < EXECUTORS; ++t) {
    pthread_join(executor_ids[t], NULL);
    executes += executors[t].executes;
    assert_int_equal(executors[t].failures, 0);
    if (executors[t].mismatches != 0)
      fail_msg("executor %d saw %d results differing from the plan run alone", t,
               executors[t].mismatches);
  }
  __atomic_store_n(&stop_creators, 1, __ATOMIC_RELEASE);
  for (int t = 0; t < CREATORS; ++t) {
    pthread_join(creator_ids[t], NULL);
    creates += creators[t].creates;
    refusals += creators[t].refusals;
    assert_int_equal(creators[t].failures, 0);
  }
  assert_int_equal(executes, EXECUTORS * EXECUTES_EACH);
  assert_true(creates > 0);
  printf(
      "stress: %d executes on %d shared plans by %d threads, while %d threads created and "
      "destroyed %d plans (and had %d requests refused)\n",
      executes, plan_count, EXECUTORS, CREATORS, creates, refusals);

  for (int p = 0; p < plan_count; ++p) {
    gemmconv_plan_destroy(plans[p].plan);
    free(plans[p].expected);
  }
  for (int k = 0; k < 4; ++k) {
    free(inputs[k]);
    free(filters[k]);
    free(biases[k]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(executes_while_plans_come_and_go),
  };
  return cmocka_run_group_tests_name("stress", tests, NULL, NULL);
}
