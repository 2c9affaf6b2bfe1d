#include "harness.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

enum { GUARD = 256 }; /* a multiple of the workspace alignment: data stays aligned */
static const unsigned char GUARD_BYTE = 0xA5;

conv_case base_case(void) {
  conv_case c;
  gemmconv_conv_desc_init(&c.desc);
  case_channels(&c, 1, 3, 4);
  case_input(&c, 7, 8);
  case_kernel(&c, 3, 3);
  case_pads(&c, 1, 1, 1, 1);
  c.with_bias = 0;
  c.output_min = -INFINITY;
  c.output_max = INFINITY;
  c.threads = 2;
  return c;
}

conv_case* case_layouts(conv_case* c, gemmconv_layout layout, gemmconv_filter_layout filter) {
  c->desc.layout = layout;
  c->desc.filter_layout = filter;
  return c;
}

conv_case* case_channels(conv_case* c, uint32_t groups, uint32_t in_channels,
                         uint32_t out_channels) {
  c->desc.groups = groups;
  c->desc.in_channels = in_channels;
  c->desc.out_channels = out_channels;
  return c;
}

conv_case* case_input(conv_case* c, uint32_t height, uint32_t width) {
  c->desc.in_height = height;
  c->desc.in_width = width;
  return c;
}

conv_case* case_kernel(conv_case* c, uint32_t height, uint32_t width) {
  c->desc.kernel_height = height;
  c->desc.kernel_width = width;
  return c;
}

conv_case* case_stride(conv_case* c, uint32_t height, uint32_t width) {
  c->desc.stride_height = height;
  c->desc.stride_width = width;
  return c;
}

conv_case* case_dilation(conv_case* c, uint32_t height, uint32_t width) {
  c->desc.dilation_height = height;
  c->desc.dilation_width = width;
  return c;
}

conv_case* case_pads(conv_case* c, uint32_t top, uint32_t bottom, uint32_t left, uint32_t right) {
  c->desc.pad_top = top;
  c->desc.pad_bottom = bottom;
  c->desc.pad_left = left;
  c->desc.pad_right = right;
  return c;
}

conv_case* case_same_padding(conv_case* c) {
  const gemmconv_conv_desc* d = &c->desc;
  const uint32_t rows = d->dilation_height * (d->kernel_height - 1);
  const uint32_t cols = d->dilation_width * (d->kernel_width - 1);
  return case_pads(c, rows - rows / 2, rows / 2, cols - cols / 2, cols / 2);
}

conv_case layer_case(const layer_shape* layer) {
  conv_case c = base_case();
  case_channels(&c, layer->groups, layer->in_channels, layer->out_channels);
  case_input(&c, layer->in_size, layer->in_size);
  case_kernel(&c, layer->kernel, layer->kernel);
  case_stride(&c, layer->stride, layer->stride);
  case_pads(&c, layer->pad, layer->pad, layer->pad, layer->pad);
  c.with_bias = 1;
  return c;
}

conv_case same_padding_case(gemmconv_layout layout, uint32_t k, uint32_t c_in) {
  conv_case c = base_case();
  case_layouts(&c, layout, GEMMCONV_FILTER_OIHW);
  case_channels(&c, 1, c_in, 12);
  case_input(&c, 9, 11);
  case_same_padding(case_kernel(&c, k, k));
  c.with_bias = 1;
  c.threads = 1;
  return c;
}

static void out_dims(const conv_case* c, uint32_t* ho, uint32_t* wo) {
  assert_int_equal(gemmconv_output_dims(&c->desc, ho, wo), GEMMCONV_STATUS_SUCCESS);
}

size_t case_input_count(const conv_case* c) {
  const gemmconv_conv_desc* d = &c->desc;
  return (size_t)d->batch * d->in_channels * d->in_height * d->in_width;
}

size_t case_output_count(const conv_case* c) {
  uint32_t ho, wo;
  out_dims(c, &ho, &wo);
  return (size_t)c->desc.batch * c->desc.out_channels * ho * wo;
}

size_t case_filter_count(const conv_case* c) {
  const gemmconv_conv_desc* d = &c->desc;
  return (size_t)d->out_channels * (d->in_channels / d->groups) * d->kernel_height *
         d->kernel_width;
}

void fill_random(float* data, size_t count, uint32_t seed) {
  uint32_t s = seed * 2654435761u + 12345u;
  for (size_t i = 0; i < count; ++i) {
    s = s * 1664525u + 1013904223u;
    data[i] = (float)((s >> 8) * (1.0 / 16777216.0) * 2.0 - 1.0);
  }
}

void reference_conv(const conv_case* c, const float* input, const float* filter, const float* bias,
                    double* expected, double* bound) {
  const gemmconv_conv_desc* d = &c->desc;
  uint32_t ho, wo;
  out_dims(c, &ho, &wo);
  const long N = d->batch, G = d->groups, C = d->in_channels, M = d->out_channels;
  const long H = d->in_height, W = d->in_width, KH = d->kernel_height, KW = d->kernel_width;
  const long Cg = C / G, Mg = M / G, Ho = ho, Wo = wo;
  const int nhwc = d->layout == GEMMCONV_LAYOUT_NHWC;
  const int ohwi = d->filter_layout == GEMMCONV_FILTER_OHWI;
  for (long n = 0; n < N; ++n)
    for (long m = 0; m < M; ++m)
      for (long oy = 0; oy < Ho; ++oy)
        for (long ox = 0; ox < Wo; ++ox) {
          const long g = m / Mg;
          double acc = bias ? bias[m] : 0.0, mag = 0.0;
          for (long c2 = 0; c2 < Cg; ++c2)
            for (long ky = 0; ky < KH; ++ky)
              for (long kx = 0; kx < KW; ++kx) {
                const long iy =
                    oy * (long)d->stride_height - (long)d->pad_top + ky * (long)d->dilation_height;
                const long ix =
                    ox * (long)d->stride_width - (long)d->pad_left + kx * (long)d->dilation_width;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const long ch = g * Cg + c2;
                const double x = nhwc ? input[((n * H + iy) * W + ix) * C + ch]
                                      : input[((n * C + ch) * H + iy) * W + ix];
                const double w = ohwi ? filter[((m * KH + ky) * KW + kx) * Cg + c2]
                                      : filter[((m * Cg + c2) * KH + ky) * KW + kx];
                acc += w * x;
                mag += fabs(w * x);
              }
          if (acc < c->output_min) acc = c->output_min;
          if (acc > c->output_max) acc = c->output_max;
          const size_t at = nhwc ? (size_t)(((n * Ho + oy) * Wo + ox) * M + m)
                                 : (size_t)(((n * M + m) * Ho + oy) * Wo + ox);
          expected[at] = acc;
          bound[at] = 1e-5 * (1.0 + mag + (bias ? fabs(bias[m]) : 0.0));
        }
}

void* aligned_buffer(size_t bytes) {
  enum { ALIGN = GEMMCONV_WORKSPACE_ALIGNMENT };
  if (bytes == 0) return NULL;
  /* aligned_alloc takes only whole multiples of the alignment. */
  void* p = bytes <= SIZE_MAX - (ALIGN - 1)
                ? aligned_alloc(ALIGN, (bytes + ALIGN - 1) / ALIGN * ALIGN)
                : NULL;
  if (p == NULL) {
    fprintf(stderr, "aligned_buffer: no memory for %zu bytes\n", bytes);
    abort();
  }
  return p;
}

guarded_workspace guarded_alloc(size_t bytes) {
  guarded_workspace ws;
  ws.bytes = bytes;
  ws.base = aligned_buffer(bytes + 2 * GUARD);
  memset(ws.base, GUARD_BYTE, bytes + 2 * GUARD);
  ws.data = ws.base + GUARD;
  /* All-ones bytes are a NaN: an algorithm that reads workspace it never wrote shows up. */
  memset(ws.data, 0xFF, bytes);
  return ws;
}

int guards_intact(const guarded_workspace* ws) {
  for (size_t i = 0; i < GUARD; ++i)
    if (ws->base[i] != GUARD_BYTE || ws->base[GUARD + ws->bytes + i] != GUARD_BYTE) return 0;
  return 1;
}

void guarded_free(guarded_workspace* ws) {
  free(ws->base);
  ws->base = NULL;
}

gemmconv_status create_plan_limited(const conv_case* c, gemmconv_algo algo, size_t limit,
                                    const float* filter, const float* bias, gemmconv_plan** plan) {
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = algo;
  o.num_threads = c->threads;
  o.output_min = c->output_min;
  o.output_max = c->output_max;
  o.workspace_limit = limit;
  return gemmconv_plan_create(&c->desc, filter, bias, &o, plan);
}

static gemmconv_status create(const conv_case* c, gemmconv_algo algo, const float* filter,
                              const float* bias, gemmconv_plan** plan) {
  return create_plan_limited(c, algo, SIZE_MAX, filter, bias, plan);
}

gemmconv_algo algo_named(const char* name) {
  gemmconv_algo algo = GEMMCONV_ALGO_AUTO;
  assert_int_equal(gemmconv_algo_from_name(name, &algo), GEMMCONV_STATUS_SUCCESS);
  assert_string_equal(gemmconv_algo_name(algo), name);
  return algo;
}

gemmconv_status try_plan(const conv_case* c, gemmconv_algo algo, gemmconv_plan** plan) {
  float* filter = calloc(case_filter_count(c), sizeof(float));
  const gemmconv_status s = create(c, algo, filter, NULL, plan);
  free(filter);
  return s;
}

gemmconv_plan* make_plan(const conv_case* c, gemmconv_algo algo, const float* filter,
                         const float* bias) {
  gemmconv_plan* plan = NULL;
  const gemmconv_status s = create(c, algo, filter, bias, &plan);
  if (s != GEMMCONV_STATUS_SUCCESS)
    fail_msg("plan for %s: %s", gemmconv_algo_name(algo), gemmconv_status_string(s));
  return plan;
}

void describe_case(const conv_case* c, char* buf, size_t size) {
  const gemmconv_conv_desc* d = &c->desc;
  snprintf(buf, size,
           "%s/%s N=%u G=%u C=%u M=%u in=%ux%u k=%ux%u stride=%ux%u dilation=%ux%u "
           "pad(t,b,l,r)=%u,%u,%u,%u bias=%d clamp=[%g,%g] threads=%u",
           d->layout == GEMMCONV_LAYOUT_NHWC ? "NHWC" : "NCHW",
           d->filter_layout == GEMMCONV_FILTER_OHWI ? "OHWI" : "OIHW", d->batch, d->groups,
           d->in_channels, d->out_channels, d->in_height, d->in_width, d->kernel_height,
           d->kernel_width, d->stride_height, d->stride_width, d->dilation_height,
           d->dilation_width, d->pad_top, d->pad_bottom, d->pad_left, d->pad_right, c->with_bias,
           (double)c->output_min, (double)c->output_max, c->threads);
}

/* The tensors of a case and their reference result. Every algorithm checked on a case gets the
   same inputs (fixed seeds), so the reference, computed in double precision from the
   definition and the costliest part of a check, is computed once per case rather than once
   per algorithm: the last few cases' stay here (tests alternate layouts or thread counts inside
   their loops). Threads do not change the result and are not compared. */
typedef struct checked_case {
  conv_case key;
  float *input, *filter, *bias;
  double *expected, *bound;
} checked_case;

enum { CHECKED_CASES = 4 };
static checked_case checked_cases[CHECKED_CASES];
static int next_checked_case; /* the slot to replace next: the one filled longest ago */

static int same_result(const conv_case* a, const conv_case* b) {
  return memcmp(&a->desc, &b->desc, sizeof a->desc) == 0 && a->with_bias == b->with_bias &&
         a->output_min == b->output_min && a->output_max == b->output_max;
}

static const checked_case* prepare_checked_case(const conv_case* c) {
  for (int i = 0; i < CHECKED_CASES; ++i)
    if (checked_cases[i].input != NULL && same_result(&checked_cases[i].key, c))
      return &checked_cases[i];
  checked_case* k = &checked_cases[next_checked_case];
  next_checked_case = (next_checked_case + 1) % CHECKED_CASES;
  free(k->input);
  free(k->filter);
  free(k->bias);
  free(k->expected);
  free(k->bound);
  const size_t nin = case_input_count(c), nout = case_output_count(c), nf = case_filter_count(c);
  k->key = *c;
  k->input = malloc(nin * sizeof *k->input);
  k->filter = malloc(nf * sizeof *k->filter);
  k->bias = malloc(c->desc.out_channels * sizeof *k->bias);
  k->expected = malloc(nout * sizeof *k->expected);
  k->bound = malloc(nout * sizeof *k->bound);
  fill_random(k->input, nin, 1);
  fill_random(k->filter, nf, 2);
  fill_random(k->bias, c->desc.out_channels, 3);
  reference_conv(c, k->input, k->filter, c->with_bias ? k->bias : NULL, k->expected, k->bound);
  return k;
}

int check_algorithm(const conv_case* c, gemmconv_algo algo) {
  const checked_case* k = prepare_checked_case(c);
  const size_t nout = case_output_count(c);
  float* output = malloc(nout * sizeof *output);
  const float* b = c->with_bias ? k->bias : NULL;

  gemmconv_plan* plan = NULL;
  const gemmconv_status s = create(c, algo, k->filter, b, &plan);
  int ran = 0;
  if (s == GEMMCONV_STATUS_UNSUPPORTED) {
    assert_null(plan);
    assert_int_not_equal(algo, GEMMCONV_ALGO_AUTO); /* AUTO computes every valid case */
  } else {
    char what[400];
    describe_case(c, what, sizeof what);
    if (s != GEMMCONV_STATUS_SUCCESS)
      fail_msg("%s: plan_create gave %s (%s)", gemmconv_algo_name(algo), gemmconv_status_string(s),
               what);
    size_t bytes = 0;
    assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
    guarded_workspace ws = guarded_alloc(bytes);
    for (size_t i = 0; i < nout; ++i) output[i] = NAN; /* every element must be written */
    const gemmconv_status e =
        gemmconv_execute(plan, k->input, output, bytes ? ws.data : NULL, bytes);
    if (e != GEMMCONV_STATUS_SUCCESS)
      fail_msg("%s: execute gave %s (%s)", gemmconv_algo_name(algo), gemmconv_status_string(e),
               what);
    if (!guards_intact(&ws))
      fail_msg("%s wrote outside its %zu workspace bytes (%s)", gemmconv_algo_name(algo), bytes,
               what);
    for (size_t i = 0; i < nout; ++i)
      if (!(fabs(output[i] - k->expected[i]) <= k->bound[i]))
        fail_msg("%s: output[%zu] = %.9g, expected %.9g (bound %.3g) (%s)",
                 gemmconv_algo_name(algo), i, (double)output[i], k->expected[i], k->bound[i], what);
    guarded_free(&ws);
    gemmconv_plan_destroy(plan);
    ran = 1;
  }
  free(output);
  return ran;
}

/* GEMMCONV_TEST_ONLY=prefix restricts check_case() to `direct` and the algorithms whose name
   starts with the prefix (the suites rerun on other BLIS kernels use it to stay short). */
static int selected(gemmconv_algo a) {
  const char* only = getenv("GEMMCONV_TEST_ONLY");
  const char* name = gemmconv_algo_name(a);
  return only == NULL || a == GEMMCONV_ALGO_DIRECT || strncmp(name, only, strlen(only)) == 0;
}

int check_case(const conv_case* c) {
  if (selected(GEMMCONV_ALGO_AUTO)) check_algorithm(c, GEMMCONV_ALGO_AUTO);
  int ran = 0;
  for (int a = 1; a <= gemmconv_algo_count(); ++a)
    if (selected((gemmconv_algo)a)) ran += check_algorithm(c, (gemmconv_algo)a);
  assert_true(ran >= 1);
  return ran;
}

size_t plan_workspace_bytes(const conv_case* c, gemmconv_algo algo) {
  gemmconv_plan* plan = NULL;
  const gemmconv_status s = try_plan(c, algo, &plan);
  if (s != GEMMCONV_STATUS_SUCCESS) {
    char what[400];
    describe_case(c, what, sizeof what);
    fail_msg("plan for %s: %s (%s)", gemmconv_algo_name(algo), gemmconv_status_string(s), what);
  }
  size_t bytes = 0;
  assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
  gemmconv_plan_destroy(plan);
  return bytes;
}

void run_case(const conv_case* c, gemmconv_algo algo, const float* input, const float* filter,
              const float* bias, float* output) {
  gemmconv_plan* plan = make_plan(c, algo, filter, bias);
  size_t bytes = 0;
  assert_int_equal(gemmconv_plan_workspace_size(plan, &bytes), GEMMCONV_STATUS_SUCCESS);
  void* ws = aligned_buffer(bytes);
  assert_int_equal(gemmconv_execute(plan, input, output, ws, bytes), GEMMCONV_STATUS_SUCCESS);
  free(ws);
  gemmconv_plan_destroy(plan);
}

void check_algorithm_runs(const conv_case* c, gemmconv_algo algo) {
  if (!check_algorithm(c, algo)) {
    char what[400];
    describe_case(c, what, sizeof what);
    fail_msg("%s reported UNSUPPORTED (%s)", gemmconv_algo_name(algo), what);
  }
}

void check_workspace_per_thread(const conv_case* c, gemmconv_algo algo, size_t per_thread) {
  const size_t bytes = plan_workspace_bytes(c, algo);
  const size_t threads = c->threads ? c->threads : 1;
  if (bytes > threads * per_thread) {
    char what[400];
    describe_case(c, what, sizeof what);
    fail_msg("%s: workspace %zu bytes (%s)", gemmconv_algo_name(algo), bytes, what);
  }
}

void check_same_bits_across_threads(const conv_case* c, gemmconv_algo algo) {
  conv_case t = *c;
  const size_t nin = case_input_count(&t), nout = case_output_count(&t);
  const size_t nf = case_filter_count(&t);
  float* in = malloc(nin * sizeof(float));
  float* filter = malloc(nf * sizeof(float));
  float* bias = malloc(t.desc.out_channels * sizeof(float));
  float* first = malloc(nout * sizeof(float));
  float* again = malloc(nout * sizeof(float));
  fill_random(in, nin, 11);
  fill_random(filter, nf, 12);
  fill_random(bias, t.desc.out_channels, 13);
  const float* b = t.with_bias ? bias : NULL;
  t.threads = 1;
  run_case(&t, algo, in, filter, b, first);
  for (t.threads = 1; t.threads <= 3; ++t.threads) {
    memset(again, 0xFF, nout * sizeof(float)); /* NaN: no bits left over from the last run */
    run_case(&t, algo, in, filter, b, again);
    if (memcmp(first, again, nout * sizeof(float)) != 0) {
      char what[400];
      describe_case(&t, what, sizeof what);
      fail_msg("%s: output differs from 1 thread's (%s)", gemmconv_algo_name(algo), what);
    }
  }
  free(in);
  free(filter);
  free(bias);
  free(first);
  free(again);
}

void check_runs_on_1_and_3_threads(const conv_case* c, gemmconv_algo algo, size_t per_thread) {
  conv_case threaded = *c;
  threaded.threads = 3;
  const conv_case* both[] = {c, &threaded};
  for (int i = 0; i < 2; ++i) {
    check_algorithm_runs(both[i], algo);
    check_workspace_per_thread(both[i], algo, per_thread);
  }
}

void for_each_clamp(conv_case c, void (*sweep)(conv_case c)) {
  c.output_min = -0.5f;
  c.output_max = 0.25f;
  sweep(c);
  c.with_bias = 1;
  c.output_min = 0.0f; /* ReLU */
  c.output_max = INFINITY;
  sweep(c);
  c.output_min = -INFINITY;
  c.output_max = 0.0f;
  sweep(c);
}

void for_each_layout(conv_case c, void (*check)(const conv_case* c)) {
  for (int l = 0; l < 2; ++l)
    for (int f = 0; f < 2; ++f) {
      c.desc.layout = l ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
      c.desc.filter_layout = f ? GEMMCONV_FILTER_OHWI : GEMMCONV_FILTER_OIHW;
      check(&c);
    }
}

prepared_case prepare_case(const conv_case* c) {
  prepared_case p;
  const size_t nin = case_input_count(c), nf = case_filter_count(c);
  p.nout = case_output_count(c);
  p.input = malloc(nin * sizeof(float));
  p.filter = malloc(nf * sizeof(float));
  p.bias = malloc(c->desc.out_channels * sizeof(float));
  p.expected = malloc(p.nout * sizeof(double));
  p.bound = malloc(p.nout * sizeof(double));
  fill_random(p.input, nin, 21);
  fill_random(p.filter, nf, 22);
  fill_random(p.bias, c->desc.out_channels, 23);
  reference_conv(c, p.input, p.filter, c->with_bias ? p.bias : NULL, p.expected, p.bound);
  return p;
}

void release_case(prepared_case* p) {
  free(p->input);
  free(p->filter);
  free(p->bias);
  free(p->expected);
  free(p->bound);
}

gemmconv_status run_limited(const conv_case* c, const prepared_case* p, gemmconv_algo algo,
                            size_t limit, size_t* bytes) {
  char what[400];
  describe_case(c, what, sizeof what);
  gemmconv_plan* plan = NULL;
  const gemmconv_status s =
      create_plan_limited(c, algo, limit, p->filter, c->with_bias ? p->bias : NULL, &plan);
  if (s != GEMMCONV_STATUS_SUCCESS) {
    assert_null(plan);
    return s;
  }
  assert_int_equal(gemmconv_plan_workspace_size(plan, bytes), GEMMCONV_STATUS_SUCCESS);
  if (*bytes > limit)
    fail_msg("%s: workspace %zu over the limit %zu (%s)", gemmconv_algo_name(algo), *bytes, limit,
             what);
  guarded_workspace ws = guarded_alloc(*bytes);
  guarded_workspace out = guarded_alloc(p->nout * sizeof(float));
  float* output = out.data;
  for (size_t i = 0; i < p->nout; ++i) output[i] = NAN; /* every element must be written */
  assert_int_equal(gemmconv_execute(plan, p->input, output, *bytes ? ws.data : NULL, *bytes),
                   GEMMCONV_STATUS_SUCCESS);
  if (!guards_intact(&ws) || !guards_intact(&out))
    fail_msg("%s under limit %zu wrote outside its %zu workspace bytes or its output (%s)",
             gemmconv_algo_name(algo), limit, *bytes, what);
  for (size_t i = 0; i < p->nout; ++i)
    if (!(fabs(output[i] - p->expected[i]) <= p->bound[i]))
      fail_msg("%s under limit %zu: output[%zu] = %.9g, expected %.9g (%s)",
               gemmconv_algo_name(algo), limit, i, (double)output[i], p->expected[i], what);
  guarded_free(&ws);
  guarded_free(&out);
  gemmconv_plan_destroy(plan);
  return s;
}
