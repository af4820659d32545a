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

/// Closes every descriptor but `keep`, so the scenario's descriptors are numbered from 0 as
/// in an emulated process, whatever the test runner left open.
pub fn close_all_but(keep: i32) -> Result<(), Errno> {
    let keep = keep as u32;
    // SAFETY: close_range takes no pointers; the child uses no descriptor but `keep` after
    // this (the standard streams included).
    check(unsafe { libc::syscall(libc::SYS_close_range, 0u32, keep - 1, 0u32) })?;
    // SAFETY: as above.
    check(unsafe { libc::syscall(libc::SYS_close_range, keep + 1, u32::MAX, 0u32) })
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

/// Writes all of `data` to `fd`, retrying short writes; false on any error. The native child
/// reports through it, also from its panic hook (no allocation-free writer is needed there,
/// only one that does not depend on the closed standard streams).
pub fn write_all(fd: i32, mut data: &[u8]) -> bool {
    while !data.is_empty() {
        // SAFETY: the pointer and length describe `data`, which lives across the call.
        let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if n <= 0 {
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return false;
        }
        data = &data[n as usize..];
    }
    true
}
