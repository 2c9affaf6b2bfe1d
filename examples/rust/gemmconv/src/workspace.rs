//! Scratch memory for `Plan::execute`, owned by the caller.

use std::alloc::{self, Layout};
use std::fmt;
use std::os::raw::c_void;
use std::ptr;

use crate::error::{Error, Result};
use crate::sys;

/// A buffer aligned to `GEMMCONV_WORKSPACE_ALIGNMENT` (64 bytes). Its contents are scratch: the
/// crate never reads them, so they stay uninitialised and are never exposed as a slice.
/// One workspace serves one execution at a time (`execute` borrows it mutably); give each thread
/// its own.
pub struct Workspace {
    ptr: *mut u8, // null exactly when len == 0
    len: usize,
}

// SAFETY: Workspace uniquely owns its allocation, like a Vec<u8>, and has no interior mutability.
unsafe impl Send for Workspace {}
unsafe impl Sync for Workspace {}

impl Workspace {
    /// Alignment of every workspace, in bytes.
    pub const ALIGNMENT: usize = sys::GEMMCONV_WORKSPACE_ALIGNMENT;

    /// A workspace of `bytes` bytes (none allocated when 0). Overflow if the size cannot be
    /// rounded to the alignment, OutOfMemory if the allocator refuses.
    pub fn new(bytes: usize) -> Result<Workspace> {
        if bytes == 0 {
            return Ok(Workspace {
                ptr: ptr::null_mut(),
                len: 0,
            });
        }
        let layout =
            Layout::from_size_align(bytes, Self::ALIGNMENT).map_err(|_| Error::Overflow)?;
        // SAFETY: layout has a non-zero size.
        let ptr = unsafe { alloc::alloc(layout) };
        if ptr.is_null() {
            return Err(Error::OutOfMemory);
        }
        Ok(Workspace { ptr, len: bytes })
    }

    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pointer to pass as `workspace` (NULL when empty, as the C API allows for size 0).
    pub(crate) fn as_mut_ptr(&mut self) -> *mut c_void {
        self.ptr.cast()
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if !self.ptr.is_null() {
            // SAFETY: ptr came from alloc with exactly this layout (new() checked it is valid).
            unsafe {
                alloc::dealloc(
                    self.ptr,
                    Layout::from_size_align_unchecked(self.len, Self::ALIGNMENT),
                )
            };
        }
    }
}

impl fmt::Debug for Workspace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Workspace").field("len", &self.len).finish()
    }
}
