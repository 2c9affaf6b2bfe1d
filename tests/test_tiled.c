/* What is specific to the tiled algorithms (tiled-nchw, tiled-nhwc): tiles cut at every edge
   of the micro-kernel's blocking (M, C and Ho*Wo no multiples of MR, NR, KC or MC, for the
   kernels of both storage preferences), several threads, results that do not change from run
   to run, at most 256 KiB of workspace per thread on real layers, and an execute that allocates
   nothing. Algorithms are looked up by name: their enum values are fixed only at merge. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_count.h"
#include "harness.h"

static const char* const tiled_names[] = {"tiled-nchw", "tiled-nhwc"};
static const gemmconv_layout tiled_layouts[] = {GEMMCONV_LAYOUT_NCHW, GEMMCONV_LAYOUT_NHWC};

/* -- Correctness at the blocking's edges ------------------------------------------------------ */

/* Runs both tiled algorithms (each in its own layout, both filter layouts) on 1 and 3 threads. */
static void check_tiled(conv_case c) {
  for (int i = 0; i < 2; ++i) {
    c.desc.layout = tiled_layouts[i];
    const gemmconv_algo a = algo_named(tiled_names[i]);
    const uint32_t threads[] = {1, 3};
    for (int t = 0; t < 2; ++t) {
      c.threads = threads[t];
      c.desc.filter_layout = GEMMCONV_FILTER_OIHW;
      assert_true(check_algorithm(&c, a));
      c.desc.filter_layout = GEMMCONV_FILTER_OHWI;
      assert_true(check_algorithm(&c, a));
    }
  }
}

static conv_case edge_case(uint32_t c_in, uint32_t m, uint32_t h, uint32_t w, uint32_t k) {
  conv_case c = base_case();
  case_channels(&c, 1, c_in, m);
  case_input(&c, h, w);
  case_same_padding(case_kernel(&c, k, k));
  c.with_bias = 1;
  return c;
}

/* K = 385 * 9: several reduction blocks, none a multiple of any KC; M = 33 and 13 x 11 = 143
   pixels leave partial micro-panels on both sides for every MR and NR. */
static void reduction_and_tile_edges(void** state) {
  (void)state;
  check_tiled(edge_case(385, 33, 13, 11, 3));
}

/* 1x1 with K = KC + 1 for the haswell-type (KC 256), skx-type (KC 384) and cortexa57 (KC 640)
   kernels: a last reduction block of one element if the blocks were not balanced. */
static void reduction_one_past_kc(void** state) {
  (void)state;
  check_tiled(edge_case(257, 17, 13, 11, 1));
  check_tiled(edge_case(385, 13, 11, 13, 1));
  check_tiled(edge_case(641, 11, 9, 7, 1));
}

/* More pixels than one packed block (MC) and more channels than one L2 block of filter. */
static void several_pixel_and_channel_blocks(void** state) {
  (void)state;
  check_tiled(edge_case(5, 203, 20, 19, 3));
  check_tiled(edge_case(3, 40, 23, 23, 3));
}

/* Strided, dilated, asymmetrically padded, grouped: the packing's index arithmetic. */
static void strides_dilation_groups(void** state) {
  (void)state;
  conv_case c = edge_case(12, 18, 17, 15, 3);
  c.desc.stride_height = 2;
  c.desc.stride_width = 3;
  c.desc.dilation_height = 2;
  c.desc.pad_top = 3;
  c.desc.pad_left = 0;
  c.desc.pad_right = 4;
  c.desc.groups = 3;
  c.output_min = -0.5f;
  c.output_max = 0.75f;
  check_tiled(c);
}

/* Output rows longer than two micro-panels of any kernel: packed as runs along the rows
   (narrower images are staged whole), with the padding on either side of every row. */
static void wide_rows(void** state) {
  (void)state;
  conv_case c = edge_case(30, 11, 4, 70, 3);
  check_tiled(c);
  c.desc.stride_width = 2;
  c.desc.in_width = 141;
  c.desc.pad_left = 0;
  c.desc.pad_right = 2;
  check_tiled(c);
  c = edge_case(9, 5, 5, 75, 3);
  c.desc.dilation_width = 3;
  c.desc.dilation_height = 2;
  c.desc.pad_left = 4;
  c.desc.pad_top = 0;
  check_tiled(c);
  c = edge_case(33, 6, 3, 68, 1); /* 1-wide kernel with vertical padding: not flat */
  c.desc.kernel_height = 3;
  c.desc.pad_top = c.desc.pad_bottom = 1;
  check_tiled(c);
}

/* Small planes with many output channels (7x7, M' >= 64) put the pixels on the kernel's
   narrower side and store the tiles against its preference; with and without bias (the bias is
   a reduction row of its own), with a clamp, strided 1x1 too. */
static void small_planes_many_channels(void** state) {
  (void)state;
  conv_case c = edge_case(37, 70, 7, 7, 3);
  check_tiled(c);
  c.with_bias = 0;
  c.output_min = -1.0f;
  c.output_max = 0.5f;
  check_tiled(c);
  c = edge_case(19, 130, 13, 13, 1);
  c.desc.stride_height = c.desc.stride_width = 2;
  check_tiled(c);
}

/* Planes whose pixels fill the own micro-kernels' 7- and 14-wide panels better than BLIS's
   (on a CPU that has them, tiled-nchw computes these on them; the unit tests check that choice):
   7x7 and 14x14 planes with a partial last channel panel, 6x9 and 2x13 planes with a partial
   last pixel panel; K = 100 x 9 in two reduction blocks; bias, clamp, 1 and 3 threads (the
   own kernels at 3 threads need 12 channel panels: a 7x7 plane with 600 channels). */
static void small_planes_own_kernels(void** state) {
  (void)state;
  const uint32_t shapes[][3] = {{7, 7, 190}, {6, 9, 192}, {14, 14, 158}, {2, 13, 128}};
  for (int i = 0; i < 4; ++i) {
    conv_case c = edge_case(100, shapes[i][2], shapes[i][0], shapes[i][1], 3);
    check_tiled(c);
    c.with_bias = 0;
    c.output_min = -1.0f;
    c.output_max = 0.5f;
    check_tiled(c);
  }
  /* Enough channel panels for 3 threads to take the own kernel too (13 of 48). */
  check_tiled(edge_case(100, 600, 7, 7, 3));
}

/* 1x1, stride 1, no padding (each reduction row one run of the input): several pixel blocks,
   the image's last panel partial, with and without bias. */
static void flat_many_blocks(void** state) {
  (void)state;
  conv_case c = edge_case(7, 9, 40, 41, 1);
  check_tiled(c);
  c.with_bias = 0;
  check_tiled(c);
}

/* Runs `c` on `first_threads` threads, again `repeats` times, then on each of `low`..`high`
   threads (each checked against the reference too when `check`): every output bit for bit the
   first one's. */
static void same_bits_across_threads(conv_case c, gemmconv_algo a, uint32_t first_threads,
                                     int repeats, uint32_t low, uint32_t high, int check) {
  const size_t nin = case_input_count(&c), nout = case_output_count(&c);
  float* in = malloc(nin * sizeof(float));
  float* filter = malloc(case_filter_count(&c) * sizeof(float));
  float* bias = malloc(c.desc.out_channels * sizeof(float));
  float* first = malloc(nout * sizeof(float));
  float* again = malloc(nout * sizeof(float));
  fill_random(in, nin, 11);
  fill_random(filter, case_filter_count(&c), 12);
  fill_random(bias, c.desc.out_channels, 13);
  c.threads = first_threads;
  run_case(&c, a, in, filter, bias, first);
  for (int rep = 0; rep < repeats; ++rep) {
    run_case(&c, a, in, filter, bias, again);
    assert_memory_equal(first, again, nout * sizeof(float));
  }
  for (uint32_t threads = low; threads <= high; ++threads) {
    c.threads = threads;
    if (check) assert_true(check_algorithm(&c, a));
    run_case(&c, a, in, filter, bias, again);
    assert_memory_equal(first, again, nout * sizeof(float));
  }
  free(in);
  free(filter);
  free(bias);
  free(first);
  free(again);
}

/* Few pixel blocks for the threads: the threads share out pixel panels, a thread's range
   crossing blocks, images and groups, and (5 threads) ending inside a panel, whose channel
   panels two threads then share. Several reduction blocks, bias and clamp; 2 to 5 threads
   against the reference and bit for bit against 1 thread. */
static void few_blocks_split_by_pixels(void** state) {
  (void)state;
  conv_case c = edge_case(2 * 150, 2 * 35, 14, 13, 3);
  case_channels(&c, 2, 2 * 150, 2 * 35);
  c.desc.batch = 2;
  c.output_min = -2.0f;
  c.output_max = 2.0f;
  for (int i = 0; i < 2; ++i) {
    c.desc.layout = tiled_layouts[i];
    same_bits_across_threads(c, algo_named(tiled_names[i]), 1, 0, 2, 5, 1);
  }
}

/* Few pixel blocks and more channels than pixels: the threads share out the channel panels of
   each block (7x7 and 5x9 planes, one or two images, two groups, 2 to 5 threads); several
   reduction blocks, bias and clamp; against the reference and bit for bit against 1 thread.
   140 channels a group leave too few channel panels for the own kernels at any thread count,
   so every plan runs BLIS's kernel and the bits may be compared across plans. */
static void few_blocks_split_by_channels(void** state) {
  (void)state;
  const uint32_t planes[][3] = {{7, 7, 1}, {5, 9, 2}};
  for (int p = 0; p < 2; ++p) {
    conv_case c = edge_case(2 * 150, 2 * 140, planes[p][0], planes[p][1], 3);
    case_channels(&c, 2, 2 * 150, 2 * 140);
    c.desc.batch = planes[p][2];
    c.output_min = -2.0f;
    c.output_max = 2.0f;
    for (int i = 0; i < 2; ++i) {
      c.desc.layout = tiled_layouts[i];
      same_bits_across_threads(c, algo_named(tiled_names[i]), 1, 0, 2, 5, 1);
    }
  }
}

/* A single output pixel and a single output channel. */
static void tiny(void** state) {
  (void)state;
  conv_case c = edge_case(2, 1, 3, 3, 3);
  c.desc.pad_top = c.desc.pad_bottom = c.desc.pad_left = c.desc.pad_right = 0;
  check_tiled(c);
}

/* -- Same result every run -------------------------------------------------------------------- */

/* Bit for bit the same output run after run with 3 threads; and since every output element is
   summed in the same order whatever thread computes it, the same as with 1 thread. */
static void bit_identical_runs(void** state) {
  (void)state;
  for (int i = 0; i < 2; ++i) {
    conv_case c = edge_case(70, 37, 15, 14, 3);
    c.desc.batch = 2;
    c.desc.layout = tiled_layouts[i];
    same_bits_across_threads(c, algo_named(tiled_names[i]), 3, 3, 1, 1, 0);
  }
}

/* -- Workspace on real layers ----------------------------------------------------------------- */

typedef struct layer {
  const char* name;
  uint32_t ic, oc, ih, kh, sh, ph;
} layer;

/* The largest layers of ../shared/shapes, at mb = 1 and full size. */
static const layer big_layers[] = {
    {"vgg_19:conv1_2", 64, 64, 224, 3, 1, 1},
    {"vgg_19:conv5_1", 512, 512, 14, 3, 1, 1},
    {"vgg_19:conv4_2", 512, 512, 28, 3, 1, 1},
    {"resnet_50:conv1", 3, 64, 224, 7, 2, 3},
    {"resnet_50:res5b_branch2a", 2048, 512, 7, 1, 1, 0},
    {"alexnet:conv1", 3, 96, 227, 11, 4, 0},
    {"googlenet_v1:conv2/3x3", 64, 192, 56, 3, 1, 1},
};

static void workspace_at_most_256kib_per_thread(void** state) {
  (void)state;
  for (size_t l = 0; l < sizeof big_layers / sizeof big_layers[0]; ++l) {
    const layer* L = &big_layers[l];
    conv_case c = base_case();
    c.desc.in_channels = L->ic;
    c.desc.out_channels = L->oc;
    c.desc.in_height = c.desc.in_width = L->ih;
    c.desc.kernel_height = c.desc.kernel_width = L->kh;
    c.desc.stride_height = c.desc.stride_width = L->sh;
    c.desc.pad_top = c.desc.pad_bottom = c.desc.pad_left = c.desc.pad_right = L->ph;
    float* filter = calloc(case_filter_count(&c), sizeof(float));
    for (int i = 0; i < 2; ++i) {
      c.desc.layout = tiled_layouts[i];
      for (uint32_t threads = 1; threads <= 4; ++threads) {
        c.threads = threads;
        gemmconv_plan* plan = make_plan(&c, algo_named(tiled_names[i]), filter, NULL);
        size_t bytes = 0;
        assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
        if (bytes > (size_t)threads << 18)
          fail_msg("%s %s, %u threads: workspace %zu bytes", L->name, tiled_names[i], threads,
                   bytes);
        assert_true(bytes > 0);
        gemmconv_plan_destroy(plan);
      }
    }
    free(filter);
  }
}

/* -- No allocation in execute ----------------------------------------------------------------- */

static void execute_allocates_nothing(void** state) {
  (void)state;
  if (!alloc_count_available()) skip();
  for (int i = 0; i < 2; ++i) {
    conv_case c = edge_case(40, 50, 30, 29, 3);
    c.desc.batch = 2;
    c.desc.layout = tiled_layouts[i];
    c.threads = 3;
    c.output_min = -1.0f;
    c.output_max = 1.0f;
    assert_int_equal(execute_allocator_calls(&c, algo_named(tiled_names[i])), 0);
  }
}

/* The counter itself works: creating a plan allocates. */
static void allocation_counter_counts(void** state) {
  (void)state;
  if (!alloc_count_available()) skip();
  conv_case c = edge_case(4, 4, 5, 5, 3);
  float filter[4 * 4 * 9] = {0};
  alloc_count_start();
  gemmconv_plan* plan = make_plan(&c, algo_named("tiled-nchw"), filter, NULL);
  assert_true(alloc_count_stop() > 0);
  gemmconv_plan_destroy(plan);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reduction_and_tile_edges),
      cmocka_unit_test(reduction_one_past_kc),
      cmocka_unit_test(few_blocks_split_by_pixels),
      cmocka_unit_test(few_blocks_split_by_channels),
      cmocka_unit_test(several_pixel_and_channel_blocks),
      cmocka_unit_test(strides_dilation_groups),
      cmocka_unit_test(wide_rows),
      cmocka_unit_test(small_planes_many_channels),
      cmocka_unit_test(small_planes_own_kernels),
      cmocka_unit_test(flat_many_blocks),
      cmocka_unit_test(tiny),
      cmocka_unit_test(bit_identical_runs),
      cmocka_unit_test(workspace_at_most_256kib_per_thread),
      cmocka_unit_test(allocation_counter_counts),
      cmocka_unit_test(execute_allocates_nothing),
  };
  return cmocka_run_group_tests_name("tiled", tests, NULL, NULL);
}
