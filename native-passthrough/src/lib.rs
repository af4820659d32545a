//! The native passthrough: [`Posix`](vfsbox_api::Posix) as raw Linux syscalls.
//!
//! **This is not a sandbox.** [`Native`] calls the kernel directly: its descriptors are the
//! process's real file descriptors, its current directory and umask are the process's own,
//! and absolute paths and `..` reach the whole host filesystem. It exists to be the
//! *reference behaviour*: the differential tests run every scenario on it (in a child process,
//! in a fresh temporary directory) and hold the emulated layer to whatever the kernel answered,
//! and the benchmarks measure the emulated layer against it.
//!
//! Each method is the syscall (or glibc function) of the same name with the arguments passed
//! through unchanged, so bad flags, bad whence values, negative offsets and bad descriptors get
//! the kernel's own errno. The only answers made here, before any syscall, are those no C
//! caller could ask for: a path with an interior NUL is `EINVAL`, and `fcntl` commands whose
//! argument is not an integer are refused with `EINVAL` (after `EBADF` for a bad descriptor,
//! in the kernel's order) instead of passing an integer where the kernel expects a pointer.
//!
//! Paths shorter than a few hundred bytes are turned into C strings on the stack, so the
//! common calls allocate nothing; only directory streams keep state here (a table of the
//! libc `DIR *` handles keyed by [`DirStream`](vfsbox_api::DirStream) ids).
//!
//! All `unsafe` code lives in one module, `sys`, with a `SAFETY` comment on each block.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod cstr;
mod sys;

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;

/// The native passthrough: every [`Posix`](vfsbox_api::Posix) call is the real syscall on the
/// real process. Not a sandbox; see the crate documentation.
///
/// All instances share the process's descriptors, current directory and umask (they are the
/// kernel's); each instance has its own table of directory streams.
#[derive(Default)]
pub struct Native {
    /// Open directory streams: id → libc `DIR *`. A B-tree, not a `HashMap`: a process
    /// holds few streams, and SipHashing the id cost as much as the `readdir` it guards.
    dirs: Mutex<BTreeMap<u64, sys::DirPtr>>,
    /// The next directory stream id.
    next_dir: AtomicU64,
}

impl Native {
    /// The passthrough for this process.
    pub fn new() -> Native {
        Native::default()
    }
}

impl std::fmt::Debug for Native {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Native").finish_non_exhaustive()
    }
}

impl Drop for Native {
    /// Closes the directory streams left open, as process exit would.
    fn drop(&mut self) {
        let dirs = std::mem::take(self.dirs.get_mut().unwrap_or_else(|e| e.into_inner()));
        for (_, dir) in dirs {
            // Nothing to report to from a destructor; the descriptor is gone either way.
            let _ = sys::close_dir(dir);
        }
    }
}
