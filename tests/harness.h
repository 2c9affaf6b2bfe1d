/* Shared test machinery: a convolution case built from a base by changing a field or two, an
   independent reference computed from the definition, and check_case(), which runs every
   algorithm that supports the case against that reference. Tests use the public header only. */
#ifndef GEMMCONV_TEST_HARNESS_H
#define GEMMCONV_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include <gemmconv.h>

typedef struct conv_case {
  gemmconv_conv_desc desc;
  int with_bias;
  float output_min, output_max;
  uint32_t threads;
} conv_case;

/* A small NCHW case: N=1, C=3, M=4, 7x8 input, 3x3 kernel, stride 1, padding 1, no bias, no
   clamp, two threads. */
conv_case base_case(void);

/* Setters, to build a case from base_case() one property at a time: each sets what it names in
   the case, leaves everything else as it was, and returns the case (so calls can nest). */
conv_case* case_layouts(conv_case* c, gemmconv_layout layout, gemmconv_filter_layout filter);
conv_case* case_channels(conv_case* c, uint32_t groups, uint32_t in_channels,
                         uint32_t out_channels);
conv_case* case_input(conv_case* c, uint32_t height, uint32_t width);
conv_case* case_kernel(conv_case* c, uint32_t height, uint32_t width);
conv_case* case_stride(conv_case* c, uint32_t height, uint32_t width);
conv_case* case_dilation(conv_case* c, uint32_t height, uint32_t width);
conv_case* case_pads(conv_case* c, uint32_t top, uint32_t bottom, uint32_t left, uint32_t right);
/* "Same" padding for the kernel and dilation already set: along each axis, the dilated
   kernel's extent less one, split evenly, the top or left side taking the one left over when
   it is odd. With stride 1 the output is then the input's size. */
conv_case* case_same_padding(conv_case* c);

/* A layer of a real network: square input, square kernel, symmetric padding. */
typedef struct layer_shape {
  const char* name;
  uint32_t groups, in_channels, out_channels, in_size, kernel, stride, pad;
} layer_shape;

/* base_case() with the layer's geometry and a bias. */
conv_case layer_case(const layer_shape* layer);

/* A case with edges on every side: c_in -> 12 channels, 9 x 11 input (99 pixels), k x k kernel
   with "same" padding, bias, one thread. */
conv_case same_padding_case(gemmconv_layout layout, uint32_t k, uint32_t c_in);

/* Tensor sizes in floats. */
size_t case_input_count(const conv_case* c);
size_t case_output_count(const conv_case* c);
size_t case_filter_count(const conv_case* c);

/* Deterministic pseudo-random values in [-1, 1). */
void fill_random(float* data, size_t count, uint32_t seed);

/* The convolution computed from its definition in double precision, and per output element the
   error bound the API promises: 1e-5 * (1 + sum |filter * input|). Both arrays have
   case_output_count() elements. */
void reference_conv(const conv_case* c, const float* input, const float* filter, const float* bias,
                    double* expected, double* bound);

/* `bytes` of memory aligned to GEMMCONV_WORKSPACE_ALIGNMENT, or NULL when bytes is 0 (what a
   plan without workspace is given). Aborts when memory runs out instead of failing the test, so
   any thread may call it. Release it with free(). */
void* aligned_buffer(size_t bytes);

/* A workspace with guard bytes on both sides. Any thread may use these three functions. */
typedef struct guarded_workspace {
  unsigned char* base;
  void* data; /* 64-byte aligned, `bytes` long */
  size_t bytes;
} guarded_workspace;
guarded_workspace guarded_alloc(size_t bytes);
int guards_intact(const guarded_workspace* ws); /* 1 when no byte outside data was written */
void guarded_free(guarded_workspace* ws);

/* Runs `algo` on the case with exactly the reported workspace inside guards and checks every
   output element against the reference. Returns 0 when the algorithm reports UNSUPPORTED, 1 when
   it ran and matched (it fails the test otherwise). It keeps the last few cases' references for
   the calls that follow: call it (and the check_* functions below) from one thread only. */
int check_algorithm(const conv_case* c, gemmconv_algo algo);

/* check_algorithm for AUTO and for every algorithm; returns how many named algorithms ran. */
int check_case(const conv_case* c);

/* The algorithm with that name, failing the test when the library has none. */
gemmconv_algo algo_named(const char* name);

/* gemmconv_plan_create's status for the case, algorithm and workspace_limit. */
gemmconv_status create_plan_limited(const conv_case* c, gemmconv_algo algo, size_t limit,
                                    const float* filter, const float* bias, gemmconv_plan** plan);

/* Tensors (random input, filter and bias) and the reference result of one case, shared by every
   workspace_limit tried on it. */
typedef struct prepared_case {
  float *input, *filter, *bias;
  double *expected, *bound;
  size_t nout;
} prepared_case;
prepared_case prepare_case(const conv_case* c);
void release_case(prepared_case* p);

/* Plans `algo` under `limit`. On success: the reported workspace is within the limit, execute
   gets exactly that much between guard bytes and an output between guard bytes, neither guard
   is touched and every output matches the reference. Returns the plan's status and its
   workspace bytes. */
gemmconv_status run_limited(const conv_case* c, const prepared_case* p, gemmconv_algo algo,
                            size_t limit, size_t* bytes);

/* gemmconv_plan_create's status for the case and algorithm (zero filter, no bias). */
gemmconv_status try_plan(const conv_case* c, gemmconv_algo algo, gemmconv_plan** plan);

/* A plan for the case with the given algorithm, failing the test unless it succeeds. */
gemmconv_plan* make_plan(const conv_case* c, gemmconv_algo algo, const float* filter,
                         const float* bias);

/* The plan's workspace bytes for the case and algorithm, failing the test unless it plans. */
size_t plan_workspace_bytes(const conv_case* c, gemmconv_algo algo);

/* Plans, executes once with a workspace of the reported size, and destroys the plan. */
void run_case(const conv_case* c, gemmconv_algo algo, const float* input, const float* filter,
              const float* bias, float* output);

/* check_algorithm, failing the test when the algorithm reports UNSUPPORTED: for tests of one
   algorithm, which must not pass by not running. */
void check_algorithm_runs(const conv_case* c, gemmconv_algo algo);

/* Fails the test unless the algorithm plans the case with at most per_thread workspace bytes
   per thread of the case. */
void check_workspace_per_thread(const conv_case* c, gemmconv_algo algo, size_t per_thread);

/* check_algorithm_runs and check_workspace_per_thread on the case as given and again on 3
   threads. */
void check_runs_on_1_and_3_threads(const conv_case* c, gemmconv_algo algo, size_t per_thread);

/* Calls check on the case in both activation layouts, each with both filter layouts. */
void for_each_layout(conv_case c, void (*check)(const conv_case* c));

/* Calls sweep on the case with the clamps a layer fuses: a band inside the outputs' range,
   ReLU (lower bound 0) with bias, an upper bound only. */
void for_each_clamp(conv_case c, void (*sweep)(conv_case c));

/* Runs the algorithm on the case with 1, 2 and 3 threads and fails the test unless the outputs
   are the same bytes. */
void check_same_bits_across_threads(const conv_case* c, gemmconv_algo algo);

/* The case's fields on one line, for failure messages. */
void describe_case(const conv_case* c, char* buf, size_t size);

#endif
