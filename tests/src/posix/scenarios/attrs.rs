//! `chmod`, `fchmodat`, `fchmod`, `chown`, `fchownat`, `fchown`, `utimensat`, `futimens`,
//! `faccessat`.

use libc::*;
use vfsbox_api::TimeSpec;

const T1: TimeSpec = TimeSpec {
    sec: 1_000_000_000,
    nsec: 123_456_789,
};
const T2: TimeSpec = TimeSpec {
    sec: 1_200_000_000,
    nsec: 987_654_321,
};

scenarios! { attrs;
    /// chmod sets the bits exactly (umask does not apply), through symlinks.
    root fn chmod_sets_bits(r) {
        r.write_file(b"f", b"x");
        r.chmod(b"f", 0o4751);
        r.stat(b"f");
        r.chmod(b"f", 0);
        r.stat(b"f");
        r.symlink(b"f", b"l");
        r.chmod(b"l", 0o640);
        r.stat(b"f");
        r.chmod(b"missing", 0o644);
        r.chmod(b"f/x", 0o644);
        r.chmod(b"f", 0o177777);
        r.stat(b"f");
    }
    /// fchmodat with AT_SYMLINK_NOFOLLOW: EOPNOTSUPP on a symlink, fine on a file; bad flags EINVAL.
    root fn fchmodat_nofollow(r) {
        r.write_file(b"f", b"x");
        r.symlink(b"f", b"l");
        r.fchmodat(AT_FDCWD, b"l", 0o600, AT_SYMLINK_NOFOLLOW);
        r.fchmodat(AT_FDCWD, b"f", 0o600, AT_SYMLINK_NOFOLLOW);
        r.fchmodat(AT_FDCWD, b"f", 0o600, 0x1);
        r.stat(b"f");
    }
    /// fchmod on a descriptor; EBADF on bad and O_PATH descriptors.
    root fn fchmod_fd(r) {
        let fd = r.open(b"f", O_CREAT | O_RDONLY, 0o644);
        r.fchmod(fd, 0o600);
        r.fstat(fd);
        r.fchmod(-1, 0o600);
        let d = r.open(b".", O_RDONLY | O_DIRECTORY, 0);
        r.fchmod(d, 0o751);
        r.stat(b".");
        r.fchmod(d, 0o755);
    }
    /// chown as root: sets ids, -1 keeps one, lchown changes the link, chown clears set-id bits.
    root fn chown_as_root(r) {
        r.write_file(b"f", b"x");
        r.chown(b"f", 65534, 65534);
        r.stat(b"f");
        r.chown(b"f", u32::MAX, 0);
        r.stat(b"f");
        r.chmod(b"f", 0o6755);
        r.chown(b"f", 0, u32::MAX);
        r.stat(b"f");
        r.symlink(b"f", b"l");
        r.fchownat(AT_FDCWD, b"l", 123, 456, AT_SYMLINK_NOFOLLOW);
        r.lstat(b"l");
        r.stat(b"f");
        r.fchownat(AT_FDCWD, b"f", 1, 1, 0x1);
        r.chown(b"missing", 1, 1);
    }
    /// fchown on descriptors; AT_EMPTY_PATH with fchownat.
    root fn fchown_fd(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.fchown(fd, 7, 8);
        r.fstat(fd);
        r.fchownat(fd, b"", 9, 10, AT_EMPTY_PATH);
        r.fstat(fd);
        r.fchown(-1, 0, 0);
    }
    /// utimensat sets both times to the nanosecond in one call.
    root fn utimens_exact(r) {
        r.write_file(b"f", b"x");
        r.utimensat(AT_FDCWD, b"f", [T1, T2], 0);
        r.times(b"f");
        r.utimensat(AT_FDCWD, b"f", [TimeSpec::OMIT, T1], 0);
        r.times(b"f");
        r.utimensat(AT_FDCWD, b"f", [T2, TimeSpec::OMIT], 0);
        r.times(b"f");
        r.utimensat(AT_FDCWD, b"f", [TimeSpec::OMIT; 2], 0);
        r.times(b"f");
    }
    /// UTIME_NOW moves the time to now (after the old value); the other is kept.
    root fn utimens_now(r) {
        r.write_file(b"f", b"x");
        r.utimensat(AT_FDCWD, b"f", [T1, T1], 0);
        r.utimensat(AT_FDCWD, b"f", [TimeSpec::NOW, TimeSpec::OMIT], 0);
        let st = r.raw().stat(b"f").ok();
        if let Some(st) = st {
            r.check("atime now", st.atime.sec > T1.sec);
            r.check("mtime kept", st.mtime.sec == T1.sec && st.mtime.nsec as i64 == T1.nsec);
        }
    }
    /// Bad nanoseconds and flags are EINVAL; AT_SYMLINK_NOFOLLOW sets the link's own times.
    root fn utimens_errors(r) {
        r.write_file(b"f", b"x");
        r.utimensat(AT_FDCWD, b"f", [TimeSpec { sec: 1, nsec: 1_000_000_000 }, T1], 0);
        r.utimensat(AT_FDCWD, b"f", [TimeSpec { sec: 1, nsec: -1 }, T1], 0);
        r.utimensat(AT_FDCWD, b"f", [T1, T1], 0x1);
        r.utimensat(AT_FDCWD, b"missing", [T1, T1], 0);
        r.symlink(b"f", b"l");
        r.utimensat(AT_FDCWD, b"l", [T2, T2], AT_SYMLINK_NOFOLLOW);
        r.times(b"l");
        r.utimensat(AT_FDCWD, b"l", [T1, T1], 0);
        r.times(b"f");
    }
    /// futimens on descriptors, including O_PATH (EBADF) and bad ones.
    root fn futimens_fd(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.futimens(fd, [T2, T1]);
        r.times(b"f");
        let ro = r.open(b"f", O_RDONLY, 0);
        r.futimens(ro, [T1, T2]);
        r.times(b"f");
        r.futimens(-1, [T1, T2]);
        let p = r.open(b"f", O_PATH, 0);
        r.futimens(p, [T1, T1]);
    }
    /// faccessat as root: F_OK, R_OK, W_OK always; X_OK only with some x bit.
    root fn access_as_root(r) {
        r.write_file(b"f", b"x");
        r.chmod(b"f", 0);
        r.access(b"f", F_OK);
        r.access(b"f", R_OK | W_OK);
        r.access(b"f", X_OK);
        r.chmod(b"f", 0o010);
        r.access(b"f", X_OK);
        r.mkdir(b"d", 0);
        r.access(b"d", X_OK);
        r.access(b"missing", F_OK);
        r.access(b"f/x", F_OK);
    }
    /// faccessat rules: bad mode and flags are EINVAL; AT_SYMLINK_NOFOLLOW on a dangling link.
    root fn access_flags(r) {
        r.write_file(b"f", b"x");
        r.symlink(b"missing", b"l");
        r.access(b"f", 0o10);
        r.faccessat(AT_FDCWD, b"f", F_OK, 0x1);
        r.faccessat(AT_FDCWD, b"l", F_OK, 0);
        r.faccessat(AT_FDCWD, b"l", F_OK, AT_SYMLINK_NOFOLLOW);
        r.faccessat(AT_FDCWD, b"f", R_OK, AT_EACCESS);
        r.faccessat(-1, b"f", R_OK, 0);
    }
}
