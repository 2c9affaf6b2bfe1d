/* Stress: four threads each run 500 executes on a handful of shared plans (every algorithm, both
   layouts) while two more threads create, query, run and destroy plans in a loop. Every shared
   plan's result must equal, bit for bit, what the same plan computed alone beforehand (itself
   checked against the reference). The creators' requests must get the status the same request
   gets alone: a plan, or UNSUPPORTED (and no plan), or INVALID_ARGUMENT for too many threads;
   their runs must match the reference, and the executes they have refused for a short, misaligned
   or missing workspace must leave the output and every byte around the buffers as they were.
   Runs in the sanitized CI pass too, where ASan watches the plan lifecycle. */
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

enum { EXECUTORS = 4, EXECUTES_EACH = 500, CREATORS = 2, MAX_PLANS = 64, CASES = 4 };
enum { MAX_ALGOS = 64 }; /* room for AUTO and every algorithm, checked in add_plans */

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
static const conv_case* all_cases[CASES];
static float* inputs[CASES];
static float* filters[CASES];
static float* biases[CASES];
static size_t output_counts[CASES];
static double* references[CASES]; /* the convolution from its definition, and its error bound */
static double* bounds[CASES];
/* What a one-thread plan_create of (case, algorithm) answers when nothing else runs: what the
   creators must get for the same request while the executors and each other run. */
static gemmconv_status status_alone[CASES][MAX_ALGOS];
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

/* A request that got another status than expected. */
typedef struct wrong_status {
  int round;
  gemmconv_algo algo;
  gemmconv_status got, want;
} wrong_status;

typedef struct creator {
  int index, creates, runs;
  int refused_invalid, refused_unsupported; /* plan_create refusals, by status */
  int refused_executes;                     /* executes refused for their workspace */
  int failures;      /* a call failed that must succeed, or a refusal returned a plan */
  int off_reference; /* runs whose output is not the reference's */
  int untidy;        /* refusals that wrote the output or outside their buffers */
  int wrong;         /* requests answered with another status than expected */
  wrong_status first_wrong;
} creator;

static void expect_status(creator* cr, int round, gemmconv_algo algo, gemmconv_status got,
                          gemmconv_status want) {
  if (got == want) return;
  if (cr->wrong++ == 0) cr->first_wrong = (wrong_status){round, algo, got, want};
}

static const float OUTPUT_SENTINEL = -12345.0f;

/* Executes the plan with a workspace that is refused, then with a proper one; the refusals must
   have the status the API gives them and leave the output as it was and every byte outside
   the buffers passed as it was; the run must match the reference. */
static void run_plan(creator* cr, int round, const gemmconv_plan* plan, gemmconv_algo algo, int k,
                     size_t bytes) {
  const size_t nout = output_counts[k];
  guarded_workspace out = guarded_alloc(nout * sizeof(float));
  float* y = out.data;
  if (bytes > 0) {
    guarded_workspace short_ws = guarded_alloc(bytes - 1);
    guarded_workspace spare = guarded_alloc(bytes + GEMMCONV_WORKSPACE_ALIGNMENT);
    struct {
      void* ws;
      size_t bytes;
      gemmconv_status want;
    } refusals[] = {
        {short_ws.data, bytes - 1, GEMMCONV_STATUS_WORKSPACE_TOO_SMALL},
        {(char*)spare.data + 4, bytes, GEMMCONV_STATUS_MISALIGNED},
        {NULL, bytes, GEMMCONV_STATUS_INVALID_ARGUMENT},
    };
    for (size_t r = 0; r < sizeof refusals / sizeof refusals[0]; ++r) {
      for (size_t i = 0; i < nout; ++i) y[i] = OUTPUT_SENTINEL;
      const gemmconv_status s =
          gemmconv_execute(plan, inputs[k], y, refusals[r].ws, refusals[r].bytes);
      expect_status(cr, round, algo, s, refusals[r].want);
      ++cr->refused_executes;
      int kept = guards_intact(&out) && guards_intact(&short_ws) && guards_intact(&spare);
      for (size_t i = 0; i < nout; ++i) kept &= y[i] == OUTPUT_SENTINEL;
      if (!kept) ++cr->untidy;
    }
    guarded_free(&short_ws);
    guarded_free(&spare);
  }
  guarded_workspace ws = guarded_alloc(bytes);
  memset(y, 0xFF, nout * sizeof(float)); /* NaN: every element must be written */
  if (gemmconv_execute(plan, inputs[k], y, bytes ? ws.data : NULL, bytes) !=
      GEMMCONV_STATUS_SUCCESS) {
    ++cr->failures;
  } else {
    ++cr->runs;
    int off = !guards_intact(&out) || !guards_intact(&ws);
    for (size_t i = 0; i < nout && !off; ++i)
      off = !(fabs(y[i] - references[k][i]) <= bounds[k][i]);
    cr->off_reference += off;
  }
  guarded_free(&ws);
  guarded_free(&out);
}

/* Creates a plan for one of the cases with some algorithm, queries it, every third round runs
   it (after executes refused for their workspace) and destroys it; every fifth round asks for
   too many threads instead. Every status must be the one the request gets alone, and a refused
   request must leave no plan. Each creator asks for every algorithm on every case twice over,
   then goes on until told to stop. */
static void* run_creator(void* arg) {
  creator* cr = arg;
  const int algos = gemmconv_algo_count() + 1; /* AUTO too */
  for (int round = 0;
       round < 2 * CASES * algos || !__atomic_load_n(&stop_creators, __ATOMIC_ACQUIRE); ++round) {
    const gemmconv_algo algo = (gemmconv_algo)(round % algos);
    const int k = (round / algos + cr->index) % CASES;
    const int too_many_threads = round % 5 == 4;
    gemmconv_plan_options o;
    gemmconv_plan_options_init(&o);
    o.algo = algo;
    o.num_threads = too_many_threads ? 1u << 20 : 1;
    gemmconv_plan* plan = (gemmconv_plan*)cr; /* must be replaced, by NULL when refused */
    const gemmconv_status s =
        gemmconv_plan_create(&all_cases[k]->desc, filters[k], biases[k], &o, &plan);
    expect_status(cr, round, algo, s,
                  too_many_threads ? GEMMCONV_STATUS_INVALID_ARGUMENT : status_alone[k][algo]);
    if (s != GEMMCONV_STATUS_SUCCESS) {
      if (plan != NULL) ++cr->failures;
      if (s == GEMMCONV_STATUS_INVALID_ARGUMENT) ++cr->refused_invalid;
      if (s == GEMMCONV_STATUS_UNSUPPORTED) ++cr->refused_unsupported;
      continue;
    }
    ++cr->creates;
    size_t bytes = 0, persistent = 0;
    gemmconv_algo chosen;
    if (gemmconv_plan_workspace_size(plan, &bytes) != GEMMCONV_STATUS_SUCCESS ||
        gemmconv_plan_persistent_size(plan, &persistent) != GEMMCONV_STATUS_SUCCESS ||
        gemmconv_plan_algo(plan, &chosen) != GEMMCONV_STATUS_SUCCESS)
      ++cr->failures;
    if (round % 3 == 0) run_plan(cr, round, plan, algo, k, bytes);
    gemmconv_plan_destroy(plan);
  }
  return NULL;
}

/* Adds a plan for every algorithm (and AUTO) that takes case c, its expected output computed
   alone and checked against the reference; notes what a one-thread request of each algorithm
   gets alone. */
static void add_plans(const conv_case* c, int k) {
  const size_t nin = case_input_count(c), nout = case_output_count(c);
  all_cases[k] = c;
  output_counts[k] = nout;
  inputs[k] = malloc(nin * sizeof(float));
  filters[k] = malloc(case_filter_count(c) * sizeof(float));
  biases[k] = malloc(c->desc.out_channels * sizeof(float));
  fill_random(inputs[k], nin, 11 + k);
  fill_random(filters[k], case_filter_count(c), 21 + k);
  fill_random(biases[k], c->desc.out_channels, 31 + k);
  references[k] = malloc(nout * sizeof(double));
  bounds[k] = malloc(nout * sizeof(double));
  assert_true(c->with_bias); /* the plans all get biases[k] */
  reference_conv(c, inputs[k], filters[k], biases[k], references[k], bounds[k]);
  assert_true(gemmconv_algo_count() < MAX_ALGOS);
  for (int a = 0; a <= gemmconv_algo_count(); ++a) {
    gemmconv_plan_options o;
    gemmconv_plan_options_init(&o);
    o.algo = (gemmconv_algo)a;
    o.num_threads = 1;
    gemmconv_plan* plan = NULL;
    status_alone[k][a] = gemmconv_plan_create(&c->desc, filters[k], biases[k], &o, &plan);
    gemmconv_plan_destroy(plan);
    /* Refused only as a valid convolution the algorithm does not compute; AUTO and direct
       compute every valid convolution. */
    if (a == GEMMCONV_ALGO_AUTO || a == GEMMCONV_ALGO_DIRECT)
      assert_int_equal(status_alone[k][a], GEMMCONV_STATUS_SUCCESS);
    else if (status_alone[k][a] != GEMMCONV_STATUS_UNSUPPORTED)
      assert_int_equal(status_alone[k][a], GEMMCONV_STATUS_SUCCESS);
  }
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
      if (!(fabs(sp->expected[i] - references[k][i]) <= bounds[k][i]))
        fail_msg("%s: output[%zu] = %g, reference %g", gemmconv_algo_name((gemmconv_algo)a), i,
                 (double)sp->expected[i], references[k][i]);
  }
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
    creators[t] = (creator){.index = t};
    assert_int_equal(pthread_create(&creator_ids[t], NULL, run_creator, &creators[t]), 0);
  }
  for (int t = 0; t < EXECUTORS; ++t) {
    executors[t] = (executor){t, 0, 0, 0};
    assert_int_equal(pthread_create(&executor_ids[t], NULL, run_executor, &executors[t]), 0);
  }
  for (int t = 0; t < EXECUTORS; ++t) assert_int_equal(pthread_join(executor_ids[t], NULL), 0);
  __atomic_store_n(&stop_creators, 1, __ATOMIC_RELEASE);
  for (int t = 0; t < CREATORS; ++t) assert_int_equal(pthread_join(creator_ids[t], NULL), 0);

  int executes = 0;
  for (int t = 0; t < EXECUTORS; ++t) {
    executes += executors[t].executes;
    assert_int_equal(executors[t].failures, 0);
    if (executors[t].mismatches != 0)
      fail_msg("executor %d saw %d results differing from the plan run alone", t,
               executors[t].mismatches);
  }
  int creates = 0, runs = 0, invalid = 0, unsupported = 0, refused_executes = 0;
  for (int t = 0; t < CREATORS; ++t) {
    const creator* cr = &creators[t];
    if (cr->wrong != 0)
      fail_msg(
          "creator %d: %d requests answered with another status than expected; the first, round "
          "%d, "
          "%s: %s, expected %s",
          t, cr->wrong, cr->first_wrong.round, gemmconv_algo_name(cr->first_wrong.algo),
          gemmconv_status_string(cr->first_wrong.got),
          gemmconv_status_string(cr->first_wrong.want));
    assert_int_equal(cr->failures, 0);
    if (cr->untidy != 0)
      fail_msg("creator %d: %d refused executes wrote the output or outside their buffers", t,
               cr->untidy);
    if (cr->off_reference != 0)
      fail_msg("creator %d: %d runs off the reference", t, cr->off_reference);
    creates += cr->creates;
    runs += cr->runs;
    invalid += cr->refused_invalid;
    unsupported += cr->refused_unsupported;
    refused_executes += cr->refused_executes;
  }
  assert_int_equal(executes, EXECUTORS * EXECUTES_EACH);
  /* Every kind of request happened: the checks above had something to check. */
  assert_true(creates > 0 && runs > 0 && invalid > 0 && unsupported > 0 && refused_executes > 0);
  printf(
      "stress: %d executes on %d shared plans by %d threads, while %d threads created and "
      "destroyed %d plans, ran %d of them, and had %d plans refused as invalid, %d as "
      "unsupported and %d executes refused for their workspace\n",
      executes, plan_count, EXECUTORS, CREATORS, creates, runs, invalid, unsupported,
      refused_executes);

  for (int p = 0; p < plan_count; ++p) {
    gemmconv_plan_destroy(plans[p].plan);
    free(plans[p].expected);
  }
  for (int k = 0; k < CASES; ++k) {
    free(inputs[k]);
    free(filters[k]);
    free(biases[k]);
    free(references[k]);
    free(bounds[k]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(executes_while_plans_come_and_go),
  };
  return cmocka_run_group_tests_name("stress", tests, NULL, NULL);
}
