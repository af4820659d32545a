//! The `Posix` trait: one set of POSIX file operations with two implementations, the emulated
//! layer (over any `FileSystem`) and the native passthrough (raw syscalls), so any scenario
//! runs on either and their results compare directly.
//!
//! Arguments are the raw Linux values (`O_*`, `AT_*`, `S_IF*`, `F_*`, `SEEK_*`, `LOCK_*`,
//! `RENAME_*`, `XATTR_*`), so a scenario can pass a bad flag and expect the kernel's `EINVAL`.
//! Paths are bytes; an interior NUL (which no C caller can pass) is `EINVAL` in both
//! implementations.

use crate::{Errno, Timestamp};

/// A file descriptor number. `AT_FDCWD` names the current directory in `*at` calls.
pub type Fd = i32;

/// `AT_FDCWD`: resolve relative paths from the current directory.
pub const AT_FDCWD: Fd = libc::AT_FDCWD;

/// A time for `utimensat`/`futimens`: seconds and nanoseconds, or the special nanosecond
/// values [`TimeSpec::NOW`] and [`TimeSpec::OMIT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeSpec {
    /// Seconds since the epoch.
    pub sec: i64,
    /// Nanoseconds (`0..1_000_000_000`), `UTIME_NOW` or `UTIME_OMIT`.
    pub nsec: i64,
}

impl TimeSpec {
    /// `UTIME_NOW`: set the time to the current time.
    pub const NOW: TimeSpec = TimeSpec {
        sec: 0,
        nsec: libc::UTIME_NOW,
    };
    /// `UTIME_OMIT`: leave the time unchanged.
    pub const OMIT: TimeSpec = TimeSpec {
        sec: 0,
        nsec: libc::UTIME_OMIT,
    };

    /// An exact time.
    pub const fn at(t: Timestamp) -> TimeSpec {
        TimeSpec {
            sec: t.sec,
            nsec: t.nsec as i64,
        }
    }
}

/// What `stat` reports (the fields of `struct stat`, times in nanoseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    /// Device of the filesystem (synthetic in the emulated layer: compare only for equality).
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
    /// Type and permission bits (`st_mode`).
    pub mode: u32,
    /// Hard links.
    pub nlink: u64,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device number of a device node.
    pub rdev: u64,
    /// Size in bytes.
    pub size: i64,
    /// Preferred I/O size.
    pub blksize: i64,
    /// 512-byte blocks allocated.
    pub blocks: i64,
    /// Last access.
    pub atime: Timestamp,
    /// Last modification.
    pub mtime: Timestamp,
    /// Last status change.
    pub ctime: Timestamp,
}

/// What `statvfs` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatVfs {
    /// Preferred block size (`f_bsize`).
    pub bsize: u64,
    /// Fundamental block size (`f_frsize`).
    pub frsize: u64,
    /// Total blocks, in `frsize` units.
    pub blocks: u64,
    /// Free blocks.
    pub bfree: u64,
    /// Free blocks for unprivileged users.
    pub bavail: u64,
    /// Total inodes.
    pub files: u64,
    /// Free inodes.
    pub ffree: u64,
    /// Free inodes for unprivileged users.
    pub favail: u64,
    /// Mount flags (`ST_RDONLY`, `ST_NOSUID`, …).
    pub flag: u64,
    /// Longest name.
    pub namemax: u64,
}

/// A record lock for `fcntl(F_GETLK/F_SETLK/F_SETLKW)` (`struct flock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flock {
    /// `F_RDLCK`, `F_WRLCK` or `F_UNLCK`.
    pub kind: i16,
    /// `SEEK_SET`, `SEEK_CUR` or `SEEK_END`: what `start` is relative to.
    pub whence: i16,
    /// Start of the range.
    pub start: i64,
    /// Length of the range; 0 means "to the end of file, however far".
    pub len: i64,
    /// Owner of a conflicting lock (`F_GETLK` only).
    pub pid: i32,
}

/// An open directory stream (`DIR *`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DirStream(pub u64);

/// One entry read from a directory stream (`struct dirent`), `.` and `..` included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirRecord {
    /// Inode number.
    pub ino: u64,
    /// `DT_*` type.
    pub kind: u8,
    /// Name.
    pub name: Vec<u8>,
}

/// Entries read from a directory stream in one [`Posix::readdir_batch`] call: like the
/// buffer `getdents64(2)` fills, every name lives in one byte buffer, so reading a large
/// directory costs no allocation per entry (a [`DirRecord`] owns its name). Reuse one
/// batch across calls: `readdir_batch` clears it and keeps its capacity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirBatch {
    /// Inode number, `DT_*` type and the end of the name in `names` (its start is the
    /// previous entry's end).
    entries: Vec<(u64, u8, u32)>,
    names: Vec<u8>,
}

/// One entry of a [`DirBatch`], borrowed from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirRef<'a> {
    /// Inode number.
    pub ino: u64,
    /// `DT_*` type.
    pub kind: u8,
    /// Name.
    pub name: &'a [u8],
}

impl DirBatch {
    /// An empty batch.
    #[must_use]
    pub fn new() -> DirBatch {
        DirBatch::default()
    }

    /// Forgets the entries, keeping the capacity.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.names.clear();
    }

    /// Appends one entry.
    pub fn push(&mut self, ino: u64, kind: u8, name: &[u8]) {
        self.names.extend_from_slice(name);
        // Names are at most 255 bytes and a batch is read from one directory stream in one
        // call; a batch of more than 4 GiB of names is not a case anyone reaches, but it
        // saturates rather than wraps.
        let end = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.entries.push((ino, kind, end));
    }

    /// Keeps the first `len` entries (all of them if there are fewer).
    pub fn truncate(&mut self, len: usize) {
        self.entries.truncate(len);
        let end = self.entries.last().map_or(0, |&(_, _, end)| end as usize);
        self.names.truncate(end);
    }

    /// Number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the batch holds no entry.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `i`th entry, if there is one.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<DirRef<'_>> {
        let &(ino, kind, end) = self.entries.get(i)?;
        let start = match i {
            0 => 0,
            _ => self.entries[i - 1].2 as usize,
        };
        Some(DirRef {
            ino,
            kind,
            name: self.names.get(start..end as usize).unwrap_or_default(),
        })
    }

    /// The entries in stream order.
    pub fn iter(&self) -> impl Iterator<Item = DirRef<'_>> + '_ {
        let mut start = 0usize;
        self.entries.iter().map(move |&(ino, kind, end)| {
            let name = self.names.get(start..end as usize).unwrap_or_default();
            start = end as usize;
            DirRef { ino, kind, name }
        })
    }
}

/// POSIX file operations. Each method behaves as the Linux syscall (or libc function) of the
/// same name, with its errno on failure; the native passthrough *is* that syscall, and the
/// emulated layer is held to it by the differential tests.
pub trait Posix: Send + Sync {
    /// `openat(2)`; returns the new descriptor (the lowest free number).
    fn openat(&self, dirfd: Fd, path: &[u8], flags: i32, mode: u32) -> Result<Fd, Errno>;
    /// `close(2)`.
    fn close(&self, fd: Fd) -> Result<(), Errno>;
    /// `read(2)` at the file offset.
    fn read(&self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno>;
    /// `write(2)` at the file offset (at the end for `O_APPEND`).
    fn write(&self, fd: Fd, data: &[u8]) -> Result<usize, Errno>;
    /// `pread(2)`.
    fn pread(&self, fd: Fd, buf: &mut [u8], offset: i64) -> Result<usize, Errno>;
    /// `pwrite(2)`.
    fn pwrite(&self, fd: Fd, data: &[u8], offset: i64) -> Result<usize, Errno>;
    /// `lseek(2)` with `SEEK_SET`, `SEEK_CUR`, `SEEK_END`, `SEEK_DATA` or `SEEK_HOLE`.
    fn lseek(&self, fd: Fd, offset: i64, whence: i32) -> Result<i64, Errno>;
    /// `dup(2)`.
    fn dup(&self, fd: Fd) -> Result<Fd, Errno>;
    /// `dup2(2)`.
    fn dup2(&self, fd: Fd, new_fd: Fd) -> Result<Fd, Errno>;
    /// `dup3(2)` (`O_CLOEXEC` only).
    fn dup3(&self, fd: Fd, new_fd: Fd, flags: i32) -> Result<Fd, Errno>;
    /// `fcntl(2)` with an integer argument: `F_DUPFD`, `F_DUPFD_CLOEXEC`, `F_GETFD`,
    /// `F_SETFD`, `F_GETFL`, `F_SETFL`.
    fn fcntl(&self, fd: Fd, cmd: i32, arg: i64) -> Result<i32, Errno>;
    /// `fcntl(2)` with a lock: `F_GETLK` (fills `lock`), `F_SETLK`, `F_SETLKW`.
    fn fcntl_lock(&self, fd: Fd, cmd: i32, lock: &mut Flock) -> Result<(), Errno>;
    /// `flock(2)`.
    fn flock(&self, fd: Fd, operation: i32) -> Result<(), Errno>;
    /// `fstat(2)`.
    fn fstat(&self, fd: Fd) -> Result<Stat, Errno>;
    /// `fstatat(2)` (`AT_SYMLINK_NOFOLLOW`, `AT_EMPTY_PATH`).
    fn fstatat(&self, dirfd: Fd, path: &[u8], flags: i32) -> Result<Stat, Errno>;
    /// `statvfs(3)`.
    fn statvfs(&self, path: &[u8]) -> Result<StatVfs, Errno>;
    /// `fstatvfs(3)`.
    fn fstatvfs(&self, fd: Fd) -> Result<StatVfs, Errno>;
    /// `mkdirat(2)`.
    fn mkdirat(&self, dirfd: Fd, path: &[u8], mode: u32) -> Result<(), Errno>;
    /// `mknodat(2)`.
    fn mknodat(&self, dirfd: Fd, path: &[u8], mode: u32, dev: u64) -> Result<(), Errno>;
    /// `unlinkat(2)` (`AT_REMOVEDIR`).
    fn unlinkat(&self, dirfd: Fd, path: &[u8], flags: i32) -> Result<(), Errno>;
    /// `renameat2(2)` (`RENAME_NOREPLACE`, `RENAME_EXCHANGE`).
    fn renameat2(
        &self,
        old_dirfd: Fd,
        old: &[u8],
        new_dirfd: Fd,
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno>;
    /// `linkat(2)` (`AT_SYMLINK_FOLLOW`, `AT_EMPTY_PATH`).
    fn linkat(
        &self,
        old_dirfd: Fd,
        old: &[u8],
        new_dirfd: Fd,
        new: &[u8],
        flags: i32,
    ) -> Result<(), Errno>;
    /// `symlinkat(2)`: makes `path` a symbolic link holding `target` verbatim.
    fn symlinkat(&self, target: &[u8], dirfd: Fd, path: &[u8]) -> Result<(), Errno>;
    /// `readlinkat(2)`: the link's text, whole.
    fn readlinkat(&self, dirfd: Fd, path: &[u8]) -> Result<Vec<u8>, Errno>;
    /// `fchmodat(2)` (`AT_SYMLINK_NOFOLLOW` is `EOPNOTSUPP` on a symlink, as Linux answers).
    fn fchmodat(&self, dirfd: Fd, path: &[u8], mode: u32, flags: i32) -> Result<(), Errno>;
    /// `fchmod(2)`.
    fn fchmod(&self, fd: Fd, mode: u32) -> Result<(), Errno>;
    /// `fchownat(2)`; `u32::MAX` (-1) leaves an id unchanged.
    fn fchownat(&self, dirfd: Fd, path: &[u8], uid: u32, gid: u32, flags: i32)
        -> Result<(), Errno>;
    /// `fchown(2)`.
    fn fchown(&self, fd: Fd, uid: u32, gid: u32) -> Result<(), Errno>;
    /// `utimensat(2)`: access and modification times in one call.
    fn utimensat(
        &self,
        dirfd: Fd,
        path: &[u8],
        times: [TimeSpec; 2],
        flags: i32,
    ) -> Result<(), Errno>;
    /// `futimens(3)`.
    fn futimens(&self, fd: Fd, times: [TimeSpec; 2]) -> Result<(), Errno>;
    /// `faccessat(2)` (`F_OK`, `R_OK`, `W_OK`, `X_OK`; `AT_EACCESS`, `AT_SYMLINK_NOFOLLOW`).
    fn faccessat(&self, dirfd: Fd, path: &[u8], mode: i32, flags: i32) -> Result<(), Errno>;
    /// `truncate(2)`.
    fn truncate(&self, path: &[u8], length: i64) -> Result<(), Errno>;
    /// `ftruncate(2)`.
    fn ftruncate(&self, fd: Fd, length: i64) -> Result<(), Errno>;
    /// `fsync(2)`.
    fn fsync(&self, fd: Fd) -> Result<(), Errno>;
    /// `fdatasync(2)`.
    fn fdatasync(&self, fd: Fd) -> Result<(), Errno>;
    /// `chdir(2)`.
    fn chdir(&self, path: &[u8]) -> Result<(), Errno>;
    /// `fchdir(2)`.
    fn fchdir(&self, fd: Fd) -> Result<(), Errno>;
    /// `getcwd(3)`: the absolute path of the current directory (`ENOENT` once it is removed).
    fn getcwd(&self) -> Result<Vec<u8>, Errno>;
    /// `umask(2)`: sets the mask (only its `0o777` bits) and returns the previous one.
    fn umask(&self, mask: u32) -> u32;
    /// `realpath(3)`: the absolute path with `.`, `..` and symlinks resolved.
    fn realpath(&self, path: &[u8]) -> Result<Vec<u8>, Errno>;
    /// `opendir(3)`.
    fn opendir(&self, path: &[u8]) -> Result<DirStream, Errno>;
    /// `fdopendir(3)`: the stream takes over `fd`.
    fn fdopendir(&self, fd: Fd) -> Result<DirStream, Errno>;
    /// `readdir(3)`: the next entry, `None` at the end.
    fn readdir(&self, dir: DirStream) -> Result<Option<DirRecord>, Errno>;
    /// Up to `max` further entries of the stream, as `readdir(3)` would return them one
    /// call at a time, put into `out` (cleared first); the stream moves past them. Returns
    /// how many were read: 0 at the end of the stream (or for `max` 0). An error met after
    /// some entries were read ends the batch early with those entries; the next call
    /// reports it if it persists (as glibc's `readdir` reports a failing `getdents64` only
    /// once its buffer is used up).
    ///
    /// Additive and optional: the default calls [`Posix::readdir`] once per entry.
    /// Implementations override it to read a whole batch at once, without allocating a name
    /// per entry.
    ///
    /// # Errors
    ///
    /// As [`Posix::readdir`], when nothing was read.
    fn readdir_batch(
        &self,
        dir: DirStream,
        out: &mut DirBatch,
        max: usize,
    ) -> Result<usize, Errno> {
        out.clear();
        while out.len() < max {
            match self.readdir(dir) {
                Ok(Some(record)) => out.push(record.ino, record.kind, &record.name),
                Ok(None) => break,
                Err(e) if out.is_empty() => return Err(e),
                Err(_) => break,
            }
        }
        Ok(out.len())
    }
    /// `rewinddir(3)`.
    fn rewinddir(&self, dir: DirStream) -> Result<(), Errno>;
    /// `closedir(3)`: also closes the stream's descriptor.
    fn closedir(&self, dir: DirStream) -> Result<(), Errno>;
    /// `getxattr(2)`, or `lgetxattr(2)` with `AT_SYMLINK_NOFOLLOW` in `flags`.
    fn getxattr(&self, path: &[u8], name: &[u8], flags: i32) -> Result<Vec<u8>, Errno>;
    /// `setxattr(2)` (`XATTR_CREATE`, `XATTR_REPLACE` in `how`), or `lsetxattr(2)`.
    fn setxattr(
        &self,
        path: &[u8],
        name: &[u8],
        value: &[u8],
        how: i32,
        flags: i32,
    ) -> Result<(), Errno>;
    /// `listxattr(2)`, or `llistxattr(2)`: the names.
    fn listxattr(&self, path: &[u8], flags: i32) -> Result<Vec<Vec<u8>>, Errno>;
    /// `removexattr(2)`, or `lremovexattr(2)`.
    fn removexattr(&self, path: &[u8], name: &[u8], flags: i32) -> Result<(), Errno>;
    /// `fgetxattr(2)`.
    fn fgetxattr(&self, fd: Fd, name: &[u8]) -> Result<Vec<u8>, Errno>;
    /// `fsetxattr(2)`.
    fn fsetxattr(&self, fd: Fd, name: &[u8], value: &[u8], how: i32) -> Result<(), Errno>;
    /// `flistxattr(2)`.
    fn flistxattr(&self, fd: Fd) -> Result<Vec<Vec<u8>>, Errno>;
    /// `fremovexattr(2)`.
    fn fremovexattr(&self, fd: Fd, name: &[u8]) -> Result<(), Errno>;
    /// `isatty(3)`: `Ok(false)` for a descriptor that is not a terminal (`ENOTTY`).
    fn isatty(&self, fd: Fd) -> Result<bool, Errno>;

    /// `open(2)`: [`openat`](Posix::openat) from the current directory.
    fn open(&self, path: &[u8], flags: i32, mode: u32) -> Result<Fd, Errno> {
        self.openat(AT_FDCWD, path, flags, mode)
    }
    /// `stat(2)`.
    fn stat(&self, path: &[u8]) -> Result<Stat, Errno> {
        self.fstatat(AT_FDCWD, path, 0)
    }
    /// `lstat(2)`.
    fn lstat(&self, path: &[u8]) -> Result<Stat, Errno> {
        self.fstatat(AT_FDCWD, path, libc::AT_SYMLINK_NOFOLLOW)
    }
    /// `mkdir(2)`.
    fn mkdir(&self, path: &[u8], mode: u32) -> Result<(), Errno> {
        self.mkdirat(AT_FDCWD, path, mode)
    }
    /// `unlink(2)`.
    fn unlink(&self, path: &[u8]) -> Result<(), Errno> {
        self.unlinkat(AT_FDCWD, path, 0)
    }
    /// `rmdir(2)`.
    fn rmdir(&self, path: &[u8]) -> Result<(), Errno> {
        self.unlinkat(AT_FDCWD, path, libc::AT_REMOVEDIR)
    }
    /// `rename(2)`.
    fn rename(&self, old: &[u8], new: &[u8]) -> Result<(), Errno> {
        self.renameat2(AT_FDCWD, old, AT_FDCWD, new, 0)
    }
    /// `symlink(2)`.
    fn symlink(&self, target: &[u8], path: &[u8]) -> Result<(), Errno> {
        self.symlinkat(target, AT_FDCWD, path)
    }
    /// `readlink(2)`.
    fn readlink(&self, path: &[u8]) -> Result<Vec<u8>, Errno> {
        self.readlinkat(AT_FDCWD, path)
    }
}

#[cfg(test)]
mod tests {
    use super::DirBatch;

    #[test]
    fn a_batch_keeps_names_apart_and_truncates_whole_entries() {
        let mut batch = DirBatch::new();
        batch.push(1, 4, b".");
        batch.push(2, 8, b"file");
        batch.push(3, 10, b"");
        batch.push(4, 8, b"x");
        let names: Vec<&[u8]> = batch.iter().map(|e| e.name).collect();
        assert_eq!(names, [&b"."[..], b"file", b"", b"x"]);
        assert_eq!(
            batch.get(1).map(|e| (e.ino, e.kind, e.name)),
            Some((2, 8, &b"file"[..]))
        );
        assert_eq!(batch.get(4), None);
        batch.truncate(2);
        batch.push(5, 8, b"y");
        let names: Vec<&[u8]> = batch.iter().map(|e| e.name).collect();
        assert_eq!(names, [&b"."[..], b"file", b"y"]);
        batch.truncate(0);
        assert!(batch.is_empty());
        assert_eq!(batch.iter().count(), 0);
        batch.clear();
        assert_eq!(batch.len(), 0);
    }
}
