//! Rename rules: lower files are copied up and whited out at the old name; lower (and merged)
//! directories are EXDEV, as overlayfs without redirect_dir; upper directories move freely.

use super::{names_at, read_path, walk};
use crate::helpers::*;
use vfsbox_api::{Errno, RenameFlags};

/// Lower: file `f`, directory `d` holding `x`, empty directory `e`.
fn lower_tree(t: &Ctx) -> crate::outcome::CaseResult {
    t.file(t.root, "f", b"lower f")?;
    let d = t.mkdir(t.root, "d")?;
    t.file(d, "x", b"x")?;
    t.mkdir(t.root, "e")?;
    Ok(())
}

fn mv(t: &Ctx, from: &str, to: &str, flags: RenameFlags) -> Result<(), vfsbox_api::Errno> {
    t.fs.rename(t.root, n(from), t.root, n(to), flags)
}

overlay_cases! {
    /// `rename("f", "g")` of a lower file: `g` has the data, `f` is gone, and the upper layer
    /// holds `g` and the whiteout `.wh.f`.
    fn rename_lower_file_whites_out_old_name(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        let ino = t.lookup(t.root, "f")?.attr.ino;
        ok(mv(t, "f", "g", RenameFlags::Replace), "rename")?;
        errno(t.fs.lookup(t.root, n("f")), Errno::ENOENT, "lookup of the old name")?;
        eq(read_path(t, "g")?, b"lower f".to_vec(), "data under the new name")?;
        eq(t.lookup(t.root, "g")?.attr.ino, ino, "ino kept")?;
        eq(names_at(&b.upper, "")?, vec![".wh.f".to_string(), "g".to_string()], "upper root")
    }

    /// `rename("e", "e2")` of a lower directory → EXDEV (no redirect_dir); nothing changes.
    fn rename_lower_dir_is_exdev(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        errno(mv(t, "e", "e2", RenameFlags::Replace), Errno::EXDEV, "rename of a lower dir")?;
        errno(mv(t, "e", "e2", RenameFlags::NoReplace), Errno::EXDEV, "rename NOREPLACE of a lower dir")?;
        ok(t.fs.lookup(t.root, n("e")), "lookup of e")?;
        eq(names_at(&b.upper, "")?, Vec::<String>::new(), "upper root")
    }

    /// A merged directory (lower `d`, copied up by a create inside) is EXDEV too; the checks
    /// of the merged view come first: into its own subtree EINVAL, onto a file ENOTDIR.
    fn rename_merged_dir_is_exdev(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        let d = walk(t, "d")?;
        let sub = t.mkdir(d, "sub")?;
        errno(mv(t, "d", "d2", RenameFlags::Replace), Errno::EXDEV, "rename of a merged dir")?;
        errno(t.fs.rename(t.root, n("d"), sub, n("in"), RenameFlags::Replace), Errno::EINVAL, "into its own subtree")?;
        errno(mv(t, "d", "f", RenameFlags::Replace), Errno::ENOTDIR, "onto a file")?;
        eq(t.names(d)?, vec!["sub".to_string(), "x".to_string()], "d unchanged")
    }

    /// `renameat2(RENAME_EXCHANGE)` of an upper directory with a lower one → EXDEV.
    fn exchange_with_lower_dir_is_exdev(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        if !t.caps.rename_exchange {
            return errno(mv(t, "e", "f", RenameFlags::Exchange), Errno::EINVAL, "exchange");
        }
        t.mkdir(t.root, "u")?;
        errno(mv(t, "u", "e", RenameFlags::Exchange), Errno::EXDEV, "exchange with a lower dir")
    }

    /// An upper-only directory with contents renames; its children follow.
    fn rename_upper_dir_works(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        let u = t.mkdir(t.root, "u")?;
        t.file(u, "child", b"c")?;
        ok(mv(t, "u", "v", RenameFlags::Replace), "rename")?;
        eq(read_path(t, "v/child")?, b"c".to_vec(), "child under the new name")?;
        errno(t.fs.lookup(t.root, n("u")), Errno::ENOENT, "old name")?;
        eq(names_at(&b.upper, "")?, vec!["v".to_string()], "upper root")
    }

    /// Moving an upper directory onto the empty lower directory `e` replaces it: `e` lists the
    /// moved directory's entries only (it is made opaque).
    fn rename_dir_onto_lower_dir_is_opaque(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        let u = t.mkdir(t.root, "u")?;
        t.file(u, "mine", b"")?;
        ok(mv(t, "u", "e", RenameFlags::Replace), "rename onto the lower e")?;
        let e = walk(t, "e")?;
        eq(t.names(e)?, vec!["mine".to_string()], "listing of e")?;
        eq(names_at(&b.upper, "e")?, vec![".wh..wh..opq".to_string(), "mine".to_string()], "upper e")
    }

    /// Moving a directory onto the lower directory `d`, which holds `x` → ENOTEMPTY.
    fn rename_onto_nonempty_lower_dir_is_enotempty(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        t.mkdir(t.root, "u")?;
        errno(mv(t, "u", "d", RenameFlags::Replace), Errno::ENOTEMPTY, "rename onto d")
    }

    /// `rename("new", "f")` of an upper file onto a lower file replaces it.
    fn rename_onto_lower_file_replaces_it(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        t.file(t.root, "new", b"upper")?;
        ok(mv(t, "new", "f", RenameFlags::Replace), "rename")?;
        eq(read_path(t, "f")?, b"upper".to_vec(), "f")?;
        errno(t.fs.lookup(t.root, n("new")), Errno::ENOENT, "old name")?;
        eq(names_at(&b.upper, "")?, vec!["f".to_string()], "upper root")
    }

    /// `rename("f", ".wh.g")` → EINVAL; nothing is copied up.
    fn rename_to_reserved_name_is_einval(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        errno(mv(t, "f", ".wh.g", RenameFlags::Replace), Errno::EINVAL, "rename to a reserved name")?;
        errno(mv(t, "f", ".wh..wh..opq", RenameFlags::NoReplace), Errno::EINVAL, "rename to the marker name")?;
        eq(names_at(&b.upper, "")?, Vec::<String>::new(), "upper root")
    }

    /// `renameat2("f", "d/x", RENAME_EXCHANGE)` of two lower files swaps them (both copied up).
    fn exchange_lower_files_copies_up(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        let d = walk(t, "d")?;
        let flags = RenameFlags::Exchange;
        if !t.caps.rename_exchange {
            return errno(t.fs.rename(t.root, n("f"), d, n("x"), flags), Errno::EINVAL, "exchange");
        }
        ok(t.fs.rename(t.root, n("f"), d, n("x"), flags), "exchange")?;
        eq(read_path(t, "f")?, b"x".to_vec(), "f")?;
        eq(read_path(t, "d/x")?, b"lower f".to_vec(), "d/x")
    }
}
