/* Compiled and run by build.rs: prints, as Rust source, what the C compiler says about the
   declarations of gemmconv.h (struct sizes, alignments, field offsets and sizes, enum sizes and
   signedness, constant values). tests/layout.rs compares every number with src/sys.rs. */
#include <stddef.h>
#include <stdio.h>

#include <gemmconv.h>

#define STRUCT(T) printf("    (\"%s\", %zu, %zu),\n", #T, sizeof(T), _Alignof(T))
#define FIELD(T, f) \
  printf("    (\"%s\", \"%s\", %zu, %zu),\n", #T, #f, (size_t)offsetof(T, f), sizeof(((T*)NULL)->f))
/* An enum is signed when its compatible integer type is: (T)-1 is then negative. */
#define ENUM_TYPE(T) \
  printf("    (\"%s\", %zu, %s),\n", #T, sizeof(T), (T)-1 < (T)0 ? "true" : "false")
#define CONSTANT(X) printf("    (\"%s\", %lld),\n", #X, (long long)(X))

int main(void) {
  printf("pub const C_STRUCTS: &[(&str, usize, usize)] = &[\n");
  STRUCT(gemmconv_conv_desc);
  STRUCT(gemmconv_plan_options);
  STRUCT(gemmconv_candidate);
  printf("];\n\npub const C_FIELDS: &[(&str, &str, usize, usize)] = &[\n");
  FIELD(gemmconv_conv_desc, struct_size);
  FIELD(gemmconv_conv_desc, layout);
  FIELD(gemmconv_conv_desc, filter_layout);
  FIELD(gemmconv_conv_desc, batch);
  FIELD(gemmconv_conv_desc, groups);
  FIELD(gemmconv_conv_desc, in_channels);
  FIELD(gemmconv_conv_desc, out_channels);
  FIELD(gemmconv_conv_desc, in_height);
  FIELD(gemmconv_conv_desc, in_width);
  FIELD(gemmconv_conv_desc, kernel_height);
  FIELD(gemmconv_conv_desc, kernel_width);
  FIELD(gemmconv_conv_desc, stride_height);
  FIELD(gemmconv_conv_desc, stride_width);
  FIELD(gemmconv_conv_desc, dilation_height);
  FIELD(gemmconv_conv_desc, dilation_width);
  FIELD(gemmconv_conv_desc, pad_top);
  FIELD(gemmconv_conv_desc, pad_bottom);
  FIELD(gemmconv_conv_desc, pad_left);
  FIELD(gemmconv_conv_desc, pad_right);
  FIELD(gemmconv_plan_options, struct_size);
  FIELD(gemmconv_plan_options, algo);
  FIELD(gemmconv_plan_options, num_threads);
  FIELD(gemmconv_plan_options, flags);
  FIELD(gemmconv_plan_options, workspace_limit);
  FIELD(gemmconv_plan_options, output_min);
  FIELD(gemmconv_plan_options, output_max);
  FIELD(gemmconv_candidate, struct_size);
  FIELD(gemmconv_candidate, algo);
  FIELD(gemmconv_candidate, verdict);
  FIELD(gemmconv_candidate, workspace_bytes);
  FIELD(gemmconv_candidate, estimated_seconds);
  FIELD(gemmconv_candidate, measured_seconds);
  printf("];\n\npub const C_ENUM_TYPES: &[(&str, usize, bool)] = &[\n");
  ENUM_TYPE(gemmconv_status);
  ENUM_TYPE(gemmconv_layout);
  ENUM_TYPE(gemmconv_filter_layout);
  ENUM_TYPE(gemmconv_algo);
  printf("];\n\npub const C_CONSTANTS: &[(&str, i64)] = &[\n");
  CONSTANT(GEMMCONV_STATUS_SUCCESS);
  CONSTANT(GEMMCONV_STATUS_INVALID_ARGUMENT);
  CONSTANT(GEMMCONV_STATUS_UNSUPPORTED);
  CONSTANT(GEMMCONV_STATUS_OVERFLOW);
  CONSTANT(GEMMCONV_STATUS_WORKSPACE_TOO_SMALL);
  CONSTANT(GEMMCONV_STATUS_MISALIGNED);
  CONSTANT(GEMMCONV_STATUS_OUT_OF_MEMORY);
  CONSTANT(GEMMCONV_STATUS_OVER_BUDGET);
  CONSTANT(GEMMCONV_STATUS_INTERNAL);
  CONSTANT(GEMMCONV_LAYOUT_NCHW);
  CONSTANT(GEMMCONV_LAYOUT_NHWC);
  CONSTANT(GEMMCONV_FILTER_OIHW);
  CONSTANT(GEMMCONV_FILTER_OHWI);
  CONSTANT(GEMMCONV_ALGO_AUTO);
  CONSTANT(GEMMCONV_ALGO_DIRECT);
  CONSTANT(GEMMCONV_ALGO_GEMM_1X1);
  CONSTANT(GEMMCONV_ALGO_IM2COL_COPY_LONG);
  CONSTANT(GEMMCONV_ALGO_IM2ROW_COPY_SHORT);
  CONSTANT(GEMMCONV_ALGO_IM2COL_SCAN);
  CONSTANT(GEMMCONV_ALGO_IM2COL_COPY_SHORT);
  CONSTANT(GEMMCONV_ALGO_IM2COL_COPY_SELF);
  CONSTANT(GEMMCONV_ALGO_IM2ROW_SCAN);
  CONSTANT(GEMMCONV_ALGO_IM2ROW_COPY_LONG);
  CONSTANT(GEMMCONV_ALGO_IM2ROW_COPY_SELF);
  CONSTANT(GEMMCONV_ALGO_MEC_COL);
  CONSTANT(GEMMCONV_ALGO_MEC_ROW);
  CONSTANT(GEMMCONV_ALGO_KN2ROW);
  CONSTANT(GEMMCONV_ALGO_KN2COL);
  CONSTANT(GEMMCONV_ALGO_KN2ROW_AA);
  CONSTANT(GEMMCONV_ALGO_KN2COL_AA);
  CONSTANT(GEMMCONV_ALGO_KN2ROW_AS);
  CONSTANT(GEMMCONV_ALGO_KN2COL_AS);
  CONSTANT(GEMMCONV_ALGO_TILED_NCHW);
  CONSTANT(GEMMCONV_ALGO_TILED_NHWC);
  CONSTANT(GEMMCONV_ALGO_DEPTHWISE_NCHW);
  CONSTANT(GEMMCONV_ALGO_DEPTHWISE_NHWC);
  CONSTANT(GEMMCONV_ALGO_GROUPED_NHWC);
  CONSTANT(GEMMCONV_ALGO_GROUPED_NCHW);
  CONSTANT(GEMMCONV_ALGO_CHANNELS_NCHW);
  CONSTANT(GEMMCONV_ALGO_POINTWISE_NCHW);
  CONSTANT(GEMMCONV_ALGO_ROWS_NCHW);
  CONSTANT(GEMMCONV_ALGO_CHANNELS_STAGED_NCHW);
  CONSTANT(GEMMCONV_WORKSPACE_ALIGNMENT);
  CONSTANT(GEMMCONV_FLAG_MEASURE);
  printf("];\n");
  return 0;
}
