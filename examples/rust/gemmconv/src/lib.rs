//! Rust bindings to libgemmconv: DNN convolutions through GEMM with little extra memory.
//!
//! [`sys`] declares the C API exactly as `gemmconv.h` does; the rest is a safe layer over it:
//! a [`Plan`] owning the handle, [`Error`] for the status codes, and a [`Workspace`] the caller
//! allocates once (64-byte aligned) and reuses. The build script finds the library with
//! `pkg-config gemmconv` (set `PKG_CONFIG_PATH` for a library installed in a prefix).
//!
//! ```
//! use gemmconv::{ConvDesc, Options, Plan};
//!
//! // 2 -> 4 channels, one 8x8 image, 3x3 kernel, padding 1 (so the output is 8x8 too).
//! let desc = ConvDesc::new(2, 4, (8, 8), (3, 3)).pad(1);
//! let filter = vec![0.5f32; desc.filter_len()?]; // [4][2][3][3], OIHW
//! let bias = [1.0f32, 2.0, 3.0, 4.0];
//! let plan = Plan::new(&desc, &filter, Some(&bias), &Options::default())?;
//!
//! let mut workspace = plan.new_workspace()?; // plan.workspace_size() bytes, aligned
//! let input = vec![1.0f32; plan.input_len()]; // [1][2][8][8], NCHW
//! let mut output = vec![0.0f32; plan.output_len()]; // [1][4][8][8]
//! plan.execute(&input, &mut output, &mut workspace)?;
//!
//! // An interior pixel of channel 3 sees 2*3*3 taps of 0.5 * 1.0, plus its bias 4.
//! assert_eq!(output[3 * 64 + 4 * 8 + 4], 13.0);
//! println!("{} needs {} workspace bytes", plan.algo(), plan.workspace_size());
//! # Ok::<(), gemmconv::Error>(())
//! ```

use std::ffi::CStr;
use std::os::raw::c_char;

mod algo;
mod desc;
mod error;
mod plan;
pub mod sys;
mod workspace;

pub use algo::Algo;
pub use desc::{ConvDesc, FilterLayout, Layout};
pub use error::{Error, Result};
pub use plan::{Options, Plan};
pub use workspace::Workspace;

/// The linked library's version, "MAJOR.MINOR.PATCH".
pub fn version() -> &'static str {
    // SAFETY: no preconditions; the result is a static string.
    unsafe { static_str(sys::gemmconv_version_string()) }.unwrap_or("")
}

/// A string the library returns with static lifetime (names, descriptions), `None` for NULL or
/// text that is not UTF-8.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that lives as long as the program.
pub(crate) unsafe fn static_str(p: *const c_char) -> Option<&'static str> {
    if p.is_null() {
        None
    } else {
        CStr::from_ptr(p).to_str().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn plan_and_workspace_are_send_and_sync() {
        assert_send_sync::<Plan>();
        assert_send_sync::<Workspace>();
        assert_send_sync::<Error>();
    }

    #[test]
    fn every_status_round_trips() {
        for status in 1..=8 {
            let error = Error::from_status(status).unwrap();
            assert_eq!(error.status(), status);
            assert!(!error.to_string().is_empty());
        }
        assert_eq!(Error::from_status(sys::GEMMCONV_STATUS_SUCCESS), None);
        assert_eq!(Error::from_status(99), Some(Error::Unknown(99)));
        assert!(!Error::Unknown(99).to_string().is_empty());
    }

    #[test]
    fn version_and_names() {
        assert_eq!(version().split('.').count(), 3);
        assert_eq!(Algo::AUTO.name(), Some("auto"));
        assert_eq!(Algo::from_name("direct"), Ok(Algo::DIRECT));
        assert_eq!(Algo::from_name("no-such"), Err(Error::InvalidArgument));
        assert_eq!(Algo::from_name("nul\0inside"), Err(Error::InvalidArgument));
        assert!(Algo::all().count() >= 4);
        for algo in Algo::all() {
            assert_eq!(Algo::from_name(algo.name().unwrap()), Ok(algo));
        }
    }

    #[test]
    fn every_named_constant_is_known_to_the_library_by_its_header_name() {
        // A constant the linked library does not know would make Plan::new fail for a caller who
        // names it; the names are the ones gemmconv.h documents.
        let named = [
            (Algo::DIRECT, "direct"),
            (Algo::GEMM_1X1, "gemm-1x1"),
            (Algo::IM2COL_COPY_LONG, "im2col-copy-long"),
            (Algo::IM2ROW_COPY_SHORT, "im2row-copy-short"),
            (Algo::IM2COL_SCAN, "im2col-scan"),
            (Algo::IM2COL_COPY_SHORT, "im2col-copy-short"),
            (Algo::IM2COL_COPY_SELF, "im2col-copy-self"),
            (Algo::IM2ROW_SCAN, "im2row-scan"),
            (Algo::IM2ROW_COPY_LONG, "im2row-copy-long"),
            (Algo::IM2ROW_COPY_SELF, "im2row-copy-self"),
            (Algo::MEC_COL, "mec-col"),
            (Algo::MEC_ROW, "mec-row"),
            (Algo::KN2ROW, "kn2row"),
            (Algo::KN2COL, "kn2col"),
            (Algo::KN2ROW_AA, "kn2row-aa"),
            (Algo::KN2COL_AA, "kn2col-aa"),
            (Algo::KN2ROW_AS, "kn2row-as"),
            (Algo::KN2COL_AS, "kn2col-as"),
            (Algo::TILED_NCHW, "tiled-nchw"),
            (Algo::TILED_NHWC, "tiled-nhwc"),
            (Algo::DEPTHWISE_NCHW, "depthwise-nchw"),
            (Algo::DEPTHWISE_NHWC, "depthwise-nhwc"),
            (Algo::GROUPED_NHWC, "grouped-nhwc"),
            (Algo::GROUPED_NCHW, "grouped-nchw"),
            (Algo::CHANNELS_NCHW, "channels-nchw"),
            (Algo::POINTWISE_NCHW, "pointwise-nchw"),
            (Algo::ROWS_NCHW, "rows-nchw"),
            (Algo::CHANNELS_STAGED_NCHW, "channels-staged-nchw"),
        ];
        for (i, &(algo, name)) in named.iter().enumerate() {
            assert_eq!(algo.0 as usize, i + 1, "{} out of enum order", name);
            assert_eq!(algo.name(), Some(name));
            assert_eq!(Algo::from_name(name), Ok(algo));
        }
        assert!(Algo::all().count() >= named.len());
    }
}
