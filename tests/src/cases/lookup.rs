//! `lookup`, `getattr` of fresh nodes, and lookup counts (`forget`).

use crate::helpers::*;
use vfsbox_api::{Errno, FileKind};

cases! {
    /// `stat("missing")` → ENOENT.
    fn lookup_missing_is_enoent(t) {
        errno(t.fs.lookup(t.root, n("missing")), Errno::ENOENT, "lookup(\"missing\")")
    }

    /// `stat("f/x")` where f is a regular file → ENOTDIR.
    fn lookup_in_file_is_enotdir(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.lookup(f, n("x")), Errno::ENOTDIR, "lookup in a file")
    }

    /// Precedence: `stat("f/x")` where f is a file is ENOTDIR even though x does not exist.
    fn lookup_in_file_enotdir_precedes_enoent(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.lookup(f, n("missing")), Errno::ENOTDIR, "lookup of a missing name in a file")
    }

    /// `fstatat(linkfd, "x")` with a symlink node as directory (the resolver never does this,
    /// a provider must still refuse) → ENOTDIR.
    fn lookup_in_symlink_is_enotdir(t) {
        let l = t.symlink(t.root, "l", b".")?;
        errno(t.fs.lookup(l, n("x")), Errno::ENOTDIR, "lookup in a symlink")
    }

    /// `open("f", O_CREAT)` then `stat("f")`: lookup finds the node with the attributes of
    /// getattr.
    fn lookup_finds_created_file(t) {
        let f = t.file(t.root, "f", b"abc")?;
        let entry = t.lookup(t.root, "f")?;
        eq(entry.node, f, "node")?;
        eq(entry.attr, t.attr(f)?, "attr of lookup vs getattr")
    }

    /// `stat("f")` twice: the same node id while referenced.
    fn lookup_twice_gives_same_node(t) {
        t.file(t.root, "f", b"")?;
        let a = t.lookup(t.root, "f")?;
        let b = t.lookup(t.root, "f")?;
        eq(a.node, b.node, "node ids")?;
        eq(a.attr.ino, b.attr.ino, "inode numbers")
    }

    /// `stat("/")`: the root is a directory; an empty one has nlink 2.
    fn root_is_directory_with_nlink_2(t) {
        let attr = t.attr(t.root)?;
        eq(attr.kind, FileKind::Directory, "kind")?;
        eq(attr.nlink, 2, "nlink of an empty root")
    }

    /// `open("a", O_CREAT)`, `open("b", O_CREAT)`: distinct files have distinct inode numbers.
    fn distinct_files_have_distinct_inos(t) {
        let a = t.file(t.root, "a", b"")?;
        let b = t.file(t.root, "b", b"")?;
        check(t.attr(a)?.ino != t.attr(b)?.ino, "two files share an inode number")
    }

    /// `unlink("f")` then `stat("f")` → ENOENT.
    fn lookup_after_unlink_is_enoent(t) {
        t.file(t.root, "f", b"")?;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        errno(t.fs.lookup(t.root, n("f")), Errno::ENOENT, "lookup after unlink")
    }

    /// FUSE `FORGET` of the only lookup (the create): the node id is invalid afterwards, so
    /// `getattr` → ESTALE.
    fn forget_then_getattr_is_estale(t) {
        let f = t.file(t.root, "f", b"")?;
        t.fs.forget(f, 1);
        errno(t.fs.getattr(f), Errno::ESTALE, "getattr after forget")
    }

    /// FUSE `FORGET` of some lookups keeps the node valid until the last one is given back.
    fn forget_partial_keeps_node(t) {
        let f = t.file(t.root, "f", b"")?;
        t.lookup(t.root, "f")?;
        t.lookup(t.root, "f")?;
        t.fs.forget(f, 2);
        t.attr(f)?;
        t.fs.forget(f, 1);
        errno(t.fs.getattr(f), Errno::ESTALE, "getattr after the last forget")
    }

    /// FUSE `FORGET` then `LOOKUP` of the same name: a working node for the same inode.
    fn lookup_after_forget_works(t) {
        let f = t.file(t.root, "f", b"data")?;
        let ino = t.attr(f)?.ino;
        t.fs.forget(f, 1);
        let again = t.lookup(t.root, "f")?;
        eq(again.attr.ino, ino, "inode number")?;
        eq(t.contents(again.node)?, b"data".to_vec(), "contents")
    }

    /// FUSE never forgets the root; a `forget` of it is ignored and the root keeps working.
    fn forget_root_is_ignored(t) {
        t.fs.forget(t.root, 1000);
        t.attr(t.root)?;
        t.list(t.root)?;
        Ok(())
    }

    /// `forget` of a node id never issued is ignored, without panicking.
    fn forget_unknown_node_is_ignored(t) {
        t.fs.forget(BOGUS_NODE, 1);
        t.attr(t.root)?;
        Ok(())
    }

    /// `forget` of a directory's node: names inside it still resolve through a new lookup.
    fn forget_dir_then_lookup_children(t) {
        let d = t.mkdir(t.root, "d")?;
        t.file(d, "f", b"x")?;
        t.fs.forget(d, 1);
        let d2 = t.lookup(t.root, "d")?.node;
        eq(t.names(d2)?, vec!["f".to_string()], "listing after forget")
    }

    /// `lstat("l")` on a symlink: lookup does not follow it; kind is Symlink.
    fn lookup_does_not_follow_symlink(t) {
        t.symlink(t.root, "l", b"target")?;
        eq(t.lookup(t.root, "l")?.attr.kind, FileKind::Symlink, "kind")
    }
}
