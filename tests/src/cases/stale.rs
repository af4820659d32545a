//! Bad node ids: an id never issued, or forgotten, is ESTALE for every method that takes one,
//! before any other check.

use crate::helpers::*;
use vfsbox_api::{Errno, FileKind, OpenFlags, RenameFlags, SetAttr};

cases! {
    /// `getattr` of an unknown node id → ESTALE (NFS-style stale handle; FUSE replies it too).
    fn getattr_unknown_node_is_estale(t) {
        errno(t.fs.getattr(BOGUS_NODE), Errno::ESTALE, "getattr(bogus)")
    }

    /// `lookup` in an unknown directory id → ESTALE.
    fn lookup_unknown_dir_is_estale(t) {
        errno(t.fs.lookup(BOGUS_NODE, n("x")), Errno::ESTALE, "lookup(bogus, x)")
    }

    /// `setattr` of an unknown node id → ESTALE.
    fn setattr_unknown_node_is_estale(t) {
        let changes = SetAttr { perm: Some(0o644), ..SetAttr::default() };
        errno(t.fs.setattr(BOGUS_NODE, &changes, None), Errno::ESTALE, "setattr(bogus)")
    }

    /// `readlink` of an unknown node id → ESTALE.
    fn readlink_unknown_node_is_estale(t) {
        errno(t.fs.readlink(BOGUS_NODE), Errno::ESTALE, "readlink(bogus)")
    }

    /// `mkdir` in an unknown directory id → ESTALE.
    fn mkdir_unknown_dir_is_estale(t) {
        errno(t.fs.mkdir(BOGUS_NODE, n("d"), 0o755, t.owner), Errno::ESTALE, "mkdir(bogus, d)")
    }

    /// `mknod` in an unknown directory id → ESTALE.
    fn mknod_unknown_dir_is_estale(t) {
        errno(
            t.fs.mknod(BOGUS_NODE, n("f"), FileKind::Regular, 0o644, 0, t.owner),
            Errno::ESTALE,
            "mknod(bogus, f)",
        )
    }

    /// `create` in an unknown directory id → ESTALE.
    fn create_unknown_dir_is_estale(t) {
        errno(
            t.fs.create(BOGUS_NODE, n("f"), 0o644, OpenFlags::WRITE, t.owner),
            Errno::ESTALE,
            "create(bogus, f)",
        )
    }

    /// `symlink` in an unknown directory id → ESTALE.
    fn symlink_unknown_dir_is_estale(t) {
        t.need_symlinks()?;
        errno(t.fs.symlink(BOGUS_NODE, n("l"), b"x", t.owner), Errno::ESTALE, "symlink(bogus, l)")
    }

    /// `link` of an unknown node id → ESTALE.
    fn link_unknown_node_is_estale(t) {
        errno(t.fs.link(BOGUS_NODE, t.root, n("l")), Errno::ESTALE, "link(bogus)")
    }

    /// `link` into an unknown directory id → ESTALE.
    fn link_into_unknown_dir_is_estale(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.link(f, BOGUS_NODE, n("l")), Errno::ESTALE, "link(f, bogus)")
    }

    /// `unlink` in an unknown directory id → ESTALE.
    fn unlink_unknown_dir_is_estale(t) {
        errno(t.fs.unlink(BOGUS_NODE, n("f")), Errno::ESTALE, "unlink(bogus, f)")
    }

    /// `rmdir` in an unknown directory id → ESTALE.
    fn rmdir_unknown_dir_is_estale(t) {
        errno(t.fs.rmdir(BOGUS_NODE, n("d")), Errno::ESTALE, "rmdir(bogus, d)")
    }

    /// `rename` from an unknown directory id → ESTALE.
    fn rename_unknown_source_dir_is_estale(t) {
        errno(
            t.fs.rename(BOGUS_NODE, n("a"), t.root, n("b"), RenameFlags::Replace),
            Errno::ESTALE,
            "rename(bogus/a, root/b)",
        )
    }

    /// `rename` into an unknown directory id → ESTALE.
    fn rename_unknown_target_dir_is_estale(t) {
        t.file(t.root, "a", b"")?;
        errno(
            t.fs.rename(t.root, n("a"), BOGUS_NODE, n("b"), RenameFlags::Replace),
            Errno::ESTALE,
            "rename(root/a, bogus/b)",
        )
    }

    /// `open` of an unknown node id → ESTALE.
    fn open_unknown_node_is_estale(t) {
        errno(t.fs.open(BOGUS_NODE, OpenFlags::READ), Errno::ESTALE, "open(bogus)")
    }

    /// `opendir` of an unknown node id → ESTALE.
    fn opendir_unknown_node_is_estale(t) {
        errno(t.fs.opendir(BOGUS_NODE), Errno::ESTALE, "opendir(bogus)")
    }

    /// `statfs` of an unknown node id → ESTALE.
    fn statfs_unknown_node_is_estale(t) {
        errno(t.fs.statfs(BOGUS_NODE), Errno::ESTALE, "statfs(bogus)")
    }

    /// `getxattr` of an unknown node id → ESTALE (common errors come before EOPNOTSUPP).
    fn getxattr_unknown_node_is_estale(t) {
        if !t.caps.xattrs {
            return Err(skip("provider without xattrs: the trait's default answers EOPNOTSUPP without looking at the node"));
        }
        errno(t.fs.getxattr(BOGUS_NODE, b"user.x"), Errno::ESTALE, "getxattr(bogus)")
    }

    /// Precedence: `mkdir` in a forgotten directory id is ESTALE even when the name is bad
    /// for other reasons (the directory is checked first).
    fn forgotten_dir_is_estale_for_mkdir(t) {
        let d = t.mkdir(t.root, "d")?;
        t.fs.forget(d, 1);
        errno(t.fs.mkdir(d, n("x"), 0o755, t.owner), Errno::ESTALE, "mkdir in a forgotten dir")
    }

    /// `open` of a forgotten node id → ESTALE.
    fn forgotten_file_is_estale_for_open(t) {
        let f = t.file(t.root, "f", b"")?;
        t.fs.forget(f, 1);
        errno(t.fs.open(f, OpenFlags::READ), Errno::ESTALE, "open of a forgotten node")
    }
}
