/* The tiled algorithms under options.workspace_limit: from their default workspace down to
   their floor they fit the limit they are given (smaller blocks, shorter reductions), report
   exactly what execute uses, write nothing outside the output and that workspace, and compute
   what the definition says; below the floor a named tiled plan is OVER_BUDGET and AUTO takes
   another algorithm; AUTO takes a tiled plan at a tight limit where one fits. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

/* The tiled algorithm of the case's layout from its default workspace W down through W * 3/4,
   W / 2, W / 4, ... to 0, on 1 and 2 threads: each limit either plans within it or, once below
   the floor, gives OVER_BUDGET (and so does every smaller limit) while AUTO plans something
   else within it. The limits down to W / 4 must plan: the trade-off is continuous, not a step
   from W to nothing. Below the floor AUTO keeps the same plan over many limits (mostly
   `direct`, at 0 bytes): each plan it makes is executed and checked once. */
static void check_limits(conv_case c) {
  const int nchw = c.desc.layout == GEMMCONV_LAYOUT_NCHW;
  const gemmconv_algo tiled = algo_named(nchw ? "tiled-nchw" : "tiled-nhwc");
  for (uint32_t threads = 1; threads <= 2; ++threads) {
    c.threads = threads;
    prepared_case p = prepare_case(&c);
    size_t full = 0, bytes = 0;
    assert_int_equal(run_limited(&c, &p, tiled, SIZE_MAX, &full), GEMMCONV_STATUS_SUCCESS);
    assert_true(full > 0);
    size_t last_fit = full;
    int over = 0;
    gemmconv_algo auto_checked = GEMMCONV_ALGO_AUTO; /* AUTO's last plan run, and its bytes */
    size_t auto_checked_bytes = 0;
    for (size_t step = 0;; ++step) {
      /* full, 3/4, 1/2, 3/8, 1/4, 3/16, ...: two limits per halving. */
      const size_t half = full >> (step / 2), limit = step % 2 ? half - half / 4 : half;
      const gemmconv_status s = run_limited(&c, &p, tiled, limit, &bytes);
      if (s == GEMMCONV_STATUS_SUCCESS) {
        assert_false(over); /* a larger limit was over budget */
        last_fit = bytes;
      } else {
        assert_int_equal(s, GEMMCONV_STATUS_OVER_BUDGET);
        over = 1;
        gemmconv_plan* plan = NULL;
        assert_int_equal(create_plan_limited(&c, GEMMCONV_ALGO_AUTO, limit, p.filter, NULL, &plan),
                         GEMMCONV_STATUS_SUCCESS);
        gemmconv_algo chosen;
        assert_int_equal(gemmconv_plan_algo(plan, &chosen), GEMMCONV_STATUS_SUCCESS);
        assert_int_not_equal(chosen, tiled);
        assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
        assert_true(bytes <= limit);
        gemmconv_plan_destroy(plan);
        if (chosen != auto_checked || bytes != auto_checked_bytes) {
          assert_int_equal(run_limited(&c, &p, GEMMCONV_ALGO_AUTO, limit, &bytes),
                           GEMMCONV_STATUS_SUCCESS);
          auto_checked = chosen;
          auto_checked_bytes = bytes;
        }
      }
      if (limit >= full / 4 && s != GEMMCONV_STATUS_SUCCESS) {
        char what[400];
        describe_case(&c, what, sizeof what);
        fail_msg("over budget at %zu of a default %zu (%s)", limit, full, what);
      }
      if (limit == 0) break;
    }
    assert_true(over); /* 0 bytes never holds a packed panel */
    assert_true(last_fit < full / 4);
    release_case(&p);
  }
}

static conv_case limit_case(gemmconv_layout layout, uint32_t c_in, uint32_t m, uint32_t size,
                            uint32_t k) {
  conv_case c = base_case();
  case_layouts(&c, layout, GEMMCONV_FILTER_OIHW);
  case_channels(&c, 1, c_in, m);
  case_input(&c, size, size);
  case_same_padding(case_kernel(&c, k, k));
  c.with_bias = 1;
  return c;
}

static const gemmconv_layout layouts[] = {GEMMCONV_LAYOUT_NCHW, GEMMCONV_LAYOUT_NHWC};

/* 3x3 "same" padding, a reduction of several KC blocks (200 * 9). */
static void padded_3x3(void** state) {
  (void)state;
  for (int l = 0; l < 2; ++l) check_limits(limit_case(layouts[l], 200, 40, 30, 3));
}

/* 1x1 without padding (flat packing in NCHW), K = 650: more than one KC block on every kernel
   tested (KC 256 on haswell, 384 on skx, 640 on cortexa57). */
static void one_by_one(void** state) {
  (void)state;
  for (int l = 0; l < 2; ++l) check_limits(limit_case(layouts[l], 650, 36, 24, 1));
}

/* Stride 2, and a 7x7 plane with many channels (staged in NCHW, pixels on the narrower side
   of the tile). */
static void strided_and_small_planes(void** state) {
  (void)state;
  for (int l = 0; l < 2; ++l) {
    conv_case c = limit_case(layouts[l], 96, 24, 33, 3);
    case_stride(&c, 2, 2);
    check_limits(c);
    check_limits(limit_case(layouts[l], 300, 130, 7, 3));
    check_limits(limit_case(layouts[l], 120, 20, 10, 3));
  }
}

/* Two groups, a batch of two, and a fused clamp with the bias. */
static void groups_batch_clamp(void** state) {
  (void)state;
  for (int l = 0; l < 2; ++l) {
    conv_case c = limit_case(layouts[l], 128, 48, 20, 3);
    c.desc.groups = 2;
    c.desc.batch = 2;
    c.output_min = -2.0f;
    c.output_max = 1.5f;
    check_limits(c);
  }
}

/* Where AUTO's choice for an NCHW 3x3 layer without a limit is one of the algorithms that size
   their workspace to the limit (tiled-nchw or grouped-nchw), AUTO still chooses one of them at a
   half and a quarter of that choice's default workspace, rather than a slower algorithm without
   workspace. Returns whether the layer was such a case (a dense layer mostly goes to
   channels-nchw, which needs no workspace). */
static int keeps_sized_workspace(conv_case c) {
  const gemmconv_algo tiled = algo_named("tiled-nchw"), grouped = algo_named("grouped-nchw");
  float* filter = calloc(case_filter_count(&c), sizeof(float));
  int exercised = 0;
  for (uint32_t threads = 1; threads <= 2; ++threads) {
    c.threads = threads;
    gemmconv_plan* plan = NULL;
    assert_int_equal(create_plan_limited(&c, GEMMCONV_ALGO_AUTO, SIZE_MAX, filter, NULL, &plan),
                     GEMMCONV_STATUS_SUCCESS);
    gemmconv_algo unlimited;
    size_t full = 0;
    assert_int_equal(gemmconv_plan_algo(plan, &unlimited), GEMMCONV_STATUS_SUCCESS);
    assert_int_equal(gemmconv_plan_workspace_size(plan, &full), GEMMCONV_STATUS_SUCCESS);
    gemmconv_plan_destroy(plan);
    if (unlimited != tiled && unlimited != grouped) continue;
    exercised = 1;
    const size_t limits[] = {full / 2, full / 4};
    for (int i = 0; i < 2; ++i) {
      assert_int_equal(create_plan_limited(&c, GEMMCONV_ALGO_AUTO, limits[i], filter, NULL, &plan),
                       GEMMCONV_STATUS_SUCCESS);
      gemmconv_algo chosen;
      size_t bytes = 0;
      assert_int_equal(gemmconv_plan_algo(plan, &chosen), GEMMCONV_STATUS_SUCCESS);
      assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
      if (chosen != tiled && chosen != grouped)
        fail_msg("AUTO chose %s at limit %zu on %u threads, %s without a limit",
                 gemmconv_algo_name(chosen), limits[i], threads, gemmconv_algo_name(unlimited));
      assert_true(bytes <= limits[i]);
      gemmconv_plan_destroy(plan);
    }
  }
  free(filter);
  return exercised;
}

/* Layers with few channels per group, where grouped-nchw is AUTO's choice with 8 or 16 lanes
   (AVX2, AVX-512), and a dense one. With 4 lanes (NEON, or x86-64 capped to its baseline)
   channels-nchw takes all of them: without workspace, there is no limit to keep to. */
static void auto_keeps_tiled_when_it_fits(void** state) {
  (void)state;
  const uint32_t group_counts[] = {32, 64, 1};
  int exercised = 0;
  for (size_t i = 0; i < sizeof group_counts / sizeof group_counts[0]; ++i) {
    conv_case c = limit_case(GEMMCONV_LAYOUT_NCHW, 128, 128, 28, 3);
    c.desc.groups = group_counts[i];
    exercised += keeps_sized_workspace(c);
  }
#if defined(__x86_64__)
  const char* cap = getenv("GEMMCONV_MAX_ISA");
  if (!exercised && !(cap && strcmp(cap, "baseline") == 0))
    fail_msg("AUTO chose tiled-nchw or grouped-nchw on none of the layers");
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(padded_3x3),
      cmocka_unit_test(one_by_one),
      cmocka_unit_test(strided_and_small_planes),
      cmocka_unit_test(groups_batch_clamp),
      cmocka_unit_test(auto_keeps_tiled_when_it_fits),
  };
  return cmocka_run_group_tests_name("tiled_limit", tests, NULL, NULL);
}
