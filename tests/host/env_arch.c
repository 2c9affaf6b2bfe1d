/* The library in a host whose environment it does not control. tests/meson.build runs this
   program many times, each with one BLIS_ARCH_TYPE value (numbers in and out of BLIS's table,
   configurations this BLIS lacks or this CPU cannot run, names, garbage, an empty value) or one
   OpenMP setting (OMP_THREAD_LIMIT, OMP_DYNAMIC, OMP_NUM_THREADS). Whatever the value, loading
   the library must not abort, and every algorithm below must plan, execute and match the
   reference, on each plan thread count given as arguments (default: 1 and 2). The variable
   itself must read afterwards as it did at exec: the library swaps it only while BLIS reads it.
   Usage: env_arch [threads...] */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../harness.h"

static uint32_t thread_counts[8] = {1, 2};
static int thread_count_n = 2;

/* N=2, C=8 -> M=16, 12x12, 3x3 "same", bias. */
static conv_case small_case(gemmconv_layout layout, uint32_t threads) {
  conv_case c = base_case();
  c.desc.layout = layout;
  c.desc.batch = 2;
  c.desc.in_channels = 8;
  c.desc.out_channels = 16;
  c.desc.in_height = c.desc.in_width = 12;
  c.with_bias = 1;
  c.threads = threads;
  return c;
}

/* Large enough that the library hands BLIS its GEMMs on several threads (it keeps products under
   2^21 multiply-adds on one): im2col 48 x 288 x 1600, kn2row-aa 48 x 32 x 1600 per tap. BLIS
   aborts the process when OpenMP grants its region fewer threads than it asked for. */
static conv_case blis_threaded_case(uint32_t threads) {
  conv_case c = small_case(GEMMCONV_LAYOUT_NCHW, threads);
  c.desc.batch = 1;
  c.desc.in_channels = 32;
  c.desc.out_channels = 48;
  c.desc.in_height = c.desc.in_width = 40;
  return c;
}

static conv_case depthwise_case(uint32_t threads) {
  conv_case c = small_case(GEMMCONV_LAYOUT_NHWC, threads);
  c.desc.groups = c.desc.in_channels = c.desc.out_channels = 16;
  return c;
}

/* The value the process was started with, from /proc/self/environ (the exec-time block);
   NULL when it was not set. */
static const char* exec_time_value(const char* name, char* buf, size_t size) {
  FILE* f = fopen("/proc/self/environ", "r");
  assert_non_null(f);
  static char block[1 << 16];
  const size_t n = fread(block, 1, sizeof block - 1, f);
  fclose(f);
  block[n] = '\0';
  const size_t len = strlen(name);
  for (size_t i = 0; i < n; i += strlen(block + i) + 1)
    if (strncmp(block + i, name, len) == 0 && block[i + len] == '=') {
      snprintf(buf, size, "%s", block + i + len + 1);
      return buf;
    }
  return NULL;
}

static void environment_unchanged(void** state) {
  (void)state;
  char buf[256];
  const char* at_exec = exec_time_value("BLIS_ARCH_TYPE", buf, sizeof buf);
  const char* now = getenv("BLIS_ARCH_TYPE");
  printf("BLIS_ARCH_TYPE at exec: %s%s%s, now: %s%s%s\n", at_exec ? "\"" : "",
         at_exec ? at_exec : "(unset)", at_exec ? "\"" : "", now ? "\"" : "", now ? now : "(unset)",
         now ? "\"" : "");
  if (at_exec == NULL)
    assert_null(now);
  else {
    assert_non_null(now);
    assert_string_equal(now, at_exec);
  }
}

static void run_named(const conv_case* c, const char* name) {
  check_algorithm_runs(c, algo_named(name));
}

static void every_algorithm_computes(void** state) {
  (void)state;
  for (int t = 0; t < thread_count_n; ++t) {
    const uint32_t threads = thread_counts[t];
    const conv_case nchw = small_case(GEMMCONV_LAYOUT_NCHW, threads);
    const conv_case nhwc = small_case(GEMMCONV_LAYOUT_NHWC, threads);
    const conv_case dw = depthwise_case(threads);
    run_named(&nchw, "tiled-nchw");
    run_named(&nhwc, "tiled-nhwc");
    run_named(&nchw, "im2col-copy-long");
    run_named(&nhwc, "im2row-copy-short");
    run_named(&nchw, "kn2row");
    run_named(&nchw, "kn2row-aa");
    run_named(&nchw, "kn2row-as");
    run_named(&nchw, "mec-col");
    run_named(&dw, "depthwise-nhwc");
    assert_true(check_algorithm(&nchw, GEMMCONV_ALGO_AUTO));
    assert_true(check_algorithm(&nhwc, GEMMCONV_ALGO_AUTO));
    assert_true(check_algorithm(&dw, GEMMCONV_ALGO_AUTO));
    const conv_case big = blis_threaded_case(threads);
    run_named(&big, "im2col-copy-long");
    run_named(&big, "im2col-copy-self");
    run_named(&big, "kn2row");
    run_named(&big, "kn2row-aa");
    run_named(&big, "tiled-nchw");
    assert_true(check_algorithm(&big, GEMMCONV_ALGO_AUTO));
  }
}

/* A plan executed many times in a row, alternating with another thread count: the state OpenMP
   and BLIS keep between calls must not depend on the environment either. */
static void repeated_executes(void** state) {
  (void)state;
  for (int r = 0; r < 3; ++r)
    for (int t = 0; t < thread_count_n; ++t) {
      const conv_case nchw = small_case(GEMMCONV_LAYOUT_NCHW, thread_counts[t]);
      run_named(&nchw, "im2col-copy-long");
      run_named(&nchw, "kn2row");
    }
}

int main(int argc, char** argv) {
  if (argc > 1) {
    thread_count_n = 0;
    for (int i = 1; i < argc && thread_count_n < 8; ++i)
      thread_counts[thread_count_n++] = (uint32_t)strtoul(argv[i], NULL, 10);
  }
  const char* vars[] = {"BLIS_ARCH_TYPE", "OMP_THREAD_LIMIT", "OMP_DYNAMIC", "OMP_NUM_THREADS"};
  for (size_t i = 0; i < sizeof vars / sizeof *vars; ++i) {
    const char* v = getenv(vars[i]);
    printf("%s=%s%s%s\n", vars[i], v ? "\"" : "", v ? v : "(unset)", v ? "\"" : "");
  }
  printf("plan threads:");
  for (int t = 0; t < thread_count_n; ++t) printf(" %u", thread_counts[t]);
  printf("\n");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(environment_unchanged),
      cmocka_unit_test(every_algorithm_computes),
      cmocka_unit_test(repeated_executes),
  };
  return cmocka_run_group_tests_name("env_arch", tests, NULL, NULL);
}
