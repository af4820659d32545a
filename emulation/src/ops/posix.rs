//! `impl Posix for Emulated`: each method is one call into the family that implements it.

use crate::emulated::Emulated;
use vfsbox_api::{
    DirBatch, DirRecord, DirStream, Errno, Fd, Flock, Posix, Stat, StatVfs, TimeSpec,
};

impl Posix for Emulated {
    fn openat(&self, dirfd: Fd, path: &[u8], flags: i32, mode: u32) -> Result<Fd, Errno> {
        self.do_openat(dirfd, path, flags, mode)
    }
    fn close(&self, fd: Fd) -> Result<(), Errno> {
        self.do_close(fd)
    }
    fn read(&self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
        self.do_read(fd, buf)
    }
    fn write(&self, fd: Fd, data: &[u8]) -> Result<usize, Errno> {
        self.do_write(fd, data)
    }
    fn pread(&self, fd: Fd, buf: &mut [u8], offset: i64) -> Result<usize, Errno> {
        self.do_pread(fd, buf, offset)
    }
    fn pwrite(&self, fd: Fd, data: &[u8], offset: i64) -> Result<usize, Errno> {
        self.do_pwrite(fd, data, offset)
    }
    fn lseek(&self, fd: Fd, offset: i64, whence: i32) -> Result<i64, Errno> {
        self.do_lseek(fd, offset, whence)
    }
    fn dup(&self, fd: Fd) -> Result<Fd, Errno> {
        self.do_dup(fd)
    }
    fn dup2(&self, fd: Fd, new_fd: Fd) -> Result<Fd, Errno> {
        if fd == new_fd {
            return self.fds.get(fd).map(|_| fd);
        }
        self.do_dup3(fd, new_fd, false)
    }
    fn dup3(&self, fd: Fd, new_fd: Fd, flags: i32) -> Result<Fd, Errno> {
        if flags & !libc::O_CLOEXEC != 0 || fd == new_fd {
            return Err(Errno::EINVAL);
        }
        self.do_dup3(fd, new_fd, flags & libc::O_CLOEXEC != 0)
    }
    fn fcntl(&self, fd: Fd, cmd: i32, arg: i64) -> Result<i32, Errno> {
        self.do_fcntl(fd, cmd, arg)
    }
    fn fcntl_lock(&self, fd: Fd, cmd: i32, lock: &mut Flock) -> Result<(), Errno> {
        self.do_fcntl_lock(fd, cmd, lock)
    }
    fn flock(&self, fd: Fd, operation: i32) -> Result<(), Errno> {
        self.do_flock(fd, operation)
    }
    fn fstat(&self, fd: Fd) -> Result<Stat, Errno> {
        self.do_fstat(fd)
    }
    fn fstatat(&self, dirfd: Fd, path: &[u8], flags: i32) -> Result<Stat, Errno> {
        self.do_fstatat(dirfd, path, flags)
    }
    fn statvfs(&self, path: &[u8]) -> Result<StatVfs, Errno> {
        self.do_statvfs(path)
    }
    fn fstatvfs(&self, fd: Fd) -> Result<StatVfs, Errno> {
        self.do_fstatvfs(fd)
    }
    fn mkdirat(&self, dirfd: Fd, path: &[u8], mode: u32) -> Result<(), Errno> {
        self.do_mkdirat(dirfd, path, mode)
    }
    fn mknodat(&self, dirfd: Fd, path: &[u8], mode: u32, dev: u64) -> Result<(), Errno> {
        self.do_mknodat(dirfd, path, mode, dev)
    }
    fn unlinkat(&self, dirfd: Fd, path: &[u8], flags: i32) -> Result<(), Errno> {
        self.do_unlinkat(dirfd, path, flags)
    }
    fn renameat2(
        &self,
        old_dirfd: Fd,
        old: &[u8],
        new_dirfd: Fd,
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        self.do_renameat2(old_dirfd, old, new_dirfd, new, flags)
    }
    fn linkat(
        &self,
        old_dirfd: Fd,
        old: &[u8],
        new_dirfd: Fd,
        new: &[u8],
        flags: i32,
    ) -> Result<(), Errno> {
        self.do_linkat(old_dirfd, old, new_dirfd, new, flags)
    }
    fn symlinkat(&self, target: &[u8], dirfd: Fd, path: &[u8]) -> Result<(), Errno> {
        self.do_symlinkat(target, dirfd, path)
    }
    fn readlinkat(&self, dirfd: Fd, path: &[u8]) -> Result<Vec<u8>, Errno> {
        self.do_readlinkat(dirfd, path)
    }
    fn fchmodat(&self, dirfd: Fd, path: &[u8], mode: u32, flags: i32) -> Result<(), Errno> {
        self.do_fchmodat(dirfd, path, mode, flags)
    }
    fn fchmod(&self, fd: Fd, mode: u32) -> Result<(), Errno> {
        self.do_fchmod(fd, mode)
    }
    fn fchownat(
        &self,
        dirfd: Fd,
        path: &[u8],
        uid: u32,
        gid: u32,
        flags: i32,
    ) -> Result<(), Errno> {
        self.do_fchownat(dirfd, path, uid, gid, flags)
    }
    fn fchown(&self, fd: Fd, uid: u32, gid: u32) -> Result<(), Errno> {
        self.do_fchown(fd, uid, gid)
    }
    fn utimensat(
        &self,
        dirfd: Fd,
        path: &[u8],
        times: [TimeSpec; 2],
        flags: i32,
    ) -> Result<(), Errno> {
        self.do_utimensat(dirfd, path, times, flags)
    }
    fn futimens(&self, fd: Fd, times: [TimeSpec; 2]) -> Result<(), Errno> {
        self.do_futimens(fd, times)
    }
    fn faccessat(&self, dirfd: Fd, path: &[u8], mode: i32, flags: i32) -> Result<(), Errno> {
        self.do_faccessat(dirfd, path, mode, flags)
    }
    fn truncate(&self, path: &[u8], length: i64) -> Result<(), Errno> {
        self.do_truncate(path, length)
    }
    fn ftruncate(&self, fd: Fd, length: i64) -> Result<(), Errno> {
        self.do_ftruncate(fd, length)
    }
    fn fsync(&self, fd: Fd) -> Result<(), Errno> {
        self.do_fsync(fd, false)
    }
    fn fdatasync(&self, fd: Fd) -> Result<(), Errno> {
        self.do_fsync(fd, true)
    }
    fn chdir(&self, path: &[u8]) -> Result<(), Errno> {
        self.do_chdir(path)
    }
    fn fchdir(&self, fd: Fd) -> Result<(), Errno> {
        self.do_fchdir(fd)
    }
    fn getcwd(&self) -> Result<Vec<u8>, Errno> {
        self.do_getcwd()
    }
    fn umask(&self, mask: u32) -> u32 {
        self.do_umask(mask)
    }
    fn realpath(&self, path: &[u8]) -> Result<Vec<u8>, Errno> {
        self.do_realpath(path)
    }
    fn opendir(&self, path: &[u8]) -> Result<DirStream, Errno> {
        self.do_opendir(path)
    }
    fn fdopendir(&self, fd: Fd) -> Result<DirStream, Errno> {
        self.do_fdopendir(fd)
    }
    fn readdir(&self, dir: DirStream) -> Result<Option<DirRecord>, Errno> {
        self.do_readdir(dir)
    }
    fn readdir_batch(
        &self,
        dir: DirStream,
        out: &mut DirBatch,
        max: usize,
    ) -> Result<usize, Errno> {
        self.do_readdir_batch(dir, out, max)
    }
    fn rewinddir(&self, dir: DirStream) -> Result<(), Errno> {
        self.do_rewinddir(dir)
    }
    fn closedir(&self, dir: DirStream) -> Result<(), Errno> {
        self.do_closedir(dir)
    }
    fn getxattr(&self, path: &[u8], name: &[u8], flags: i32) -> Result<Vec<u8>, Errno> {
        self.do_getxattr(path, name, flags)
    }
    fn setxattr(
        &self,
        path: &[u8],
        name: &[u8],
        value: &[u8],
        how: i32,
        flags: i32,
    ) -> Result<(), Errno> {
        self.do_setxattr(path, name, value, how, flags)
    }
    fn listxattr(&self, path: &[u8], flags: i32) -> Result<Vec<Vec<u8>>, Errno> {
        self.do_listxattr(path, flags)
    }
    fn removexattr(&self, path: &[u8], name: &[u8], flags: i32) -> Result<(), Errno> {
        self.do_removexattr(path, name, flags)
    }
    fn fgetxattr(&self, fd: Fd, name: &[u8]) -> Result<Vec<u8>, Errno> {
        self.do_fgetxattr(fd, name)
    }
    fn fsetxattr(&self, fd: Fd, name: &[u8], value: &[u8], how: i32) -> Result<(), Errno> {
        self.do_fsetxattr(fd, name, value, how)
    }
    fn flistxattr(&self, fd: Fd) -> Result<Vec<Vec<u8>>, Errno> {
        self.do_flistxattr(fd)
    }
    fn fremovexattr(&self, fd: Fd, name: &[u8]) -> Result<(), Errno> {
        self.do_fremovexattr(fd, name)
    }
    fn isatty(&self, fd: Fd) -> Result<bool, Errno> {
        self.do_isatty(fd)
    }
}
