//! Copy-up: every kind of change to a lower file first copies it (data, mode, owner, times,
//! `user.*` xattrs) and its parent directories to the upper layer.

use super::{names_at, read_path, walk};
use crate::helpers::*;
use vfsbox_api::{Errno, FileKind, OpenFlags, SetAttr, TimeSet, XattrSet};

/// A lower file `f` holding `lower data`, mode 0640, times pinned.
fn lower_file(t: &Ctx) -> crate::outcome::CaseResult {
    let f = t.file(t.root, "f", b"lower data")?;
    t.setattr(
        f,
        SetAttr {
            perm: Some(0o640),
            ..SetAttr::default()
        },
    )?;
    t.pin_times(f)
}

overlay_cases! {
    /// `open("f", O_WRONLY)` + `pwrite` on a lower file: the upper layer gets a copy with the
    /// change; the overlay reads the changed data.
    fn copyup_on_write_open(o) {
        let b = o.build(lower_file)?;
        let t = &b.t;
        let f = t.lookup(t.root, "f")?.node;
        let h = t.open(f, OpenFlags::WRITE)?;
        t.write_all(h, 0, b"UPPER")?;
        t.release(h)?;
        eq(t.contents(f)?, b"UPPER data".to_vec(), "overlay contents")?;
        eq(read_path(&b.upper, "f")?, b"UPPER data".to_vec(), "upper copy")
    }

    /// `open("f", O_RDONLY|O_TRUNC)` of a lower file copies it up and empties the copy.
    fn copyup_on_truncate_open(o) {
        let b = o.build(lower_file)?;
        let t = &b.t;
        let f = t.lookup(t.root, "f")?.node;
        let h = t.open(f, OpenFlags::READ | OpenFlags::TRUNCATE)?;
        t.release(h)?;
        eq(t.attr(f)?.size, 0, "size")?;
        eq(read_path(&b.upper, "f")?, Vec::new(), "upper copy")
    }

    /// `chmod` of a lower file: the copy has the new mode and the lower file's data, owner and
    /// mtime (nanoseconds included).
    fn copyup_on_chmod_keeps_metadata(o) {
        let b = o.build(lower_file)?;
        let t = &b.t;
        let f = t.lookup(t.root, "f")?.node;
        let before = t.attr(f)?;
        let after = t.setattr(f, SetAttr { perm: Some(0o600), ..SetAttr::default() })?;
        eq(after.perm, 0o600, "perm")?;
        eq((after.uid, after.gid), (before.uid, before.gid), "owner")?;
        eq(after.mtime, PINNED, "mtime")?;
        let copy = b.upper.attr(walk(&b.upper, "f")?)?;
        eq((copy.perm, copy.mtime, copy.size), (0o600, PINNED, 10), "upper copy")?;
        eq(t.contents(f)?, b"lower data".to_vec(), "data")
    }

    /// `utimensat` of a lower file copies it up with the new times.
    fn copyup_on_utimens(o) {
        let b = o.build(lower_file)?;
        let t = &b.t;
        let f = t.lookup(t.root, "f")?.node;
        let when = vfsbox_api::Timestamp { sec: 1_234_567_890, nsec: 42 };
        t.setattr(f, SetAttr { mtime: Some(TimeSet::At(when)), ..SetAttr::default() })?;
        let copy = b.upper.attr(walk(&b.upper, "f")?)?;
        eq((copy.mtime, copy.atime), (when, PINNED), "upper copy times")
    }

    /// `chown` to the same owner of a lower file still copies it up (any setattr does); an
    /// overlay without ownership refuses with EPERM and copies nothing.
    fn copyup_on_chown(o) {
        let b = o.build(lower_file)?;
        let t = &b.t;
        let f = t.lookup(t.root, "f")?.node;
        let a = t.attr(f)?;
        let chown = SetAttr { uid: Some(a.uid), gid: Some(a.gid), ..SetAttr::default() };
        if !t.caps.ownership {
            errno(t.fs.setattr(f, &chown, None), Errno::EPERM, "chown")?;
            return eq(names_at(&b.upper, "")?, Vec::<String>::new(), "upper root");
        }
        t.setattr(f, chown)?;
        eq(names_at(&b.upper, "")?, vec!["f".to_string()], "upper root")
    }

    /// `link("f", "g")` of a lower file: copied up, then linked; both names show one file with
    /// nlink 2, in the upper layer too.
    fn copyup_on_link(o) {
        let b = o.build(lower_file)?;
        let t = &b.t;
        let f = t.lookup(t.root, "f")?.node;
        if !t.caps.hard_links {
            return errno(t.fs.link(f, t.root, n("g")), Errno::EPERM, "link");
        }
        let g = ok(t.fs.link(f, t.root, n("g")), "link")?;
        eq(g.attr.nlink, 2, "nlink")?;
        eq(g.attr.ino, t.attr(f)?.ino, "ino of both names")?;
        eq(names_at(&b.upper, "")?, vec!["f".to_string(), "g".to_string()], "upper root")?;
        eq(b.upper.attr(walk(&b.upper, "g")?)?.nlink, 2, "upper nlink")
    }

    /// `setxattr` on a lower file copies it up with its `user.*` xattrs, then sets the new one.
    fn copyup_on_setxattr_keeps_xattrs(o) {
        let b = o.build(|l| {
            lower_file(l)?;
            if l.caps.xattrs {
                let f = l.lookup(l.root, "f")?.node;
                ok(l.fs.setxattr(f, b"user.old", b"kept", XattrSet::Either), "setxattr lower")?;
            }
            Ok(())
        })?;
        let t = &b.t;
        let f = t.lookup(t.root, "f")?.node;
        if !t.caps.xattrs {
            return errno(t.fs.setxattr(f, b"user.new", b"v", XattrSet::Either), Errno::EOPNOTSUPP, "setxattr");
        }
        ok(t.fs.setxattr(f, b"user.new", b"v", XattrSet::Either), "setxattr")?;
        let copy = walk(&b.upper, "f")?;
        eq(ok(b.upper.fs.getxattr(copy, b"user.new"), "upper user.new")?, b"v".to_vec(), "user.new")?;
        match b.upper.fs.getxattr(copy, b"user.old") {
            Ok(v) => eq(v, b"kept".to_vec(), "user.old copied up"),
            // A lower layer without xattrs had none to copy.
            Err(e) => eq(e, Errno::ENODATA, "user.old on a lower layer without xattrs"),
        }
    }

    /// `removexattr` of a lower file's attribute copies it up and removes it there; removing a
    /// missing one is ENODATA and copies nothing.
    fn copyup_on_removexattr(o) {
        let b = o.build(|l| {
            lower_file(l)?;
            if l.caps.xattrs {
                let f = l.lookup(l.root, "f")?.node;
                ok(l.fs.setxattr(f, b"user.k", b"v", XattrSet::Either), "setxattr lower")?;
            }
            Ok(())
        })?;
        let t = &b.t;
        let f = t.lookup(t.root, "f")?.node;
        if !t.caps.xattrs {
            return errno(t.fs.removexattr(f, b"user.k"), Errno::EOPNOTSUPP, "removexattr");
        }
        errno(t.fs.removexattr(f, b"user.missing"), Errno::ENODATA, "removexattr of a missing one")?;
        eq(names_at(&b.upper, "")?, Vec::<String>::new(), "upper after a refused removexattr")?;
        if ok(t.fs.listxattr(f), "listxattr")?.is_empty() {
            return Err(skip("the lower layer keeps no xattrs"));
        }
        ok(t.fs.removexattr(f, b"user.k"), "removexattr")?;
        errno(t.fs.getxattr(f, b"user.k"), Errno::ENODATA, "getxattr after removexattr")?;
        eq(names_at(&b.upper, "")?, vec!["f".to_string()], "upper root")
    }

    /// A change to `a/b/f` copies `a` and `a/b` up first, with their modes and times.
    fn copyup_makes_parent_dirs(o) {
        let b = o.build(|l| {
            let a = l.mkdir(l.root, "a")?;
            let bb = l.mkdir(a, "b")?;
            l.setattr(bb, SetAttr { perm: Some(0o750), ..SetAttr::default() })?;
            l.file(bb, "f", b"deep")?;
            l.pin_times(bb)?;
            l.pin_times(a)
        })?;
        let t = &b.t;
        let f = walk(t, "a/b/f")?;
        t.setattr(f, SetAttr { perm: Some(0o600), ..SetAttr::default() })?;
        let copy_b = b.upper.attr(walk(&b.upper, "a/b")?)?;
        eq((copy_b.kind, copy_b.perm, copy_b.mtime), (FileKind::Directory, 0o750, PINNED), "upper a/b")?;
        eq(b.upper.attr(walk(&b.upper, "a")?)?.mtime, PINNED, "upper a mtime")?;
        eq(read_path(&b.upper, "a/b/f")?, b"deep".to_vec(), "upper a/b/f")?;
        eq(t.attr(walk(t, "a/b")?)?.mtime, PINNED, "merged a/b mtime")
    }

    /// `lchown` of a lower symlink copies it up with its target.
    fn copyup_of_symlink_on_chown(o) {
        let b = o.build(|l| {
            if l.caps.symlinks {
                l.symlink(l.root, "l", b"../target")?;
            }
            Ok(())
        })?;
        let t = &b.t;
        t.need_symlinks()?;
        let l = t.lookup(t.root, "l")?.node;
        let a = t.attr(l)?;
        let chown = SetAttr { uid: Some(a.uid), gid: Some(a.gid), ..SetAttr::default() };
        if !t.caps.ownership {
            return errno(t.fs.setattr(l, &chown, None), Errno::EPERM, "lchown");
        }
        t.setattr(l, chown)?;
        let copy = walk(&b.upper, "l")?;
        eq(ok(b.upper.fs.readlink(copy), "readlink upper")?, b"../target".to_vec(), "target")?;
        eq(ok(t.fs.readlink(l), "readlink")?, b"../target".to_vec(), "target through the overlay")
    }

    /// A read-only handle opened before a copy-up keeps reading the lower data; one opened
    /// after reads the copy.
    fn handle_before_copyup_reads_lower(o) {
        let b = o.build(lower_file)?;
        let t = &b.t;
        let f = t.lookup(t.root, "f")?.node;
        let before = t.open(f, OpenFlags::READ)?;
        let w = t.open(f, OpenFlags::WRITE | OpenFlags::TRUNCATE)?;
        t.write_all(w, 0, b"new")?;
        t.release(w)?;
        eq(t.read_handle(before)?, b"lower data".to_vec(), "handle from before the copy-up")?;
        t.release(before)?;
        eq(t.contents(f)?, b"new".to_vec(), "handle from after")
    }

    /// After copy-ups of a file and a directory the upper layer holds exactly the copies: no
    /// staging names are left.
    fn copyup_leaves_no_staging_names(o) {
        let b = o.build(|l| {
            let d = l.mkdir(l.root, "d")?;
            l.file(d, "x", b"x")?;
            l.file(l.root, "f", b"f").map(|_| ())
        })?;
        let t = &b.t;
        let x = walk(t, "d/x")?;
        let h = t.open(x, OpenFlags::READ_WRITE)?;
        t.release(h)?;
        let f = walk(t, "f")?;
        t.pin_times(f)?;
        eq(names_at(&b.upper, "")?, vec!["d".to_string(), "f".to_string()], "upper root")?;
        eq(names_at(&b.upper, "d")?, vec!["x".to_string()], "upper d")
    }

    /// Refused changes (chmod with bad bits: EINVAL; truncate of a directory: EISDIR) copy
    /// nothing up.
    fn refused_change_copies_nothing(o) {
        let b = o.build(|l| {
            l.mkdir(l.root, "d")?;
            lower_file(l)
        })?;
        let t = &b.t;
        let f = walk(t, "f")?;
        errno(t.fs.setattr(f, &SetAttr { perm: Some(0o10000), ..SetAttr::default() }, None), Errno::EINVAL, "chmod with bad bits")?;
        let d = walk(t, "d")?;
        errno(t.fs.setattr(d, &SetAttr { size: Some(0), ..SetAttr::default() }, None), Errno::EISDIR, "truncate of a directory")?;
        eq(names_at(&b.upper, "")?, Vec::<String>::new(), "upper root")
    }
}
