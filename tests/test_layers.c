/* Real layers from ../shared/shapes (oneDNN benchdnn sets: AlexNet, VGG-19, GoogLeNet, ResNet-50)
   at reduced spatial size, channels and kernel geometry as in the network, every algorithm,
   both layouts, against the reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

/* Spatial sizes reduced so the double-precision reference stays fast. */
static const layer_shape layers[] = {
    {"alexnet:conv1", 1, 3, 96, 31, 11, 4, 0},
    {"alexnet:conv2", 2, 96, 256, 9, 5, 1, 2},
    {"alexnet:conv4", 2, 384, 384, 5, 3, 1, 1},
    {"vgg_19:conv1_1", 1, 3, 64, 16, 3, 1, 1},
    {"vgg_19:conv3_1", 1, 128, 256, 8, 3, 1, 1},
    {"resnet_50:conv1", 1, 3, 64, 24, 7, 2, 3},
    {"resnet_50:res2a_branch1", 1, 64, 256, 8, 1, 1, 0},
    {"resnet_50:res3a_branch1", 1, 256, 512, 8, 1, 2, 0},
    {"googlenet_v1:inception_3a/5x5", 1, 16, 32, 10, 5, 1, 2},
    {"googlenet_v1:inception_4a/3x3", 1, 96, 208, 7, 3, 1, 1},
};

static void real_layers(void** state) {
  (void)state;
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; ++i) {
    conv_case c = layer_case(&layers[i]);
    c.desc.layout = GEMMCONV_LAYOUT_NCHW;
    assert_true(check_case(&c) >= 2);
    c.desc.layout = GEMMCONV_LAYOUT_NHWC;
    c.desc.filter_layout = GEMMCONV_FILTER_OHWI;
    assert_true(check_case(&c) >= 2);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(real_layers)};
  return cmocka_run_group_tests_name("layers", tests, NULL, NULL);
}
