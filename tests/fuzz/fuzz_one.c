/* The fuzz harness body: arbitrary bytes become a descriptor and plan options; every public call
   made with them must return a status the contract allows (computed here independently of the
   library), a plan that is created must execute with exactly its reported workspace and agree
   with `direct`, refused executions must write nothing, and nothing may leak (the sanitizers
   watch the rest).

   Input format (missing bytes read as 0, so every byte string is an input):
     byte 0   flags: bit 0 NHWC, bit 1 OHWI filter, bit 2 bias, bit 3 clamp, bit 4 options NULL,
              bit 5 channels not multiples of groups, bit 6 "wild": dimensions, threads, flags
              and enum fields may take extreme values, bit 7 unusual struct sizes / NULL args.
     bytes 1- one byte per dimension, in this order: N, G, C/G, M/G, H, W, KH, KW, SH, SW, DH,
              DW, PT, PB, PL, PR, each `lo + byte % (hi - lo + 1)` in a small range; with the
              wild bit, bytes >= 0xF0 select an extreme value (0, 2^31, 2^32 - 1, four raw
              bytes, ...). With bit 5, C and M are taken as they come instead of G * (C/G).
     then     [wild: one byte that may replace layout or filter layout by four raw bytes],
              algo, threads, flags, workspace limit, clamp min, clamp max,
              [bit 7: one byte choosing the odd struct size or NULL argument].
     the rest seeds the tensors' pseudo-random values. */
#include "fuzz_one.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gemmconv.h>

/* Only cases this small are executed (the fuzzer must run thousands per second under ASan). */
#define MAX_EXEC_FLOATS ((uint64_t)1 << 16)     /* per tensor */
#define MAX_EXEC_MACS ((uint64_t)1 << 20)       /* multiply-adds of the whole convolution */
#define MAX_EXEC_WORKSPACE ((uint64_t)64 << 20) /* bytes */
#define MAX_EXEC_THREADS 4u
#define MAX_EXEC_GEMMS 256u /* images x groups: most algorithms make one GEMM call for each */
/* Filters and biases the harness is willing to allocate for plan creation alone. */
#define MAX_FILTER_FLOATS ((uint64_t)1 << 16)
/* Past these, OVERFLOW and OUT_OF_MEMORY are legitimate answers of plan creation (the library
   caps single allocations and workspaces of named algorithms grow with the work). */
#define HUGE_BYTES ((uint64_t)1 << 34)
#define HUGE_MACS ((uint64_t)1 << 32)
/* The library refuses more threads than this (API: a mistake, never a real request). */
#define THREADS_SURELY_VALID 1024u

static fuzz_counts counts;

fuzz_counts fuzz_one_counts(void) {
  return counts;
}

/* ---- reading the input ---- */

typedef struct reader {
  const uint8_t* data;
  size_t size, pos;
} reader;

static uint8_t next_byte(reader* r) {
  return r->pos < r->size ? r->data[r->pos++] : 0;
}

static uint32_t next_u32(reader* r) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= (uint32_t)next_byte(r) << (8 * i);
  return v;
}

/* An extreme value chosen by the low nibble of a wild byte. */
static uint32_t extreme_value(reader* r, uint8_t b) {
  static const uint32_t values[] = {
      0u,       1u,       2u,       3u,       255u,           65535u,         65536u,
      46341u,   1u << 20, 1u << 24, 1u << 31, (1u << 31) + 1, UINT32_MAX - 1, UINT32_MAX,
      0x10001u,
  };
  const unsigned i = b & 0x0Fu;
  return i < sizeof values / sizeof values[0] ? values[i] : next_u32(r);
}

static uint32_t next_dim(reader* r, int wild, uint32_t lo, uint32_t hi) {
  const uint8_t b = next_byte(r);
  if (wild && b >= 0xF0) return extreme_value(r, b);
  return lo + b % (hi - lo + 1);
}

/* A decoded input. The structs sit inside larger ones so that a "later version" struct_size
   points at memory the caller really owns. */
typedef struct fuzz_case {
  struct {
    gemmconv_conv_desc d;
    unsigned char future[16];
  } desc;
  struct {
    gemmconv_plan_options o;
    unsigned char future[16];
  } options;
  int options_null, with_bias, null_filter, null_plan_out;
  int64_t algo, layout, filter_layout; /* as stored, read back as integers */
  uint32_t seed;
} fuzz_case;

static void decode(const uint8_t* data, size_t size, fuzz_case* fc) {
  reader r = {data, size, 0};
  memset(fc, 0, sizeof *fc);
  memset(fc->desc.future, 0xAB, sizeof fc->desc.future);
  memset(fc->options.future, 0xCD, sizeof fc->options.future);
  const uint8_t flags = next_byte(&r);
  const int wild = (flags >> 6) & 1;
  gemmconv_conv_desc* d = &fc->desc.d;
  gemmconv_conv_desc_init(d);
  d->layout = (flags & 1) ? GEMMCONV_LAYOUT_NHWC : GEMMCONV_LAYOUT_NCHW;
  d->filter_layout = (flags & 2) ? GEMMCONV_FILTER_OHWI : GEMMCONV_FILTER_OIHW;
  fc->with_bias = (flags >> 2) & 1;
  const int clamp = (flags >> 3) & 1;
  fc->options_null = (flags >> 4) & 1;
  const int loose_channels = (flags >> 5) & 1;
  const int odd = (flags >> 7) & 1;

  d->batch = next_dim(&r, wild, 1, 3);
  d->groups = next_dim(&r, wild, 1, 3);
  const uint32_t cg = next_dim(&r, wild, 1, 4), mg = next_dim(&r, wild, 1, 4);
  /* Unsigned products wrap (defined in C); whatever results is what the library is given. */
  d->in_channels = loose_channels ? cg : d->groups * cg;
  d->out_channels = loose_channels ? mg : d->groups * mg;
  d->in_height = next_dim(&r, wild, 1, 10);
  d->in_width = next_dim(&r, wild, 1, 10);
  d->kernel_height = next_dim(&r, wild, 1, 4);
  d->kernel_width = next_dim(&r, wild, 1, 4);
  d->stride_height = next_dim(&r, wild, 1, 3);
  d->stride_width = next_dim(&r, wild, 1, 3);
  d->dilation_height = next_dim(&r, wild, 1, 3);
  d->dilation_width = next_dim(&r, wild, 1, 3);
  d->pad_top = next_dim(&r, wild, 0, 3);
  d->pad_bottom = next_dim(&r, wild, 0, 3);
  d->pad_left = next_dim(&r, wild, 0, 3);
  d->pad_right = next_dim(&r, wild, 0, 3);
  if (wild) {
    const uint8_t b = next_byte(&r);
    if (b == 0xFF) d->layout = (gemmconv_layout)next_u32(&r);
    if (b == 0xFE) d->filter_layout = (gemmconv_filter_layout)next_u32(&r);
  }

  gemmconv_plan_options* o = &fc->options.o;
  gemmconv_plan_options_init(o);
  const int count = gemmconv_algo_count();
  uint8_t b = next_byte(&r);
  switch (b < 0xF0 ? -1 : b - 0xF0) {
    case -1:
      o->algo = (gemmconv_algo)(b % (count + 1));
      break;
    case 0:
      o->algo = (gemmconv_algo)-1;
      break;
    case 1:
      o->algo = (gemmconv_algo)(count + 1);
      break;
    case 2:
      o->algo = (gemmconv_algo)INT32_MAX;
      break;
    case 3:
      o->algo = (gemmconv_algo)INT32_MIN;
      break;
    default:
      o->algo = (gemmconv_algo)next_u32(&r);
      break;
  }
  b = next_byte(&r);
  if (wild && b >= 0xF0) {
    static const uint32_t threads[] = {THREADS_SURELY_VALID, THREADS_SURELY_VALID + 1, UINT32_MAX,
                                       64};
    o->num_threads = (b & 0x0F) < 4 ? threads[b & 0x03] : next_u32(&r);
  } else {
    o->num_threads = b % 4;
  }
  b = next_byte(&r);
  o->flags = wild ? b : ((b & 7) == 7 ? GEMMCONV_FLAG_MEASURE : 0u);
  b = next_byte(&r);
  if (b >= 0xF0) {
    const size_t limits[] = {0, 1, 63, 64, SIZE_MAX - 1};
    o->workspace_limit = (b & 0x0F) < 5 ? limits[b & 0x0F] : next_u32(&r);
  } else if (b >= 0xC0) {
    o->workspace_limit = (size_t)(b - 0xC0) * 1024;
  }
  const uint8_t lo = next_byte(&r), span = next_byte(&r);
  if (clamp) {
    o->output_min = (float)((int)lo - 128) / 32.0f;
    o->output_max = o->output_min + (float)span / 32.0f;
    if (wild && span >= 0xF8) {
      switch (span & 7) {
        case 0:
          o->output_min = NAN;
          break;
        case 1:
          o->output_max = NAN;
          break;
        case 2:
          o->output_max = o->output_min - 1.0f;
          break;
        case 3:
          o->output_min = o->output_max = -INFINITY;
          break;
        case 4:
          o->output_min = o->output_max = INFINITY;
          break;
        case 5:
          o->output_min = o->output_max;
          break;
        default:
          break;
      }
    }
  }
  if (odd) {
    switch (next_byte(&r) % 10) {
      case 0:
        d->struct_size = sizeof(gemmconv_conv_desc) - 1;
        break;
      case 1:
        d->struct_size = 0;
        break;
      case 2:
        d->struct_size = sizeof fc->desc;
        break;
      case 3:
        o->struct_size = sizeof(gemmconv_plan_options) - 1;
        break;
      case 4:
        o->struct_size = sizeof fc->options;
        break;
      case 5:
        d->struct_size = SIZE_MAX;
        break; /* "later version": only the prefix is read */
      case 6:
        fc->null_filter = 1;
        break;
      case 7:
        fc->null_plan_out = 1;
        break;
      default:
        break;
    }
  }
  uint32_t h = 2166136261u; /* FNV-1a of the rest */
  for (; r.pos < r.size; ++r.pos) h = (h ^ r.data[r.pos]) * 16777619u;
  fc->seed = h;

  /* C enums are integers: read back what was stored, whatever its value. */
  fc->layout = (int64_t)d->layout;
  fc->filter_layout = (int64_t)d->filter_layout;
  fc->algo = (int64_t)(int32_t)o->algo;
}

/* ---- what the contract allows, computed without the library ---- */

#define BIT(status) (1u << (status))
#define SAT UINT64_MAX /* a saturated product: the true value does not fit 64 bits */

static uint64_t mul_sat(uint64_t a, uint64_t b) {
  return a != 0 && b > SAT / a ? SAT : a * b;
}

static uint64_t bytes_of(uint64_t floats) {
  return mul_sat(floats, sizeof(float));
}

/* Output extent of one axis: 0 when the kernel does not fit once. Arguments are >= 1 except the
   pads; uint64 cannot overflow here (each value < 2^32). */
static uint64_t extent(uint64_t in, uint64_t pad_begin, uint64_t pad_end, uint64_t kernel,
                       uint64_t stride, uint64_t dilation) {
  const uint64_t padded = in + pad_begin + pad_end, span = dilation * (kernel - 1) + 1;
  return padded < span ? 0 : (padded - span) / stride + 1;
}

typedef struct expectation {
  unsigned dims_must, dims_may;     /* gemmconv_output_dims */
  unsigned create_must, create_may; /* gemmconv_plan_create; must == 0: SUCCESS expected */
  uint64_t ho, wo;                  /* valid when dims_must == 0 */
  uint64_t in_floats, out_floats, filter_floats, macs;
  int executable; /* small enough to run here */
} expectation;

static expectation expect(const fuzz_case* fc) {
  const gemmconv_conv_desc* d = &fc->desc.d;
  const gemmconv_plan_options* o = &fc->options.o;
  expectation e;
  memset(&e, 0, sizeof e);
  const unsigned invalid = BIT(GEMMCONV_STATUS_INVALID_ARGUMENT);
  const unsigned overflow = BIT(GEMMCONV_STATUS_OVERFLOW);

  if (d->struct_size < sizeof(gemmconv_conv_desc)) e.dims_must |= invalid;
  const int bad_layouts =
      (fc->layout != 0 && fc->layout != 1) || (fc->filter_layout != 0 && fc->filter_layout != 1);
  if (bad_layouts) {
    e.dims_may |= invalid; /* output_dims does not need the layouts */
    e.create_must |= invalid;
  }
  const int geometry_defined = d->in_height && d->in_width && d->kernel_height && d->kernel_width &&
                               d->stride_height && d->stride_width && d->dilation_height &&
                               d->dilation_width;
  int geometry_ok = 0;
  if (!geometry_defined) {
    e.dims_must |= invalid;
  } else {
    e.ho = extent(d->in_height, d->pad_top, d->pad_bottom, d->kernel_height, d->stride_height,
                  d->dilation_height);
    e.wo = extent(d->in_width, d->pad_left, d->pad_right, d->kernel_width, d->stride_width,
                  d->dilation_width);
    if (e.ho > UINT32_MAX || e.wo > UINT32_MAX) e.dims_must |= overflow;
    if (e.ho == 0 || e.wo == 0) e.dims_must |= invalid;
    geometry_ok = e.dims_must == 0;
  }
  e.create_must |= e.dims_must;
  e.create_may |= e.dims_may;

  if (!d->batch || !d->groups || !d->in_channels || !d->out_channels ||
      (d->groups && (d->in_channels % d->groups || d->out_channels % d->groups)))
    e.create_must |= invalid;
  int huge = 0;
  if (geometry_ok && d->groups) {
    const uint64_t N = d->batch, C = d->in_channels, M = d->out_channels;
    const uint64_t cg = d->in_channels / d->groups,
                   taps = (uint64_t)d->kernel_height * d->kernel_width;
    e.in_floats = mul_sat(mul_sat(N, C), (uint64_t)d->in_height * d->in_width);
    e.out_floats = mul_sat(mul_sat(N, M), e.ho * e.wo);
    e.filter_floats = mul_sat(mul_sat(M, cg), taps);
    e.macs = mul_sat(mul_sat(e.out_floats, cg), taps);
    const uint64_t sizes[] = {bytes_of(e.in_floats), bytes_of(e.out_floats),
                              bytes_of(e.filter_floats)};
    for (int i = 0; i < 3; ++i) {
      if (sizes[i] == SAT || sizes[i] > (uint64_t)SIZE_MAX) e.create_must |= overflow;
      if (sizes[i] > HUGE_BYTES) huge = 1;
    }
    if (e.macs > HUGE_MACS) huge = 1;
  }
  if (huge) e.create_may |= overflow | BIT(GEMMCONV_STATUS_OUT_OF_MEMORY);

  const int count = gemmconv_algo_count();
  uint32_t threads = 0;
  if (!fc->options_null) {
    if (o->struct_size < sizeof(gemmconv_plan_options)) e.create_must |= invalid;
    if (fc->algo < 0 || fc->algo > count) e.create_must |= invalid;
    if (o->flags & ~GEMMCONV_FLAG_MEASURE) e.create_must |= invalid;
    if (isnan(o->output_min) || isnan(o->output_max) || o->output_min > o->output_max)
      e.create_must |= invalid;
    if (o->num_threads > THREADS_SURELY_VALID) e.create_may |= invalid;
    if (fc->algo > GEMMCONV_ALGO_DIRECT) e.create_may |= BIT(GEMMCONV_STATUS_UNSUPPORTED);
    if (o->workspace_limit != SIZE_MAX) e.create_may |= BIT(GEMMCONV_STATUS_OVER_BUDGET);
    threads = o->num_threads;
  }
  if (fc->null_filter || fc->null_plan_out) e.create_must |= invalid;

  e.executable = e.create_must == 0 && !huge && e.in_floats <= MAX_EXEC_FLOATS &&
                 e.out_floats <= MAX_EXEC_FLOATS && e.filter_floats <= MAX_FILTER_FLOATS &&
                 e.macs <= MAX_EXEC_MACS && threads <= MAX_EXEC_THREADS &&
                 (uint64_t)d->batch * d->groups <= MAX_EXEC_GEMMS;
  return e;
}

/* ---- checking ---- */

static void describe(const fuzz_case* fc) {
  const gemmconv_conv_desc* d = &fc->desc.d;
  const gemmconv_plan_options* o = &fc->options.o;
  fprintf(stderr,
          "  desc: struct_size %zu layout %lld filter_layout %lld N %u G %u C %u M %u H %u W %u "
          "K %ux%u S %ux%u D %ux%u pads t%u b%u l%u r%u\n",
          d->struct_size, (long long)fc->layout, (long long)fc->filter_layout, d->batch, d->groups,
          d->in_channels, d->out_channels, d->in_height, d->in_width, d->kernel_height,
          d->kernel_width, d->stride_height, d->stride_width, d->dilation_height, d->dilation_width,
          d->pad_top, d->pad_bottom, d->pad_left, d->pad_right);
  if (fc->options_null)
    fprintf(stderr, "  options: NULL\n");
  else
    fprintf(stderr,
            "  options: struct_size %zu algo %lld threads %u flags 0x%x limit %zu clamp [%g, "
            "%g]\n",
            o->struct_size, (long long)fc->algo, o->num_threads, o->flags, o->workspace_limit,
            (double)o->output_min, (double)o->output_max);
  fprintf(stderr, "  bias %d, NULL filter %d, NULL plan_out %d\n", fc->with_bias, fc->null_filter,
          fc->null_plan_out);
}

static int violation(const fuzz_case* fc, const char* format, ...) {
  va_list args;
  va_start(args, format);
  fprintf(stderr, "fuzz_one: contract violated: ");
  vfprintf(stderr, format, args);
  fprintf(stderr, "\n");
  va_end(args);
  describe(fc);
  return 1;
}

static int is_status(gemmconv_status s) {
  return (int)s >= GEMMCONV_STATUS_SUCCESS && (int)s <= GEMMCONV_STATUS_INTERNAL;
}

/* Whether status s is what an expectation (must, may) allows. */
static int allowed(gemmconv_status s, unsigned must, unsigned may) {
  if (!is_status(s)) return 0;
  if (s == GEMMCONV_STATUS_SUCCESS) return must == 0;
  return ((must | may) & BIT(s)) != 0;
}

static uint32_t next_random(uint32_t* state) {
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

static float* random_floats(uint64_t count, uint32_t seed) {
  float* p = malloc((size_t)(count ? count : 1) * sizeof(float));
  if (p == NULL) abort();
  uint32_t state = seed | 1u;
  for (uint64_t i = 0; i < count; ++i)
    p[i] = (float)(next_random(&state) >> 8) * (2.0f / 16777216.0f) - 1.0f;
  return p;
}

static float* absolute(const float* x, uint64_t count) {
  float* p = malloc((size_t)(count ? count : 1) * sizeof(float));
  if (p == NULL) abort();
  for (uint64_t i = 0; i < count; ++i) p[i] = fabsf(x[i]);
  return p;
}

/* A bit pattern no computation produces: a NaN with a payload. Refused calls must leave it. */
static const uint32_t SENTINEL = 0x7FC0DEADu;

static void fill_sentinel(float* out, uint64_t count) {
  for (uint64_t i = 0; i < count; ++i) memcpy(&out[i], &SENTINEL, sizeof SENTINEL);
}

static int untouched(const float* out, uint64_t count) {
  for (uint64_t i = 0; i < count; ++i)
    if (memcmp(&out[i], &SENTINEL, sizeof SENTINEL) != 0) return 0;
  return 1;
}

/* Runs `direct` on the same convolution (threads 1, no workspace); 0 on success. */
static int run_direct(const fuzz_case* fc, const float* filter, const float* bias,
                      const float* input, float* output, float output_min, float output_max) {
  gemmconv_plan_options o;
  gemmconv_plan_options_init(&o);
  o.algo = GEMMCONV_ALGO_DIRECT;
  o.num_threads = 1;
  o.output_min = output_min;
  o.output_max = output_max;
  gemmconv_plan* plan = NULL;
  if (gemmconv_plan_create(&fc->desc.d, filter, bias, &o, &plan) != GEMMCONV_STATUS_SUCCESS)
    return 1;
  size_t ws = 1;
  const int failed = gemmconv_plan_workspace_size(plan, &ws) != GEMMCONV_STATUS_SUCCESS ||
                     ws != 0 ||
                     gemmconv_execute(plan, input, output, NULL, 0) != GEMMCONV_STATUS_SUCCESS;
  gemmconv_plan_destroy(plan);
  return failed;
}

/* Executes a created plan: refused calls first (nothing written), then exactly the reported
   workspace, then the comparison with direct. */
static int execute_and_compare(const fuzz_case* fc, const expectation* e, const gemmconv_plan* plan,
                               size_t ws_bytes, const float* filter, const float* bias) {
  const uint64_t nin = e->in_floats, nout = e->out_floats;
  float* input = random_floats(nin, fc->seed ^ 0x1234567u);
  float* output = malloc((size_t)nout * sizeof(float));
  float* expected = malloc((size_t)nout * sizeof(float));
  float* magnitude = malloc((size_t)nout * sizeof(float));
  float* abs_input = absolute(input, nin);
  float* abs_filter = absolute(filter, e->filter_floats);
  float* abs_bias = bias ? absolute(bias, fc->desc.d.out_channels) : NULL;
  unsigned char* spare = NULL;
  void* workspace = NULL;
  int failed = 0;
  if (!output || !expected || !magnitude) abort();

  if (ws_bytes > 0) {
    gemmconv_status s;
    fill_sentinel(output, nout);
    s = gemmconv_execute(plan, input, output, NULL, ws_bytes);
    if (s != GEMMCONV_STATUS_INVALID_ARGUMENT || !untouched(output, nout)) {
      failed = violation(fc, "execute with a NULL workspace gave %d or wrote output", (int)s);
      goto done;
    }
    void* block = NULL;
    if (posix_memalign(&block, 64, ws_bytes + 64) != 0) abort();
    spare = block;
    s = gemmconv_execute(plan, input, output, spare, ws_bytes - 1);
    if (s != GEMMCONV_STATUS_WORKSPACE_TOO_SMALL || !untouched(output, nout)) {
      failed = violation(fc, "execute with %zu of %zu workspace bytes gave %d or wrote output",
                         ws_bytes - 1, ws_bytes, (int)s);
      goto done;
    }
    s = gemmconv_execute(plan, input, output, spare + 4, ws_bytes);
    if (s != GEMMCONV_STATUS_MISALIGNED || !untouched(output, nout)) {
      failed = violation(fc, "execute with a misaligned workspace gave %d or wrote output", (int)s);
      goto done;
    }
    /* Exactly the reported size, so ASan sees any byte past it. */
    if (posix_memalign(&workspace, 64, ws_bytes) != 0) abort();
  }
  {
    const gemmconv_status s = gemmconv_execute(plan, input, (float*)input, workspace, ws_bytes);
    if (s != GEMMCONV_STATUS_INVALID_ARGUMENT) {
      failed = violation(fc, "execute with output == input gave %d", (int)s);
      goto done;
    }
  }
  fill_sentinel(output, nout);
  {
    const gemmconv_status s = gemmconv_execute(plan, input, output, workspace, ws_bytes);
    if (s != GEMMCONV_STATUS_SUCCESS) {
      failed = violation(fc, "execute gave %d (%s)", (int)s, gemmconv_status_string(s));
      goto done;
    }
  }

  const float lo = fc->options_null ? -INFINITY : fc->options.o.output_min;
  const float hi = fc->options_null ? INFINITY : fc->options.o.output_max;
  if (run_direct(fc, filter, bias, input, expected, lo, hi) ||
      run_direct(fc, abs_filter, abs_bias, abs_input, magnitude, -INFINITY, INFINITY)) {
    failed = violation(fc, "direct refused a convolution another plan accepted");
    goto done;
  }
  ++counts.executions_compared;
  for (uint64_t i = 0; i < nout; ++i) {
    /* The API's bound with a margin for the float (not double) reference. */
    const double tolerance = 1e-4 * (1.0 + (double)magnitude[i]);
    if (output[i] == expected[i]) continue; /* covers equal infinities of a clamp */
    if (!(fabs((double)output[i] - (double)expected[i]) <= tolerance)) {
      failed = violation(fc, "output[%llu] = %.9g, direct gives %.9g (tolerance %.3g)",
                         (unsigned long long)i, (double)output[i], (double)expected[i], tolerance);
      goto done;
    }
  }
done:
  free(input);
  free(output);
  free(expected);
  free(magnitude);
  free(abs_input);
  free(abs_filter);
  free(abs_bias);
  free(spare);
  free(workspace);
  return failed;
}

/* The name functions for the algorithm number the input carries, whatever it is. */
static int check_names(const fuzz_case* fc) {
  if (gemmconv_status_string((gemmconv_status)(int32_t)fc->seed) == NULL)
    return violation(fc, "status_string(%d) is NULL", (int)(int32_t)fc->seed);
  const int count = gemmconv_algo_count();
  const char* name = gemmconv_algo_name((gemmconv_algo)fc->algo);
  if (fc->algo < 0 || fc->algo > count) {
    if (name != NULL) return violation(fc, "algo_name(%lld) is not NULL", (long long)fc->algo);
    return 0;
  }
  if (name == NULL) return violation(fc, "algo_name(%lld) is NULL", (long long)fc->algo);
  gemmconv_algo back = (gemmconv_algo)-1;
  if (gemmconv_algo_from_name(name, &back) != GEMMCONV_STATUS_SUCCESS || (int64_t)back != fc->algo)
    return violation(fc, "algo_from_name(\"%s\") does not give %lld back", name,
                     (long long)fc->algo);
  return 0;
}

static int check_output_dims(const fuzz_case* fc, const expectation* e) {
  uint32_t ho = 0, wo = 0;
  gemmconv_status s = gemmconv_output_dims(&fc->desc.d, NULL, &wo);
  if (s != GEMMCONV_STATUS_INVALID_ARGUMENT)
    return violation(fc, "output_dims with NULL out_height gave %d", (int)s);
  s = gemmconv_output_dims(&fc->desc.d, &ho, &wo);
  if (!allowed(s, e->dims_must, e->dims_may))
    return violation(fc, "output_dims gave %d (must 0x%x, may 0x%x)", (int)s, e->dims_must,
                     e->dims_may);
  if (s == GEMMCONV_STATUS_SUCCESS && (ho != e->ho || wo != e->wo))
    return violation(fc, "output_dims gave %ux%u, expected %llux%llu", ho, wo,
                     (unsigned long long)e->ho, (unsigned long long)e->wo);
  return 0;
}

/* The queries of a created plan. */
static int check_plan(const fuzz_case* fc, const expectation* e, const gemmconv_plan* plan,
                      size_t* ws_bytes) {
  gemmconv_algo algo = GEMMCONV_ALGO_AUTO;
  gemmconv_status s = gemmconv_plan_algo(plan, &algo);
  if (s != GEMMCONV_STATUS_SUCCESS || (int)algo < 1 || (int)algo > gemmconv_algo_count())
    return violation(fc, "plan_algo gave %d, algo %d", (int)s, (int)algo);
  if (!fc->options_null && fc->algo != GEMMCONV_ALGO_AUTO && (int64_t)algo != fc->algo)
    return violation(fc, "plan runs algo %d, %lld was asked for", (int)algo, (long long)fc->algo);
  s = gemmconv_plan_workspace_size(plan, ws_bytes);
  if (s != GEMMCONV_STATUS_SUCCESS) return violation(fc, "plan_workspace_size gave %d", (int)s);
  if (!fc->options_null && *ws_bytes > fc->options.o.workspace_limit)
    return violation(fc, "workspace %zu over the limit %zu", *ws_bytes,
                     fc->options.o.workspace_limit);
  size_t persistent = 0;
  s = gemmconv_plan_persistent_size(plan, &persistent);
  if (s != GEMMCONV_STATUS_SUCCESS) return violation(fc, "plan_persistent_size gave %d", (int)s);
  if (persistent < e->filter_floats * sizeof(float))
    return violation(fc, "persistent size %zu smaller than the filter", persistent);
  return 0;
}

int fuzz_one(const uint8_t* data, size_t size) {
  fuzz_case fc;
  ++counts.inputs;
  decode(data, size, &fc);
  expectation e = expect(&fc);
  /* MEASURE times candidates at plan creation: only on cases small enough to run. */
  if (!e.executable) fc.options.o.flags &= ~GEMMCONV_FLAG_MEASURE;

  if (check_names(&fc) || check_output_dims(&fc, &e)) return 1;

  /* The filter and bias the caller passes: real ones when affordable; a one-float stand-in when
     the call must fail anyway (validation comes before reading them: ASan checks that);
     otherwise plan creation is skipped. */
  const int real_buffers =
      e.filter_floats <= MAX_FILTER_FLOATS && fc.desc.d.out_channels <= MAX_FILTER_FLOATS;
  if (!real_buffers && e.create_must == 0) return 0;
  const uint64_t nfilter = real_buffers ? e.filter_floats : 1;
  float* filter = random_floats(nfilter, fc.seed ^ 0xF11u);
  float* bias = NULL;
  if (fc.with_bias)
    bias = random_floats(real_buffers ? fc.desc.d.out_channels : 1, fc.seed ^ 0xB1u);

  gemmconv_plan* plan = (gemmconv_plan*)&fc; /* must be reset to NULL on failure */
  const gemmconv_status s =
      gemmconv_plan_create(&fc.desc.d, fc.null_filter ? NULL : filter, bias,
                           fc.options_null ? NULL : &fc.options.o, fc.null_plan_out ? NULL : &plan);
  int failed = 0;
  if (!allowed(s, e.create_must, e.create_may)) {
    failed = violation(&fc, "plan_create gave %d (%s; must 0x%x, may 0x%x)", (int)s,
                       is_status(s) ? gemmconv_status_string(s) : "not a status", e.create_must,
                       e.create_may);
  } else if (s != GEMMCONV_STATUS_SUCCESS) {
    if (!fc.null_plan_out && plan != NULL)
      failed = violation(&fc, "failed plan_create left *plan_out non-NULL");
    plan = NULL;
  } else {
    size_t ws_bytes = 0;
    ++counts.plans_created;
    failed = check_plan(&fc, &e, plan, &ws_bytes);
    if (!failed && e.executable && ws_bytes <= MAX_EXEC_WORKSPACE)
      failed = execute_and_compare(&fc, &e, plan, ws_bytes, filter, bias);
  }
  if (s == GEMMCONV_STATUS_SUCCESS && !fc.null_plan_out) gemmconv_plan_destroy(plan);
  free(filter);
  free(bias);
  return failed;
}
