//! Byte paths as C strings, on the stack when they are short.
//!
//! A path with an interior NUL cannot be passed to the kernel (a C caller could not even
//! write it), so it is `EINVAL` here, the answer the emulated layer gives too.

use std::ffi::{c_char, CString};

use vfsbox_api::Errno;

/// Paths shorter than this are copied into a stack buffer; longer ones allocate.
const STACK: usize = 512;

/// Calls `f` with `bytes` as a NUL-terminated C string.
///
/// # Errors
/// `EINVAL` if `bytes` contains a NUL.
#[inline]
pub(crate) fn with_cstr<R>(
    bytes: &[u8],
    f: impl FnOnce(*const c_char) -> Result<R, Errno>,
) -> Result<R, Errno> {
    if bytes.contains(&0) {
        return Err(Errno::EINVAL);
    }
    if bytes.len() < STACK {
        let mut buf = [0u8; STACK];
        buf[..bytes.len()].copy_from_slice(bytes);
        // buf[bytes.len()] is the terminating NUL already.
        f(buf.as_ptr().cast())
    } else {
        let owned = CString::new(bytes).map_err(|_| Errno::EINVAL)?;
        f(owned.as_ptr())
    }
}

/// Calls `f` with two C strings (for `renameat2`, `linkat`, `symlinkat`, xattr calls).
#[inline]
pub(crate) fn with_cstr2<R>(
    a: &[u8],
    b: &[u8],
    f: impl FnOnce(*const c_char, *const c_char) -> Result<R, Errno>,
) -> Result<R, Errno> {
    with_cstr(a, |a| with_cstr(b, |b| f(a, b)))
}
