//! `rename` with its three modes, kinds, ancestry, nlink bookkeeping.

use crate::helpers::*;
use vfsbox_api::{Errno, FileKind, NodeId, RenameFlags};

/// `rename(dir/a, ndir/b, flags)`.
fn mv(
    t: &Ctx,
    dir: NodeId,
    a: &str,
    ndir: NodeId,
    b: &str,
    flags: RenameFlags,
) -> Result<(), Errno> {
    t.fs.rename(dir, n(a), ndir, n(b), flags)
}

/// The errno a provider without this flag answers instead of `want`, or `want`.
fn flag_errno(t: &Ctx, flags: RenameFlags, want: Errno) -> Errno {
    let supported = match flags {
        RenameFlags::Replace => true,
        RenameFlags::NoReplace => t.caps.rename_noreplace,
        RenameFlags::Exchange => t.caps.rename_exchange,
    };
    if supported {
        want
    } else {
        Errno::EINVAL
    }
}

cases! {
    /// `rename("a", "b")` in one directory: same inode under the new name, old name gone.
    fn rename_file_same_dir(t) {
        let a = t.file(t.root, "a", b"data")?;
        let ino = t.attr(a)?.ino;
        ok(mv(t, t.root, "a", t.root, "b", RenameFlags::Replace), "rename")?;
        eq(t.lookup(t.root, "b")?.attr.ino, ino, "ino under the new name")?;
        errno(t.fs.lookup(t.root, n("a")), Errno::ENOENT, "old name")?;
        eq(t.names(t.root)?, vec!["b".to_string()], "listing")
    }

    /// `rename("a", "d/a")` across directories.
    fn rename_file_across_dirs(t) {
        t.file(t.root, "a", b"data")?;
        let d = t.mkdir(t.root, "d")?;
        ok(mv(t, t.root, "a", d, "a", RenameFlags::Replace), "rename")?;
        eq(t.contents(t.lookup(d, "a")?.node)?, b"data".to_vec(), "contents")?;
        eq(t.names(t.root)?, vec!["d".to_string()], "root listing")
    }

    /// `rename("missing", "b")` → ENOENT.
    fn rename_missing_is_enoent(t) {
        t.writable()?;
        errno(mv(t, t.root, "missing", t.root, "b", RenameFlags::Replace), Errno::ENOENT, "rename of a missing name")
    }

    /// `rename("a", "b")` where b is a file: b is replaced, its old inode unlinked.
    fn rename_replaces_existing_file(t) {
        t.file(t.root, "a", b"new")?;
        let b = t.file(t.root, "b", b"old")?;
        ok(mv(t, t.root, "a", t.root, "b", RenameFlags::Replace), "rename")?;
        eq(t.contents(t.lookup(t.root, "b")?.node)?, b"new".to_vec(), "contents of b")?;
        eq(t.attr(b)?.nlink, 0, "nlink of the replaced inode")?;
        eq(t.names(t.root)?, vec!["b".to_string()], "listing")
    }

    /// `renameat2("a", "b", RENAME_NOREPLACE)` where b exists → EEXIST, nothing changes.
    fn rename_noreplace_existing_is_eexist(t) {
        t.file(t.root, "a", b"a")?;
        t.file(t.root, "b", b"b")?;
        let want = flag_errno(t, RenameFlags::NoReplace, Errno::EEXIST);
        errno(mv(t, t.root, "a", t.root, "b", RenameFlags::NoReplace), want, "RENAME_NOREPLACE onto b")?;
        eq(t.contents(t.lookup(t.root, "b")?.node)?, b"b".to_vec(), "b unchanged")
    }

    /// `renameat2("a", "b", RENAME_NOREPLACE)` where b is absent: a plain move.
    fn rename_noreplace_absent_target_moves(t) {
        t.file(t.root, "a", b"a")?;
        let result = mv(t, t.root, "a", t.root, "b", RenameFlags::NoReplace);
        if !t.caps.rename_noreplace {
            return errno(result, Errno::EINVAL, "RENAME_NOREPLACE without support");
        }
        ok(result, "RENAME_NOREPLACE")?;
        eq(t.names(t.root)?, vec!["b".to_string()], "listing")
    }

    /// Precedence: `renameat2("a", "d", RENAME_NOREPLACE)` of a file onto a directory →
    /// EEXIST, not EISDIR.
    fn rename_noreplace_file_onto_dir_is_eexist(t) {
        t.file(t.root, "a", b"")?;
        t.mkdir(t.root, "d")?;
        let want = flag_errno(t, RenameFlags::NoReplace, Errno::EEXIST);
        errno(mv(t, t.root, "a", t.root, "d", RenameFlags::NoReplace), want, "RENAME_NOREPLACE file onto dir")
    }

    /// Precedence: `renameat2("missing", "b", RENAME_NOREPLACE)` with b present → ENOENT.
    fn rename_noreplace_missing_source_is_enoent(t) {
        t.file(t.root, "b", b"")?;
        let want = flag_errno(t, RenameFlags::NoReplace, Errno::ENOENT);
        errno(mv(t, t.root, "missing", t.root, "b", RenameFlags::NoReplace), want, "RENAME_NOREPLACE of a missing name")
    }

    /// `renameat2("a", "b", RENAME_EXCHANGE)`: the two names swap nodes.
    fn rename_exchange_swaps(t) {
        let a = t.file(t.root, "a", b"A")?;
        let b = t.file(t.root, "b", b"B")?;
        let result = mv(t, t.root, "a", t.root, "b", RenameFlags::Exchange);
        if !t.caps.rename_exchange {
            return errno(result, Errno::EINVAL, "RENAME_EXCHANGE without support");
        }
        ok(result, "RENAME_EXCHANGE")?;
        eq(t.lookup(t.root, "a")?.attr.ino, t.attr(b)?.ino, "a now names b's inode")?;
        eq(t.lookup(t.root, "b")?.attr.ino, t.attr(a)?.ino, "b now names a's inode")?;
        eq(t.contents(t.lookup(t.root, "a")?.node)?, b"B".to_vec(), "contents of a")
    }

    /// `renameat2("a", "missing", RENAME_EXCHANGE)` → ENOENT.
    fn rename_exchange_missing_target_is_enoent(t) {
        t.file(t.root, "a", b"")?;
        let want = flag_errno(t, RenameFlags::Exchange, Errno::ENOENT);
        errno(mv(t, t.root, "a", t.root, "missing", RenameFlags::Exchange), want, "RENAME_EXCHANGE with a missing target")
    }

    /// `renameat2("f", "d/sub", RENAME_EXCHANGE)` of a file and a directory in different
    /// parents: kinds swap places and both parents' nlink follow the directory.
    fn rename_exchange_file_and_dir_across_parents(t) {
        let p = t.mkdir(t.root, "p")?;
        let q = t.mkdir(t.root, "q")?;
        t.file(p, "f", b"")?;
        t.mkdir(q, "sub")?;
        let result = mv(t, p, "f", q, "sub", RenameFlags::Exchange);
        if !t.caps.rename_exchange {
            return errno(result, Errno::EINVAL, "RENAME_EXCHANGE without support");
        }
        ok(result, "RENAME_EXCHANGE")?;
        eq(t.lookup(p, "f")?.attr.kind, FileKind::Directory, "p/f kind")?;
        eq(t.lookup(q, "sub")?.attr.kind, FileKind::Regular, "q/sub kind")?;
        eq(t.attr(p)?.nlink, 3, "p nlink (gained a subdirectory)")?;
        eq(t.attr(q)?.nlink, 2, "q nlink (lost its subdirectory)")
    }

    /// `renameat2("d", "d/s", RENAME_EXCHANGE)`: exchanging a directory with its own
    /// descendant → EINVAL.
    fn rename_exchange_with_own_subdir_is_einval(t) {
        let d = t.mkdir(t.root, "d")?;
        t.mkdir(d, "s")?;
        let want = flag_errno(t, RenameFlags::Exchange, Errno::EINVAL);
        errno(mv(t, t.root, "d", d, "s", RenameFlags::Exchange), want, "exchange d with d/s")
    }

    /// `renameat2("d/s", "d", RENAME_EXCHANGE)`: exchanging with an ancestor → EINVAL (plain
    /// rename answers ENOTEMPTY here).
    fn rename_exchange_with_ancestor_is_einval(t) {
        let d = t.mkdir(t.root, "d")?;
        t.mkdir(d, "s")?;
        let want = flag_errno(t, RenameFlags::Exchange, Errno::EINVAL);
        errno(mv(t, d, "s", t.root, "d", RenameFlags::Exchange), want, "exchange d/s with d")
    }

    /// `rename("d", "d/s/x")` → EINVAL: a directory cannot move into its own subtree.
    fn rename_dir_into_own_subdir_is_einval(t) {
        let d = t.mkdir(t.root, "d")?;
        let s = t.mkdir(d, "s")?;
        errno(mv(t, t.root, "d", s, "x", RenameFlags::Replace), Errno::EINVAL, "rename d to d/s/x")
    }

    /// `rename("d", "d/x")` → EINVAL: a directory cannot move into itself.
    fn rename_dir_into_itself_is_einval(t) {
        let d = t.mkdir(t.root, "d")?;
        errno(mv(t, t.root, "d", d, "x", RenameFlags::Replace), Errno::EINVAL, "rename d to d/x")
    }

    /// `rename("d/s", "d")`: the destination is an ancestor of the source → ENOTEMPTY.
    fn rename_onto_ancestor_is_enotempty(t) {
        let d = t.mkdir(t.root, "d")?;
        t.mkdir(d, "s")?;
        errno(mv(t, d, "s", t.root, "d", RenameFlags::Replace), Errno::ENOTEMPTY, "rename d/s onto d")
    }

    /// `rename("a", "b")` where b is a non-empty directory → ENOTEMPTY.
    fn rename_onto_nonempty_dir_is_enotempty(t) {
        t.mkdir(t.root, "a")?;
        let b = t.mkdir(t.root, "b")?;
        t.file(b, "f", b"")?;
        errno(mv(t, t.root, "a", t.root, "b", RenameFlags::Replace), Errno::ENOTEMPTY, "rename onto a non-empty dir")
    }

    /// `rename("a", "b")` where both are directories and b is empty: b is replaced, the
    /// parent loses one link.
    fn rename_dir_over_empty_dir_replaces(t) {
        let a = t.mkdir(t.root, "a")?;
        t.file(a, "inside", b"")?;
        t.mkdir(t.root, "b")?;
        eq(t.attr(t.root)?.nlink, 4, "root nlink before")?;
        ok(mv(t, t.root, "a", t.root, "b", RenameFlags::Replace), "rename")?;
        eq(t.names(t.root)?, vec!["b".to_string()], "root listing")?;
        eq(t.names(t.lookup(t.root, "b")?.node)?, vec!["inside".to_string()], "b listing")?;
        eq(t.attr(t.root)?.nlink, 3, "root nlink after")
    }

    /// `rename("d", "f")` of a directory over a file → ENOTDIR.
    fn rename_dir_over_file_is_enotdir(t) {
        t.mkdir(t.root, "d")?;
        t.file(t.root, "f", b"")?;
        errno(mv(t, t.root, "d", t.root, "f", RenameFlags::Replace), Errno::ENOTDIR, "rename dir over file")
    }

    /// `rename("f", "d")` of a file over a directory → EISDIR.
    fn rename_file_over_dir_is_eisdir(t) {
        t.file(t.root, "f", b"")?;
        t.mkdir(t.root, "d")?;
        errno(mv(t, t.root, "f", t.root, "d", RenameFlags::Replace), Errno::EISDIR, "rename file over dir")
    }

    /// `link("a", "b")`, `rename("a", "b")`: two names of one inode — nothing happens, both
    /// names stay, success.
    fn rename_same_inode_is_noop(t) {
        let a = t.file(t.root, "a", b"")?;
        if !t.caps.hard_links {
            return errno(t.fs.link(a, t.root, n("b")), Errno::EPERM, "link without hard-link support");
        }
        ok(t.fs.link(a, t.root, n("b")), "link")?;
        ok(mv(t, t.root, "a", t.root, "b", RenameFlags::Replace), "rename a onto b")?;
        eq(t.names(t.root)?, vec!["a".to_string(), "b".to_string()], "listing")?;
        eq(t.attr(a)?.nlink, 2, "nlink")
    }

    /// `rename("a", "a")`: renaming a name onto itself succeeds and changes nothing.
    fn rename_onto_itself_is_noop(t) {
        t.file(t.root, "a", b"x")?;
        ok(mv(t, t.root, "a", t.root, "a", RenameFlags::Replace), "rename a onto a")?;
        eq(t.names(t.root)?, vec!["a".to_string()], "listing")
    }

    /// `rename("p/d", "q/d")` of a directory: p's nlink drops, q's grows.
    fn rename_dir_across_parents_updates_nlink(t) {
        let p = t.mkdir(t.root, "p")?;
        let q = t.mkdir(t.root, "q")?;
        t.mkdir(p, "d")?;
        ok(mv(t, p, "d", q, "d", RenameFlags::Replace), "rename")?;
        eq(t.attr(p)?.nlink, 2, "p nlink")?;
        eq(t.attr(q)?.nlink, 3, "q nlink")
    }

    /// `rename("p/d", "q/e")` where q/e is an empty directory: p loses a link, q keeps its
    /// count (one subdirectory replaced another).
    fn rename_dir_over_dir_across_parents_nlink(t) {
        let p = t.mkdir(t.root, "p")?;
        let q = t.mkdir(t.root, "q")?;
        t.mkdir(p, "d")?;
        t.mkdir(q, "e")?;
        ok(mv(t, p, "d", q, "e", RenameFlags::Replace), "rename")?;
        eq(t.attr(p)?.nlink, 2, "p nlink")?;
        eq(t.attr(q)?.nlink, 3, "q nlink")
    }

    /// `rename("p/d", "q/d")` then `stat("q/d/..")` semantics: the moved directory's children
    /// stay with it.
    fn rename_dir_moves_its_children(t) {
        let p = t.mkdir(t.root, "p")?;
        let d = t.mkdir(p, "d")?;
        t.file(d, "f", b"x")?;
        ok(mv(t, p, "d", t.root, "d", RenameFlags::Replace), "rename")?;
        let moved = t.lookup(t.root, "d")?.node;
        eq(t.names(moved)?, vec!["f".to_string()], "children")
    }

    /// `rename("f/x", "y")` where f is a file → ENOTDIR.
    fn rename_from_file_parent_is_enotdir(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(mv(t, f, "x", t.root, "y", RenameFlags::Replace), Errno::ENOTDIR, "rename from inside a file")
    }

    /// `rename("a", "f/x")` where f is a file → ENOTDIR.
    fn rename_to_file_parent_is_enotdir(t) {
        t.file(t.root, "a", b"")?;
        let f = t.file(t.root, "f", b"")?;
        errno(mv(t, t.root, "a", f, "x", RenameFlags::Replace), Errno::ENOTDIR, "rename into a file")
    }

    /// `rename("l", "m")` of a symlink moves the link itself; its target is untouched.
    fn rename_symlink_moves_link(t) {
        t.symlink(t.root, "l", b"target")?;
        ok(mv(t, t.root, "l", t.root, "m", RenameFlags::Replace), "rename")?;
        let m = t.lookup(t.root, "m")?;
        eq(m.attr.kind, FileKind::Symlink, "kind")?;
        eq(ok(t.fs.readlink(m.node), "readlink")?, b"target".to_vec(), "target")
    }

    /// `rename("f", "l")` where l is a symlink to a directory: the symlink is replaced (not
    /// followed), no EISDIR.
    fn rename_file_over_symlink_replaces_it(t) {
        t.mkdir(t.root, "d")?;
        t.symlink(t.root, "l", b"d")?;
        t.file(t.root, "f", b"x")?;
        ok(mv(t, t.root, "f", t.root, "l", RenameFlags::Replace), "rename f onto l")?;
        eq(t.lookup(t.root, "l")?.attr.kind, FileKind::Regular, "kind of l")
    }

    /// `rename("a", "b")` keeps node ids valid: the node looked up as a works as b.
    fn rename_keeps_node_valid(t) {
        let a = t.file(t.root, "a", b"data")?;
        ok(mv(t, t.root, "a", t.root, "b", RenameFlags::Replace), "rename")?;
        eq(t.contents(a)?, b"data".to_vec(), "contents through the old node id")?;
        eq(t.lookup(t.root, "b")?.node, a, "node id under the new name")
    }

    /// `renameat2("d", "e", RENAME_EXCHANGE)` of two directories with children: each keeps
    /// its children under the other name.
    fn rename_exchange_dirs_keep_children(t) {
        let d = t.mkdir(t.root, "d")?;
        let e = t.mkdir(t.root, "e")?;
        t.file(d, "in_d", b"")?;
        t.file(e, "in_e", b"")?;
        let result = mv(t, t.root, "d", t.root, "e", RenameFlags::Exchange);
        if !t.caps.rename_exchange {
            return errno(result, Errno::EINVAL, "RENAME_EXCHANGE without support");
        }
        ok(result, "RENAME_EXCHANGE")?;
        eq(t.names(t.lookup(t.root, "d")?.node)?, vec!["in_e".to_string()], "d listing")?;
        eq(t.names(t.lookup(t.root, "e")?.node)?, vec!["in_d".to_string()], "e listing")
    }
}
