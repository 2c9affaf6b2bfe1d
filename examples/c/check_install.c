/* Written against the API contract alone and built through pkg-config against the installed
   library: every algorithm the library lists must compute a small convolution correctly (against
   a naive loop here) and depthwise and grouped ones as direct does, and bad inputs must get their
   statuses. Exit status 0 when all is well. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gemmconv.h>

static int failures = 0;
static int ran = 0; /* algorithm/layout runs that computed a result */
#define CHECK(cond, ...)                     \
  do {                                       \
    if (!(cond)) {                           \
      ++failures;                            \
      fprintf(stderr, "FAIL: " __VA_ARGS__); \
      fprintf(stderr, "\n");                 \
    }                                        \
  } while (0)

enum { N = 2, C = 4, M = 6, H = 9, W = 7, K = 3, P = 1, HO = 9, WO = 7 };

/* y = conv(x, f) + b in NCHW/OIHW, stride 1, padding 1. */
static void naive(const float* x, const float* f, const float* b, double* y) {
  for (int n = 0; n < N; ++n)
    for (int m = 0; m < M; ++m)
      for (int oy = 0; oy < HO; ++oy)
        for (int ox = 0; ox < WO; ++ox) {
          double acc = b[m];
          for (int c = 0; c < C; ++c)
            for (int ky = 0; ky < K; ++ky)
              for (int kx = 0; kx < K; ++kx) {
                const int iy = oy - P + ky, ix = ox - P + kx;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                  acc += (double)f[((m * C + c) * K + ky) * K + kx] *
                         x[((n * C + c) * H + iy) * W + ix];
              }
          y[((n * M + m) * HO + oy) * WO + ox] = acc;
        }
}

/* NCHW -> NHWC for activations. */
static void to_nhwc(const float* src, float* dst, int channels, int h, int w) {
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < channels; ++c)
      for (int i = 0; i < h * w; ++i)
        dst[(n * h * w + i) * channels + c] = src[(n * channels + c) * h * w + i];
}

/* Creates a plan for algo and runs it once on x into y; UNSUPPORTED is returned, not checked. */
static gemmconv_status run(const gemmconv_conv_desc* d, gemmconv_algo algo, const float* f,
                           const float* b, const float* x, float* y) {
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = algo;
  gemmconv_plan* plan = NULL;
  gemmconv_status s = gemmconv_plan_create(d, f, b, &o, &plan);
  if (s != GEMMCONV_STATUS_SUCCESS) return s;
  size_t bytes = 0;
  gemmconv_plan_workspace_size(plan, &bytes);
  void* ws = bytes ? aligned_alloc(64, (bytes + 63) / 64 * 64) : NULL;
  s = gemmconv_execute(plan, x, y, ws, bytes);
  free(ws);
  gemmconv_plan_destroy(plan);
  return s;
}

/* Runs *d (with a bias) through AUTO and every algorithm that supports it and compares each output
   with direct's, which the 4 -> 6 case above has checked against the naive loop. Returns the
   algorithms that ran, bit a for algorithm a. */
static uint64_t check_against_direct(const char* what, const gemmconv_conv_desc* d) {
  uint32_t ho = 0, wo = 0;
  gemmconv_output_dims(d, &ho, &wo);
  const size_t x_len = (size_t)d->batch * d->in_channels * d->in_height * d->in_width;
  const size_t f_len =
      (size_t)d->out_channels * (d->in_channels / d->groups) * d->kernel_height * d->kernel_width;
  const size_t y_len = (size_t)d->batch * d->out_channels * ho * wo;
  float* x = malloc(x_len * sizeof *x);
  float* f = malloc(f_len * sizeof *f);
  float* b = malloc(d->out_channels * sizeof *b);
  float* want = malloc(y_len * sizeof *want);
  float* y = malloc(y_len * sizeof *y);
  uint64_t mask = 0;
  if (!x || !f || !b || !want || !y) {
    CHECK(0, "%s: out of memory", what);
    goto done;
  }
  for (size_t i = 0; i < x_len; ++i) x[i] = (float)((int)(i * 37 % 19) - 9) / 8;
  for (size_t i = 0; i < f_len; ++i) f[i] = (float)((int)(i * 11 % 13) - 6) / 5;
  for (uint32_t m = 0; m < d->out_channels; ++m) b[m] = (float)m / 4 - 1;
  gemmconv_status s = run(d, GEMMCONV_ALGO_DIRECT, f, b, x, want);
  CHECK(s == GEMMCONV_STATUS_SUCCESS, "%s: direct: %s", what, gemmconv_status_string(s));
  if (s != GEMMCONV_STATUS_SUCCESS) goto done;
  for (int a = 0; a <= gemmconv_algo_count() && a < 64; ++a) {
    const char* name = gemmconv_algo_name((gemmconv_algo)a);
    for (size_t i = 0; i < y_len; ++i) y[i] = NAN;
    s = run(d, (gemmconv_algo)a, f, b, x, y);
    if (s == GEMMCONV_STATUS_UNSUPPORTED) continue;
    CHECK(s == GEMMCONV_STATUS_SUCCESS, "%s: %s: %s", what, name, gemmconv_status_string(s));
    if (s != GEMMCONV_STATUS_SUCCESS) continue;
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < y_len; ++i) {
      const double e = fabs((double)y[i] - want[i]);
      if (!(e <= worst)) { /* NaN counts as the worst */
        worst = isnan(e) ? INFINITY : e;
        at = i;
      }
    }
    CHECK(worst < 1e-4, "%s: %s: y[%zu] = %g, direct %g", what, name, at, y[at], want[at]);
    mask |= (uint64_t)1 << a;
    ++ran;
  }
done:
  free(x);
  free(f);
  free(b);
  free(want);
  free(y);
  return mask;
}

int main(void) {
  static float x[N * C * H * W], xh[N * C * H * W], f[M * C * K * K], b[M];
  static float y[N * M * HO * WO], yn[N * M * HO * WO];
  static double ref[N * M * HO * WO];
  for (size_t i = 0; i < sizeof x / sizeof x[0]; ++i) x[i] = (float)((int)(i * 37 % 19) - 9) / 8;
  for (size_t i = 0; i < sizeof f / sizeof f[0]; ++i) f[i] = (float)((int)(i * 11 % 13) - 6) / 5;
  for (int m = 0; m < M; ++m) b[m] = (float)m / 4;
  naive(x, f, b, ref);
  to_nhwc(x, xh, C, H, W);

  gemmconv_conv_desc d;
  gemmconv_conv_desc_init(&d);
  d.batch = N;
  d.in_channels = C;
  d.out_channels = M;
  d.in_height = H;
  d.in_width = W;
  d.kernel_height = d.kernel_width = K;
  d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = P;

  for (int layout = 0; layout < 2; ++layout) {
    d.layout = layout ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
    for (int a = 0; a <= gemmconv_algo_count(); ++a) {
      gemmconv_plan_options o;
      gemmconv_plan_options_init(&o);
      o.algo = (gemmconv_algo)a;
      gemmconv_plan* plan = NULL;
      gemmconv_status s = gemmconv_plan_create(&d, f, b, &o, &plan);
      if (s == GEMMCONV_STATUS_UNSUPPORTED) continue;
      CHECK(s == GEMMCONV_STATUS_SUCCESS, "%s: create: %s", gemmconv_algo_name(o.algo),
            gemmconv_status_string(s));
      if (s != GEMMCONV_STATUS_SUCCESS) continue;
      size_t bytes = 0;
      gemmconv_plan_workspace_size(plan, &bytes);
      void* ws = bytes ? aligned_alloc(64, (bytes + 63) / 64 * 64) : NULL;
      s = gemmconv_execute(plan, layout ? xh : x, y, ws, bytes);
      CHECK(s == GEMMCONV_STATUS_SUCCESS, "%s: execute", gemmconv_algo_name(o.algo));
      if (layout) { /* back to NCHW for the comparison */
        for (int n = 0; n < N; ++n)
          for (int m = 0; m < M; ++m)
            for (int i = 0; i < HO * WO; ++i)
              yn[(n * M + m) * HO * WO + i] = y[(n * HO * WO + i) * M + m];
      } else {
        memcpy(yn, y, sizeof y);
      }
      double worst = 0;
      for (size_t i = 0; i < sizeof y / sizeof y[0]; ++i) worst = fmax(worst, fabs(yn[i] - ref[i]));
      CHECK(worst < 1e-4, "%s (%s): max error %g", gemmconv_algo_name(o.algo),
            layout ? "NHWC" : "NCHW", worst);
      if (bytes > 0) {
        CHECK(gemmconv_execute(plan, x, y, ws, bytes - 1) == GEMMCONV_STATUS_WORKSPACE_TOO_SMALL,
              "one byte short");
        CHECK(gemmconv_execute(plan, x, y, NULL, bytes) == GEMMCONV_STATUS_INVALID_ARGUMENT,
              "NULL ws");
        CHECK(gemmconv_execute(plan, x, y, (char*)ws + 4, bytes) == GEMMCONV_STATUS_MISALIGNED,
              "misaligned ws");
      }
      CHECK(gemmconv_execute(plan, x, x, ws, bytes) == GEMMCONV_STATUS_INVALID_ARGUMENT, "overlap");
      free(ws);
      gemmconv_plan_destroy(plan);
      ++ran;
    }
  }

  /* Depthwise (groups = C) and grouped convolutions: every algorithm that takes them must agree
     with direct, and the ones made for them must take them. */
  gemmconv_conv_desc dw;
  gemmconv_conv_desc_init(&dw);
  dw.batch = 2;
  dw.groups = dw.in_channels = dw.out_channels = 5;
  dw.in_height = 9;
  dw.in_width = 7;
  dw.kernel_height = dw.kernel_width = 3;
  dw.stride_height = dw.stride_width = 2;
  dw.pad_top = dw.pad_bottom = dw.pad_left = dw.pad_right = 1;
  gemmconv_conv_desc grouped = d;
  grouped.groups = 2;
  grouped.in_channels = 8;
  grouped.out_channels = 6;
  for (int layout = 0; layout < 2; ++layout) {
    dw.layout = grouped.layout = layout ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
    const gemmconv_algo own = layout ? GEMMCONV_ALGO_DEPTHWISE_NHWC : GEMMCONV_ALGO_DEPTHWISE_NCHW;
    uint64_t mask = check_against_direct(layout ? "depthwise NHWC" : "depthwise NCHW", &dw);
    CHECK((mask >> own) & 1, "algorithm %d (%s) did not run the depthwise case", (int)own,
          gemmconv_algo_name(own) ? gemmconv_algo_name(own) : "unknown to the library");
    mask = check_against_direct(layout ? "grouped NHWC" : "grouped NCHW", &grouped);
    const gemmconv_algo grouped_own =
        layout ? GEMMCONV_ALGO_GROUPED_NHWC : GEMMCONV_ALGO_GROUPED_NCHW;
    CHECK((mask >> grouped_own) & 1, "algorithm %d (%s) did not run the grouped case",
          (int)grouped_own,
          gemmconv_algo_name(grouped_own) ? gemmconv_algo_name(grouped_own)
                                          : "unknown to the library");
  }

  /* Bad descriptors and options. */
  gemmconv_plan* plan = (gemmconv_plan*)&d;
  gemmconv_conv_desc bad = d;
  bad.in_channels = 0;
  CHECK(gemmconv_plan_create(&bad, f, b, NULL, &plan) == GEMMCONV_STATUS_INVALID_ARGUMENT && !plan,
        "C = 0");
  bad = d;
  bad.groups = 3;
  CHECK(gemmconv_plan_create(&bad, f, b, NULL, &plan) == GEMMCONV_STATUS_INVALID_ARGUMENT,
        "groups");
  bad = d;
  bad.struct_size -= 1;
  CHECK(gemmconv_plan_create(&bad, f, b, NULL, &plan) == GEMMCONV_STATUS_INVALID_ARGUMENT,
        "struct_size");
  bad = d;
  bad.kernel_height = 20;
  CHECK(gemmconv_plan_create(&bad, f, b, NULL, &plan) == GEMMCONV_STATUS_INVALID_ARGUMENT,
        "no output");
  bad = d;
  bad.in_height = bad.in_width = 1u << 20;
  bad.in_channels = 1u << 16;
  CHECK(gemmconv_plan_create(&bad, f, b, NULL, &plan) == GEMMCONV_STATUS_OVERFLOW, "overflow");
  CHECK(gemmconv_plan_create(&d, NULL, b, NULL, &plan) == GEMMCONV_STATUS_INVALID_ARGUMENT,
        "NULL filter");
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = GEMMCONV_ALGO_GEMM_1X1;
  CHECK(gemmconv_plan_create(&d, f, b, &o, &plan) == GEMMCONV_STATUS_UNSUPPORTED, "1x1 on 3x3");
  CHECK(gemmconv_status_string((gemmconv_status)99) != NULL, "status string");

  printf("check_install: %d algorithm/layout runs, %d failure(s), libgemmconv %s\n", ran, failures,
         gemmconv_version_string());
  return failures == 0 && ran >= 3 ? 0 : 1;
}
