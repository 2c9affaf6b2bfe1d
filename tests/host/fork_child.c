/* A host that fork()s after executing plans on several threads. The parent executes 2-thread
   plans (so libgomp's thread pool exists), then forks; the child, which has none of the
   parent's threads, executes the same plans and a plan it creates itself, and checks every
   result against `direct` and against the parent's result (results do not depend on the
   threads granted; the library runs a forked child's executes on one thread). alarm(30) turns
   a hang in the child into a failure. The parent requires exit status 0, then executes again. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness.h"

enum { PLANS = 5 };

typedef struct job {
  const char* name;
  conv_case c;
  gemmconv_plan* plan;
  size_t ws_bytes, nin, nout;
  float *input, *filter, *bias, *direct, *parent_out;
  double *expected, *bound;
} job;

static int failures;

#define CHECK(cond, ...)                     \
  do {                                       \
    if (!(cond)) {                           \
      printf("FAIL [%ld] ", (long)getpid()); \
      printf(__VA_ARGS__);                   \
      printf("\n");                          \
      ++failures;                            \
    }                                        \
  } while (0)

static conv_case nchw_case(void) {
  conv_case c = base_case();
  c.desc.in_channels = 16;
  c.desc.out_channels = 24;
  c.desc.in_height = c.desc.in_width = 20;
  c.with_bias = 1;
  c.threads = 2;
  return c;
}

static conv_case depthwise_case(void) {
  conv_case c = nchw_case();
  c.desc.layout = GEMMCONV_LAYOUT_NHWC;
  c.desc.groups = c.desc.in_channels = c.desc.out_channels = 32;
  return c;
}

static gemmconv_plan* create_plan(const conv_case* c, const char* name, const float* filter,
                                  const float* bias) {
  gemmconv_algo algo;
  if (gemmconv_algo_from_name(name, &algo) != GEMMCONV_STATUS_SUCCESS) {
    CHECK(0, "no algorithm named %s", name);
    return NULL;
  }
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = algo;
  o.num_threads = c->threads;
  gemmconv_plan* plan = NULL;
  const gemmconv_status s = gemmconv_plan_create(&c->desc, filter, bias, &o, &plan);
  CHECK(s == GEMMCONV_STATUS_SUCCESS, "%s: plan_create: %s", name, gemmconv_status_string(s));
  return plan;
}

/* Executes the plan into a fresh output and returns it (NaN-filled first, so every element must
   be written); NULL on failure. */
static float* execute(const job* j, gemmconv_plan* plan, size_t ws_bytes) {
  float* out = malloc(j->nout * sizeof(float));
  memset(out, 0xFF, j->nout * sizeof(float));
  void* ws = ws_bytes ? aligned_alloc(64, (ws_bytes + 63) / 64 * 64) : NULL;
  const gemmconv_status s = gemmconv_execute(plan, j->input, out, ws, ws_bytes);
  free(ws);
  CHECK(s == GEMMCONV_STATUS_SUCCESS, "%s: execute: %s", j->name, gemmconv_status_string(s));
  if (s != GEMMCONV_STATUS_SUCCESS) {
    free(out);
    return NULL;
  }
  return out;
}

/* `out` within the API's error bound of direct's result (each is within bound of the exact
   value, so the two are within twice that). */
static void check_against_direct(const job* j, const float* out, const char* where) {
  for (size_t i = 0; i < j->nout; ++i)
    if (!(fabs((double)out[i] - (double)j->direct[i]) <= 2 * j->bound[i])) {
      CHECK(0, "%s (%s): output[%zu] = %.9g, direct %.9g (bound %.3g)", j->name, where, i,
            (double)out[i], (double)j->direct[i], 2 * j->bound[i]);
      return;
    }
}

static void setup(job* j, const char* name, conv_case c, const float* direct_of_same_case) {
  j->name = name;
  j->c = c;
  j->nin = case_input_count(&c);
  j->nout = case_output_count(&c);
  const size_t nf = case_filter_count(&c);
  j->input = malloc(j->nin * sizeof(float));
  j->filter = malloc(nf * sizeof(float));
  j->bias = malloc(c.desc.out_channels * sizeof(float));
  j->expected = malloc(j->nout * sizeof(double));
  j->bound = malloc(j->nout * sizeof(double));
  fill_random(j->input, j->nin, 31);
  fill_random(j->filter, nf, 32);
  fill_random(j->bias, c.desc.out_channels, 33);
  reference_conv(&c, j->input, j->filter, j->bias, j->expected, j->bound);
  j->plan = create_plan(&c, name, j->filter, j->bias);
  j->ws_bytes = 0;
  if (j->plan) gemmconv_plan_workspace_size(j->plan, &j->ws_bytes);
  j->direct = NULL;
  if (direct_of_same_case) {
    j->direct = malloc(j->nout * sizeof(float));
    memcpy(j->direct, direct_of_same_case, j->nout * sizeof(float));
  } else {
    /* direct on one thread, before any team exists */
    conv_case one = c;
    one.threads = 1;
    gemmconv_plan* d = create_plan(&one, "direct", j->filter, j->bias);
    size_t b = 0;
    if (d) gemmconv_plan_workspace_size(d, &b);
    j->direct = d ? execute(j, d, b) : NULL;
    gemmconv_plan_destroy(d);
  }
  if (j->direct) {
    /* direct itself against the double-precision reference */
    for (size_t i = 0; i < j->nout; ++i)
      if (!(fabs((double)j->direct[i] - j->expected[i]) <= j->bound[i])) {
        CHECK(0, "direct: output[%zu] = %.9g, reference %.9g", i, (double)j->direct[i],
              j->expected[i]);
        break;
      }
  }
  j->parent_out = NULL;
}

static void teardown(job* j) {
  gemmconv_plan_destroy(j->plan);
  free(j->input);
  free(j->filter);
  free(j->bias);
  free(j->expected);
  free(j->bound);
  free(j->direct);
  free(j->parent_out);
}

/* Every plan, then a plan created here, each checked against direct and the parent's result. */
static void run_all(job* jobs, const char* where, int compare_with_parent) {
  for (int k = 0; k < PLANS; ++k) {
    job* j = &jobs[k];
    if (!j->plan || !j->direct) continue;
    for (int rep = 0; rep < 2; ++rep) {
      float* out = execute(j, j->plan, j->ws_bytes);
      if (!out) continue;
      check_against_direct(j, out, where);
      if (compare_with_parent && j->parent_out)
        CHECK(memcmp(out, j->parent_out, j->nout * sizeof(float)) == 0,
              "%s (%s): result differs from the parent's 2-thread result", j->name, where);
      if (!j->parent_out)
        j->parent_out = out;
      else
        free(out);
    }
  }
  /* A plan created here (on the same case as jobs[0], 2 threads). */
  const char* fresh[] = {"tiled-nchw", "im2col-copy-long", "kn2row-aa"};
  for (size_t f = 0; f < sizeof fresh / sizeof *fresh; ++f) {
    gemmconv_plan* p = create_plan(&jobs[0].c, fresh[f], jobs[0].filter, jobs[0].bias);
    if (!p) continue;
    size_t b = 0;
    gemmconv_plan_workspace_size(p, &b);
    job tmp = jobs[0];
    tmp.name = fresh[f];
    float* out = execute(&tmp, p, b);
    if (out) {
      char label[64];
      snprintf(label, sizeof label, "%s, new plan", where);
      check_against_direct(&tmp, out, label);
      free(out);
    }
    gemmconv_plan_destroy(p);
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  job jobs[PLANS];
  const conv_case c = nchw_case();
  setup(&jobs[0], "tiled-nchw", c, NULL);
  setup(&jobs[1], "im2col-copy-long", c, jobs[0].direct);
  setup(&jobs[2], "kn2row-aa", c, jobs[0].direct);
  setup(&jobs[3], "direct", c, jobs[0].direct);
  setup(&jobs[4], "depthwise-nhwc", depthwise_case(), NULL);

  /* The parent: 2-thread executes, so libgomp's pool is running when we fork. */
  run_all(jobs, "parent before fork", 0);
  printf("parent: %d failures before fork\n", failures);

  const pid_t child = fork();
  if (child < 0) {
    perror("fork");
    return 1;
  }
  if (child == 0) {
    alarm(30);
    failures = 0;
    run_all(jobs, "forked child", 1);
    /* A grandchild too: the flag set at the first fork must survive a second one. */
    const pid_t grandchild = fork();
    if (grandchild == 0) {
      alarm(30);
      failures = 0;
      run_all(jobs, "forked grandchild", 1);
      _exit(failures == 0 ? 0 : 1);
    }
    int gst = 0;
    CHECK(grandchild > 0 && waitpid(grandchild, &gst, 0) == grandchild, "waitpid(grandchild)");
    CHECK(WIFEXITED(gst) && WEXITSTATUS(gst) == 0, "grandchild: %s %d",
          WIFSIGNALED(gst) ? "killed by signal" : "exit status",
          WIFSIGNALED(gst) ? WTERMSIG(gst) : WEXITSTATUS(gst));
    printf("child: %d failures\n", failures);
    _exit(failures == 0 ? 0 : 1);
  }
  int status = 0;
  pid_t w;
  do w = waitpid(child, &status, 0);
  while (w < 0 && errno == EINTR);
  CHECK(w == child, "waitpid: %s", strerror(errno));
  if (WIFSIGNALED(status))
    CHECK(0, "child killed by signal %d (%s)%s", WTERMSIG(status), strsignal(WTERMSIG(status)),
          WTERMSIG(status) == SIGALRM ? ": it hung for 30 s" : "");
  else
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exit status %d",
          WEXITSTATUS(status));

  /* The parent still runs its teams after the fork. */
  run_all(jobs, "parent after fork", 1);
  for (int k = 0; k < PLANS; ++k) teardown(&jobs[k]);
  printf("%s: %d failures\n", failures ? "FAILED" : "ok", failures);
  return failures == 0 ? 0 : 1;
}
