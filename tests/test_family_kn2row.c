/* The kn2row family (kn2row, kn2col and their -aa and -as variants): stride 1 only, one layout
   each. Their exact workspace formulas, what they refuse, and a sweep over the geometry they
   are most likely to get wrong at the edges: every dilation x padding combination x kernel
   shape, plus groups, depthwise, batch, bias, clamp and threads. Algorithms are looked up by
   name, as a user of the names would. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "harness.h"

enum { ALL_TAPS, ONE_TAP, PANEL }; /* the three workspace formulas */

typedef struct family_member {
  const char* name;
  gemmconv_layout layout;
  int workspace;
} family_member;

static const family_member family[] = {
    {"kn2row", GEMMCONV_LAYOUT_NCHW, ALL_TAPS},   {"kn2col", GEMMCONV_LAYOUT_NHWC, ALL_TAPS},
    {"kn2row-aa", GEMMCONV_LAYOUT_NCHW, ONE_TAP}, {"kn2col-aa", GEMMCONV_LAYOUT_NHWC, ONE_TAP},
    {"kn2row-as", GEMMCONV_LAYOUT_NCHW, PANEL},   {"kn2col-as", GEMMCONV_LAYOUT_NHWC, PANEL},
};
enum { FAMILY_SIZE = sizeof family / sizeof family[0] };

/* The workspace formulas of the buffering members, in bytes, independent of the thread count:
   all taps KH*KW*M'*H*W floats, one tap M'*H*W floats. */
static size_t expected_workspace(const family_member* f, const gemmconv_conv_desc* d) {
  const size_t per_tap = (size_t)(d->out_channels / d->groups) * d->in_height * d->in_width;
  return (f->workspace == ALL_TAPS ? (size_t)d->kernel_height * d->kernel_width : 1) * per_tap *
         sizeof(float);
}

/* -as keeps, per thread of a band of output rows (min(threads, Ho) bands), one packed input
   panel of at most BLIS's KC rows and one micro-tile: the same bytes per thread whatever H, W
   and M, and small (the largest BLIS sgemm kernel's KC x MR panel is under 64 KiB). */
static void check_panel_workspace(const family_member* f, const conv_case* c, size_t bytes) {
  conv_case other = *c;
  other.threads = 1;
  const size_t one = plan_workspace_bytes(&other, algo_named(f->name));
  other.desc.in_height = c->desc.in_height * 3 + 1;
  other.desc.in_width = c->desc.in_width * 2 + 5;
  other.desc.out_channels = c->desc.out_channels * 4;
  assert_int_equal(plan_workspace_bytes(&other, algo_named(f->name)), one);
  const gemmconv_conv_desc* d = &c->desc;
  const uint32_t out_rows =
      d->in_height + d->pad_top + d->pad_bottom - d->dilation_height * (d->kernel_height - 1);
  const uint32_t bands = c->threads < out_rows ? c->threads : out_rows;
  assert_int_equal(bytes, bands * one);
  assert_true(one > 0 && one <= 96 * 1024);
}

static void workspace_formulas(void** state) {
  (void)state;
  /* {groups, C, M, H, W, KH, KW, pad, threads} */
  const uint32_t shapes[][9] = {
      {1, 3, 4, 7, 8, 3, 3, 1, 1},  {1, 16, 24, 9, 5, 5, 2, 2, 2}, {2, 8, 6, 6, 11, 1, 3, 0, 3},
      {4, 4, 12, 5, 5, 2, 2, 3, 1}, {3, 3, 3, 10, 4, 3, 1, 1, 2},  {1, 5, 7, 1, 13, 1, 5, 2, 4},
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; ++i)
    for (size_t a = 0; a < FAMILY_SIZE; ++a) {
      conv_case c = base_case();
      c.desc.layout = family[a].layout;
      c.desc.groups = shapes[i][0];
      c.desc.in_channels = shapes[i][1];
      c.desc.out_channels = shapes[i][2];
      c.desc.in_height = shapes[i][3];
      c.desc.in_width = shapes[i][4];
      c.desc.kernel_height = shapes[i][5];
      c.desc.kernel_width = shapes[i][6];
      c.desc.pad_top = c.desc.pad_bottom = c.desc.pad_left = c.desc.pad_right = shapes[i][7];
      c.threads = shapes[i][8];
      gemmconv_plan* plan = NULL;
      assert_int_equal(try_plan(&c, algo_named(family[a].name), &plan), GEMMCONV_STATUS_SUCCESS);
      size_t bytes = 1;
      assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
      if (family[a].workspace == PANEL)
        check_panel_workspace(&family[a], &c, bytes);
      else
        assert_int_equal(bytes, expected_workspace(&family[a], &c.desc));
      gemmconv_plan_destroy(plan);
      assert_int_equal(check_algorithm(&c, algo_named(family[a].name)), 1);
    }
}

static void refuses_stride_and_other_layout(void** state) {
  (void)state;
  for (size_t a = 0; a < FAMILY_SIZE; ++a) {
    const gemmconv_algo algo = algo_named(family[a].name);
    for (int s = 0; s < 3; ++s) {
      conv_case c = base_case();
      c.desc.layout = family[a].layout;
      c.desc.stride_height = s == 1 ? 1 : 2;
      c.desc.stride_width = s == 2 ? 1 : 2;
      gemmconv_plan* plan = (gemmconv_plan*)&c; /* must be reset to NULL */
      assert_int_equal(try_plan(&c, algo, &plan), GEMMCONV_STATUS_UNSUPPORTED);
      assert_null(plan);
    }
    conv_case c = base_case();
    c.desc.layout =
        family[a].layout == GEMMCONV_LAYOUT_NCHW ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
    gemmconv_plan* plan = NULL;
    assert_int_equal(try_plan(&c, algo, &plan), GEMMCONV_STATUS_UNSUPPORTED);
    assert_null(plan);
  }
}

/* Runs every family member of the case's layout; all of them must support it. */
static void check_family(const conv_case* c) {
  for (size_t a = 0; a < FAMILY_SIZE; ++a)
    if (family[a].layout == c->desc.layout)
      assert_int_equal(check_algorithm(c, algo_named(family[a].name)), 1);
}

/* Kernel shapes x dilations (1..3 each way) x every padding combination (each side 0..3),
   both layouts. The input is just large enough for two output rows and columns without
   padding, so padding of 3 exceeds the reach of the small kernels and whole output rows and
   columns see nothing but padding from some taps (or from all). Channels, groups, batch,
   bias, clamp and threads rotate from case to case. */
static void geometry_sweep(void** state) {
  (void)state;
  const uint32_t kernels[][2] = {{1, 1}, {2, 2}, {3, 3}, {5, 5}, {1, 3}, {3, 1}, {2, 5}};
  /* {groups, C, M}: plain, odd sizes, grouped, depthwise, depthwise x2 */
  const uint32_t channels[][3] = {{1, 2, 3}, {1, 3, 1}, {2, 4, 6}, {3, 3, 3}, {2, 2, 4}};
  unsigned n = 0;
  for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; ++k)
    for (uint32_t dh = 1; dh <= 3; ++dh)
      for (uint32_t dw = 1; dw <= 3; ++dw) {
        if ((kernels[k][0] == 1 && dh > 1) || (kernels[k][1] == 1 && dw > 1)) continue;
        for (uint32_t pads = 0; pads < 256; ++pads, ++n) {
          conv_case c = base_case();
          c.desc.kernel_height = kernels[k][0];
          c.desc.kernel_width = kernels[k][1];
          c.desc.dilation_height = dh;
          c.desc.dilation_width = dw;
          c.desc.in_height = dh * (kernels[k][0] - 1) + 2;
          c.desc.in_width = dw * (kernels[k][1] - 1) + 2 + n % 2;
          c.desc.pad_top = pads & 3;
          c.desc.pad_bottom = (pads >> 2) & 3;
          c.desc.pad_left = (pads >> 4) & 3;
          c.desc.pad_right = (pads >> 6) & 3;
          const uint32_t* gcm = channels[n % 5];
          c.desc.groups = gcm[0];
          c.desc.in_channels = gcm[1];
          c.desc.out_channels = gcm[2];
          c.desc.batch = n % 7 == 3 ? 2 : 1;
          c.with_bias = n % 3 == 1;
          if (n % 4 == 2) {
            c.output_min = -0.25f;
            c.output_max = 0.5f;
          }
          c.threads = n % 32 == 5 ? 3 : 1;
          c.desc.layout = n % 2 ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
          c.desc.filter_layout = n % 6 < 3 ? GEMMCONV_FILTER_OIHW : GEMMCONV_FILTER_OHWI;
          check_family(&c);
          /* The other layout too, with the other rotation of the filter layout. */
          c.desc.layout = n % 2 ? GEMMCONV_LAYOUT_NCHW : GEMMCONV_LAYOUT_NHWC;
          c.desc.filter_layout = n % 6 < 3 ? GEMMCONV_FILTER_OHWI : GEMMCONV_FILTER_OIHW;
          check_family(&c);
        }
      }
}

/* The clamps a plan can fuse: none, a lower bound only (ReLU), an upper bound only, both. The
   bounds lie well inside the outputs' range (sums of 9 to 153 products of values in [-1, 1)),
   so each of them changes many outputs. */
static const float clamps[][2] = {
    {-INFINITY, INFINITY}, {0.0f, INFINITY}, {-INFINITY, 0.25f}, {-0.25f, 0.5f}};

/* Each of the rotated features on its own and with each other: every combination of batch
   (1, 2), bias (off, on), clamp (the four above) and threads (1, 3), both layouts, on a 3x3
   kernel with asymmetric padding and dilation (so every tap has its own clipped rectangle). */
static void features(void** state) {
  (void)state;
  const uint32_t gcm[][3] = {{1, 5, 7}, {2, 6, 4}, {3, 3, 3}, {4, 4, 8}, {1, 17, 19}};
  for (size_t i = 0; i < sizeof gcm / sizeof gcm[0]; ++i)
    for (int variant = 0; variant < 32; ++variant) {
      conv_case c = base_case();
      c.desc.in_height = 9;
      c.desc.in_width = 10;
      c.desc.dilation_height = 2;
      c.desc.pad_top = 3;
      c.desc.pad_bottom = 0;
      c.desc.pad_left = 1;
      c.desc.pad_right = 2;
      c.desc.groups = gcm[i][0];
      c.desc.in_channels = gcm[i][1];
      c.desc.out_channels = gcm[i][2];
      c.desc.batch = variant & 1 ? 2 : 1;
      c.with_bias = (variant >> 1) & 1;
      c.output_min = clamps[(variant >> 2) & 3][0];
      c.output_max = clamps[(variant >> 2) & 3][1];
      c.threads = (variant >> 4) & 1 ? 3 : 1;
      c.desc.layout = GEMMCONV_LAYOUT_NCHW;
      check_family(&c);
      c.desc.layout = GEMMCONV_LAYOUT_NHWC;
      c.desc.filter_layout = GEMMCONV_FILTER_OHWI;
      check_family(&c);
    }
}

/* Outputs that read nothing but padding, from every tap: they are the bias, clamped. */
static void all_padding_outputs(void** state) {
  (void)state;
  conv_case c = base_case();
  c.desc.in_height = 1;
  c.desc.in_width = 2;
  c.desc.kernel_height = c.desc.kernel_width = 2;
  c.desc.dilation_height = c.desc.dilation_width = 3;
  c.desc.pad_top = c.desc.pad_bottom = c.desc.pad_left = c.desc.pad_right = 2;
  c.with_bias = 1;
  c.output_min = -0.5f;
  c.output_max = 0.5f;
  for (uint32_t t = 1; t <= 3; t += 2) {
    c.threads = t;
    c.desc.layout = GEMMCONV_LAYOUT_NCHW;
    check_family(&c);
    c.desc.layout = GEMMCONV_LAYOUT_NHWC;
    check_family(&c);
  }
}

/* Dilation larger than the input: the output rows that one kernel column reaches come in
   separate runs, one per kernel row, with rows between them that no tap of the column reaches
   (and more output rows than input rows). */
static void dilation_leaves_gaps(void** state) {
  (void)state;
  const uint32_t hw[][2] = {{1, 3}, {2, 5}, {3, 4}};
  for (size_t i = 0; i < sizeof hw / sizeof hw[0]; ++i)
    for (uint32_t t = 1; t <= 3; t += 2) {
      conv_case c = base_case();
      c.desc.in_height = hw[i][0];
      c.desc.in_width = hw[i][1];
      c.desc.kernel_height = 3;
      c.desc.kernel_width = 2;
      c.desc.dilation_height = 4;
      c.desc.dilation_width = 5;
      c.desc.pad_top = 6;
      c.desc.pad_bottom = 5;
      c.desc.pad_left = 3;
      c.desc.pad_right = 4;
      c.with_bias = 1;
      c.threads = t;
      c.desc.layout = GEMMCONV_LAYOUT_NCHW;
      check_family(&c);
      c.desc.layout = GEMMCONV_LAYOUT_NHWC;
      check_family(&c);
    }
}

/* Larger rows than the sweep uses, so that the GEMMs have real edges and bands (the -as band
   GEMM covers whole rows only when Wo = W); threads split the rows. */
static void wider_images(void** state) {
  (void)state;
  const uint32_t pads[][4] = {{1, 1, 1, 1}, {0, 0, 0, 0}, {2, 0, 0, 2}, {0, 3, 3, 1}};
  for (size_t p = 0; p < sizeof pads / sizeof pads[0]; ++p)
    for (uint32_t t = 1; t <= 3; t += 2) {
      conv_case c = base_case();
      c.desc.in_channels = 13;
      c.desc.out_channels = 21;
      c.desc.in_height = 11;
      c.desc.in_width = 37;
      c.desc.pad_top = pads[p][0];
      c.desc.pad_bottom = pads[p][1];
      c.desc.pad_left = pads[p][2];
      c.desc.pad_right = pads[p][3];
      c.with_bias = 1;
      c.threads = t;
      c.desc.layout = GEMMCONV_LAYOUT_NCHW;
      check_family(&c);
      c.desc.layout = GEMMCONV_LAYOUT_NHWC;
      check_family(&c);
    }
}

/* What -as's own tiling of the micro-kernel gets wrong first: channel counts that are no
   multiple of any kernel's MR or NR (a partial channel panel, a partial pixel panel), C' above
   BLIS's KC (several reduction blocks accumulating into Y), rows longer than a pixel panel and
   rectangles narrower than the image (tiles that cross a row end go through the tile buffer),
   dilation with asymmetric padding, taps whose rectangle is empty, groups, batch, bias and
   clamp, on 1, 2 and 3 threads, both layouts; and, on the case with the most tiles crossing
   row ends, no dependence of the bits on the thread count (every output sums each reduction
   block in one order whichever panel holds it). tests/meson.build runs
   this again on the AVX2 and SSE/AVX kernels. */
static void micro_kernel_tiles(void** state) {
  (void)state;
  /* {G, C, M, H, W, KH, KW, DH, DW, pad t, b, l, r, batch, bias, clamp} */
  const uint32_t cases[][16] = {
      {1, 650, 37, 5, 41, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, /* 2 or 3 reduction blocks */
      {1, 13, 50, 6, 70, 3, 3, 2, 3, 0, 2, 3, 1, 2, 1, 0},  /* long rows, dilation, asymmetric */
      {1, 33, 29, 5, 6, 3, 3, 3, 3, 1, 1, 1, 1, 1, 0, 1},   /* taps with empty rectangles */
      {2, 600, 40, 4, 9, 3, 3, 1, 1, 2, 0, 0, 2, 2, 1, 1},  /* groups, C' = 300 */
      {1, 7, 3, 3, 33, 1, 5, 1, 1, 0, 0, 2, 2, 1, 1, 0},    /* one row per panel, more or less */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i)
    for (uint32_t threads = 1; threads <= 3; ++threads) {
      const uint32_t* v = cases[i];
      conv_case c = base_case();
      c.desc.groups = v[0];
      c.desc.in_channels = v[1];
      c.desc.out_channels = v[2];
      c.desc.in_height = v[3];
      c.desc.in_width = v[4];
      c.desc.kernel_height = v[5];
      c.desc.kernel_width = v[6];
      c.desc.dilation_height = v[7];
      c.desc.dilation_width = v[8];
      c.desc.pad_top = v[9];
      c.desc.pad_bottom = v[10];
      c.desc.pad_left = v[11];
      c.desc.pad_right = v[12];
      c.desc.batch = v[13];
      c.with_bias = v[14];
      if (v[15]) {
        c.output_min = -0.5f;
        c.output_max = 0.75f;
      }
      c.threads = threads;
      for (int l = 0; l < 2; ++l) {
        c.desc.layout = l ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
        c.desc.filter_layout = (l + i) % 2 ? GEMMCONV_FILTER_OHWI : GEMMCONV_FILTER_OIHW;
        const gemmconv_algo algo = algo_named(l ? "kn2col-as" : "kn2row-as");
        assert_int_equal(check_algorithm(&c, algo), 1);
        if (threads == 1 && i == 1) check_same_bits_across_threads(&c, algo);
      }
    }
}

/* Padding contributes exactly nothing: with NaN in the first and last input column of every
   row, an output is NaN exactly when its receptive field holds one of them (as with direct);
   reading across a row end (the wrap of a shifted flat view), even to subtract it again,
   would make more outputs NaN. */
static void padding_contributes_nothing(void** state) {
  (void)state;
  for (size_t a = 0; a < FAMILY_SIZE; ++a)
    for (int dilated = 0; dilated <= 1; ++dilated) {
      conv_case c = base_case();
      c.desc.layout = family[a].layout;
      c.desc.filter_layout =
          c.desc.layout == GEMMCONV_LAYOUT_NHWC ? GEMMCONV_FILTER_OHWI : GEMMCONV_FILTER_OIHW;
      c.desc.in_height = 6;
      c.desc.in_width = 9;
      c.desc.dilation_width = dilated ? 2 : 1;
      c.desc.pad_left = c.desc.pad_right = dilated ? 2 : 1;
      c.threads = 2;
      const gemmconv_conv_desc* d = &c.desc;
      const size_t nin = case_input_count(&c), nout = case_output_count(&c);
      const size_t nf = case_filter_count(&c);
      float* input = malloc(nin * sizeof(float));
      float* filter = malloc(nf * sizeof(float));
      float* want = malloc(nout * sizeof(float));
      float* got = malloc(nout * sizeof(float));
      fill_random(input, nin, 7);
      fill_random(filter, nf, 8);
      for (size_t i = 0; i < nin; ++i) {
        const size_t x =
            d->layout == GEMMCONV_LAYOUT_NHWC ? i / d->in_channels % d->in_width : i % d->in_width;
        if (x == 0 || x == d->in_width - 1) input[i] = NAN;
      }
      gemmconv_plan* ref = make_plan(&c, GEMMCONV_ALGO_DIRECT, filter, NULL);
      gemmconv_plan* plan = make_plan(&c, algo_named(family[a].name), filter, NULL);
      size_t bytes = 0;
      assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
      guarded_workspace ws = guarded_alloc(bytes);
      assert_int_equal(gemmconv_execute(ref, input, want, NULL, 0), GEMMCONV_STATUS_SUCCESS);
      assert_int_equal(gemmconv_execute(plan, input, got, bytes ? ws.data : NULL, bytes),
                       GEMMCONV_STATUS_SUCCESS);
      size_t finite = 0;
      for (size_t i = 0; i < nout; ++i) {
        if (isnan(want[i]) != isnan(got[i]))
          fail_msg("%s: output %zu is %g, direct gives %g", family[a].name, i, (double)got[i],
                   (double)want[i]);
        if (!isnan(want[i])) {
          assert_true(fabsf(got[i] - want[i]) <= 1e-4f);
          ++finite;
        }
      }
      assert_true(finite > 0);
      guarded_free(&ws);
      gemmconv_plan_destroy(plan);
      gemmconv_plan_destroy(ref);
      free(input);
      free(filter);
      free(want);
      free(got);
    }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(workspace_formulas),  cmocka_unit_test(refuses_stride_and_other_layout),
      cmocka_unit_test(geometry_sweep),      cmocka_unit_test(features),
      cmocka_unit_test(all_padding_outputs), cmocka_unit_test(dilation_leaves_gaps),
      cmocka_unit_test(wider_images),        cmocka_unit_test(padding_contributes_nothing),
      cmocka_unit_test(micro_kernel_tiles),
  };
  return cmocka_run_group_tests_name("family_kn2row", tests, NULL, NULL);
}
