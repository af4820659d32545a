//! The few raw calls the native child needs before it runs a scenario.
#![allow(unsafe_code)]

use vfsbox_api::Errno;

fn check(ret: i64) -> Result<(), Errno> {
    if ret < 0 {
        Err(Errno::from_io(&std::io::Error::last_os_error()))
    } else {
        Ok(())
    }
}

/// Closes every descriptor from 3 up, so the scenario's descriptors are numbered as in a
/// fresh process (and as in the emulated layer) whatever the test runner left open.
pub fn close_from_3() -> Result<(), Errno> {
    // SAFETY: close_range takes no pointers; closing descriptors this process does not use
    // any more (the child uses only 0-2 and what the scenario opens later).
    check(unsafe { libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) })
}

/// Becomes `uid`/`gid` with no supplementary groups, for good (real, effective, saved).
pub fn drop_privileges(uid: u32, gid: u32) -> Result<(), Errno> {
    // SAFETY: an empty group list needs no pointer.
    check(unsafe { libc::setgroups(0, std::ptr::null()) } as i64)?;
    // SAFETY: no pointers; glibc applies the change to every thread of the process.
    check(unsafe { libc::setgid(gid) } as i64)?;
    // SAFETY: as above.
    check(unsafe { libc::setuid(uid) } as i64)
}
