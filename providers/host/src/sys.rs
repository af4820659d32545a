//! Every raw system call of the host provider, and nothing else.
//!
//! Each function is one syscall on a file descriptor the caller owns, with at most one
//! directory-entry name (never a path): `*at` calls relative to a node's descriptor with
//! `O_NOFOLLOW`/`AT_SYMLINK_NOFOLLOW`, or calls on the descriptor itself (`AT_EMPTY_PATH`).
//! Names come in as [`Name`], which cannot hold `/`, so no call here walks more than one
//! component, except [`open_dirs_beneath`]: the one multi-component walk, done by `openat2`
//! with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS` (DESIGN.md allows it
//! where a multi-component host path is needed), so it cannot leave the directory it starts
//! from nor follow any symlink. Errors come back as the raw `errno`, converted to [`Errno`]
//! here at the edge.
#![allow(unsafe_code)]

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use vfsbox_api::{Errno, Name, NAME_MAX, SYMLINK_MAX};

/// The errno of the last failed call on this thread.
#[cold]
fn last() -> Errno {
    Errno::from_raw(
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO),
    )
}

/// Turns a `-1`-on-error return into a result.
fn check(ret: libc::c_long) -> Result<libc::c_long, Errno> {
    if ret < 0 {
        Err(last())
    } else {
        Ok(ret)
    }
}

/// Takes ownership of a descriptor a successful call returned.
fn owned(ret: libc::c_long) -> Result<OwnedFd, Errno> {
    let fd = check(ret)? as RawFd;
    // SAFETY: the kernel just returned `fd` as a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// A [`Name`] with the trailing NUL the kernel wants, on the stack (no allocation). Only
/// the name's bytes and the NUL are written: zeroing the whole buffer first cost more than
/// the copy for the short names most calls pass.
pub(crate) struct CName {
    buf: MaybeUninit<[u8; NAME_MAX + 1]>,
}

impl CName {
    pub(crate) fn new(name: &Name) -> CName {
        let mut buf = MaybeUninit::<[u8; NAME_MAX + 1]>::uninit();
        let bytes = name.as_bytes();
        // A `Name` is at most NAME_MAX bytes and holds no NUL, so name and NUL always fit.
        let len = bytes.len().min(NAME_MAX);
        let dst = buf.as_mut_ptr().cast::<u8>();
        // SAFETY: `dst` is valid for NAME_MAX + 1 bytes and `len <= NAME_MAX`, so both the
        // copy and the NUL after it stay inside the buffer; `bytes` cannot overlap it.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, len);
            dst.add(len).write(0);
        }
        CName { buf }
    }

    /// The NUL-terminated name (the bytes past the NUL are never read).
    fn ptr(&self) -> *const libc::c_char {
        self.buf.as_ptr().cast()
    }
}

const EMPTY: &CStr = c"";
const DOT: &CStr = c".";

/// `statx(dirfd, name, AT_SYMLINK_NOFOLLOW)`: the entry `name` itself, never a symlink target.
pub(crate) fn statx_at(dir: BorrowedFd<'_>, name: &Name) -> Result<libc::statx, Errno> {
    statx_at_with(dir, name, |st| *st)
}

/// [`statx_at`], handing the result to `f` where the kernel wrote it: the callers on hot
/// paths build their answer straight from it instead of moving the 256-byte structure out
/// first (a `memmove` that cost about a tenth of the user-space time of a `stat`).
#[inline]
pub(crate) fn statx_at_with<R>(
    dir: BorrowedFd<'_>,
    name: &Name,
    f: impl FnOnce(&libc::statx) -> R,
) -> Result<R, Errno> {
    let name = CName::new(name);
    let mut out = MaybeUninit::uninit();
    statx_raw(dir, name.ptr(), libc::AT_SYMLINK_NOFOLLOW, &mut out)?;
    // SAFETY: statx returned 0, so the kernel initialised the structure.
    Ok(f(unsafe { out.assume_init_ref() }))
}

/// Whether the kernel takes a NULL path with `AT_EMPTY_PATH` (Linux 6.11+), which spares it
/// copying in and checking an empty name: about a tenth of a `statx` of a descriptor, the
/// call every open pays. Cleared at the first `EFAULT` (an older kernel); `""` is passed then.
static NULL_PATH: AtomicBool = AtomicBool::new(true);

/// `statx(fd, NULL or "", AT_EMPTY_PATH)`: the inode `fd` refers to (works on `O_PATH`
/// descriptors).
pub(crate) fn statx_fd(fd: BorrowedFd<'_>) -> Result<libc::statx, Errno> {
    statx_fd_with(fd, |st| *st)
}

/// [`statx_fd`], handing the result to `f` in place (see [`statx_at_with`]).
#[inline]
pub(crate) fn statx_fd_with<R>(
    fd: BorrowedFd<'_>,
    f: impl FnOnce(&libc::statx) -> R,
) -> Result<R, Errno> {
    let flags = libc::AT_EMPTY_PATH | libc::AT_SYMLINK_NOFOLLOW;
    let mut out = MaybeUninit::uninit();
    let mut done = Err(Errno::EFAULT);
    if NULL_PATH.load(Ordering::Relaxed) {
        done = statx_raw(fd, std::ptr::null(), flags, &mut out);
        if done == Err(Errno::EFAULT) {
            NULL_PATH.store(false, Ordering::Relaxed);
        }
    }
    if done == Err(Errno::EFAULT) {
        done = statx_raw(fd, EMPTY.as_ptr(), flags, &mut out);
    }
    done?;
    // SAFETY: a statx call returned 0, so the kernel initialised the structure.
    Ok(f(unsafe { out.assume_init_ref() }))
}

/// One `statx` into `out`, initialised when this returns `Ok`.
fn statx_raw(
    fd: BorrowedFd<'_>,
    path: *const libc::c_char,
    flags: libc::c_int,
    out: &mut MaybeUninit<libc::statx>,
) -> Result<(), Errno> {
    let mask = libc::STATX_BASIC_STATS | libc::STATX_BTIME;
    // SAFETY: `path` is NUL-terminated and lives across the call, or NULL with
    // `AT_EMPTY_PATH` (which the kernel then does not read, or answers `EFAULT` for); `out`
    // is a valid, writable `struct statx` the kernel fills on success.
    let ret = unsafe { libc::statx(fd.as_raw_fd(), path, flags, mask, out.as_mut_ptr()) };
    check(ret.into()).map(drop)
}

/// `openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode)`.
pub(crate) fn openat(
    dir: BorrowedFd<'_>,
    name: &Name,
    flags: libc::c_int,
    mode: u32,
) -> Result<OwnedFd, Errno> {
    let name = CName::new(name);
    let flags = flags | libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NOCTTY;
    // SAFETY: `name` is NUL-terminated; the returned descriptor is taken over by `owned`.
    owned(unsafe { libc::openat(dir.as_raw_fd(), name.ptr(), flags, mode) }.into())
}

/// The kernel's `struct open_how` (libc's is non-exhaustive, so it cannot be built).
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// `openat2(dirfd, "a/b/…", O_PATH | O_DIRECTORY | O_CLOEXEC)` with `RESOLVE_BENEATH |
/// RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS`: the directory `names` lead to from `dir`,
/// walked by the kernel without leaving `dir` and without following any symlink (one on the
/// way is `ELOOP`). `EAGAIN` (a rename raced the walk) is retried, never returned.
pub(crate) fn open_dirs_beneath(dir: BorrowedFd<'_>, names: &[&Name]) -> Result<OwnedFd, Errno> {
    let mut path = Vec::with_capacity(names.iter().map(|n| n.len() + 1).sum());
    for name in names {
        if !path.is_empty() {
            path.push(b'/');
        }
        path.extend_from_slice(name.as_bytes());
    }
    // Names hold no NUL, so the only one is this terminator.
    path.push(0);
    let how = OpenHow {
        flags: (libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC) as u64,
        mode: 0,
        resolve: libc::RESOLVE_BENEATH | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS,
    };
    loop {
        // SAFETY: `path` is NUL-terminated and `how` is a valid `struct open_how` of the size
        // passed; both live across the call; the descriptor is taken over by `owned`.
        let ret = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                dir.as_raw_fd(),
                path.as_ptr(),
                &how as *const OpenHow,
                std::mem::size_of::<OpenHow>(),
            )
        };
        match owned(ret) {
            Err(Errno::EAGAIN) => continue,
            other => return other,
        }
    }
}

/// `openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)`: a readable descriptor of the
/// directory `fd` itself (for `getdents64` and xattrs), reached without any name.
pub(crate) fn open_dot(fd: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;
    // SAFETY: "." is a NUL-terminated literal; the descriptor is taken over by `owned`.
    owned(unsafe { libc::openat(fd.as_raw_fd(), DOT.as_ptr(), flags) }.into())
}

/// `open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLOEXEC)`: an `O_PATH` descriptor of exactly
/// the inode `fd` refers to, without any name (so without any race).
pub(crate) fn path_fd_of(fd: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    let flags = libc::AT_EMPTY_PATH as libc::c_uint | libc::O_CLOEXEC as libc::c_uint;
    // SAFETY: the path is an empty NUL-terminated literal; without OPEN_TREE_CLONE this only
    // opens an O_PATH descriptor, taken over by `owned`.
    owned(unsafe { libc::syscall(libc::SYS_open_tree, fd.as_raw_fd(), EMPTY.as_ptr(), flags) })
}

/// `mkdirat(dirfd, name, mode)`.
pub(crate) fn mkdirat(dir: BorrowedFd<'_>, name: &Name, mode: u32) -> Result<(), Errno> {
    let name = CName::new(name);
    // SAFETY: `name` is NUL-terminated.
    check(unsafe { libc::mkdirat(dir.as_raw_fd(), name.ptr(), mode) }.into()).map(drop)
}

/// `mknodat(dirfd, name, mode, 0)` (regular files, FIFOs and sockets only: callers refuse
/// devices before coming here).
pub(crate) fn mknodat(dir: BorrowedFd<'_>, name: &Name, mode: u32) -> Result<(), Errno> {
    let name = CName::new(name);
    // SAFETY: `name` is NUL-terminated.
    check(unsafe { libc::mknodat(dir.as_raw_fd(), name.ptr(), mode, 0) }.into()).map(drop)
}

/// `symlinkat(target, dirfd, name)`; the target is stored verbatim, never resolved.
pub(crate) fn symlinkat(target: &[u8], dir: BorrowedFd<'_>, name: &Name) -> Result<(), Errno> {
    let mut buf = [0u8; SYMLINK_MAX + 1];
    let Some(slot) = buf.get_mut(..target.len()) else {
        return Err(Errno::ENAMETOOLONG);
    };
    slot.copy_from_slice(target);
    let name = CName::new(name);
    // SAFETY: `buf` is NUL-terminated (target.len() <= SYMLINK_MAX leaves at least one zero
    // byte; callers reject targets holding NUL) and `name` too.
    let ret = unsafe { libc::symlinkat(buf.as_ptr().cast(), dir.as_raw_fd(), name.ptr()) };
    check(ret.into()).map(drop)
}

/// `linkat(fd, "", newdir, newname, AT_EMPTY_PATH)`: a new name for exactly the inode `fd`.
pub(crate) fn link_fd(fd: BorrowedFd<'_>, dir: BorrowedFd<'_>, name: &Name) -> Result<(), Errno> {
    let name = CName::new(name);
    // SAFETY: both paths are NUL-terminated.
    let ret = unsafe {
        libc::linkat(
            fd.as_raw_fd(),
            EMPTY.as_ptr(),
            dir.as_raw_fd(),
            name.ptr(),
            libc::AT_EMPTY_PATH,
        )
    };
    check(ret.into()).map(drop)
}

/// `linkat(olddir, oldname, newdir, newname, 0)`: links the entry itself (no symlink follow).
pub(crate) fn linkat(
    old_dir: BorrowedFd<'_>,
    old: &Name,
    dir: BorrowedFd<'_>,
    name: &Name,
) -> Result<(), Errno> {
    let (old, name) = (CName::new(old), CName::new(name));
    // SAFETY: both names are NUL-terminated.
    let ret = unsafe {
        libc::linkat(
            old_dir.as_raw_fd(),
            old.ptr(),
            dir.as_raw_fd(),
            name.ptr(),
            0,
        )
    };
    check(ret.into()).map(drop)
}

/// `unlinkat(dirfd, name, flags)` (`flags`: 0 or `AT_REMOVEDIR`).
pub(crate) fn unlinkat(dir: BorrowedFd<'_>, name: &Name, flags: libc::c_int) -> Result<(), Errno> {
    let name = CName::new(name);
    // SAFETY: `name` is NUL-terminated.
    check(unsafe { libc::unlinkat(dir.as_raw_fd(), name.ptr(), flags) }.into()).map(drop)
}

/// `renameat2(olddir, old, newdir, new, flags)`.
pub(crate) fn renameat2(
    old_dir: BorrowedFd<'_>,
    old: &Name,
    dir: BorrowedFd<'_>,
    name: &Name,
    flags: u32,
) -> Result<(), Errno> {
    let (old, name) = (CName::new(old), CName::new(name));
    // SAFETY: both names are NUL-terminated.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            old_dir.as_raw_fd(),
            old.ptr(),
            dir.as_raw_fd(),
            name.ptr(),
            flags,
        )
    };
    check(ret).map(drop)
}

/// `readlinkat(fd, "", …)`: the target of the symlink `fd` is an `O_PATH` descriptor of.
pub(crate) fn readlink_fd(fd: BorrowedFd<'_>) -> Result<Vec<u8>, Errno> {
    let mut buf = vec![0u8; SYMLINK_MAX + 1];
    // SAFETY: `buf` is writable for its whole length, which is what we pass.
    let ret = unsafe {
        libc::readlinkat(
            fd.as_raw_fd(),
            EMPTY.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    let len = check(ret as libc::c_long)? as usize;
    buf.truncate(len);
    Ok(buf)
}

/// `fchmodat2(fd, "", mode, AT_EMPTY_PATH)`: changes exactly the inode `fd` refers to, a
/// symlink included (where the kernel answers `EOPNOTSUPP`).
pub(crate) fn chmod_fd(fd: BorrowedFd<'_>, mode: u32) -> Result<(), Errno> {
    // SAFETY: the path is an empty NUL-terminated literal.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_fchmodat2,
            fd.as_raw_fd(),
            EMPTY.as_ptr(),
            mode,
            libc::AT_EMPTY_PATH,
        )
    };
    check(ret).map(drop)
}

/// `fchownat(fd, "", uid, gid, AT_EMPTY_PATH)`; `u32::MAX` (-1) leaves an id unchanged.
pub(crate) fn chown_fd(fd: BorrowedFd<'_>, uid: u32, gid: u32) -> Result<(), Errno> {
    // SAFETY: the path is an empty NUL-terminated literal.
    let ret = unsafe {
        libc::fchownat(
            fd.as_raw_fd(),
            EMPTY.as_ptr(),
            uid,
            gid,
            libc::AT_EMPTY_PATH,
        )
    };
    check(ret.into()).map(drop)
}

/// `utimensat(fd, "", times, AT_EMPTY_PATH)`: the inode itself, a symlink included.
pub(crate) fn utimens_fd(fd: BorrowedFd<'_>, times: &[libc::timespec; 2]) -> Result<(), Errno> {
    // SAFETY: the path is an empty literal; `times` points to two timespecs.
    let ret = unsafe {
        libc::utimensat(
            fd.as_raw_fd(),
            EMPTY.as_ptr(),
            times.as_ptr(),
            libc::AT_EMPTY_PATH,
        )
    };
    check(ret.into()).map(drop)
}

/// `pread(fd, buf, offset)`.
pub(crate) fn pread(fd: BorrowedFd<'_>, buf: &mut [u8], offset: i64) -> Result<usize, Errno> {
    // SAFETY: `buf` is writable for `buf.len()` bytes.
    let ret = unsafe { libc::pread(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), offset) };
    check(ret as libc::c_long).map(|n| n as usize)
}

/// `pwrite(fd, data, offset)`.
pub(crate) fn pwrite(fd: BorrowedFd<'_>, data: &[u8], offset: i64) -> Result<usize, Errno> {
    // SAFETY: `data` is readable for `data.len()` bytes.
    let ret = unsafe { libc::pwrite(fd.as_raw_fd(), data.as_ptr().cast(), data.len(), offset) };
    check(ret as libc::c_long).map(|n| n as usize)
}

/// `read(fd, buf)` (for FIFOs and character devices, which have no offsets).
pub(crate) fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: `buf` is writable for `buf.len()` bytes.
    let ret = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    check(ret as libc::c_long).map(|n| n as usize)
}

/// `write(fd, data)` (for FIFOs and character devices).
pub(crate) fn write(fd: BorrowedFd<'_>, data: &[u8]) -> Result<usize, Errno> {
    // SAFETY: `data` is readable for `data.len()` bytes.
    let ret = unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) };
    check(ret as libc::c_long).map(|n| n as usize)
}

/// `fsync(fd)` or `fdatasync(fd)`.
pub(crate) fn fsync(fd: BorrowedFd<'_>, datasync: bool) -> Result<(), Errno> {
    // SAFETY: plain descriptor calls.
    let ret = unsafe {
        if datasync {
            libc::fdatasync(fd.as_raw_fd())
        } else {
            libc::fsync(fd.as_raw_fd())
        }
    };
    check(ret.into()).map(drop)
}

/// `ftruncate(fd, size)`.
pub(crate) fn ftruncate(fd: BorrowedFd<'_>, size: i64) -> Result<(), Errno> {
    // SAFETY: plain descriptor call.
    check(unsafe { libc::ftruncate(fd.as_raw_fd(), size) }.into()).map(drop)
}

/// `fallocate(fd, mode, offset, len)`.
pub(crate) fn fallocate(
    fd: BorrowedFd<'_>,
    mode: libc::c_int,
    offset: i64,
    len: i64,
) -> Result<(), Errno> {
    // SAFETY: plain descriptor call.
    check(unsafe { libc::fallocate(fd.as_raw_fd(), mode, offset, len) }.into()).map(drop)
}

/// `lseek(fd, offset, whence)`.
pub(crate) fn lseek(fd: BorrowedFd<'_>, offset: i64, whence: libc::c_int) -> Result<u64, Errno> {
    // SAFETY: plain descriptor call.
    let ret = unsafe { libc::lseek(fd.as_raw_fd(), offset, whence) };
    check(ret).map(|n| n as u64)
}

/// `fcntl(fd, F_GETFL)` then `F_SETFL` without `O_NONBLOCK`.
pub(crate) fn clear_nonblock(fd: BorrowedFd<'_>) -> Result<(), Errno> {
    // SAFETY: plain descriptor calls.
    let flags = check(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) }.into())? as i32;
    // SAFETY: as above.
    let ret = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK) };
    check(ret.into()).map(drop)
}

/// `getdents64(fd, buf)`: fills `buf` with `struct linux_dirent64` records.
pub(crate) fn getdents64(fd: BorrowedFd<'_>, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: `buf` is writable for `buf.len()` bytes.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_getdents64,
            fd.as_raw_fd(),
            buf.as_mut_ptr(),
            buf.len(),
        )
    };
    check(ret).map(|n| n as usize)
}

/// `fstatfs(fd)` (works on `O_PATH` descriptors).
pub(crate) fn fstatfs(fd: BorrowedFd<'_>) -> Result<libc::statfs, Errno> {
    let mut out = MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `out` is a writable `struct statfs`.
    check(unsafe { libc::fstatfs(fd.as_raw_fd(), out.as_mut_ptr()) }.into())?;
    // SAFETY: fstatfs returned 0, so the structure is initialised.
    Ok(unsafe { out.assume_init() })
}

/// `fstatvfs(fd)` (works on `O_PATH` descriptors).
pub(crate) fn fstatvfs(fd: BorrowedFd<'_>) -> Result<libc::statvfs, Errno> {
    let mut out = MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `out` is a writable `struct statvfs`.
    check(unsafe { libc::fstatvfs(fd.as_raw_fd(), out.as_mut_ptr()) }.into())?;
    // SAFETY: fstatvfs returned 0, so the structure is initialised.
    Ok(unsafe { out.assume_init() })
}

/// A NUL-terminated xattr name on the stack; `ERANGE` if empty or longer than 255 bytes,
/// as the kernel answers.
struct XattrName {
    buf: [u8; 256],
}

impl XattrName {
    fn new(name: &[u8]) -> Result<XattrName, Errno> {
        if name.is_empty() || name.len() > 255 {
            return Err(Errno::ERANGE);
        }
        if name.contains(&0) {
            // The kernel would see the name cut at the NUL; refuse instead of guessing.
            return Err(Errno::EINVAL);
        }
        let mut buf = [0u8; 256];
        buf[..name.len()].copy_from_slice(name);
        Ok(XattrName { buf })
    }

    fn ptr(&self) -> *const libc::c_char {
        self.buf.as_ptr().cast()
    }
}

/// `fgetxattr(fd, name)` with a growing buffer.
pub(crate) fn fgetxattr(fd: BorrowedFd<'_>, name: &[u8]) -> Result<Vec<u8>, Errno> {
    let name = XattrName::new(name)?;
    let mut buf = vec![0u8; 256];
    loop {
        // SAFETY: `buf` is writable for its length; `name` is NUL-terminated.
        let ret = unsafe {
            libc::fgetxattr(
                fd.as_raw_fd(),
                name.ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        };
        match check(ret as libc::c_long) {
            Ok(n) => {
                buf.truncate(n as usize);
                return Ok(buf);
            }
            Err(e) if e == Errno::ERANGE && buf.len() < 65536 => buf.resize(65536, 0),
            Err(e) => return Err(e),
        }
    }
}

/// `fsetxattr(fd, name, value, flags)`.
pub(crate) fn fsetxattr(
    fd: BorrowedFd<'_>,
    name: &[u8],
    value: &[u8],
    flags: libc::c_int,
) -> Result<(), Errno> {
    let name = XattrName::new(name)?;
    // SAFETY: `value` is readable for its length; `name` is NUL-terminated.
    let ret = unsafe {
        libc::fsetxattr(
            fd.as_raw_fd(),
            name.ptr(),
            value.as_ptr().cast(),
            value.len(),
            flags,
        )
    };
    check(ret.into()).map(drop)
}

/// `fremovexattr(fd, name)`.
pub(crate) fn fremovexattr(fd: BorrowedFd<'_>, name: &[u8]) -> Result<(), Errno> {
    let name = XattrName::new(name)?;
    // SAFETY: `name` is NUL-terminated.
    check(unsafe { libc::fremovexattr(fd.as_raw_fd(), name.ptr()) }.into()).map(drop)
}

/// `flistxattr(fd)`: the raw NUL-separated list.
pub(crate) fn flistxattr(fd: BorrowedFd<'_>) -> Result<Vec<u8>, Errno> {
    let mut buf = vec![0u8; 1024];
    loop {
        // SAFETY: `buf` is writable for its length.
        let ret = unsafe { libc::flistxattr(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        match check(ret as libc::c_long) {
            Ok(n) => {
                buf.truncate(n as usize);
                return Ok(buf);
            }
            Err(e) if e == Errno::ERANGE && buf.len() < 65536 => buf.resize(65536, 0),
            Err(e) => return Err(e),
        }
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (each node holds a descriptor); returns
/// the soft limit in force.
pub(crate) fn raise_nofile_limit() -> u64 {
    let mut lim = MaybeUninit::<libc::rlimit>::uninit();
    // SAFETY: `lim` is a writable `struct rlimit`.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, lim.as_mut_ptr()) } != 0 {
        return 1024; // the usual default
    }
    // SAFETY: getrlimit returned 0, so `lim` is initialised.
    let mut lim = unsafe { lim.assume_init() };
    if lim.rlim_cur < lim.rlim_max {
        let old = lim.rlim_cur;
        lim.rlim_cur = lim.rlim_max;
        // SAFETY: `lim` is a valid `struct rlimit`. Failure only leaves the old limit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
            return old;
        }
    }
    lim.rlim_cur
}

/// The effective user id.
pub(crate) fn geteuid() -> u32 {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() }
}
