/* Every buffer the caller passes is read and written only inside its bounds, by the library and
   by everything it calls (BLIS included, which ASan cannot see: it is not instrumented). Input,
   output and workspace are each placed against an inaccessible page, once ending right before
   it and once starting right after one; any access past either end faults. Shapes are chosen
   where BLIS 0.9.0's small-matrix ("sup") kernels read past their operands: 99 = 6 * 16 + 3
   output pixels, reductions of 72 and 576, and 1x1 convolutions whose GEMM reads the input in
   place. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

/* A buffer flush against an inaccessible page: `data` ends where the page after it begins
   (AT_END) or begins where the page before it ends (AT_START). */
typedef enum { AT_END, AT_START } placement;
typedef struct fenced {
  unsigned char* mapping;
  size_t mapping_bytes;
  void* data;
} fenced;

static size_t page_size(void) {
  return (size_t)sysconf(_SC_PAGESIZE);
}

/* `align` is honoured by AT_END by leaving at most align - 1 bytes after the data. */
static fenced fenced_alloc(size_t bytes, size_t align, placement where) {
  const size_t page = page_size();
  const size_t data_pages = (bytes + align + page - 1) / page;
  fenced f;
  f.mapping_bytes = (data_pages + 2) * page;
  f.mapping =
      mmap(NULL, f.mapping_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  assert_true(f.mapping != MAP_FAILED);
  assert_int_equal(mprotect(f.mapping, page, PROT_NONE), 0);
  unsigned char* end = f.mapping + f.mapping_bytes - page;
  assert_int_equal(mprotect(end, page, PROT_NONE), 0);
  if (where == AT_START) {
    f.data = f.mapping + page;
  } else {
    uintptr_t start = (uintptr_t)(end - bytes);
    start -= start % align;
    f.data = (void*)start;
  }
  return f;
}

static void fenced_free(fenced* f) {
  assert_int_equal(munmap(f->mapping, f->mapping_bytes), 0);
}

static const char* placement_name(placement where) {
  return where == AT_END ? "ending at" : "starting at";
}

/* Runs algorithm `algo` on case c with every caller buffer fenced on the `where` side; returns
   0 when the algorithm does not take the case. */
static int run_fenced(const conv_case* c, gemmconv_algo algo, placement where) {
  const size_t nin = case_input_count(c), nout = case_output_count(c), nf = case_filter_count(c);
  float* filter = malloc(nf * sizeof(float));
  float* bias = malloc(c->desc.out_channels * sizeof(float));
  fill_random(filter, nf, 51);
  fill_random(bias, c->desc.out_channels, 52);
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = algo;
  o.num_threads = c->threads;
  gemmconv_plan* plan = NULL;
  const gemmconv_status s = gemmconv_plan_create(&c->desc, filter, bias, &o, &plan);
  if (s == GEMMCONV_STATUS_UNSUPPORTED) {
    free(filter);
    free(bias);
    return 0;
  }
  assert_int_equal(s, GEMMCONV_STATUS_SUCCESS);
  size_t ws_bytes = 0;
  assert_int_equal(gemmconv_plan_workspace_size(plan, &ws_bytes), GEMMCONV_STATUS_SUCCESS);

  fenced in = fenced_alloc(nin * sizeof(float), sizeof(float), where);
  fenced out = fenced_alloc(nout * sizeof(float), sizeof(float), where);
  fenced ws = fenced_alloc(ws_bytes, GEMMCONV_WORKSPACE_ALIGNMENT, where);
  float* input = in.data;
  float* output = out.data;
  fill_random(input, nin, 53);
  double* expected = malloc(nout * sizeof(double));
  double* bound = malloc(nout * sizeof(double));
  reference_conv(c, input, filter, bias, expected, bound);

  /* A fault here is reported by cmocka as a failed test with a segmentation fault. */
  printf("%s, %s, buffers %s a guard page\n", gemmconv_algo_name(algo),
         c->desc.layout == GEMMCONV_LAYOUT_NCHW ? "NCHW" : "NHWC", placement_name(where));
  fflush(stdout);
  assert_int_equal(gemmconv_execute(plan, input, output, ws_bytes ? ws.data : NULL, ws_bytes),
                   GEMMCONV_STATUS_SUCCESS);
  for (size_t i = 0; i < nout; ++i)
    if (!(fabs(output[i] - expected[i]) <= bound[i]))
      fail_msg("%s: output[%zu] = %g, expected %g", gemmconv_algo_name(algo), i, (double)output[i],
               expected[i]);

  gemmconv_plan_destroy(plan);
  fenced_free(&in);
  fenced_free(&out);
  fenced_free(&ws);
  free(expected);
  free(bound);
  free(filter);
  free(bias);
  return 1;
}

static void every_algorithm_fenced(const conv_case* c) {
  int ran = 0;
  for (int a = 0; a <= gemmconv_algo_count(); ++a) {
    ran += run_fenced(c, (gemmconv_algo)a, AT_END);
    run_fenced(c, (gemmconv_algo)a, AT_START);
  }
  assert_true(ran >= 2);
}

static void nchw_3x3(void** state) {
  (void)state;
  conv_case c = same_padding_case(GEMMCONV_LAYOUT_NCHW, 3, 8);
  every_algorithm_fenced(&c);
  c = same_padding_case(GEMMCONV_LAYOUT_NCHW, 3, 64); /* reduction 576 */
  every_algorithm_fenced(&c);
}

static void nhwc_3x3(void** state) {
  (void)state;
  conv_case c = same_padding_case(GEMMCONV_LAYOUT_NHWC, 3, 8);
  every_algorithm_fenced(&c);
  c = same_padding_case(GEMMCONV_LAYOUT_NHWC, 3, 64);
  every_algorithm_fenced(&c);
}

static void pointwise(void** state) {
  (void)state;
  conv_case c = same_padding_case(GEMMCONV_LAYOUT_NCHW, 1, 8);
  every_algorithm_fenced(&c);
  c = same_padding_case(GEMMCONV_LAYOUT_NHWC, 1, 8);
  every_algorithm_fenced(&c);
  c = same_padding_case(GEMMCONV_LAYOUT_NHWC, 1, 250);
  every_algorithm_fenced(&c);
  /* 16 pixels x 98 channels, reduction 250: BLIS's sup kernels read ~400 bytes before A. */
  c = same_padding_case(GEMMCONV_LAYOUT_NHWC, 1, 250);
  c.desc.out_channels = 98;
  c.desc.in_height = c.desc.in_width = 4;
  every_algorithm_fenced(&c);
}

static void grouped_and_batched(void** state) {
  (void)state;
  conv_case c = same_padding_case(GEMMCONV_LAYOUT_NHWC, 3, 8);
  c.desc.groups = 2;
  c.desc.batch = 2;
  every_algorithm_fenced(&c);
  c.desc.layout = GEMMCONV_LAYOUT_NCHW;
  every_algorithm_fenced(&c);
  c.threads = 2;
  every_algorithm_fenced(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nchw_3x3),
      cmocka_unit_test(nhwc_3x3),
      cmocka_unit_test(pointwise),
      cmocka_unit_test(grouped_and_batched),
  };
  return cmocka_run_group_tests_name("guard_pages", tests, NULL, NULL);
}
