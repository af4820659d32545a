//! `stat`, `lstat`, `fstat`, `fstatat`, `statvfs`, `fstatvfs`.

use libc::*;

scenarios! { stat;
    /// stat follows symlinks, lstat does not; a symlink's size is its text's length.
    root fn stat_vs_lstat(r) {
        r.write_file(b"f", b"12345");
        r.symlink(b"f", b"l");
        r.stat(b"l");
        r.lstat(b"l");
        let size = r.raw().lstat(b"l").map(|s| s.size).unwrap_or(-1);
        let text = r.raw().readlink(b"l").map(|t| t.len() as i64).unwrap_or(-2);
        r.check("symlink size is text length", size == text);
    }
    /// A dangling symlink: stat ENOENT, lstat works.
    root fn dangling(r) {
        r.symlink(b"nowhere", b"l");
        r.stat(b"l");
        r.lstat(b"l");
    }
    /// ENOENT, ENOTDIR, empty path, NUL.
    root fn stat_errors(r) {
        r.write_file(b"f", b"x");
        r.stat(b"missing");
        r.stat(b"f/x");
        r.stat(b"f/");
        r.stat(b"");
        r.lstat(b"");
        r.stat(b"a\0b");
    }
    /// fstatat with AT_EMPTY_PATH stats the descriptor; without it "" is ENOENT; bad flags EINVAL.
    root fn fstatat_flags(r) {
        r.write_file(b"f", b"abc");
        let fd = r.open(b"f", O_RDONLY, 0);
        r.fstatat(fd, b"", AT_EMPTY_PATH);
        r.fstatat(fd, b"", 0);
        r.fstatat(fd, b"x", 0);
        r.fstatat(AT_FDCWD, b"f", 0x10000);
        r.fstatat(AT_FDCWD, b"", AT_EMPTY_PATH);
        r.fstatat(-1, b"f", 0);
        r.fstatat(-1, b"", AT_EMPTY_PATH);
    }
    /// Directory nlink counts its subdirectories; files count their links.
    root fn nlink_counts(r) {
        r.mkdir(b"d", 0o755);
        r.stat(b"d");
        r.mkdir(b"d/a", 0o755);
        r.mkdir(b"d/b", 0o755);
        r.write_file(b"d/f", b"x");
        r.stat(b"d");
        r.rmdir(b"d/a");
        r.stat(b"d");
        r.link(b"d/f", b"g");
        r.stat(b"d/f");
    }
    /// statvfs and fstatvfs report sane numbers; errors as stat.
    root fn statvfs_sane(r) {
        r.write_file(b"f", b"x");
        r.statvfs(b".");
        r.statvfs(b"f");
        r.statvfs(b"missing");
        r.statvfs(b"f/x");
        let fd = r.open(b"f", O_RDONLY, 0);
        r.fstatvfs(fd);
        r.fstatvfs(-1);
        let p = r.open(b"f", O_PATH, 0);
        r.fstatvfs(p);
    }
    /// Owner of a new file and directory is the caller.
    root fn new_owner(r) {
        r.write_file(b"f", b"x");
        r.mkdir(b"d", 0o700);
        r.stat(b"f");
        r.stat(b"d");
    }
    /// A write updates mtime and ctime; a read leaves mtime alone.
    root fn times_relations(r) {
        r.write_file(b"f", b"x");
        r.utimensat(AT_FDCWD, b"f", [vfsbox_api::TimeSpec { sec: 1000, nsec: 0 }; 2], 0);
        let before = r.raw().stat(b"f").ok();
        let fd = r.open(b"f", O_RDWR, 0);
        r.read(fd, 1);
        let mid = r.raw().stat(b"f").ok();
        r.write(fd, b"y");
        let after = r.raw().stat(b"f").ok();
        if let (Some(b), Some(m), Some(a)) = (before, mid, after) {
            r.check("read keeps mtime", b.mtime == m.mtime);
            r.check("write moves mtime", a.mtime > b.mtime);
            r.check("write moves ctime", a.ctime >= b.ctime);
        }
    }
    /// Creating a file updates the parent's mtime.
    root fn create_touches_parent(r) {
        r.mkdir(b"d", 0o755);
        r.utimensat(AT_FDCWD, b"d", [vfsbox_api::TimeSpec { sec: 1000, nsec: 0 }; 2], 0);
        r.write_file(b"d/f", b"x");
        let m = r.raw().stat(b"d").map(|s| s.mtime.sec > 1000);
        r.check("parent mtime moved", m == Ok(true));
    }
}
