//! `symlink` and `readlink`: targets stored byte for byte, never interpreted.

use crate::helpers::*;
use vfsbox_api::{Errno, FileKind, SYMLINK_MAX};

/// `symlink(target, "l")` then `readlink("l")` must give `target` back unchanged.
fn round_trip(t: &Ctx, target: &[u8]) -> crate::outcome::CaseResult {
    let l = t.symlink(t.root, "l", target)?;
    eq(ok(t.fs.readlink(l), "readlink")?, target.to_vec(), "target")?;
    eq(
        t.attr(l)?.size,
        target.len() as u64,
        "size (the target's length)",
    )
}

cases! {
    /// `symlink("target", "l")`, `readlink("l")`: the target verbatim; kind Symlink.
    fn symlink_target_verbatim(t) {
        round_trip(t, b"target")?;
        eq(t.lookup(t.root, "l")?.attr.kind, FileKind::Symlink, "kind")
    }

    /// `symlink("../../etc/passwd", "l")`: `..` in a target is stored, never resolved.
    fn symlink_dotdot_target_verbatim(t) {
        round_trip(t, b"../../etc/passwd")
    }

    /// `symlink("/etc/passwd", "l")`: absolute targets are stored verbatim.
    fn symlink_absolute_target_verbatim(t) {
        round_trip(t, b"/etc/passwd")
    }

    /// `symlink("dir//./x/", "l")`: doubled slashes, dots and a trailing slash are kept.
    fn symlink_odd_slashes_verbatim(t) {
        round_trip(t, b"dir//./x/")
    }

    /// `symlink("\xff\x01 name", "l")`: targets are bytes, not UTF-8.
    fn symlink_binary_target_verbatim(t) {
        round_trip(t, b"\xff\x01 name")
    }

    /// `symlink("nowhere", "l")`: a dangling symlink is fine.
    fn symlink_dangling_allowed(t) {
        round_trip(t, b"nowhere")?;
        errno(t.fs.lookup(t.root, n("nowhere")), Errno::ENOENT, "the target does not exist")
    }

    /// `symlink("a" * 4095, "l")`: the longest target Linux stores.
    fn symlink_4095_bytes_ok(t) {
        round_trip(t, &[b'a'; SYMLINK_MAX])
    }

    /// `symlink("a" * 4096, "l")` → ENAMETOOLONG.
    fn symlink_4096_bytes_is_enametoolong(t) {
        t.need_symlinks()?;
        t.writable()?;
        errno(t.fs.symlink(t.root, n("l"), &[b'a'; SYMLINK_MAX + 1], t.owner), Errno::ENAMETOOLONG, "4096-byte target")?;
        errno(t.fs.lookup(t.root, n("l")), Errno::ENOENT, "nothing was made")
    }

    /// `symlink("", "l")` → ENOENT.
    fn symlink_empty_target_is_enoent(t) {
        t.need_symlinks()?;
        t.writable()?;
        errno(t.fs.symlink(t.root, n("l"), b"", t.owner), Errno::ENOENT, "empty target")
    }

    /// Precedence: `symlink("", "f")` where f exists → ENOENT (Linux checks the target string
    /// before it looks at the new name).
    fn symlink_empty_target_precedes_eexist(t) {
        t.need_symlinks()?;
        t.file(t.root, "f", b"")?;
        errno(t.fs.symlink(t.root, n("f"), b"", t.owner), Errno::ENOENT, "empty target onto an existing name")
    }

    /// `symlink("x", "f")` where f exists → EEXIST.
    fn symlink_existing_name_is_eexist(t) {
        t.need_symlinks()?;
        t.file(t.root, "f", b"")?;
        errno(t.fs.symlink(t.root, n("f"), b"x", t.owner), Errno::EEXIST, "symlink onto an existing name")
    }

    /// `symlink("x", "f/l")` where f is a file → ENOTDIR.
    fn symlink_in_file_is_enotdir(t) {
        t.need_symlinks()?;
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.symlink(f, n("l"), b"x", t.owner), Errno::ENOTDIR, "symlink in a file")
    }

    /// `symlink` without `Capabilities::symlinks` → EPERM (as on vfat).
    fn symlink_unsupported_is_eperm(t) {
        t.writable()?;
        if t.caps.symlinks {
            return Err(skip("the provider supports symlinks; symlink_target_verbatim checks them"));
        }
        errno(t.fs.symlink(t.root, n("l"), b"x", t.owner), Errno::EPERM, "symlink without support")
    }

    /// `lstat("l")`: a symlink has nlink 1, perm 0777 and the owner given.
    fn symlink_attributes(t) {
        let l = t.symlink(t.root, "l", b"target")?;
        let attr = t.attr(l)?;
        eq(attr.nlink, 1, "nlink")?;
        eq(attr.perm, 0o777, "perm")?;
        eq((attr.uid, attr.gid), (t.owner.uid, t.owner.gid), "uid, gid")
    }

    /// `readlink("f")` on a regular file → EINVAL.
    fn readlink_on_file_is_einval(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.readlink(f), Errno::EINVAL, "readlink of a file")
    }

    /// `readlink("d")` on a directory → EINVAL.
    fn readlink_on_dir_is_einval(t) {
        let d = t.mkdir(t.root, "d")?;
        errno(t.fs.readlink(d), Errno::EINVAL, "readlink of a directory")
    }

    /// `readlink("/")` on the root → EINVAL.
    fn readlink_on_root_is_einval(t) {
        errno(t.fs.readlink(t.root), Errno::EINVAL, "readlink of the root")
    }
}
