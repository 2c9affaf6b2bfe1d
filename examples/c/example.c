/* The smallest complete use of libgemmconv: a 3x3 convolution of one 8x8 image with 2 input and
   4 output channels, padding 1, checked against a naive loop.
   Build: cc -std=c11 example.c $(pkg-config --cflags --libs gemmconv) -lm */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gemmconv.h>

enum { C = 2, M = 4, H = 8, W = 8, K = 3, PAD = 1 }; /* stride 1, so the output is H x W */

int main(void) {
  gemmconv_conv_desc desc;
  gemmconv_conv_desc_init(&desc); /* batch 1, 1 group, stride 1, NCHW input, OIHW filter */
  desc.in_channels = C;
  desc.out_channels = M;
  desc.in_height = H;
  desc.in_width = W;
  desc.kernel_height = desc.kernel_width = K;
  desc.pad_top = desc.pad_bottom = desc.pad_left = desc.pad_right = PAD;

  float input[C * H * W], output[M * H * W], filter[M * C * K * K];
  for (int i = 0; i < C * H * W; ++i) input[i] = (float)(i % 7);
  for (int i = 0; i < M * C * K * K; ++i) filter[i] = (float)(i % 3) - 1.0f;

  gemmconv_plan* plan = NULL;
  gemmconv_status s = gemmconv_plan_create(&desc, filter, NULL, NULL, &plan);
  if (s != GEMMCONV_STATUS_SUCCESS) {
    fprintf(stderr, "plan: %s\n", gemmconv_status_string(s));
    return 1;
  }

  /* Ask the plan for its workspace, then allocate it aligned (aligned_alloc wants a multiple of
     the alignment). A size of 0 needs no workspace at all. */
  size_t bytes = 0;
  void* workspace = NULL;
  s = gemmconv_plan_workspace_size(plan, &bytes);
  if (s == GEMMCONV_STATUS_SUCCESS && bytes > 0) {
    const size_t a = GEMMCONV_WORKSPACE_ALIGNMENT;
    workspace = aligned_alloc(a, (bytes + a - 1) / a * a);
    if (workspace == NULL) s = GEMMCONV_STATUS_OUT_OF_MEMORY;
  }
  if (s == GEMMCONV_STATUS_SUCCESS) s = gemmconv_execute(plan, input, output, workspace, bytes);

  /* Check every output against the definition. */
  double worst = 0;
  for (int m = 0; m < M; ++m)
    for (int oy = 0; oy < H; ++oy)
      for (int ox = 0; ox < W; ++ox) {
        double want = 0;
        for (int c = 0; c < C; ++c)
          for (int ky = 0; ky < K; ++ky)
            for (int kx = 0; kx < K; ++kx) {
              const int iy = oy - PAD + ky, ix = ox - PAD + kx;
              if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                want += filter[((m * C + c) * K + ky) * K + kx] * input[(c * H + iy) * W + ix];
            }
        worst = fmax(worst, fabs(output[(m * H + oy) * W + ox] - want));
      }

  gemmconv_algo algo = GEMMCONV_ALGO_AUTO;
  gemmconv_plan_algo(plan, &algo);
  printf("%s: %s, workspace %zu bytes, max error %g\n", gemmconv_algo_name(algo),
         gemmconv_status_string(s), bytes, worst);
  free(workspace);
  gemmconv_plan_destroy(plan);
  return s == GEMMCONV_STATUS_SUCCESS && worst < 1e-4 ? 0 : 1;
}
