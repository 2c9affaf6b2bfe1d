/* Written against the API contract alone and built through pkg-config against the installed
   library: every algorithm the library lists must compute a small convolution correctly (against
   a naive loop here), and bad inputs must get their statuses. Exit status 0 when all is well. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gemmconv.h>

static int failures = 0;
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

  int ran = 0;
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
