//! `dup`, `dup2`, `dup3`, `fcntl`, `close`, descriptors outliving their names.

use libc::*;

scenarios! { fds;
    /// dup shares the offset and takes the lowest free number.
    root fn dup_shares_offset(r) {
        r.write_file(b"f", b"abcdef");
        let fd = r.open(b"f", O_RDONLY, 0);
        let d = r.dup(fd);
        r.read(fd, 2);
        r.read(d, 2);
        r.lseek(d, 0, SEEK_CUR);
        r.close(fd);
        r.read(d, 10);
        r.dup(fd);
    }
    /// dup of a bad descriptor is EBADF.
    root fn dup_bad_is_ebadf(r) {
        r.dup(-1);
        r.dup(500);
        r.dup2(500, 10);
        r.dup3(500, 10, 0);
    }
    /// dup2 onto an open descriptor closes it first; dup2(fd, fd) returns fd.
    root fn dup2_replaces(r) {
        r.write_file(b"a", b"AAAA");
        r.write_file(b"b", b"BBBB");
        let a = r.open(b"a", O_RDONLY, 0);
        let b = r.open(b"b", O_RDONLY, 0);
        r.dup2(a, b);
        r.read(b, 2);
        r.dup2(a, a);
        r.dup2(a, 40);
        r.read(40, 10);
        r.dup2(a, -1);
        r.dup2(a, 1 << 20);
    }
    /// dup2(fd, fd) on a closed fd is EBADF.
    root fn dup2_same_closed_is_ebadf(r) {
        r.dup2(50, 50);
    }
    /// dup3 with the same fd or unknown flags is EINVAL; O_CLOEXEC is per descriptor.
    root fn dup3_rules(r) {
        r.write_file(b"f", b"x");
        let fd = r.open(b"f", O_RDONLY, 0);
        r.dup3(fd, fd, 0);
        r.dup3(fd, 20, O_NONBLOCK);
        r.dup3(fd, 20, O_CLOEXEC);
        r.fcntl(20, F_GETFD, 0);
        r.fcntl(fd, F_GETFD, 0);
        r.dup3(fd, 21, 0);
        r.fcntl(21, F_GETFD, 0);
    }
    /// F_DUPFD takes the lowest number at or above its argument; F_DUPFD_CLOEXEC sets the flag.
    root fn fcntl_dupfd(r) {
        r.write_file(b"f", b"x");
        let fd = r.open(b"f", O_RDONLY, 0);
        r.fcntl(fd, F_DUPFD, 10);
        r.fcntl(fd, F_DUPFD, 10);
        r.fcntl(fd, F_DUPFD, 0);
        let c = r.fcntl(fd, F_DUPFD_CLOEXEC, 30);
        r.fcntl(c, F_GETFD, 0);
        r.fcntl(fd, F_DUPFD, -1);
        r.fcntl(fd, F_DUPFD, 1 << 30);
    }
    /// F_SETFD changes only that descriptor; dup clears FD_CLOEXEC on the copy.
    root fn cloexec_is_per_fd(r) {
        r.write_file(b"f", b"x");
        let fd = r.open(b"f", O_RDONLY | O_CLOEXEC, 0);
        let d = r.dup(fd);
        r.fcntl(d, F_GETFD, 0);
        r.fcntl(d, F_SETFD, FD_CLOEXEC as i64);
        r.fcntl(fd, F_SETFD, 0);
        r.fcntl(fd, F_GETFD, 0);
        r.fcntl(d, F_GETFD, 0);
    }
    /// F_SETFL changes O_APPEND/O_NONBLOCK for every duplicate (the description is shared)
    /// and ignores the access mode.
    root fn setfl_shared(r) {
        r.write_file(b"f", b"abc");
        let fd = r.open(b"f", O_WRONLY, 0);
        let d = r.dup(fd);
        r.fcntl(fd, F_SETFL, (O_APPEND | O_NONBLOCK | O_RDWR) as i64);
        r.getfl(d);
        r.write(d, b"Z");
        r.close(fd);
        r.close(d);
        r.read_file(b"f");
    }
    /// An unknown fcntl command is EINVAL; a bad descriptor is EBADF first.
    root fn fcntl_bad_cmd(r) {
        r.write_file(b"f", b"x");
        let fd = r.open(b"f", O_RDONLY, 0);
        r.fcntl(fd, 9999, 0);
        r.fcntl(-1, 9999, 0);
        r.fcntl(-1, F_GETFD, 0);
        r.fcntl(fd, -3, 0);
    }
    /// fcntl works on O_PATH descriptors for F_GETFD/F_SETFD/F_GETFL/F_DUPFD.
    root fn fcntl_on_path_fd(r) {
        r.write_file(b"f", b"x");
        let fd = r.open(b"f", O_PATH, 0);
        r.fcntl(fd, F_GETFD, 0);
        r.fcntl(fd, F_SETFD, FD_CLOEXEC as i64);
        r.fcntl(fd, F_GETFD, 0);
        r.getfl(fd);
        let d = r.fcntl(fd, F_DUPFD, 0);
        r.fstat(d);
    }
    /// close twice: the second is EBADF.
    root fn close_twice(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.close(fd);
        r.close(fd);
        r.close(-1);
    }
    /// A descriptor keeps working after its file is unlinked; nlink drops to 0.
    root fn fd_survives_unlink(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.write(fd, b"ghost");
        r.unlink(b"f");
        r.fstat(fd);
        r.pread(fd, 10, 0);
        r.write(fd, b"!");
        r.pread(fd, 10, 0);
        r.stat(b"f");
    }
    /// A descriptor keeps working after its file is renamed, and sees later writes by name.
    root fn fd_survives_rename(r) {
        r.write_file(b"f", b"one");
        let fd = r.open(b"f", O_RDWR, 0);
        r.rename(b"f", b"g");
        r.write_file(b"f", b"new f");
        r.read(fd, 10);
        r.write(fd, b"+");
        r.read_file(b"g");
        r.read_file(b"f");
    }
    /// A directory descriptor keeps working after the directory is renamed.
    root fn dirfd_survives_rename(r) {
        r.mkdir(b"d", 0o755);
        let dfd = r.open(b"d", O_RDONLY | O_DIRECTORY, 0);
        r.rename(b"d", b"e");
        let fd = r.openat(dfd, b"inside", O_CREAT | O_WRONLY, 0o644);
        r.close(fd);
        r.stat(b"e/inside");
    }
    /// A directory descriptor of a removed directory: creating in it is ENOENT.
    root fn dirfd_of_removed_dir(r) {
        r.mkdir(b"d", 0o755);
        let dfd = r.open(b"d", O_RDONLY | O_DIRECTORY, 0);
        r.rmdir(b"d");
        r.openat(dfd, b"x", O_CREAT | O_WRONLY, 0o644);
        r.mkdirat(dfd, b"y", 0o755);
        r.fstat(dfd);
    }
    /// dup of a descriptor whose file was replaced by rename still reads the old data.
    root fn fd_survives_replace(r) {
        r.write_file(b"f", b"old");
        r.write_file(b"g", b"new");
        let fd = r.open(b"f", O_RDONLY, 0);
        r.rename(b"g", b"f");
        let d = r.dup(fd);
        r.read(d, 10);
        r.read_file(b"f");
        r.fstat(fd);
    }
}
