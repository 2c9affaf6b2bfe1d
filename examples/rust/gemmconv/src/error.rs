//! The library's status codes as a Rust error.

use std::fmt;

use crate::sys;

/// Why a call into libgemmconv failed: one variant per `gemmconv_status` other than SUCCESS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// A zero or inconsistent dimension, a slice of the wrong length, a bad option, ...
    InvalidArgument,
    /// A valid convolution that the requested algorithm cannot compute.
    Unsupported,
    /// A size or index would not fit its type.
    Overflow,
    /// The workspace is smaller than the plan needs.
    WorkspaceTooSmall,
    /// The workspace is not 64-byte aligned (cannot happen with [`crate::Workspace`]).
    Misaligned,
    /// An allocation failed (in the library, or of a [`crate::Workspace`]).
    OutOfMemory,
    /// AUTO: no algorithm's workspace fits `Options::workspace_limit`.
    OverBudget,
    /// A bug in the library.
    Internal,
    /// A status this crate does not know (a newer library): its raw value.
    Unknown(u32),
}

/// The result of every fallible call in this crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The error for a status, or `None` for SUCCESS.
    pub fn from_status(status: sys::gemmconv_status) -> Option<Error> {
        Some(match status {
            sys::GEMMCONV_STATUS_SUCCESS => return None,
            sys::GEMMCONV_STATUS_INVALID_ARGUMENT => Error::InvalidArgument,
            sys::GEMMCONV_STATUS_UNSUPPORTED => Error::Unsupported,
            sys::GEMMCONV_STATUS_OVERFLOW => Error::Overflow,
            sys::GEMMCONV_STATUS_WORKSPACE_TOO_SMALL => Error::WorkspaceTooSmall,
            sys::GEMMCONV_STATUS_MISALIGNED => Error::Misaligned,
            sys::GEMMCONV_STATUS_OUT_OF_MEMORY => Error::OutOfMemory,
            sys::GEMMCONV_STATUS_OVER_BUDGET => Error::OverBudget,
            sys::GEMMCONV_STATUS_INTERNAL => Error::Internal,
            other => Error::Unknown(other),
        })
    }

    /// The C status code of this error.
    pub fn status(self) -> sys::gemmconv_status {
        match self {
            Error::InvalidArgument => sys::GEMMCONV_STATUS_INVALID_ARGUMENT,
            Error::Unsupported => sys::GEMMCONV_STATUS_UNSUPPORTED,
            Error::Overflow => sys::GEMMCONV_STATUS_OVERFLOW,
            Error::WorkspaceTooSmall => sys::GEMMCONV_STATUS_WORKSPACE_TOO_SMALL,
            Error::Misaligned => sys::GEMMCONV_STATUS_MISALIGNED,
            Error::OutOfMemory => sys::GEMMCONV_STATUS_OUT_OF_MEMORY,
            Error::OverBudget => sys::GEMMCONV_STATUS_OVER_BUDGET,
            Error::Internal => sys::GEMMCONV_STATUS_INTERNAL,
            Error::Unknown(raw) => raw,
        }
    }
}

/// `Ok(())` for SUCCESS, the matching error otherwise.
pub(crate) fn check(status: sys::gemmconv_status) -> Result<()> {
    match Error::from_status(status) {
        None => Ok(()),
        Some(error) => Err(error),
    }
}

impl fmt::Display for Error {
    /// The library's own description (`gemmconv_status_string`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: gemmconv_status_string accepts any value and never returns NULL.
        let text = unsafe { crate::static_str(sys::gemmconv_status_string(self.status())) };
        f.write_str(text.unwrap_or("unknown gemmconv status"))
    }
}

impl std::error::Error for Error {}
