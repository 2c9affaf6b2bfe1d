/* The smallest complete use of libgemmconv: a 3x3 convolution of one 8x8 image with 2 input
   and 4 output channels. Build: cc example.c $(pkg-config --cflags --libs gemmconv) */
#include <stdio.h>
#include <stdlib.h>

#include <gemmconv.h>

int main(void) {
  gemmconv_conv_desc desc;
  gemmconv_conv_desc_init(&desc);
  desc.in_channels = 2;
  desc.out_channels = 4;
  desc.in_height = desc.in_width = 8;
  desc.kernel_height = desc.kernel_width = 3;
  desc.pad_top = desc.pad_bottom = desc.pad_left = desc.pad_right = 1;

  float input[2 * 8 * 8], output[4 * 8 * 8], filter[4 * 2 * 3 * 3];
  for (int i = 0; i < 2 * 8 * 8; ++i) input[i] = (float)(i % 7);
  for (int i = 0; i < 4 * 2 * 3 * 3; ++i) filter[i] = (i % 3) - 1.0f;

  gemmconv_plan* plan = NULL;
  gemmconv_status s = gemmconv_plan_create(&desc, filter, NULL, NULL, &plan);
  if (s != GEMMCONV_STATUS_SUCCESS) {
    fprintf(stderr, "plan: %s\n", gemmconv_status_string(s));
    return 1;
  }
  size_t bytes = 0;
  gemmconv_plan_workspace_size(plan, &bytes);
  void* workspace =
      bytes ? aligned_alloc(GEMMCONV_WORKSPACE_ALIGNMENT, (bytes + 63) / 64 * 64) : NULL;
  s = gemmconv_execute(plan, input, output, workspace, bytes);
  gemmconv_algo algo;
  gemmconv_plan_algo(plan, &algo);
  printf("%s: %s, workspace %zu bytes, y[0][3][3] = %g\n", gemmconv_algo_name(algo),
         gemmconv_status_string(s), bytes, output[3 * 8 + 3]);
  free(workspace);
  gemmconv_plan_destroy(plan);
  return s == GEMMCONV_STATUS_SUCCESS ? 0 : 1;
}
