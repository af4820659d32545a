//! The raw syscalls: every `Posix` method of [`Native`], one libc call each.
//!
//! Every `unsafe` block here calls a libc function with pointers that come from live Rust
//! values (C strings built by [`with_cstr`], buffers borrowed for the duration of the call,
//! `#[repr(C)]` structures from the `libc` crate), so the kernel reads and writes only memory
//! we own for as long as the call lasts.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::Ordering;

use vfsbox_api::{
    DirBatch, DirRecord, DirStream, Errno, Fd, Flock, Posix, Stat, StatVfs, TimeSpec, Timestamp,
};

use crate::cstr::{with_cstr, with_cstr2};
use crate::Native;

/// A libc `DIR *`, owned by the stream table.
pub(crate) struct DirPtr(*mut libc::DIR);

// SAFETY: a `DIR *` is not tied to the thread that opened it; the table's mutex makes sure only
// one thread uses a given stream at a time.
unsafe impl Send for DirPtr {}

/// Closes a stream taken out of the table.
pub(crate) fn close_dir(dir: DirPtr) -> Result<(), Errno> {
    // SAFETY: `dir.0` came from a successful opendir/fdopendir and was removed from the table,
    // so nobody else can use it after this call.
    check(unsafe { libc::closedir(dir.0) }).map(drop)
}

/// The calling thread's errno.
#[inline]
fn errno() -> Errno {
    // SAFETY: __errno_location returns a valid pointer to this thread's errno.
    Errno::from_raw(unsafe { *libc::__errno_location() })
}

/// Sets the calling thread's errno (to tell "end of stream" from an error in readdir).
#[inline]
fn set_errno(value: c_int) {
    // SAFETY: as in `errno`.
    unsafe { *libc::__errno_location() = value };
}

/// A C-style `-1 means errno` result as a `Result`.
#[inline]
fn check(ret: c_int) -> Result<c_int, Errno> {
    if ret < 0 {
        Err(errno())
    } else {
        Ok(ret)
    }
}

/// As [`check`], for calls returning `ssize_t`/`off_t`.
#[inline]
fn check_long(ret: i64) -> Result<i64, Errno> {
    if ret < 0 {
        Err(errno())
    } else {
        Ok(ret)
    }
}

fn timestamp(sec: i64, nsec: i64) -> Timestamp {
    Timestamp {
        sec,
        nsec: nsec as u32,
    }
}

fn to_stat(st: &libc::stat) -> Stat {
    Stat {
        dev: st.st_dev,
        ino: st.st_ino,
        mode: st.st_mode,
        nlink: st.st_nlink,
        uid: st.st_uid,
        gid: st.st_gid,
        rdev: st.st_rdev,
        size: st.st_size,
        blksize: st.st_blksize,
        blocks: st.st_blocks,
        atime: timestamp(st.st_atime, st.st_atime_nsec),
        mtime: timestamp(st.st_mtime, st.st_mtime_nsec),
        ctime: timestamp(st.st_ctime, st.st_ctime_nsec),
    }
}

fn to_statvfs(st: &libc::statvfs) -> StatVfs {
    StatVfs {
        bsize: st.f_bsize,
        frsize: st.f_frsize,
        blocks: st.f_blocks,
        bfree: st.f_bfree,
        bavail: st.f_bavail,
        files: st.f_files,
        ffree: st.f_ffree,
        favail: st.f_favail,
        flag: st.f_flag,
        namemax: st.f_namemax,
    }
}

fn timespecs(times: [TimeSpec; 2]) -> [libc::timespec; 2] {
    times.map(|t| libc::timespec {
        tv_sec: t.sec,
        tv_nsec: t.nsec,
    })
}

/// `fcntl` commands whose third argument is an integer (or absent).
fn integer_fcntl(cmd: i32) -> bool {
    matches!(
        cmd,
        libc::F_DUPFD
            | libc::F_DUPFD_CLOEXEC
            | libc::F_GETFD
            | libc::F_SETFD
            | libc::F_GETFL
            | libc::F_SETFL
            | libc::F_GETOWN
            | libc::F_SETOWN
            | libc::F_GETLEASE
            | libc::F_SETLEASE
            | libc::F_NOTIFY
            | libc::F_GETPIPE_SZ
            | libc::F_SETPIPE_SZ
            | libc::F_ADD_SEALS
            | libc::F_GET_SEALS
    )
}

/// Refuses an `fcntl` command this call cannot pass: `EBADF` for a bad descriptor first, as
/// the kernel checks the descriptor before the command, then `EINVAL`.
fn refuse_fcntl(fd: Fd) -> Errno {
    // SAFETY: F_GETFD takes no argument.
    match check(unsafe { libc::fcntl(fd, libc::F_GETFD) }) {
        Err(e) => e,
        Ok(_) => Errno::EINVAL,
    }
}

/// Splits a NUL-separated xattr name list.
fn split_names(list: &[u8]) -> Vec<Vec<u8>> {
    list.split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Reads a variable-sized xattr answer: ask for the size, then fetch, retrying if the value
/// grew in between (`ERANGE`).
fn sized(mut call: impl FnMut(*mut c_void, usize) -> isize) -> Result<Vec<u8>, Errno> {
    loop {
        let size = check_long(call(std::ptr::null_mut(), 0) as i64)? as usize;
        let mut buf = vec![0u8; size];
        match check_long(call(buf.as_mut_ptr().cast(), buf.len()) as i64) {
            Ok(n) => {
                buf.truncate(n as usize);
                return Ok(buf);
            }
            Err(Errno::ERANGE) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Only `AT_SYMLINK_NOFOLLOW` selects the `l*xattr` calls; other bits are `EINVAL`.
fn xattr_nofollow(flags: i32) -> Result<bool, Errno> {
    if flags & !libc::AT_SYMLINK_NOFOLLOW != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(flags & libc::AT_SYMLINK_NOFOLLOW != 0)
}

impl Native {
    fn insert_dir(&self, dir: *mut libc::DIR) -> DirStream {
        let id = self.next_dir.fetch_add(1, Ordering::Relaxed);
        self.dirs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, DirPtr(dir));
        DirStream(id)
    }

    /// Runs `f` on a stream's `DIR *` with the table locked (so no other thread uses it).
    fn with_dir<R>(&self, dir: DirStream, f: impl FnOnce(*mut libc::DIR) -> R) -> Result<R, Errno> {
        let dirs = self.dirs.lock().unwrap_or_else(|e| e.into_inner());
        match dirs.get(&dir.0) {
            Some(ptr) => Ok(f(ptr.0)),
            None => Err(Errno::EBADF),
        }
    }
}

impl Posix for Native {
    fn openat(&self, dirfd: Fd, path: &[u8], flags: i32, mode: u32) -> Result<Fd, Errno> {
        // SAFETY: `p` is a NUL-terminated string alive for the call.
        with_cstr(path, |p| {
            check(unsafe { libc::openat(dirfd, p, flags, mode) })
        })
    }

    fn close(&self, fd: Fd) -> Result<(), Errno> {
        // SAFETY: closing a number only affects the descriptor table.
        check(unsafe { libc::close(fd) }).map(drop)
    }

    fn read(&self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
        // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
        check_long(unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) } as i64)
            .map(|n| n as usize)
    }

    fn write(&self, fd: Fd, data: &[u8]) -> Result<usize, Errno> {
        // SAFETY: the kernel reads at most `data.len()` bytes from `data`.
        check_long(unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) } as i64)
            .map(|n| n as usize)
    }

    fn pread(&self, fd: Fd, buf: &mut [u8], offset: i64) -> Result<usize, Errno> {
        // SAFETY: as `read`.
        check_long(unsafe { libc::pread64(fd, buf.as_mut_ptr().cast(), buf.len(), offset) } as i64)
            .map(|n| n as usize)
    }

    fn pwrite(&self, fd: Fd, data: &[u8], offset: i64) -> Result<usize, Errno> {
        // SAFETY: as `write`.
        check_long(unsafe { libc::pwrite64(fd, data.as_ptr().cast(), data.len(), offset) } as i64)
            .map(|n| n as usize)
    }

    fn lseek(&self, fd: Fd, offset: i64, whence: i32) -> Result<i64, Errno> {
        // SAFETY: no pointers.
        check_long(unsafe { libc::lseek64(fd, offset, whence) })
    }

    fn dup(&self, fd: Fd) -> Result<Fd, Errno> {
        // SAFETY: no pointers.
        check(unsafe { libc::dup(fd) })
    }

    fn dup2(&self, fd: Fd, new_fd: Fd) -> Result<Fd, Errno> {
        // SAFETY: no pointers.
        check(unsafe { libc::dup2(fd, new_fd) })
    }

    fn dup3(&self, fd: Fd, new_fd: Fd, flags: i32) -> Result<Fd, Errno> {
        // SAFETY: no pointers.
        check(unsafe { libc::dup3(fd, new_fd, flags) })
    }

    fn fcntl(&self, fd: Fd, cmd: i32, arg: i64) -> Result<i32, Errno> {
        if !integer_fcntl(cmd) {
            return Err(refuse_fcntl(fd));
        }
        // SAFETY: every command let through takes an integer argument (or none).
        check(unsafe { libc::fcntl(fd, cmd, arg as libc::c_long) })
    }

    fn fcntl_lock(&self, fd: Fd, cmd: i32, lock: &mut Flock) -> Result<(), Errno> {
        if !matches!(cmd, libc::F_GETLK | libc::F_SETLK | libc::F_SETLKW) {
            return Err(refuse_fcntl(fd));
        }
        // SAFETY: `struct flock` is plain data; all-zero is a valid value.
        let mut raw: libc::flock = unsafe { std::mem::zeroed() };
        raw.l_type = lock.kind;
        raw.l_whence = lock.whence;
        raw.l_start = lock.start;
        raw.l_len = lock.len;
        raw.l_pid = lock.pid;
        // SAFETY: the lock commands take a pointer to a `struct flock`, which `raw` is.
        check(unsafe { libc::fcntl(fd, cmd, &mut raw as *mut libc::flock) })?;
        if cmd == libc::F_GETLK {
            *lock = Flock {
                kind: raw.l_type,
                whence: raw.l_whence,
                start: raw.l_start,
                len: raw.l_len,
                pid: raw.l_pid,
            };
        }
        Ok(())
    }

    fn flock(&self, fd: Fd, operation: i32) -> Result<(), Errno> {
        // SAFETY: no pointers.
        check(unsafe { libc::flock(fd, operation) }).map(drop)
    }

    fn fstat(&self, fd: Fd) -> Result<Stat, Errno> {
        // SAFETY: `struct stat` is plain data; the kernel fills it.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `st` is a valid `struct stat` for the call.
        check(unsafe { libc::fstat(fd, &mut st) })?;
        Ok(to_stat(&st))
    }

    fn fstatat(&self, dirfd: Fd, path: &[u8], flags: i32) -> Result<Stat, Errno> {
        with_cstr(path, |p| {
            // SAFETY: as `fstat`.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            // SAFETY: `p` is a C string and `st` a `struct stat`, both alive for the call.
            check(unsafe { libc::fstatat(dirfd, p, &mut st, flags) })?;
            Ok(to_stat(&st))
        })
    }

    fn statvfs(&self, path: &[u8]) -> Result<StatVfs, Errno> {
        with_cstr(path, |p| {
            // SAFETY: `struct statvfs` is plain data.
            let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
            // SAFETY: `p` and `st` are valid for the call.
            check(unsafe { libc::statvfs(p, &mut st) })?;
            Ok(to_statvfs(&st))
        })
    }

    fn fstatvfs(&self, fd: Fd) -> Result<StatVfs, Errno> {
        // SAFETY: `struct statvfs` is plain data.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: `st` is valid for the call.
        check(unsafe { libc::fstatvfs(fd, &mut st) })?;
        Ok(to_statvfs(&st))
    }

    fn mkdirat(&self, dirfd: Fd, path: &[u8], mode: u32) -> Result<(), Errno> {
        // SAFETY: `p` is a C string alive for the call.
        with_cstr(path, |p| {
            check(unsafe { libc::mkdirat(dirfd, p, mode) }).map(drop)
        })
    }

    fn mknodat(&self, dirfd: Fd, path: &[u8], mode: u32, dev: u64) -> Result<(), Errno> {
        // SAFETY: `p` is a C string alive for the call.
        with_cstr(path, |p| {
            check(unsafe { libc::mknodat(dirfd, p, mode, dev) }).map(drop)
        })
    }

    fn unlinkat(&self, dirfd: Fd, path: &[u8], flags: i32) -> Result<(), Errno> {
        // SAFETY: `p` is a C string alive for the call.
        with_cstr(path, |p| {
            check(unsafe { libc::unlinkat(dirfd, p, flags) }).map(drop)
        })
    }

    fn renameat2(
        &self,
        old_dirfd: Fd,
        old: &[u8],
        new_dirfd: Fd,
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        with_cstr2(old, new, |o, n| {
            // SAFETY: `o` and `n` are C strings alive for the call; the syscall takes
            // (int, const char *, int, const char *, unsigned int).
            let ret =
                unsafe { libc::syscall(libc::SYS_renameat2, old_dirfd, o, new_dirfd, n, flags) };
            check_long(ret).map(drop)
        })
    }

    fn linkat(
        &self,
        old_dirfd: Fd,
        old: &[u8],
        new_dirfd: Fd,
        new: &[u8],
        flags: i32,
    ) -> Result<(), Errno> {
        with_cstr2(old, new, |o, n| {
            // SAFETY: `o` and `n` are C strings alive for the call.
            check(unsafe { libc::linkat(old_dirfd, o, new_dirfd, n, flags) }).map(drop)
        })
    }

    fn symlinkat(&self, target: &[u8], dirfd: Fd, path: &[u8]) -> Result<(), Errno> {
        with_cstr2(target, path, |t, p| {
            // SAFETY: `t` and `p` are C strings alive for the call.
            check(unsafe { libc::symlinkat(t, dirfd, p) }).map(drop)
        })
    }

    fn readlinkat(&self, dirfd: Fd, path: &[u8]) -> Result<Vec<u8>, Errno> {
        with_cstr(path, |p| {
            // A link's text is at most PATH_MAX - 1 bytes on Linux.
            let mut buf = [0u8; libc::PATH_MAX as usize];
            // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
            let n =
                check_long(
                    unsafe { libc::readlinkat(dirfd, p, buf.as_mut_ptr().cast(), buf.len()) }
                        as i64,
                )?;
            Ok(buf[..n as usize].to_vec())
        })
    }

    fn fchmodat(&self, dirfd: Fd, path: &[u8], mode: u32, flags: i32) -> Result<(), Errno> {
        // glibc's fchmodat, which implements AT_SYMLINK_NOFOLLOW (EOPNOTSUPP on a symlink).
        // SAFETY: `p` is a C string alive for the call.
        with_cstr(path, |p| {
            check(unsafe { libc::fchmodat(dirfd, p, mode, flags) }).map(drop)
        })
    }

    fn fchmod(&self, fd: Fd, mode: u32) -> Result<(), Errno> {
        // SAFETY: no pointers.
        check(unsafe { libc::fchmod(fd, mode) }).map(drop)
    }

    fn fchownat(
        &self,
        dirfd: Fd,
        path: &[u8],
        uid: u32,
        gid: u32,
        flags: i32,
    ) -> Result<(), Errno> {
        with_cstr(path, |p| {
            // SAFETY: `p` is a C string alive for the call.
            check(unsafe { libc::fchownat(dirfd, p, uid, gid, flags) }).map(drop)
        })
    }

    fn fchown(&self, fd: Fd, uid: u32, gid: u32) -> Result<(), Errno> {
        // SAFETY: no pointers.
        check(unsafe { libc::fchown(fd, uid, gid) }).map(drop)
    }

    fn utimensat(
        &self,
        dirfd: Fd,
        path: &[u8],
        times: [TimeSpec; 2],
        flags: i32,
    ) -> Result<(), Errno> {
        let ts = timespecs(times);
        with_cstr(path, |p| {
            // SAFETY: `p` is a C string and `ts` two timespecs, alive for the call.
            check(unsafe { libc::utimensat(dirfd, p, ts.as_ptr(), flags) }).map(drop)
        })
    }

    fn futimens(&self, fd: Fd, times: [TimeSpec; 2]) -> Result<(), Errno> {
        let ts = timespecs(times);
        // SAFETY: `ts` is two timespecs alive for the call.
        check(unsafe { libc::futimens(fd, ts.as_ptr()) }).map(drop)
    }

    fn faccessat(&self, dirfd: Fd, path: &[u8], mode: i32, flags: i32) -> Result<(), Errno> {
        // glibc's faccessat (faccessat2 underneath), which implements AT_EACCESS.
        // SAFETY: `p` is a C string alive for the call.
        with_cstr(path, |p| {
            check(unsafe { libc::faccessat(dirfd, p, mode, flags) }).map(drop)
        })
    }

    fn truncate(&self, path: &[u8], length: i64) -> Result<(), Errno> {
        // SAFETY: `p` is a C string alive for the call.
        with_cstr(path, |p| {
            check(unsafe { libc::truncate64(p, length) }).map(drop)
        })
    }

    fn ftruncate(&self, fd: Fd, length: i64) -> Result<(), Errno> {
        // SAFETY: no pointers.
        check(unsafe { libc::ftruncate64(fd, length) }).map(drop)
    }

    fn fsync(&self, fd: Fd) -> Result<(), Errno> {
        // SAFETY: no pointers.
        check(unsafe { libc::fsync(fd) }).map(drop)
    }

    fn fdatasync(&self, fd: Fd) -> Result<(), Errno> {
        // SAFETY: no pointers.
        check(unsafe { libc::fdatasync(fd) }).map(drop)
    }

    fn chdir(&self, path: &[u8]) -> Result<(), Errno> {
        // SAFETY: `p` is a C string alive for the call.
        with_cstr(path, |p| check(unsafe { libc::chdir(p) }).map(drop))
    }

    fn fchdir(&self, fd: Fd) -> Result<(), Errno> {
        // SAFETY: no pointers.
        check(unsafe { libc::fchdir(fd) }).map(drop)
    }

    fn getcwd(&self) -> Result<Vec<u8>, Errno> {
        // The raw syscall, not glibc's getcwd, which may fall back to walking `..` by itself.
        // The kernel answers ENOENT for a removed directory, and a path not starting with `/`
        // for one outside the process's root, which getcwd(3) reports as ENOENT too.
        let mut buf = [0u8; libc::PATH_MAX as usize];
        // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
        let n = check_long(unsafe {
            libc::syscall(libc::SYS_getcwd, buf.as_mut_ptr() as *mut c_char, buf.len())
        })? as usize;
        // The syscall's length counts the terminating NUL.
        let path = &buf[..n.saturating_sub(1)];
        if path.first() != Some(&b'/') {
            return Err(Errno::ENOENT);
        }
        Ok(path.to_vec())
    }

    fn umask(&self, mask: u32) -> u32 {
        // SAFETY: no pointers; umask cannot fail.
        unsafe { libc::umask(mask & 0o777) }
    }

    fn realpath(&self, path: &[u8]) -> Result<Vec<u8>, Errno> {
        with_cstr(path, |p| {
            let mut buf = [0u8; libc::PATH_MAX as usize];
            // SAFETY: realpath writes at most PATH_MAX bytes (NUL included) into `buf`.
            let ret = unsafe { libc::realpath(p, buf.as_mut_ptr().cast()) };
            if ret.is_null() {
                return Err(errno());
            }
            let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            Ok(buf[..len].to_vec())
        })
    }

    fn opendir(&self, path: &[u8]) -> Result<DirStream, Errno> {
        with_cstr(path, |p| {
            // SAFETY: `p` is a C string alive for the call.
            let dir = unsafe { libc::opendir(p) };
            if dir.is_null() {
                return Err(errno());
            }
            Ok(self.insert_dir(dir))
        })
    }

    fn fdopendir(&self, fd: Fd) -> Result<DirStream, Errno> {
        // SAFETY: on success the stream owns `fd`; closedir closes it.
        let dir = unsafe { libc::fdopendir(fd) };
        if dir.is_null() {
            return Err(errno());
        }
        Ok(self.insert_dir(dir))
    }

    fn readdir(&self, dir: DirStream) -> Result<Option<DirRecord>, Errno> {
        self.with_dir(dir, |d| {
            set_errno(0);
            // SAFETY: `d` is an open stream, used by this thread only (the table is locked).
            let entry = unsafe { libc::readdir64(d) };
            if entry.is_null() {
                return match errno() {
                    e if e.raw() == 0 => Ok(None),
                    e => Err(e),
                };
            }
            // SAFETY: a non-null entry is valid until the next readdir on `d`, which cannot
            // happen while the table is locked; `d_name` is NUL-terminated.
            let (ino, kind, name) = unsafe {
                let entry = &*entry;
                let name = std::ffi::CStr::from_ptr(entry.d_name.as_ptr());
                (entry.d_ino, entry.d_type, name.to_bytes().to_vec())
            };
            Ok(Some(DirRecord { ino, kind, name }))
        })?
    }

    fn readdir_batch(
        &self,
        dir: DirStream,
        out: &mut DirBatch,
        max: usize,
    ) -> Result<usize, Errno> {
        out.clear();
        self.with_dir(dir, |d| {
            while out.len() < max {
                set_errno(0);
                // SAFETY: `d` is an open stream, used by this thread only (the table is
                // locked).
                let entry = unsafe { libc::readdir64(d) };
                if entry.is_null() {
                    return match errno() {
                        e if e.raw() == 0 || !out.is_empty() => Ok(out.len()),
                        e => Err(e),
                    };
                }
                // SAFETY: a non-null entry is valid until the next readdir on `d`, which
                // cannot happen before it is copied (the table is locked); `d_name` is
                // NUL-terminated.
                unsafe {
                    let entry = &*entry;
                    let name = std::ffi::CStr::from_ptr(entry.d_name.as_ptr());
                    out.push(entry.d_ino, entry.d_type, name.to_bytes());
                }
            }
            Ok(out.len())
        })?
    }

    fn rewinddir(&self, dir: DirStream) -> Result<(), Errno> {
        // SAFETY: `d` is an open stream, used by this thread only (the table is locked).
        self.with_dir(dir, |d| unsafe { libc::rewinddir(d) })
    }

    fn closedir(&self, dir: DirStream) -> Result<(), Errno> {
        let ptr = self
            .dirs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&dir.0)
            .ok_or(Errno::EBADF)?;
        close_dir(ptr)
    }

    fn getxattr(&self, path: &[u8], name: &[u8], flags: i32) -> Result<Vec<u8>, Errno> {
        let nofollow = xattr_nofollow(flags)?;
        with_cstr2(path, name, |p, n| {
            sized(|buf, size| {
                // SAFETY: `p`, `n` are C strings; the kernel writes at most `size` bytes.
                unsafe {
                    if nofollow {
                        libc::lgetxattr(p, n, buf, size)
                    } else {
                        libc::getxattr(p, n, buf, size)
                    }
                }
            })
        })
    }

    fn setxattr(
        &self,
        path: &[u8],
        name: &[u8],
        value: &[u8],
        how: i32,
        flags: i32,
    ) -> Result<(), Errno> {
        let nofollow = xattr_nofollow(flags)?;
        with_cstr2(path, name, |p, n| {
            let v = value.as_ptr().cast();
            // SAFETY: `p`, `n` are C strings; the kernel reads `value.len()` bytes of `value`.
            let ret = unsafe {
                if nofollow {
                    libc::lsetxattr(p, n, v, value.len(), how)
                } else {
                    libc::setxattr(p, n, v, value.len(), how)
                }
            };
            check(ret).map(drop)
        })
    }

    fn listxattr(&self, path: &[u8], flags: i32) -> Result<Vec<Vec<u8>>, Errno> {
        let nofollow = xattr_nofollow(flags)?;
        with_cstr(path, |p| {
            let list = sized(|buf, size| {
                // SAFETY: `p` is a C string; the kernel writes at most `size` bytes.
                unsafe {
                    if nofollow {
                        libc::llistxattr(p, buf.cast(), size)
                    } else {
                        libc::listxattr(p, buf.cast(), size)
                    }
                }
            })?;
            Ok(split_names(&list))
        })
    }

    fn removexattr(&self, path: &[u8], name: &[u8], flags: i32) -> Result<(), Errno> {
        let nofollow = xattr_nofollow(flags)?;
        with_cstr2(path, name, |p, n| {
            // SAFETY: `p`, `n` are C strings alive for the call.
            let ret = unsafe {
                if nofollow {
                    libc::lremovexattr(p, n)
                } else {
                    libc::removexattr(p, n)
                }
            };
            check(ret).map(drop)
        })
    }

    fn fgetxattr(&self, fd: Fd, name: &[u8]) -> Result<Vec<u8>, Errno> {
        with_cstr(name, |n| {
            // SAFETY: `n` is a C string; the kernel writes at most `size` bytes.
            sized(|buf, size| unsafe { libc::fgetxattr(fd, n, buf, size) })
        })
    }

    fn fsetxattr(&self, fd: Fd, name: &[u8], value: &[u8], how: i32) -> Result<(), Errno> {
        with_cstr(name, |n| {
            // SAFETY: `n` is a C string; the kernel reads `value.len()` bytes of `value`.
            let ret = unsafe { libc::fsetxattr(fd, n, value.as_ptr().cast(), value.len(), how) };
            check(ret).map(drop)
        })
    }

    fn flistxattr(&self, fd: Fd) -> Result<Vec<Vec<u8>>, Errno> {
        // SAFETY: the kernel writes at most `size` bytes into `buf`.
        let list = sized(|buf, size| unsafe { libc::flistxattr(fd, buf.cast(), size) })?;
        Ok(split_names(&list))
    }

    fn fremovexattr(&self, fd: Fd, name: &[u8]) -> Result<(), Errno> {
        // SAFETY: `n` is a C string alive for the call.
        with_cstr(name, |n| {
            check(unsafe { libc::fremovexattr(fd, n) }).map(drop)
        })
    }

    fn isatty(&self, fd: Fd) -> Result<bool, Errno> {
        // SAFETY: no pointers.
        if unsafe { libc::isatty(fd) } == 1 {
            return Ok(true);
        }
        match errno() {
            Errno::EBADF => Err(Errno::EBADF),
            _ => Ok(false),
        }
    }
}
