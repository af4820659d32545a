//! The raw calls that isolate each native sequence: a forked process chrooted into the
//! sequence's own root, so that its cwd, umask and descriptors end with it and `..` above
//! the root stays at the root as in an emulated layer.
#![allow(unsafe_code)]

use std::ffi::CString;

use vfsbox_api::Errno;

fn last() -> Errno {
    Errno::from_io(&std::io::Error::last_os_error())
}

/// Forks; `Ok(None)` in the new process, `Ok(Some(pid))` in the caller.
///
/// Only for a single-threaded caller (the native child is): the new process holds no lock
/// another thread could have taken.
pub fn fork() -> Result<Option<i32>, Errno> {
    // SAFETY: fork takes no pointers; the native child that calls it runs one thread, so the
    // new process starts with consistent allocator and stdio state.
    match unsafe { libc::fork() } {
        -1 => Err(last()),
        0 => Ok(None),
        pid => Ok(Some(pid)),
    }
}

/// Makes `dir` the root of this process and changes to it.
pub fn chroot(dir: &[u8]) -> Result<(), Errno> {
    let c = CString::new(dir).map_err(|_| Errno::EINVAL)?;
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    if unsafe { libc::chroot(c.as_ptr()) } < 0 {
        return Err(last());
    }
    // SAFETY: a static NUL-terminated string.
    if unsafe { libc::chdir(c"/".as_ptr()) } < 0 {
        return Err(last());
    }
    Ok(())
}

/// Waits for `pid`; its exit code, or 128 + the signal that ended it.
pub fn wait(pid: i32) -> Result<i32, Errno> {
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid, writable int for the duration of the call.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            break;
        }
        let e = last();
        if e != Errno::EINTR {
            return Err(e);
        }
    }
    Ok(if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    })
}

/// Ends the forked process at once (no atexit handlers, no unwinding into the caller's
/// loop).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit takes no pointers and does not return.
    unsafe { libc::_exit(code) }
}
