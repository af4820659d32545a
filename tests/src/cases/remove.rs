//! `unlink` and `rmdir`.

use crate::helpers::*;
use vfsbox_api::Errno;

cases! {
    /// `unlink("f")`: the name is gone from lookups and listings.
    fn unlink_removes_entry(t) {
        t.file(t.root, "f", b"")?;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        errno(t.fs.lookup(t.root, n("f")), Errno::ENOENT, "lookup after unlink")?;
        eq(t.names(t.root)?, Vec::<String>::new(), "listing")
    }

    /// `unlink("missing")` → ENOENT.
    fn unlink_missing_is_enoent(t) {
        t.writable()?;
        errno(t.fs.unlink(t.root, n("missing")), Errno::ENOENT, "unlink of a missing name")
    }

    /// `unlink("d")` on a directory → EISDIR.
    fn unlink_dir_is_eisdir(t) {
        t.mkdir(t.root, "d")?;
        errno(t.fs.unlink(t.root, n("d")), Errno::EISDIR, "unlink of a directory")
    }

    /// `unlink("f/x")` where f is a file → ENOTDIR.
    fn unlink_in_file_is_enotdir(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.unlink(f, n("x")), Errno::ENOTDIR, "unlink in a file")
    }

    /// `unlink("l")` of a symlink removes the link, not its target.
    fn unlink_symlink_keeps_target(t) {
        t.file(t.root, "target", b"x")?;
        t.symlink(t.root, "l", b"target")?;
        ok(t.fs.unlink(t.root, n("l")), "unlink l")?;
        eq(t.names(t.root)?, vec!["target".to_string()], "listing")
    }

    /// `unlink("p")` of a FIFO works like any non-directory.
    fn unlink_fifo_works(t) {
        t.fifo(t.root, "p")?;
        ok(t.fs.unlink(t.root, n("p")), "unlink p")?;
        eq(t.names(t.root)?, Vec::<String>::new(), "listing")
    }

    /// `rmdir("d")` of an empty directory: gone, and the parent's nlink drops by one.
    fn rmdir_removes_empty_dir(t) {
        t.mkdir(t.root, "d")?;
        ok(t.fs.rmdir(t.root, n("d")), "rmdir")?;
        errno(t.fs.lookup(t.root, n("d")), Errno::ENOENT, "lookup after rmdir")?;
        eq(t.attr(t.root)?.nlink, 2, "root nlink")
    }

    /// `rmdir("d")` where d holds a file → ENOTEMPTY.
    fn rmdir_nonempty_is_enotempty(t) {
        let d = t.mkdir(t.root, "d")?;
        t.file(d, "f", b"")?;
        errno(t.fs.rmdir(t.root, n("d")), Errno::ENOTEMPTY, "rmdir of a non-empty directory")
    }

    /// `rmdir("d")` where d holds only an empty subdirectory → ENOTEMPTY.
    fn rmdir_with_subdir_is_enotempty(t) {
        let d = t.mkdir(t.root, "d")?;
        t.mkdir(d, "sub")?;
        errno(t.fs.rmdir(t.root, n("d")), Errno::ENOTEMPTY, "rmdir of a dir holding a dir")
    }

    /// `rmdir("d")` after removing its only file: works (no ghost entries).
    fn rmdir_after_emptying_works(t) {
        let d = t.mkdir(t.root, "d")?;
        t.file(d, "f", b"")?;
        ok(t.fs.unlink(d, n("f")), "unlink d/f")?;
        ok(t.fs.rmdir(t.root, n("d")), "rmdir")
    }

    /// `rmdir("f")` on a file → ENOTDIR.
    fn rmdir_file_is_enotdir(t) {
        t.file(t.root, "f", b"")?;
        errno(t.fs.rmdir(t.root, n("f")), Errno::ENOTDIR, "rmdir of a file")
    }

    /// `rmdir("l")` on a symlink to a directory → ENOTDIR (never followed).
    fn rmdir_symlink_to_dir_is_enotdir(t) {
        t.mkdir(t.root, "d")?;
        t.symlink(t.root, "l", b"d")?;
        errno(t.fs.rmdir(t.root, n("l")), Errno::ENOTDIR, "rmdir of a symlink")
    }

    /// `rmdir("missing")` → ENOENT.
    fn rmdir_missing_is_enoent(t) {
        t.writable()?;
        errno(t.fs.rmdir(t.root, n("missing")), Errno::ENOENT, "rmdir of a missing name")
    }

    /// `rmdir("f/x")` where f is a file → ENOTDIR.
    fn rmdir_in_file_is_enotdir(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.rmdir(f, n("x")), Errno::ENOTDIR, "rmdir in a file")
    }

    /// `rmdir("d/sub")`: d's nlink goes back from 3 to 2.
    fn rmdir_decrements_parent_nlink(t) {
        let d = t.mkdir(t.root, "d")?;
        t.mkdir(d, "sub")?;
        ok(t.fs.rmdir(d, n("sub")), "rmdir d/sub")?;
        eq(t.attr(d)?.nlink, 2, "d nlink")
    }

    /// `mkdir("d")`, keep it open, `rmdir("d")`, `openat(d, "x", O_CREAT)` → ENOENT: nothing
    /// can be created in a removed directory.
    fn create_in_removed_dir_is_enoent(t) {
        let d = t.mkdir(t.root, "d")?;
        ok(t.fs.rmdir(t.root, n("d")), "rmdir")?;
        errno(
            t.fs.create(d, n("x"), 0o644, vfsbox_api::OpenFlags::WRITE, t.owner),
            Errno::ENOENT,
            "create in a removed directory",
        )
    }

    /// `rmdir("d")` then `mkdirat(d, "x")` → ENOENT.
    fn mkdir_in_removed_dir_is_enoent(t) {
        let d = t.mkdir(t.root, "d")?;
        ok(t.fs.rmdir(t.root, n("d")), "rmdir")?;
        errno(t.fs.mkdir(d, n("x"), 0o755, t.owner), Errno::ENOENT, "mkdir in a removed directory")
    }

    /// `rmdir("d")` then `fstat(d)`: a removed directory has nlink 0.
    fn removed_dir_has_nlink_zero(t) {
        let d = t.mkdir(t.root, "d")?;
        ok(t.fs.rmdir(t.root, n("d")), "rmdir")?;
        eq(t.attr(d)?.nlink, 0, "nlink")
    }
}
