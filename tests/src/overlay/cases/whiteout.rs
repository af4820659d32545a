//! Whiteouts and opaque directories in the OCI layer format, and the reserved `.wh.` names.

use super::{names_at, walk};
use crate::helpers::*;
use vfsbox_api::{Errno, FileKind, OpenFlags, RenameFlags};

/// Lower: file `f`, directory `d` holding `x`, empty directory `e`.
fn lower_tree(t: &Ctx) -> crate::outcome::CaseResult {
    t.file(t.root, "f", b"lower")?;
    let d = t.mkdir(t.root, "d")?;
    t.file(d, "x", b"x")?;
    t.mkdir(t.root, "e")?;
    Ok(())
}

/// Fails unless `path` in the raw upper layer is an empty regular file (a whiteout).
fn is_whiteout(upper: &Ctx, path: &str) -> crate::outcome::CaseResult {
    let a = upper.attr(walk(upper, path)?)?;
    eq(
        (a.kind, a.size),
        (FileKind::Regular, 0),
        &format!("{path} in the upper layer"),
    )
}

overlay_cases! {
    /// `unlink("f")` of a lower file: gone from lookups and listings; the upper layer holds the
    /// whiteout `.wh.f`, an empty regular file.
    fn unlink_lower_leaves_whiteout(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        errno(t.fs.lookup(t.root, n("f")), Errno::ENOENT, "lookup after unlink")?;
        eq(t.names(t.root)?, vec!["d".to_string(), "e".to_string()], "listing")?;
        is_whiteout(&b.upper, ".wh.f")?;
        errno(t.fs.unlink(t.root, n("f")), Errno::ENOENT, "second unlink")
    }

    /// `rmdir("e")` of an empty lower directory leaves the whiteout `.wh.e`.
    fn rmdir_lower_dir_leaves_whiteout(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        ok(t.fs.rmdir(t.root, n("e")), "rmdir")?;
        errno(t.fs.lookup(t.root, n("e")), Errno::ENOENT, "lookup after rmdir")?;
        is_whiteout(&b.upper, ".wh.e")?;
        eq(t.names(t.root)?, vec!["d".to_string(), "f".to_string()], "listing")
    }

    /// `rmdir("d")` while the lower `d/x` shows → ENOTEMPTY; once `d/x` is unlinked (a
    /// whiteout inside the copied-up `d`), `d` is empty in the merged view and goes.
    fn rmdir_nonempty_lower_dir_is_enotempty(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        errno(t.fs.rmdir(t.root, n("d")), Errno::ENOTEMPTY, "rmdir of d holding x")?;
        let d = walk(t, "d")?;
        ok(t.fs.unlink(d, n("x")), "unlink d/x")?;
        eq(t.list(d)?.len(), 0, "entries of d")?;
        ok(t.fs.rmdir(t.root, n("d")), "rmdir of d, empty in the merged view")?;
        is_whiteout(&b.upper, ".wh.d")?;
        eq(t.attr(d)?.nlink, 0, "nlink of the removed d")
    }

    /// `rmdir("d")` then `mkdir("d")` over a lower directory: the new `d` is empty and opaque
    /// (`.wh..wh..opq` in the upper `d`), the lower `d/x` does not come back, and `.wh.d` is gone.
    fn rmdir_then_mkdir_is_opaque(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        let d = walk(t, "d")?;
        ok(t.fs.unlink(d, n("x")), "unlink d/x")?;
        ok(t.fs.rmdir(t.root, n("d")), "rmdir")?;
        let d2 = ok(t.fs.mkdir(t.root, n("d"), 0o755, t.owner), "mkdir")?.node;
        eq(t.list(d2)?.len(), 0, "entries of the new d")?;
        errno(t.fs.lookup(d2, n("x")), Errno::ENOENT, "lookup of d/x")?;
        eq(names_at(&b.upper, "d")?, vec![".wh..wh..opq".to_string()], "upper d")?;
        is_whiteout(&b.upper, "d/.wh..wh..opq")?;
        eq(names_at(&b.upper, "")?.contains(&".wh.d".to_string()), false, ".wh.d left in the upper root")?;
        eq(t.attr(d2)?.nlink, 2, "nlink of the new d")
    }

    /// `unlink("f")` then `open("f", O_CREAT)`: a new empty file; the whiteout is gone.
    fn create_over_whiteout_replaces_it(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        let f = t.file(t.root, "f", b"")?;
        eq(t.attr(f)?.size, 0, "size of the new f")?;
        eq(names_at(&b.upper, "")?, vec!["f".to_string()], "upper root")
    }

    /// Making a name that starts with `.wh.` is EINVAL, whatever makes it: create, mkdir,
    /// mknod, symlink, link, rename.
    fn reserved_names_are_einval(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        let o2 = t.owner;
        errno(t.fs.create(t.root, n(".wh.a"), 0o644, OpenFlags::WRITE, o2), Errno::EINVAL, "create")?;
        errno(t.fs.mkdir(t.root, n(".wh.a"), 0o755, o2), Errno::EINVAL, "mkdir")?;
        errno(t.fs.mkdir(t.root, n(".wh..wh..opq"), 0o755, o2), Errno::EINVAL, "mkdir of the opaque marker")?;
        errno(t.fs.mknod(t.root, n(".wh.a"), FileKind::Regular, 0o644, 0, o2), Errno::EINVAL, "mknod")?;
        if t.caps.symlinks {
            errno(t.fs.symlink(t.root, n(".wh.a"), b"x", o2), Errno::EINVAL, "symlink")?;
        }
        let f = walk(t, "f")?;
        if t.caps.hard_links {
            errno(t.fs.link(f, t.root, n(".wh.a")), Errno::EINVAL, "link")?;
        }
        errno(t.fs.rename(t.root, n("f"), t.root, n(".wh.a"), RenameFlags::Replace), Errno::EINVAL, "rename")?;
        eq(names_at(&b.upper, "")?, Vec::<String>::new(), "upper root")
    }

    /// Whiteouts and markers are never found: `lookup(".wh.f")` after `unlink("f")` is ENOENT,
    /// and so are `unlink` and `rmdir` of reserved names.
    fn reserved_names_are_never_found(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        errno(t.fs.lookup(t.root, n(".wh.f")), Errno::ENOENT, "lookup of the whiteout")?;
        errno(t.fs.unlink(t.root, n(".wh.f")), Errno::ENOENT, "unlink of the whiteout")?;
        errno(t.fs.rmdir(t.root, n(".wh..wh..opq")), Errno::ENOENT, "rmdir of a marker name")?;
        is_whiteout(&b.upper, ".wh.f")
    }

    /// An upper layer that already holds whiteouts and an opaque directory (an existing OCI
    /// layer) is honoured: whited-out lower names and the opaque directory's lower contents
    /// do not show, and the markers are not listed.
    fn existing_layer_is_honoured(o) {
        let b = o.build_both(lower_tree, |u| {
            u.file(u.root, ".wh.f", b"")?;
            let d = u.mkdir(u.root, "d")?;
            u.file(d, ".wh..wh..opq", b"")?;
            u.file(d, "mine", b"m")?;
            Ok(())
        })?;
        let t = &b.t;
        errno(t.fs.lookup(t.root, n("f")), Errno::ENOENT, "lookup of the whited-out f")?;
        eq(t.names(t.root)?, vec!["d".to_string(), "e".to_string()], "root listing")?;
        let d = walk(t, "d")?;
        eq(t.names(d)?, vec!["mine".to_string()], "listing of the opaque d")?;
        errno(t.fs.lookup(d, n("x")), Errno::ENOENT, "lookup of the lower d/x")
    }

    /// `unlink` of a lower file held by a caller: the node reports nlink 0 and stays readable.
    fn unlinked_lower_file_has_nlink_zero(o) {
        let b = o.build(lower_tree)?;
        let t = &b.t;
        let f = walk(t, "f")?;
        let h = t.open(f, OpenFlags::READ)?;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        eq(t.attr(f)?.nlink, 0, "nlink")?;
        eq(t.read_handle(h)?, b"lower".to_vec(), "data through the open handle")?;
        t.release(h)?;
        errno(t.fs.open(f, OpenFlags::WRITE), Errno::ENOENT, "open for writing of the unlinked lower file")
    }
}
