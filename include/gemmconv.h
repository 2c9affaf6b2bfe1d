/*
 * libgemmconv: DNN convolutions through GEMM with as little extra memory as possible.
 *
 * Lifecycle: describe the convolution (gemmconv_conv_desc), create a plan (the filter is
 * copied and packed once), ask the plan how much workspace it needs, allocate that much
 * (aligned to GEMMCONV_WORKSPACE_ALIGNMENT), execute as often as you like from as many
 * threads as you like, destroy the plan. All tensors are dense float32.
 */
#ifndef GEMMCONV_H
#define GEMMCONV_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#if defined(GEMMCONV_BUILDING)
#define GEMMCONV_API __declspec(dllexport)
#else
#define GEMMCONV_API
#endif
#elif defined(__GNUC__)
/* The library is built with hidden visibility; only what carries this macro is exported. */
#define GEMMCONV_API __attribute__((visibility("default")))
#else
#define GEMMCONV_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque, immutable plan: one convolution, its chosen algorithm and its packed filter. */
typedef struct gemmconv_plan gemmconv_plan;

/* What every fallible call returns. gemmconv_status_string() describes each value. */
typedef enum gemmconv_status {
  GEMMCONV_STATUS_SUCCESS = 0,
  /* A NULL required pointer, a zero or inconsistent dimension, a bad struct_size, ... */
  GEMMCONV_STATUS_INVALID_ARGUMENT = 1,
  /* A valid convolution that the requested algorithm cannot compute. */
  GEMMCONV_STATUS_UNSUPPORTED = 2,
  /* A size or index would not fit its type. */
  GEMMCONV_STATUS_OVERFLOW = 3,
  /* The workspace passed to gemmconv_execute is smaller than the plan needs. */
  GEMMCONV_STATUS_WORKSPACE_TOO_SMALL = 4,
  /* The workspace is not GEMMCONV_WORKSPACE_ALIGNMENT-aligned. */
  GEMMCONV_STATUS_MISALIGNED = 5,
  /* An allocation made by the library failed. */
  GEMMCONV_STATUS_OUT_OF_MEMORY = 6,
  /* The algorithm's workspace exceeds options.workspace_limit. */
  GEMMCONV_STATUS_OVER_BUDGET = 7,
  /* A bug in the library; please report it. */
  GEMMCONV_STATUS_INTERNAL = 8
} gemmconv_status;

/* Layout of the activations, input and output alike. */
typedef enum gemmconv_layout {
  GEMMCONV_LAYOUT_NCHW = 0, /* [N][C][H][W], channels-first */
  GEMMCONV_LAYOUT_NHWC = 1  /* [N][H][W][C], channels-last */
} gemmconv_layout;

/* Layout of the filter; C/G is the number of input channels of one group. */
typedef enum gemmconv_filter_layout {
  GEMMCONV_FILTER_OIHW = 0, /* [M][C/G][KH][KW], as in PyTorch and ONNX */
  GEMMCONV_FILTER_OHWI = 1  /* [M][KH][KW][C/G], as in TensorFlow Lite */
} gemmconv_filter_layout;

/* Algorithms. AUTO lets the library choose; the others are numbered 1..gemmconv_algo_count()
   in the order they were added, and a number never changes meaning. */
typedef enum gemmconv_algo {
  GEMMCONV_ALGO_AUTO = 0,
  GEMMCONV_ALGO_DIRECT = 1,            /* "direct": the reference loop nest */
  GEMMCONV_ALGO_GEMM_1X1 = 2,          /* "gemm-1x1": 1x1, stride 1, no padding */
  GEMMCONV_ALGO_IM2COL_COPY_LONG = 3,  /* "im2col-copy-long": NCHW patch matrix, row runs */
  GEMMCONV_ALGO_IM2ROW_COPY_SHORT = 4, /* "im2row-copy-short": NHWC patch matrix, pixel runs */
  GEMMCONV_ALGO_IM2COL_SCAN = 5,       /* "im2col-scan": NCHW patch matrix, element by element */
  GEMMCONV_ALGO_IM2COL_COPY_SHORT = 6, /* "im2col-copy-short": NCHW patch matrix, kernel rows */
  GEMMCONV_ALGO_IM2COL_COPY_SELF = 7,  /* "im2col-copy-self": NCHW patch matrix, rows derived
                                          from rows already built */
  GEMMCONV_ALGO_IM2ROW_SCAN = 8,       /* "im2row-scan": NHWC patch matrix, element by element */
  GEMMCONV_ALGO_IM2ROW_COPY_LONG = 9,  /* "im2row-copy-long": NHWC patch matrix, output rows */
  GEMMCONV_ALGO_IM2ROW_COPY_SELF = 10, /* "im2row-copy-self": NHWC patch matrix, patches
                                          derived from neighbouring patches */
  GEMMCONV_ALGO_MEC_COL = 11,          /* "mec-col": NCHW, MEC lowering, one GEMM per output row */
  GEMMCONV_ALGO_MEC_ROW = 12,          /* "mec-row": NHWC, MEC lowering, one GEMM per output row */
  /* The kn2row family: stride 1 only; a KHxKW convolution as KH*KW shifted 1x1 GEMMs. */
  GEMMCONV_ALGO_KN2ROW = 13,    /* "kn2row": NCHW, one GEMM for all taps, then shift-add */
  GEMMCONV_ALGO_KN2COL = 14,    /* "kn2col": NHWC, one GEMM for all taps, then shift-add */
  GEMMCONV_ALGO_KN2ROW_AA = 15, /* "kn2row-aa": NCHW, one tap at a time through one buffer */
  GEMMCONV_ALGO_KN2COL_AA = 16, /* "kn2col-aa": NHWC, one tap at a time through one buffer */
  GEMMCONV_ALGO_KN2ROW_AS = 17, /* "kn2row-as": NCHW, taps accumulate straight into the output */
  GEMMCONV_ALGO_KN2COL_AS = 18, /* "kn2col-as": NHWC, taps accumulate straight into the output */
  /* The tiled algorithms: BLIS micro-kernel tiles, workspace per thread only. */
  GEMMCONV_ALGO_TILED_NCHW = 19, /* "tiled-nchw": NCHW, packed panels straight from the input */
  GEMMCONV_ALGO_TILED_NHWC = 20, /* "tiled-nhwc": the same for channels-last activations */
  /* Vectorised loops of the library's own, no GEMM, for the CPU's widest instruction set
     (GEMMCONV_MAX_ISA=avx2 or baseline in the environment caps it): depthwise (groups = C,
     M = C x multiplier) and convolutions with few channels per group. */
  GEMMCONV_ALGO_DEPTHWISE_NCHW = 21, /* "depthwise-nchw": output columns across the lanes */
  GEMMCONV_ALGO_DEPTHWISE_NHWC = 22, /* "depthwise-nhwc": channels across the lanes */
  GEMMCONV_ALGO_GROUPED_NHWC = 23,   /* "grouped-nhwc": any groups (one too), output channels of
                                        one or several groups across the lanes */
  GEMMCONV_ALGO_GROUPED_NCHW = 24,   /* "grouped-nchw": any groups (one too), output positions
                                        across the lanes */
  GEMMCONV_ALGO_CHANNELS_NCHW = 25,  /* "channels-nchw": grouped-nhwc's loop on NCHW tensors,
                                        output channels across the lanes */
  GEMMCONV_ALGO_POINTWISE_NCHW = 26, /* "pointwise-nchw": NCHW, 1x1, no padding, output planes
                                        of 16 pixels or more: output pixels across the lanes,
                                        the input read where it lies (strided: gathered) */
  GEMMCONV_ALGO_ROWS_NCHW = 27,      /* "rows-nchw": NCHW, stride 1 and dilation 1, output rows
                                        of 16 pixels or more: output pixels of a row across the
                                        lanes, input rows staged with their padding */
  GEMMCONV_ALGO_CHANNELS_STAGED_NCHW = 28 /* "channels-staged-nchw": channels-nchw's loop reading
                                             a band of input rows staged channels-last with its
                                             padding (workspace per thread) */
} gemmconv_algo;

/* Required alignment, in bytes, of the workspace passed to gemmconv_execute. */
#define GEMMCONV_WORKSPACE_ALIGNMENT 64
/* With GEMMCONV_ALGO_AUTO: time the candidate algorithms while creating the plan. */
#define GEMMCONV_FLAG_MEASURE 0x1u

/* One 2-D convolution. Fill it with gemmconv_conv_desc_init() first, then set what differs. */
typedef struct gemmconv_conv_desc {
  size_t struct_size; /* sizeof(gemmconv_conv_desc), for forward compatibility */
  gemmconv_layout layout;
  gemmconv_filter_layout filter_layout;
  uint32_t batch;        /* N >= 1 */
  uint32_t groups;       /* G >= 1; in_channels and out_channels are multiples of it */
  uint32_t in_channels;  /* C, all groups together */
  uint32_t out_channels; /* M, all groups together */
  uint32_t in_height, in_width;
  uint32_t kernel_height, kernel_width;
  uint32_t stride_height, stride_width;              /* >= 1 */
  uint32_t dilation_height, dilation_width;          /* >= 1; 1 is a dense kernel */
  uint32_t pad_top, pad_bottom, pad_left, pad_right; /* implicit zero padding */
} gemmconv_conv_desc;

/* How to build a plan. Fill it with gemmconv_plan_options_init() first. */
typedef struct gemmconv_plan_options {
  size_t struct_size;           /* sizeof(gemmconv_plan_options) */
  gemmconv_algo algo;           /* GEMMCONV_ALGO_AUTO by default */
  uint32_t num_threads;         /* 0: the OpenMP default when the plan is created */
  uint32_t flags;               /* GEMMCONV_FLAG_* */
  size_t workspace_limit;       /* AUTO considers only algorithms whose workspace fits;
                                   a named algorithm over it gives OVER_BUDGET. SIZE_MAX: no limit */
  float output_min, output_max; /* fused clamp of every output; -INFINITY, +INFINITY: none */
} gemmconv_plan_options;

/* One algorithm as AUTO judged it while creating a plan (see gemmconv_plan_candidate). */
typedef struct gemmconv_candidate {
  size_t struct_size; /* set by the caller: sizeof(gemmconv_candidate) */
  gemmconv_algo algo;
  /* SUCCESS: eligible; UNSUPPORTED, OVER_BUDGET or OVERFLOW: why it was left out */
  gemmconv_status verdict;
  size_t workspace_bytes;   /* for the plan's thread count; 0 when not eligible */
  double estimated_seconds; /* AUTO's cost model for the whole batch; < 0: not estimated */
  double measured_seconds;  /* timed with GEMMCONV_FLAG_MEASURE; < 0: not measured */
} gemmconv_candidate;

/* Zeroes *desc, then sets struct_size, batch = groups = 1, strides = dilations = 1. */
GEMMCONV_API void gemmconv_conv_desc_init(gemmconv_conv_desc* desc);

/* Sets struct_size, AUTO, 0 threads, no flags, no workspace limit and no clamp. */
GEMMCONV_API void gemmconv_plan_options_init(gemmconv_plan_options* options);

/* Output height and width of *desc:
   (in + pad_begin + pad_end - dilation * (kernel - 1) - 1) / stride + 1. */
GEMMCONV_API gemmconv_status gemmconv_output_dims(const gemmconv_conv_desc* desc,
                                                  uint32_t* out_height, uint32_t* out_width);

/* Validates *desc, picks the algorithm, and copies the filter ([M][...] in desc->filter_layout)
   and the optional bias ([M], or NULL) into the new plan, so the caller may free them at once.
   options may be NULL for the defaults. On failure *plan_out is set to NULL. */
GEMMCONV_API gemmconv_status gemmconv_plan_create(const gemmconv_conv_desc* desc,
                                                  const float* filter, const float* bias,
                                                  const gemmconv_plan_options* options,
                                                  gemmconv_plan** plan_out);

/* The exact number of workspace bytes gemmconv_execute needs with this plan (0 is valid). */
GEMMCONV_API gemmconv_status gemmconv_plan_workspace_size(const gemmconv_plan* plan, size_t* bytes);

/* The bytes the plan itself holds: packed filter, bias, tables and the handle. */
GEMMCONV_API gemmconv_status gemmconv_plan_persistent_size(const gemmconv_plan* plan,
                                                           size_t* bytes);

/* The algorithm the plan runs (never GEMMCONV_ALGO_AUTO). */
GEMMCONV_API gemmconv_status gemmconv_plan_algo(const gemmconv_plan* plan, gemmconv_algo* algo);

/* Computes output from input. workspace must hold the plan's workspace size and be aligned to
   GEMMCONV_WORKSPACE_ALIGNMENT; it may be NULL only when that size is 0. The output is fully
   overwritten; input and output must not overlap. Thread-safe: one plan may run in several
   threads at once, each with its own output and workspace. On failure only output and
   workspace may have been written.
   Threads: the plan's thread count is a ceiling. A call runs on one thread inside a caller's
   OpenMP parallel region and in a fork()ed child (libgomp's threads do not survive fork), and
   otherwise on no more threads than OpenMP grants now (omp_get_max_threads, OMP_THREAD_LIMIT)
   and than the processors other calls running at the same time leave free. The result does not
   depend on how many threads ran. Non-finite weights: see README "Reliability". */
GEMMCONV_API gemmconv_status gemmconv_execute(const gemmconv_plan* plan, const float* input,
                                              float* output, void* workspace,
                                              size_t workspace_bytes);

/* How many candidates AUTO considered for this plan: every algorithm, or 0 when the plan was
   created with a named algorithm. */
GEMMCONV_API gemmconv_status gemmconv_plan_candidate_count(const gemmconv_plan* plan,
                                                           size_t* count);

/* Candidate `index` (0-based, in algorithm order) of the plan's AUTO choice. The chosen one is
   the eligible candidate with the least estimated time; with MEASURE, the candidates estimated
   within 3x of that are timed on scratch data (with the plan's bias and clamp), and the fastest
   of them is chosen unless the estimate's choice measured within 3% of it. */
GEMMCONV_API gemmconv_status gemmconv_plan_candidate(const gemmconv_plan* plan, size_t index,
                                                     gemmconv_candidate* candidate);

/* Frees the plan. NULL is a no-op. */
GEMMCONV_API void gemmconv_plan_destroy(gemmconv_plan* plan);

/* Number of algorithms, AUTO excluded; they are the values 1..count. */
GEMMCONV_API int gemmconv_algo_count(void);

/* The algorithm's name ("direct", "im2col-copy-long", ...; "auto" for AUTO), NULL if unknown. */
GEMMCONV_API const char* gemmconv_algo_name(gemmconv_algo algo);

/* The algorithm with that name (as gemmconv_algo_name spells it), or INVALID_ARGUMENT. */
GEMMCONV_API gemmconv_status gemmconv_algo_from_name(const char* name, gemmconv_algo* algo);

/* A short English description of status; never NULL. */
GEMMCONV_API const char* gemmconv_status_string(gemmconv_status status);

/* The library's version, "MAJOR.MINOR.PATCH". */
GEMMCONV_API const char* gemmconv_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* GEMMCONV_H */
