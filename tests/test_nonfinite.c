/* Inf and NaN weights whose tap falls in the padding. The library's documented semantics, per
   algorithm:
   - `direct`, the kn2row family, depthwise-nhwc, grouped-nhwc and channels-nchw follow the
     definition: a tap in the padding is never multiplied, so an output for which the
     non-finite weight's tap lies only in the padding stays finite (and equals the definition's
     value);
   - the patch-building (im2col-*, im2row-*), MEC, tiled, depthwise-nchw, grouped-nchw,
     rows-nchw and channels-staged-nchw algorithms multiply the padding as zeros, and
     0 x Inf = 0 x NaN = NaN: such an output is NaN;
   - gemm-1x1 and pointwise-nchw have no padding (they take no padded case).
   In both, an output whose tap reads real input is non-finite (NaN for a NaN weight), and every
   output the weight does not reach is finite and correct. Every algorithm the library has must
   be in one of these lists, so that a new one has to be classified here.
   The case: 3x3 kernel, stride 1, padding 1; the weight of output channel 0, input channel 0 at
   tap (0,0) (then at tap (2,2)) is +Inf (then NaN). For tap (0,0) the outputs of the top row and
   left column read it only from the padding; for (2,2) those of the bottom row and right
   column. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

typedef enum semantics { DEFINITION, PADDING_MULTIPLIED, NO_PADDING, UNCLASSIFIED } semantics;

static const char* const follow_definition[] = {
    "direct",    "kn2row",    "kn2col",         "kn2row-aa",    "kn2col-aa",
    "kn2row-as", "kn2col-as", "depthwise-nhwc", "grouped-nhwc", "channels-nchw",
};
static const char* const multiply_padding[] = {
    "im2col-copy-long", "im2col-copy-short", "im2col-copy-self", "im2col-scan",
    "im2row-copy-long", "im2row-copy-short", "im2row-copy-self", "im2row-scan",
    "mec-col",          "mec-row",           "tiled-nchw",       "tiled-nhwc",
    "depthwise-nchw",   "grouped-nchw",      "rows-nchw",        "channels-staged-nchw",
};

static int listed(const char* name, const char* const* list, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (strcmp(name, list[i]) == 0) return 1;
  return 0;
}

static semantics classify(const char* name) {
  if (listed(name, follow_definition, sizeof follow_definition / sizeof *follow_definition))
    return DEFINITION;
  if (listed(name, multiply_padding, sizeof multiply_padding / sizeof *multiply_padding))
    return PADDING_MULTIPLIED;
  if (strcmp(name, "gemm-1x1") == 0 || strcmp(name, "pointwise-nchw") == 0) return NO_PADDING;
  return UNCLASSIFIED;
}

/* The cases, one per kind of algorithm: dense NCHW and NHWC, depthwise NCHW and NHWC (with a
   channel multiplier), grouped NHWC and NCHW; 2 images, 6 x 7 input, 3x3 "same", bias. Then
   dense NCHW with rows of 20 (what rows-nchw, for rows of 16 or more, takes). */
enum { CASES = 7 };
static conv_case padded_case(int i) {
  conv_case c = base_case();
  c.desc.batch = 2;
  case_input(&c, 6, 7);
  case_channels(&c, 1, 8, 12);
  case_layouts(&c, i % 2 ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW, GEMMCONV_FILTER_OIHW);
  if (i == 2 || i == 3) case_channels(&c, 8, 8, 16);
  if (i == 4 || i == 5) case_channels(&c, 2, 8, 8);
  if (i == 6) case_input(&c, 6, 20);
  c.with_bias = 1;
  c.threads = 1;
  return c;
}

/* Runs the algorithm on the case with a filter whose weight (m=0, c=0, ky, kx) is `bad`; 0 when
   the algorithm does not take the case. Checks every output: reached only through the padding,
   finite (the definition's value) or NaN according to `sem`; reached through real input,
   non-finite (NaN when `bad` is NaN); not reached, finite and the definition's value. */
static int check_nonfinite(const conv_case* c, gemmconv_algo algo, semantics sem, uint32_t ky,
                           uint32_t kx, float bad) {
  const gemmconv_conv_desc* d = &c->desc;
  const size_t nin = case_input_count(c), nout = case_output_count(c), nf = case_filter_count(c);
  float* input = malloc(nin * sizeof(float));
  float* filter = malloc(nf * sizeof(float));
  float* bias = malloc(d->out_channels * sizeof(float));
  float* output = malloc(nout * sizeof(float));
  double* expected = malloc(nout * sizeof(double));
  double* bound = malloc(nout * sizeof(double));
  fill_random(input, nin, 81);
  fill_random(filter, nf, 82);
  fill_random(bias, d->out_channels, 83);
  /* OIHW: [m][c][ky][kx] */
  filter[ky * d->kernel_width + kx] = bad;

  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = algo;
  o.num_threads = c->threads;
  gemmconv_plan* plan = NULL;
  const gemmconv_status s = gemmconv_plan_create(d, filter, bias, &o, &plan);
  int ran = 0;
  char what[400];
  describe_case(c, what, sizeof what);
  const char* name = gemmconv_algo_name(algo);
  if (s != GEMMCONV_STATUS_UNSUPPORTED) {
    if (s != GEMMCONV_STATUS_SUCCESS)
      fail_msg("%s: plan_create: %s (%s)", name, gemmconv_status_string(s), what);
    ran = 1;
    size_t bytes = 0;
    assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
    void* ws = aligned_buffer(bytes);
    memset(output, 0, nout * sizeof(float));
    const gemmconv_status e = gemmconv_execute(plan, input, output, ws, bytes);
    if (e != GEMMCONV_STATUS_SUCCESS)
      fail_msg("%s: execute: %s (%s)", name, gemmconv_status_string(e), what);
    free(ws);
    gemmconv_plan_destroy(plan);
    reference_conv(c, input, filter, bias, expected, bound);

    uint32_t ho = 0, wo = 0;
    assert_int_equal(gemmconv_output_dims(d, &ho, &wo), GEMMCONV_STATUS_SUCCESS);
    const int nhwc = d->layout == GEMMCONV_LAYOUT_NHWC;
    const char* weight = isnan(bad) ? "NaN" : "Inf";
    for (uint32_t n = 0; n < d->batch; ++n)
      for (uint32_t m = 0; m < d->out_channels; ++m)
        for (uint32_t oy = 0; oy < ho; ++oy)
          for (uint32_t ox = 0; ox < wo; ++ox) {
            const size_t at = nhwc ? (((size_t)n * ho + oy) * wo + ox) * d->out_channels + m
                                   : (((size_t)n * d->out_channels + m) * ho + oy) * wo + ox;
            const long iy = (long)oy - (long)d->pad_top + (long)ky;
            const long ix = (long)ox - (long)d->pad_left + (long)kx;
            const int in_padding =
                iy < 0 || iy >= (long)d->in_height || ix < 0 || ix >= (long)d->in_width;
            const double v = output[at];
            if (m == 0 && !in_padding) {
              if (isnan(bad) ? !isnan(v) : isfinite(v))
                fail_msg(
                    "%s: %s weight at tap (%u,%u): output (n=%u, m=0, y=%u, x=%u), whose "
                    "tap reads input (%ld,%ld), is %.9g, expected %s (%s)",
                    name, weight, ky, kx, n, oy, ox, iy, ix, v, isnan(bad) ? "NaN" : "non-finite",
                    what);
            } else if (m == 0 && sem == PADDING_MULTIPLIED) {
              if (!isnan(v))
                fail_msg(
                    "%s: %s weight at tap (%u,%u): output (n=%u, m=0, y=%u, x=%u), whose "
                    "tap lies only in the padding, is %.9g; this algorithm multiplies the "
                    "padding as zeros: expected NaN (%s)",
                    name, weight, ky, kx, n, oy, ox, v, what);
            } else if (!(fabs(v - expected[at]) <= bound[at])) {
              fail_msg(
                  "%s: %s weight at tap (%u,%u): output (n=%u, m=%u, y=%u, x=%u) is %.9g, "
                  "expected %.9g from the definition%s (%s)",
                  name, weight, ky, kx, n, m, oy, ox, v, expected[at],
                  m == 0 ? ": the tap lies only in the padding, which this algorithm never "
                           "multiplies"
                         : ": the weight does not reach this output",
                  what);
            }
          }
  }
  free(input);
  free(filter);
  free(bias);
  free(output);
  free(expected);
  free(bound);
  return ran;
}

static void every_algorithm_is_classified(void** state) {
  (void)state;
  for (int a = 1; a <= gemmconv_algo_count(); ++a) {
    const char* name = gemmconv_algo_name((gemmconv_algo)a);
    assert_non_null(name);
    if (classify(name) == UNCLASSIFIED)
      fail_msg(
          "algorithm %d \"%s\" is in neither list: decide whether it multiplies the "
          "padding and add it to this test",
          a, name);
  }
}

static void padding_taps(float bad) {
  const uint32_t taps[2][2] = {{0, 0}, {2, 2}};
  for (int a = 1; a <= gemmconv_algo_count(); ++a) {
    const gemmconv_algo algo = (gemmconv_algo)a;
    const semantics sem = classify(gemmconv_algo_name(algo));
    if (sem == UNCLASSIFIED) continue; /* every_algorithm_is_classified fails */
    int cases = 0;
    for (int i = 0; i < CASES; ++i) {
      const conv_case c = padded_case(i);
      for (int t = 0; t < 2; ++t)
        cases += check_nonfinite(&c, algo, sem, taps[t][0], taps[t][1], bad);
    }
    if (sem == NO_PADDING) {
      if (cases != 0) fail_msg("%s took a padded case", gemmconv_algo_name(algo));
    } else if (cases == 0) {
      fail_msg("%s took none of the padded cases", gemmconv_algo_name(algo));
    }
  }
}

static void inf_weight_in_padding(void** state) {
  (void)state;
  padding_taps(INFINITY);
}

static void nan_weight_in_padding(void** state) {
  (void)state;
  padding_taps(NAN);
}

/* gemm-1x1 and pointwise-nchw (no padding): a non-finite weight reaches every output of its
   channel (pointwise-nchw: channels-first tensors only). */
static void pointwise_without_padding(void** state) {
  (void)state;
  static const char* const names[] = {"gemm-1x1", "pointwise-nchw"};
  for (int a = 0; a < 2; ++a)
    for (int layout = 0; layout < 2 - a; ++layout) {
      conv_case c = padded_case(layout);
      c.desc.kernel_height = c.desc.kernel_width = 1;
      c.desc.pad_top = c.desc.pad_bottom = c.desc.pad_left = c.desc.pad_right = 0;
      const float bad[2] = {INFINITY, NAN};
      for (int b = 0; b < 2; ++b)
        if (!check_nonfinite(&c, algo_named(names[a]), NO_PADDING, 0, 0, bad[b]))
          fail_msg("%s did not take a 1x1 case without padding", names[a]);
    }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_algorithm_is_classified),
      cmocka_unit_test(inf_weight_in_padding),
      cmocka_unit_test(nan_weight_in_padding),
      cmocka_unit_test(pointwise_without_padding),
  };
  return cmocka_run_group_tests_name("nonfinite", tests, NULL, NULL);
}
