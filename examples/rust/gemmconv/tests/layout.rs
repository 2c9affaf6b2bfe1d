//! Proves that src/sys.rs declares what gemmconv.h declares, number for number, against what the
//! C compiler printed for the installed header (build.rs runs c_layout.c into OUT_DIR).

use std::collections::BTreeMap;
use std::mem::{align_of, size_of, MaybeUninit};
use std::ptr::addr_of;

use gemmconv::sys;
use gemmconv::sys::*;

include!(concat!(env!("OUT_DIR"), "/c_layout.rs"));

fn size_of_pointee<T>(_: *const T) -> usize {
    size_of::<T>()
}

/// (struct, field, offset, size) as Rust lays the field out. offset_of! needs Rust 1.77; this
/// works on 1.63: addr_of! takes the field's address in uninitialised memory without reading it.
macro_rules! field {
    ($t:ident, $f:ident) => {{
        let value = MaybeUninit::<$t>::uninit();
        let base = value.as_ptr();
        // SAFETY: addr_of! only computes an address inside `value`; nothing is read.
        let field = unsafe { addr_of!((*base).$f) };
        (
            stringify!($t),
            stringify!($f),
            field as usize - base as usize,
            size_of_pointee(field),
        )
    }};
}

macro_rules! enum_type {
    ($t:ident) => {
        (
            stringify!($t),
            size_of::<$t>(),
            (0 as $t).checked_sub(1).is_some(),
        )
    };
}

macro_rules! constant {
    ($c:ident) => {
        (stringify!($c), sys::$c as i64)
    };
}

/// Compares two tables keyed by their first columns, naming every entry that differs or that only
/// one side has.
fn same<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    what: &str,
    c: Vec<(K, V)>,
    rust: Vec<(K, V)>,
) {
    let c: BTreeMap<K, V> = c.into_iter().collect();
    let rust: BTreeMap<K, V> = rust.into_iter().collect();
    let mut problems = Vec::new();
    for (key, value) in &c {
        match rust.get(key) {
            None => problems.push(format!("{:?}: in C only", key)),
            Some(r) if r != value => {
                problems.push(format!("{:?}: C {:?}, Rust {:?}", key, value, r))
            }
            Some(_) => {}
        }
    }
    for key in rust.keys().filter(|k| !c.contains_key(*k)) {
        problems.push(format!("{:?}: in Rust only", key));
    }
    assert!(
        problems.is_empty(),
        "{} differ:\n{}",
        what,
        problems.join("\n")
    );
}

#[test]
fn struct_sizes_and_alignments_match_c() {
    let rust = vec![
        (
            "gemmconv_conv_desc",
            (
                size_of::<gemmconv_conv_desc>(),
                align_of::<gemmconv_conv_desc>(),
            ),
        ),
        (
            "gemmconv_plan_options",
            (
                size_of::<gemmconv_plan_options>(),
                align_of::<gemmconv_plan_options>(),
            ),
        ),
        (
            "gemmconv_candidate",
            (
                size_of::<gemmconv_candidate>(),
                align_of::<gemmconv_candidate>(),
            ),
        ),
    ];
    let c = C_STRUCTS.iter().map(|&(n, s, a)| (n, (s, a))).collect();
    same("struct sizes/alignments", c, rust);
}

#[test]
fn field_offsets_and_sizes_match_c() {
    let rust = vec![
        field!(gemmconv_conv_desc, struct_size),
        field!(gemmconv_conv_desc, layout),
        field!(gemmconv_conv_desc, filter_layout),
        field!(gemmconv_conv_desc, batch),
        field!(gemmconv_conv_desc, groups),
        field!(gemmconv_conv_desc, in_channels),
        field!(gemmconv_conv_desc, out_channels),
        field!(gemmconv_conv_desc, in_height),
        field!(gemmconv_conv_desc, in_width),
        field!(gemmconv_conv_desc, kernel_height),
        field!(gemmconv_conv_desc, kernel_width),
        field!(gemmconv_conv_desc, stride_height),
        field!(gemmconv_conv_desc, stride_width),
        field!(gemmconv_conv_desc, dilation_height),
        field!(gemmconv_conv_desc, dilation_width),
        field!(gemmconv_conv_desc, pad_top),
        field!(gemmconv_conv_desc, pad_bottom),
        field!(gemmconv_conv_desc, pad_left),
        field!(gemmconv_conv_desc, pad_right),
        field!(gemmconv_plan_options, struct_size),
        field!(gemmconv_plan_options, algo),
        field!(gemmconv_plan_options, num_threads),
        field!(gemmconv_plan_options, flags),
        field!(gemmconv_plan_options, workspace_limit),
        field!(gemmconv_plan_options, output_min),
        field!(gemmconv_plan_options, output_max),
        field!(gemmconv_candidate, struct_size),
        field!(gemmconv_candidate, algo),
        field!(gemmconv_candidate, verdict),
        field!(gemmconv_candidate, workspace_bytes),
        field!(gemmconv_candidate, estimated_seconds),
        field!(gemmconv_candidate, measured_seconds),
    ];
    let key = |(t, f, o, s): (&'static str, &'static str, usize, usize)| ((t, f), (o, s));
    same(
        "fields (offset, size)",
        C_FIELDS.iter().copied().map(key).collect(),
        rust.into_iter().map(key).collect(),
    );
}

#[test]
fn enum_types_match_c() {
    let rust = vec![
        enum_type!(gemmconv_status),
        enum_type!(gemmconv_layout),
        enum_type!(gemmconv_filter_layout),
        enum_type!(gemmconv_algo),
    ];
    let key = |(n, s, signed): (&'static str, usize, bool)| (n, (s, signed));
    same(
        "enum types (size, signed)",
        C_ENUM_TYPES.iter().copied().map(key).collect(),
        rust.into_iter().map(key).collect(),
    );
}

#[test]
fn constants_match_c() {
    let rust = vec![
        constant!(GEMMCONV_STATUS_SUCCESS),
        constant!(GEMMCONV_STATUS_INVALID_ARGUMENT),
        constant!(GEMMCONV_STATUS_UNSUPPORTED),
        constant!(GEMMCONV_STATUS_OVERFLOW),
        constant!(GEMMCONV_STATUS_WORKSPACE_TOO_SMALL),
        constant!(GEMMCONV_STATUS_MISALIGNED),
        constant!(GEMMCONV_STATUS_OUT_OF_MEMORY),
        constant!(GEMMCONV_STATUS_OVER_BUDGET),
        constant!(GEMMCONV_STATUS_INTERNAL),
        constant!(GEMMCONV_LAYOUT_NCHW),
        constant!(GEMMCONV_LAYOUT_NHWC),
        constant!(GEMMCONV_FILTER_OIHW),
        constant!(GEMMCONV_FILTER_OHWI),
        constant!(GEMMCONV_ALGO_AUTO),
        constant!(GEMMCONV_ALGO_DIRECT),
        constant!(GEMMCONV_ALGO_GEMM_1X1),
        constant!(GEMMCONV_ALGO_IM2COL_COPY_LONG),
        constant!(GEMMCONV_ALGO_IM2ROW_COPY_SHORT),
        constant!(GEMMCONV_ALGO_IM2COL_SCAN),
        constant!(GEMMCONV_ALGO_IM2COL_COPY_SHORT),
        constant!(GEMMCONV_ALGO_IM2COL_COPY_SELF),
        constant!(GEMMCONV_ALGO_IM2ROW_SCAN),
        constant!(GEMMCONV_ALGO_IM2ROW_COPY_LONG),
        constant!(GEMMCONV_ALGO_IM2ROW_COPY_SELF),
        constant!(GEMMCONV_ALGO_MEC_COL),
        constant!(GEMMCONV_ALGO_MEC_ROW),
        constant!(GEMMCONV_ALGO_KN2ROW),
        constant!(GEMMCONV_ALGO_KN2COL),
        constant!(GEMMCONV_ALGO_KN2ROW_AA),
        constant!(GEMMCONV_ALGO_KN2COL_AA),
        constant!(GEMMCONV_ALGO_KN2ROW_AS),
        constant!(GEMMCONV_ALGO_KN2COL_AS),
        constant!(GEMMCONV_ALGO_TILED_NCHW),
        constant!(GEMMCONV_ALGO_TILED_NHWC),
        constant!(GEMMCONV_ALGO_DEPTHWISE_NCHW),
        constant!(GEMMCONV_ALGO_DEPTHWISE_NHWC),
        constant!(GEMMCONV_ALGO_GROUPED_NHWC),
        constant!(GEMMCONV_ALGO_GROUPED_NCHW),
        constant!(GEMMCONV_ALGO_CHANNELS_NCHW),
        constant!(GEMMCONV_ALGO_POINTWISE_NCHW),
        constant!(GEMMCONV_ALGO_ROWS_NCHW),
        constant!(GEMMCONV_ALGO_CHANNELS_STAGED_NCHW),
        constant!(GEMMCONV_WORKSPACE_ALIGNMENT),
        constant!(GEMMCONV_FLAG_MEASURE),
    ];
    same("constants", C_CONSTANTS.to_vec(), rust);
}

#[test]
fn every_header_function_is_declared() {
    // Naming each function makes this fail to compile if sys.rs lacks one; comparing the list with
    // the header's GEMMCONV_API declarations catches one sys.rs never declared.
    macro_rules! functions {
        ($($f:ident),* $(,)?) => { vec![$((stringify!($f), sys::$f as *const () as usize != 0)),*] };
    }
    let rust = functions![
        gemmconv_conv_desc_init,
        gemmconv_plan_options_init,
        gemmconv_output_dims,
        gemmconv_plan_create,
        gemmconv_plan_workspace_size,
        gemmconv_plan_persistent_size,
        gemmconv_plan_algo,
        gemmconv_execute,
        gemmconv_plan_candidate_count,
        gemmconv_plan_candidate,
        gemmconv_plan_destroy,
        gemmconv_algo_count,
        gemmconv_algo_name,
        gemmconv_algo_from_name,
        gemmconv_status_string,
        gemmconv_version_string,
    ];
    assert!(
        C_FUNCTIONS.len() >= 14,
        "header parse found {:?}",
        C_FUNCTIONS
    );
    same(
        "functions",
        C_FUNCTIONS.iter().map(|&n| (n, true)).collect(),
        rust,
    );
}

#[test]
fn init_functions_fill_what_the_safe_layer_assumes() {
    let desc = gemmconv::ConvDesc::new(3, 5, (7, 9), (3, 3)).to_sys();
    assert_eq!(desc.struct_size, size_of::<gemmconv_conv_desc>());
    assert_eq!((desc.batch, desc.groups), (1, 1));
    assert_eq!((desc.stride_height, desc.dilation_width), (1, 1));
    let options = gemmconv::Options::default().to_sys();
    assert_eq!(options.struct_size, size_of::<gemmconv_plan_options>());
    assert_eq!(options.workspace_limit, usize::MAX);
    assert_eq!(options.output_min, f32::NEG_INFINITY);
    assert_eq!(options.output_max, f32::INFINITY);
}
