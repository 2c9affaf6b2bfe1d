//! The raw C API of `gemmconv.h`, declaration for declaration, with the C names.
//!
//! tests/layout.rs proves that these declarations agree with the installed header as the C
//! compiler sees it: struct sizes, alignments, field offsets and sizes, enum sizes and signedness,
//! every constant's value, and the list of exported functions. Everything here is `unsafe` to use;
//! the rest of the crate is the safe layer over it.
#![allow(non_camel_case_types)]

use std::marker::{PhantomData, PhantomPinned};
use std::os::raw::{c_char, c_int, c_uint, c_void};

/// An opaque, immutable plan (`struct gemmconv_plan`): only ever handled through pointers.
#[repr(C)]
pub struct gemmconv_plan {
    _opaque: [u8; 0],
    // Neither Send, Sync nor Unpin by itself: the safe `Plan` states what the C contract allows.
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

// C enums are `unsigned int` here (GCC and Clang pick it when no value is negative); they are
// plain integers rather than Rust enums so that a value added by a later library is not UB.

/// `enum gemmconv_status`: what every fallible call returns.
pub type gemmconv_status = c_uint;
pub const GEMMCONV_STATUS_SUCCESS: gemmconv_status = 0;
pub const GEMMCONV_STATUS_INVALID_ARGUMENT: gemmconv_status = 1;
pub const GEMMCONV_STATUS_UNSUPPORTED: gemmconv_status = 2;
pub const GEMMCONV_STATUS_OVERFLOW: gemmconv_status = 3;
pub const GEMMCONV_STATUS_WORKSPACE_TOO_SMALL: gemmconv_status = 4;
pub const GEMMCONV_STATUS_MISALIGNED: gemmconv_status = 5;
pub const GEMMCONV_STATUS_OUT_OF_MEMORY: gemmconv_status = 6;
pub const GEMMCONV_STATUS_OVER_BUDGET: gemmconv_status = 7;
pub const GEMMCONV_STATUS_INTERNAL: gemmconv_status = 8;

/// `enum gemmconv_layout`: layout of the activations.
pub type gemmconv_layout = c_uint;
pub const GEMMCONV_LAYOUT_NCHW: gemmconv_layout = 0;
pub const GEMMCONV_LAYOUT_NHWC: gemmconv_layout = 1;

/// `enum gemmconv_filter_layout`: layout of the filter.
pub type gemmconv_filter_layout = c_uint;
pub const GEMMCONV_FILTER_OIHW: gemmconv_filter_layout = 0;
pub const GEMMCONV_FILTER_OHWI: gemmconv_filter_layout = 1;

/// `enum gemmconv_algo`: AUTO, then the algorithms 1..gemmconv_algo_count().
pub type gemmconv_algo = c_uint;
pub const GEMMCONV_ALGO_AUTO: gemmconv_algo = 0;
pub const GEMMCONV_ALGO_DIRECT: gemmconv_algo = 1;
pub const GEMMCONV_ALGO_GEMM_1X1: gemmconv_algo = 2;
pub const GEMMCONV_ALGO_IM2COL_COPY_LONG: gemmconv_algo = 3;
pub const GEMMCONV_ALGO_IM2ROW_COPY_SHORT: gemmconv_algo = 4;
pub const GEMMCONV_ALGO_IM2COL_SCAN: gemmconv_algo = 5;
pub const GEMMCONV_ALGO_IM2COL_COPY_SHORT: gemmconv_algo = 6;
pub const GEMMCONV_ALGO_IM2COL_COPY_SELF: gemmconv_algo = 7;
pub const GEMMCONV_ALGO_IM2ROW_SCAN: gemmconv_algo = 8;
pub const GEMMCONV_ALGO_IM2ROW_COPY_LONG: gemmconv_algo = 9;
pub const GEMMCONV_ALGO_IM2ROW_COPY_SELF: gemmconv_algo = 10;
pub const GEMMCONV_ALGO_MEC_COL: gemmconv_algo = 11;
pub const GEMMCONV_ALGO_MEC_ROW: gemmconv_algo = 12;
pub const GEMMCONV_ALGO_KN2ROW: gemmconv_algo = 13;
pub const GEMMCONV_ALGO_KN2COL: gemmconv_algo = 14;
pub const GEMMCONV_ALGO_KN2ROW_AA: gemmconv_algo = 15;
pub const GEMMCONV_ALGO_KN2COL_AA: gemmconv_algo = 16;
pub const GEMMCONV_ALGO_KN2ROW_AS: gemmconv_algo = 17;
pub const GEMMCONV_ALGO_KN2COL_AS: gemmconv_algo = 18;
pub const GEMMCONV_ALGO_TILED_NCHW: gemmconv_algo = 19;
pub const GEMMCONV_ALGO_TILED_NHWC: gemmconv_algo = 20;
pub const GEMMCONV_ALGO_DEPTHWISE_NCHW: gemmconv_algo = 21;
pub const GEMMCONV_ALGO_DEPTHWISE_NHWC: gemmconv_algo = 22;
pub const GEMMCONV_ALGO_GROUPED_NHWC: gemmconv_algo = 23;
pub const GEMMCONV_ALGO_GROUPED_NCHW: gemmconv_algo = 24;
pub const GEMMCONV_ALGO_CHANNELS_NCHW: gemmconv_algo = 25;
pub const GEMMCONV_ALGO_POINTWISE_NCHW: gemmconv_algo = 26;
pub const GEMMCONV_ALGO_ROWS_NCHW: gemmconv_algo = 27;
pub const GEMMCONV_ALGO_CHANNELS_STAGED_NCHW: gemmconv_algo = 28;

/// `GEMMCONV_WORKSPACE_ALIGNMENT`: required alignment of the workspace, in bytes.
pub const GEMMCONV_WORKSPACE_ALIGNMENT: usize = 64;
/// `GEMMCONV_FLAG_MEASURE`: with AUTO, time the candidates while creating the plan.
pub const GEMMCONV_FLAG_MEASURE: u32 = 0x1;

/// `struct gemmconv_conv_desc`: one 2-D convolution. Fill with `gemmconv_conv_desc_init` first.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct gemmconv_conv_desc {
    pub struct_size: usize,
    pub layout: gemmconv_layout,
    pub filter_layout: gemmconv_filter_layout,
    pub batch: u32,
    pub groups: u32,
    pub in_channels: u32,
    pub out_channels: u32,
    pub in_height: u32,
    pub in_width: u32,
    pub kernel_height: u32,
    pub kernel_width: u32,
    pub stride_height: u32,
    pub stride_width: u32,
    pub dilation_height: u32,
    pub dilation_width: u32,
    pub pad_top: u32,
    pub pad_bottom: u32,
    pub pad_left: u32,
    pub pad_right: u32,
}

/// `struct gemmconv_plan_options`: how to build a plan. Fill with `gemmconv_plan_options_init`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct gemmconv_plan_options {
    pub struct_size: usize,
    pub algo: gemmconv_algo,
    pub num_threads: u32,
    pub flags: u32,
    pub workspace_limit: usize,
    pub output_min: f32,
    pub output_max: f32,
}

/// `struct gemmconv_candidate`: one algorithm as AUTO judged it while creating a plan.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct gemmconv_candidate {
    pub struct_size: usize,
    pub algo: gemmconv_algo,
    pub verdict: gemmconv_status,
    pub workspace_bytes: usize,
    pub estimated_seconds: f64,
    pub measured_seconds: f64,
}

extern "C" {
    pub fn gemmconv_conv_desc_init(desc: *mut gemmconv_conv_desc);
    pub fn gemmconv_plan_options_init(options: *mut gemmconv_plan_options);
    pub fn gemmconv_output_dims(
        desc: *const gemmconv_conv_desc,
        out_height: *mut u32,
        out_width: *mut u32,
    ) -> gemmconv_status;
    pub fn gemmconv_plan_create(
        desc: *const gemmconv_conv_desc,
        filter: *const f32,
        bias: *const f32,
        options: *const gemmconv_plan_options,
        plan_out: *mut *mut gemmconv_plan,
    ) -> gemmconv_status;
    pub fn gemmconv_plan_workspace_size(
        plan: *const gemmconv_plan,
        bytes: *mut usize,
    ) -> gemmconv_status;
    pub fn gemmconv_plan_persistent_size(
        plan: *const gemmconv_plan,
        bytes: *mut usize,
    ) -> gemmconv_status;
    pub fn gemmconv_plan_algo(
        plan: *const gemmconv_plan,
        algo: *mut gemmconv_algo,
    ) -> gemmconv_status;
    pub fn gemmconv_execute(
        plan: *const gemmconv_plan,
        input: *const f32,
        output: *mut f32,
        workspace: *mut c_void,
        workspace_bytes: usize,
    ) -> gemmconv_status;
    pub fn gemmconv_plan_candidate_count(
        plan: *const gemmconv_plan,
        count: *mut usize,
    ) -> gemmconv_status;
    pub fn gemmconv_plan_candidate(
        plan: *const gemmconv_plan,
        index: usize,
        candidate: *mut gemmconv_candidate,
    ) -> gemmconv_status;
    pub fn gemmconv_plan_destroy(plan: *mut gemmconv_plan);
    pub fn gemmconv_algo_count() -> c_int;
    pub fn gemmconv_algo_name(algo: gemmconv_algo) -> *const c_char;
    pub fn gemmconv_algo_from_name(
        name: *const c_char,
        algo: *mut gemmconv_algo,
    ) -> gemmconv_status;
    pub fn gemmconv_status_string(status: gemmconv_status) -> *const c_char;
    pub fn gemmconv_version_string() -> *const c_char;
}
