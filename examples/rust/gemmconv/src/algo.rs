//! Algorithm identifiers: the public enum's numbers, which never change meaning.

use std::ffi::CString;
use std::fmt;

use crate::error::{check, Error, Result};
use crate::sys;

/// An algorithm, by its number in `enum gemmconv_algo`. The library may know more algorithms
/// than the constants below name: [`Algo::all`] lists what the linked library has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Algo(pub u32);

impl Algo {
    /// Let the library choose.
    pub const AUTO: Algo = Algo(sys::GEMMCONV_ALGO_AUTO);
    /// "direct": the reference loop nest; computes every convolution.
    pub const DIRECT: Algo = Algo(sys::GEMMCONV_ALGO_DIRECT);
    /// "gemm-1x1": 1x1 kernels, stride 1, no padding.
    pub const GEMM_1X1: Algo = Algo(sys::GEMMCONV_ALGO_GEMM_1X1);
    /// "im2col-copy-long": NCHW patch matrix.
    pub const IM2COL_COPY_LONG: Algo = Algo(sys::GEMMCONV_ALGO_IM2COL_COPY_LONG);
    /// "im2row-copy-short": NHWC patch matrix.
    pub const IM2ROW_COPY_SHORT: Algo = Algo(sys::GEMMCONV_ALGO_IM2ROW_COPY_SHORT);
    pub const IM2COL_SCAN: Algo = Algo(sys::GEMMCONV_ALGO_IM2COL_SCAN);
    pub const IM2COL_COPY_SHORT: Algo = Algo(sys::GEMMCONV_ALGO_IM2COL_COPY_SHORT);
    pub const IM2COL_COPY_SELF: Algo = Algo(sys::GEMMCONV_ALGO_IM2COL_COPY_SELF);
    pub const IM2ROW_SCAN: Algo = Algo(sys::GEMMCONV_ALGO_IM2ROW_SCAN);
    pub const IM2ROW_COPY_LONG: Algo = Algo(sys::GEMMCONV_ALGO_IM2ROW_COPY_LONG);
    pub const IM2ROW_COPY_SELF: Algo = Algo(sys::GEMMCONV_ALGO_IM2ROW_COPY_SELF);
    pub const MEC_COL: Algo = Algo(sys::GEMMCONV_ALGO_MEC_COL);
    pub const MEC_ROW: Algo = Algo(sys::GEMMCONV_ALGO_MEC_ROW);
    pub const KN2ROW: Algo = Algo(sys::GEMMCONV_ALGO_KN2ROW);
    pub const KN2COL: Algo = Algo(sys::GEMMCONV_ALGO_KN2COL);
    pub const KN2ROW_AA: Algo = Algo(sys::GEMMCONV_ALGO_KN2ROW_AA);
    pub const KN2COL_AA: Algo = Algo(sys::GEMMCONV_ALGO_KN2COL_AA);
    pub const KN2ROW_AS: Algo = Algo(sys::GEMMCONV_ALGO_KN2ROW_AS);
    pub const KN2COL_AS: Algo = Algo(sys::GEMMCONV_ALGO_KN2COL_AS);
    pub const TILED_NCHW: Algo = Algo(sys::GEMMCONV_ALGO_TILED_NCHW);
    pub const TILED_NHWC: Algo = Algo(sys::GEMMCONV_ALGO_TILED_NHWC);
    /// "depthwise-nchw": groups = C, M = C x multiplier, NCHW activations.
    pub const DEPTHWISE_NCHW: Algo = Algo(sys::GEMMCONV_ALGO_DEPTHWISE_NCHW);
    /// "depthwise-nhwc": groups = C, M = C x multiplier, NHWC activations.
    pub const DEPTHWISE_NHWC: Algo = Algo(sys::GEMMCONV_ALGO_DEPTHWISE_NHWC);
    /// "grouped-nhwc": grouped convolutions with few channels per group, NHWC activations.
    pub const GROUPED_NHWC: Algo = Algo(sys::GEMMCONV_ALGO_GROUPED_NHWC);
    /// "grouped-nchw": any convolution (any groups), NCHW activations, vectorised over pixels.
    pub const GROUPED_NCHW: Algo = Algo(sys::GEMMCONV_ALGO_GROUPED_NCHW);
    /// "channels-nchw": any convolution (any groups), NCHW activations, vectorised over output
    /// channels.
    pub const CHANNELS_NCHW: Algo = Algo(sys::GEMMCONV_ALGO_CHANNELS_NCHW);
    /// "pointwise-nchw": 1x1 convolutions with stride 1 and no padding, NCHW activations,
    /// vectorised over pixels.
    pub const POINTWISE_NCHW: Algo = Algo(sys::GEMMCONV_ALGO_POINTWISE_NCHW);
    /// "rows-nchw": convolutions with stride 1 and dilation 1, NCHW activations, vectorised
    /// over the pixels of output rows.
    pub const ROWS_NCHW: Algo = Algo(sys::GEMMCONV_ALGO_ROWS_NCHW);
    /// "channels-staged-nchw": channels-nchw's loop on NCHW activations, reading a band of input
    /// rows staged channels-last with its padding.
    pub const CHANNELS_STAGED_NCHW: Algo = Algo(sys::GEMMCONV_ALGO_CHANNELS_STAGED_NCHW);

    /// Every algorithm the linked library has, AUTO excluded (the values 1..=count).
    pub fn all() -> impl Iterator<Item = Algo> {
        // SAFETY: no arguments, no preconditions.
        let count = unsafe { sys::gemmconv_algo_count() };
        (1..=count.max(0) as u32).map(Algo)
    }

    /// The library's name for it ("direct", "auto", ...), `None` if the library does not know it.
    pub fn name(self) -> Option<&'static str> {
        // SAFETY: any value is accepted; the result is NULL or a static string.
        unsafe { crate::static_str(sys::gemmconv_algo_name(self.0)) }
    }

    /// The algorithm with that name, as [`Algo::name`] spells it.
    pub fn from_name(name: &str) -> Result<Algo> {
        let name = CString::new(name).map_err(|_| Error::InvalidArgument)?;
        let mut algo = sys::GEMMCONV_ALGO_AUTO;
        // SAFETY: name is NUL-terminated and algo is a valid place to write.
        check(unsafe { sys::gemmconv_algo_from_name(name.as_ptr(), &mut algo) })?;
        Ok(Algo(algo))
    }
}

impl fmt::Display for Algo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "algorithm #{}", self.0),
        }
    }
}
