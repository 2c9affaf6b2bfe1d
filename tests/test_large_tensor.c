/* An input tensor of more than 2^32 elements (1 x 2 x 47106 x 47106 floats, 17.8 GB), run by
   every algorithm that takes it, in both layouts. One channel plane alone has 2.2e9 > 2^31
   elements, so a row offset y * W overflows int32, and the last element sits past 2^32, so
   uint32 arithmetic wraps: either reads the wrong place and the result differs.
   It stays cheap: a 2x2 kernel with stride 2048 reads only ~2300 pages of the input, and the
   input is an anonymous mapping whose pages exist only once touched (mmap, not calloc: glibc's
   calloc clears the whole block when MALLOC_PERTURB_ is set, as meson test does), so the test
   touches ~20 MB and runs in well under a second. A machine that will not map 17.8 GB of
   address space skips it. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "harness.h"

enum { N = 1, C = 2, M = 3, K = 2, S = 2048, HO = 24 };
#define H ((size_t)S * (HO - 1) + K) /* 47106: the last tap reads the last row and column */
#define MAX_WORKSPACE ((size_t)256 << 20)

static size_t input_index(int nhwc, size_t n, size_t c, size_t y, size_t x) {
  return nhwc ? ((n * H + y) * H + x) * C + c : ((n * C + c) * H + y) * H + x;
}

/* A value that differs from position to position, so a wrong index reads a wrong value. */
static float value_at(size_t index) {
  uint64_t h = index * 0x9E3779B97F4A7C15ull;
  h ^= h >> 29;
  return (float)((h >> 40) % 2001) / 1000.0f - 1.0f + 1e-3f;
}

static void run_layout(float* input, int nhwc) {
  conv_case c = base_case();
  c.desc.layout = nhwc ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
  c.desc.batch = N;
  c.desc.in_channels = C;
  c.desc.out_channels = M;
  c.desc.in_height = c.desc.in_width = (uint32_t)H;
  c.desc.kernel_height = c.desc.kernel_width = K;
  c.desc.stride_height = c.desc.stride_width = S;
  c.desc.pad_top = c.desc.pad_bottom = c.desc.pad_left = c.desc.pad_right = 0;
  c.threads = 2;
  assert_true(case_input_count(&c) > ((size_t)1 << 32));
  const size_t nout = case_output_count(&c);
  assert_int_equal(nout, N * M * HO * HO);

  /* Write exactly the elements the kernel reads. */
  for (size_t n = 0; n < N; ++n)
    for (size_t ch = 0; ch < C; ++ch)
      for (size_t oy = 0; oy < HO; ++oy)
        for (size_t ox = 0; ox < HO; ++ox)
          for (size_t ky = 0; ky < K; ++ky)
            for (size_t kx = 0; kx < K; ++kx) {
              const size_t i = input_index(nhwc, n, ch, oy * S + ky, ox * S + kx);
              input[i] = value_at(i);
            }
  assert_true(input[case_input_count(&c) - 1] != 0.0f); /* the last element is read */

  float filter[M * C * K * K], bias[M];
  fill_random(filter, M * C * K * K, 41);
  fill_random(bias, M, 42);
  double expected[N * M * HO * HO], bound[N * M * HO * HO];
  for (size_t n = 0; n < N; ++n)
    for (size_t m = 0; m < M; ++m)
      for (size_t oy = 0; oy < HO; ++oy)
        for (size_t ox = 0; ox < HO; ++ox) {
          double acc = bias[m], mag = fabs(bias[m]);
          for (size_t ch = 0; ch < C; ++ch)
            for (size_t ky = 0; ky < K; ++ky)
              for (size_t kx = 0; kx < K; ++kx) {
                const double p = (double)filter[((m * C + ch) * K + ky) * K + kx] *
                                 input[input_index(nhwc, n, ch, oy * S + ky, ox * S + kx)];
                acc += p;
                mag += fabs(p);
              }
          const size_t at =
              nhwc ? ((n * HO + oy) * HO + ox) * M + m : ((n * M + m) * HO + oy) * HO + ox;
          expected[at] = acc;
          bound[at] = 1e-5 * (1.0 + mag);
        }

  int ran = 0;
  float output[N * M * HO * HO];
  for (int a = 0; a <= gemmconv_algo_count(); ++a) {
    gemmconv_plan_options o;
    gemmconv_plan_options_init(&o);
    o.algo = (gemmconv_algo)a;
    o.num_threads = c.threads;
    o.workspace_limit = MAX_WORKSPACE; /* an algorithm that would need more is not tried */
    gemmconv_plan* plan = NULL;
    const gemmconv_status s = gemmconv_plan_create(&c.desc, filter, bias, &o, &plan);
    if (s == GEMMCONV_STATUS_UNSUPPORTED || s == GEMMCONV_STATUS_OVER_BUDGET) continue;
    assert_int_equal(s, GEMMCONV_STATUS_SUCCESS);
    size_t bytes = 0;
    assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
    void* ws = aligned_buffer(bytes);
    for (size_t i = 0; i < nout; ++i) output[i] = NAN;
    assert_int_equal(gemmconv_execute(plan, input, output, ws, bytes), GEMMCONV_STATUS_SUCCESS);
    for (size_t i = 0; i < nout; ++i)
      if (!(fabs(output[i] - expected[i]) <= bound[i]))
        fail_msg("%s, %s: output[%zu] = %.9g, expected %.9g", gemmconv_algo_name((gemmconv_algo)a),
                 nhwc ? "NHWC" : "NCHW", i, (double)output[i], expected[i]);
    free(ws);
    gemmconv_plan_destroy(plan);
    if (a != GEMMCONV_ALGO_AUTO) ++ran;
  }
  printf("%s: %d algorithms indexed a %zu-element input correctly\n", nhwc ? "NHWC" : "NCHW", ran,
         case_input_count(&c));
  assert_true(ran >= 2); /* direct and the layout's patch-building algorithm at least */
}

static void more_than_2_32_elements(void** state) {
  (void)state;
  const size_t bytes = (size_t)N * C * H * H * sizeof(float);
  void* mapping =
      mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED) {
    printf("cannot map %zu bytes of address space: skipped\n", bytes);
    skip();
  }
  run_layout(mapping, 0);
  run_layout(mapping, 1);
  assert_int_equal(munmap(mapping, bytes), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(more_than_2_32_elements),
  };
  return cmocka_run_group_tests_name("large_tensor", tests, NULL, NULL);
}
