//! `open`/`openat`: every flag and every errno rule.

use libc::*;

use super::{long_name, long_path};

scenarios! { open;
    /// O_CREAT makes an empty regular file with mode & ~umask.
    root fn creat_makes_file(r) {
        let fd = r.open(b"f", O_CREAT | O_WRONLY, 0o666);
        r.fstat(fd);
        r.close(fd);
        r.stat(b"f");
    }
    /// The umask is applied to the creation mode.
    root fn creat_applies_umask(r) {
        r.umask(0o077);
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o777);
        r.close(fd);
        r.umask(0);
        let fd = r.open(b"g", O_CREAT | O_RDWR, 0o777);
        r.close(fd);
        r.stat(b"f");
        r.stat(b"g");
    }
    /// O_CREAT on an existing file opens it and keeps its mode and data.
    root fn creat_existing_opens(r) {
        r.write_file(b"f", b"data");
        r.chmod(b"f", 0o600);
        let fd = r.open(b"f", O_CREAT | O_RDONLY, 0o777);
        r.read(fd, 10);
        r.close(fd);
        r.stat(b"f");
    }
    /// O_CREAT|O_EXCL on an existing file is EEXIST.
    root fn excl_existing_is_eexist(r) {
        r.write_file(b"f", b"x");
        r.open(b"f", O_CREAT | O_EXCL | O_WRONLY, 0o644);
    }
    /// O_CREAT|O_EXCL on a dangling symlink is EEXIST (the link is not followed).
    root fn excl_over_dangling_symlink_is_eexist(r) {
        r.symlink(b"missing", b"l");
        r.open(b"l", O_CREAT | O_EXCL | O_WRONLY, 0o644);
        r.lstat(b"missing");
    }
    /// O_CREAT without O_EXCL through a dangling symlink creates the target.
    root fn creat_through_dangling_symlink(r) {
        r.symlink(b"target", b"l");
        let fd = r.open(b"l", O_CREAT | O_WRONLY, 0o644);
        r.write(fd, b"via link");
        r.close(fd);
        r.read_file(b"target");
    }
    /// O_CREAT|O_EXCL on a directory is EEXIST.
    root fn excl_over_dir_is_eexist(r) {
        r.mkdir(b"d", 0o755);
        r.open(b"d", O_CREAT | O_EXCL | O_RDONLY, 0o644);
    }
    /// O_EXCL without O_CREAT is ignored for a regular file.
    root fn excl_without_creat_opens(r) {
        r.write_file(b"f", b"x");
        let fd = r.open(b"f", O_EXCL | O_RDONLY, 0);
        r.close(fd);
    }
    /// O_TRUNC empties a file opened for writing.
    root fn trunc_empties(r) {
        r.write_file(b"f", b"0123456789");
        let fd = r.open(b"f", O_TRUNC | O_WRONLY, 0);
        r.fstat(fd);
        r.close(fd);
    }
    /// O_TRUNC with O_RDONLY still truncates on Linux.
    root fn trunc_rdonly_truncates(r) {
        r.write_file(b"f", b"0123456789");
        let fd = r.open(b"f", O_TRUNC | O_RDONLY, 0);
        r.read(fd, 4);
        r.close(fd);
        r.stat(b"f");
    }
    /// O_TRUNC on a directory is EISDIR.
    root fn trunc_dir_is_eisdir(r) {
        r.mkdir(b"d", 0o755);
        r.open(b"d", O_TRUNC | O_RDONLY, 0);
    }
    /// O_APPEND writes at the end whatever the offset.
    root fn append_writes_at_end(r) {
        r.write_file(b"f", b"abc");
        let fd = r.open(b"f", O_APPEND | O_RDWR, 0);
        r.lseek(fd, 0, SEEK_SET);
        r.write(fd, b"def");
        r.lseek(fd, 0, SEEK_CUR);
        r.pread(fd, 10, 0);
        r.close(fd);
    }
    /// O_DIRECTORY on a regular file is ENOTDIR.
    root fn directory_on_file_is_enotdir(r) {
        r.write_file(b"f", b"x");
        r.open(b"f", O_DIRECTORY | O_RDONLY, 0);
    }
    /// O_DIRECTORY on a directory opens it; fstat says so.
    root fn directory_on_dir_opens(r) {
        r.mkdir(b"d", 0o750);
        let fd = r.open(b"d", O_DIRECTORY | O_RDONLY, 0);
        r.fstat(fd);
        r.close(fd);
    }
    /// O_DIRECTORY through a symlink to a directory follows it.
    root fn directory_through_symlink(r) {
        r.mkdir(b"d", 0o755);
        r.symlink(b"d", b"l");
        let fd = r.open(b"l", O_DIRECTORY | O_RDONLY, 0);
        r.fstat(fd);
        r.close(fd);
        r.open(b"l", O_DIRECTORY | O_NOFOLLOW | O_RDONLY, 0);
    }
    /// O_CREAT|O_DIRECTORY is EINVAL on current Linux.
    root fn creat_directory_is_einval(r) {
        r.open(b"new", O_CREAT | O_DIRECTORY | O_RDONLY, 0o755);
        r.lstat(b"new");
    }
    /// Opening a directory for writing is EISDIR.
    root fn dir_for_writing_is_eisdir(r) {
        r.mkdir(b"d", 0o755);
        r.open(b"d", O_WRONLY, 0);
        r.open(b"d", O_RDWR, 0);
        r.open(b"d", O_CREAT | O_WRONLY, 0o644);
    }
    /// O_NOFOLLOW on a symlink is ELOOP.
    root fn nofollow_symlink_is_eloop(r) {
        r.write_file(b"f", b"x");
        r.symlink(b"f", b"l");
        r.open(b"l", O_NOFOLLOW | O_RDONLY, 0);
        r.open(b"l", O_NOFOLLOW | O_CREAT | O_WRONLY, 0o644);
    }
    /// O_NOFOLLOW only concerns the last component.
    root fn nofollow_intermediate_symlink_followed(r) {
        r.mkdir(b"d", 0o755);
        r.write_file(b"d/f", b"x");
        r.symlink(b"d", b"l");
        let fd = r.open(b"l/f", O_NOFOLLOW | O_RDONLY, 0);
        r.read(fd, 4);
        r.close(fd);
    }
    /// O_CLOEXEC sets FD_CLOEXEC; without it the flag is clear.
    root fn cloexec_sets_fd_flag(r) {
        r.write_file(b"f", b"x");
        let a = r.open(b"f", O_RDONLY | O_CLOEXEC, 0);
        let b = r.open(b"f", O_RDONLY, 0);
        r.fcntl(a, F_GETFD, 0);
        r.fcntl(b, F_GETFD, 0);
        r.close(a);
        r.close(b);
    }
    /// An O_PATH descriptor: fstat works, read and write are EBADF, F_GETFL shows O_PATH.
    root fn path_fd_limits(r) {
        r.write_file(b"f", b"data");
        let fd = r.open(b"f", O_PATH, 0);
        r.fstat(fd);
        r.getfl(fd);
        r.read(fd, 4);
        r.write(fd, b"x");
        r.pread(fd, 4, 0);
        r.fchmod(fd, 0o600);
        r.fsync(fd);
        r.ftruncate(fd, 0);
        r.close(fd);
    }
    /// O_PATH|O_NOFOLLOW opens the symlink itself.
    root fn path_nofollow_opens_link(r) {
        r.symlink(b"missing", b"l");
        let fd = r.open(b"l", O_PATH | O_NOFOLLOW, 0);
        r.fstat(fd);
        r.fstatat(fd, b"", AT_EMPTY_PATH);
        r.close(fd);
    }
    /// An O_PATH directory descriptor works as a dirfd.
    root fn path_dirfd_works(r) {
        r.mkdir(b"d", 0o755);
        r.write_file(b"d/f", b"x");
        let dfd = r.open(b"d", O_PATH | O_DIRECTORY, 0);
        let fd = r.openat(dfd, b"f", O_RDONLY, 0);
        r.read(fd, 2);
        r.close(fd);
        r.close(dfd);
    }
    /// O_NONBLOCK is accepted on regular files and kept in F_GETFL.
    root fn nonblock_accepted(r) {
        r.write_file(b"f", b"abc");
        let fd = r.open(b"f", O_RDONLY | O_NONBLOCK, 0);
        r.getfl(fd);
        r.read(fd, 10);
        r.close(fd);
    }
    /// Access modes show in F_GETFL.
    root fn access_modes_in_getfl(r) {
        r.write_file(b"f", b"abc");
        let a = r.open(b"f", O_RDONLY, 0);
        let b = r.open(b"f", O_WRONLY, 0);
        let c = r.open(b"f", O_RDWR | O_APPEND, 0);
        r.getfl(a);
        r.getfl(b);
        r.getfl(c);
    }
    /// A missing file or parent is ENOENT.
    root fn missing_is_enoent(r) {
        r.open(b"missing", O_RDONLY, 0);
        r.open(b"missing/f", O_CREAT | O_WRONLY, 0o644);
        r.open(b"", O_RDONLY, 0);
        r.open(b"", O_CREAT | O_WRONLY, 0o644);
    }
    /// A file used as a directory is ENOTDIR.
    root fn through_file_is_enotdir(r) {
        r.write_file(b"f", b"x");
        r.open(b"f/x", O_RDONLY, 0);
        r.open(b"f/x", O_CREAT | O_WRONLY, 0o644);
        r.open(b"f/", O_RDONLY, 0);
    }
    /// A trailing slash: a directory opens; creating "new/" is EISDIR.
    root fn trailing_slash(r) {
        r.mkdir(b"d", 0o755);
        let fd = r.open(b"d/", O_RDONLY, 0);
        r.close(fd);
        r.open(b"new/", O_CREAT | O_WRONLY, 0o644);
        r.open(b"new/", O_CREAT | O_RDONLY, 0o644);
        r.lstat(b"new");
    }
    /// An interior NUL is EINVAL.
    root fn nul_is_einval(r) {
        r.open(b"a\0b", O_CREAT | O_WRONLY, 0o644);
    }
    /// A 255-byte name works, a 256-byte one is ENAMETOOLONG.
    root fn name_too_long(r) {
        let ok = long_name(255);
        let fd = r.open(&ok, O_CREAT | O_WRONLY, 0o644);
        r.close(fd);
        r.open(&long_name(256), O_CREAT | O_WRONLY, 0o644);
        r.open(&long_name(256), O_RDONLY, 0);
    }
    /// A path of 4096 bytes or more is ENAMETOOLONG.
    root fn path_too_long(r) {
        r.open(&long_path(4096), O_RDONLY, 0);
        r.open(&long_path(5000), O_CREAT | O_WRONLY, 0o644);
        r.open(&long_path(4000), O_RDONLY, 0);
    }
    /// Descriptors are the lowest free numbers.
    root fn lowest_free_fd(r) {
        r.write_file(b"f", b"x");
        let a = r.open(b"f", O_RDONLY, 0);
        let b = r.open(b"f", O_RDONLY, 0);
        let c = r.open(b"f", O_RDONLY, 0);
        r.close(b);
        r.open(b"f", O_RDONLY, 0);
        r.close(a);
        r.open(b"f", O_RDONLY, 0);
        r.close(c);
    }
    /// openat resolves from its dirfd; a file dirfd is ENOTDIR, a bad one EBADF.
    root fn openat_dirfd(r) {
        r.mkdir(b"d", 0o755);
        r.write_file(b"d/f", b"in d");
        r.write_file(b"f", b"top");
        let dfd = r.open(b"d", O_RDONLY | O_DIRECTORY, 0);
        let fd = r.openat(dfd, b"f", O_RDONLY, 0);
        r.read(fd, 10);
        let file = r.open(b"f", O_RDONLY, 0);
        r.openat(file, b"x", O_RDONLY, 0);
        r.openat(99, b"x", O_RDONLY, 0);
        r.openat(-5, b"x", O_RDONLY, 0);
        r.openat(dfd, b"../f", O_RDONLY, 0);
    }
    /// An absolute path ignores the dirfd, even a bad one.
    root fn openat_absolute_ignores_dirfd(r) {
        r.write_file(b"f", b"abs");
        let path = r.abs(b"/w/f");
        let fd = r.openat(99, &path, O_RDONLY, 0);
        r.read(fd, 10);
    }
    /// Access mode 3 (O_RDWR|O_WRONLY) opens, but neither read nor write works.
    root fn accmode_three(r) {
        r.write_file(b"f", b"x");
        let fd = r.open(b"f", 3, 0);
        r.read(fd, 1);
        r.write(fd, b"y");
        r.close(fd);
    }
    /// A symlink loop is ELOOP; a chain of links resolves.
    root fn symlink_loop_is_eloop(r) {
        r.symlink(b"b", b"a");
        r.symlink(b"a", b"b");
        r.open(b"a", O_RDONLY, 0);
        r.open(b"a", O_CREAT | O_WRONLY, 0o644);
        r.symlink(b"self", b"self");
        r.open(b"self/x", O_RDONLY, 0);
        r.write_file(b"f", b"end");
        r.symlink(b"f", b"c1");
        r.symlink(b"c1", b"c2");
        r.symlink(b"c2", b"c3");
        r.read_file(b"c3");
    }
    /// More than 40 symlinks in one resolution is ELOOP.
    root fn forty_symlinks(r) {
        r.write_file(b"f", b"x");
        r.symlink(b"f", b"l0");
        for i in 1..=41 {
            let target = format!("l{}", i - 1);
            let name = format!("l{i}");
            r.raw().symlink(target.as_bytes(), name.as_bytes()).ok();
        }
        r.open(b"l39", O_RDONLY, 0);
        r.open(b"l40", O_RDONLY, 0);
        r.open(b"l41", O_RDONLY, 0);
    }
    /// FIFOs: a non-blocking reader opens, a non-blocking writer without reader is ENXIO.
    root fn fifo_nonblock(r) {
        r.mknod(b"p", S_IFIFO | 0o644, 0);
        let fd = r.open(b"p", O_RDONLY | O_NONBLOCK, 0);
        r.read(fd, 4);
        r.close(fd);
        r.open(b"p", O_WRONLY | O_NONBLOCK, 0);
    }
}
