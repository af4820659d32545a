//! `user.*` extended attributes; every call EOPNOTSUPP without `Capabilities::xattrs`.

use crate::helpers::*;
use crate::outcome::CaseResult;
use vfsbox_api::{Errno, NodeId, XattrSet};

/// Sets `name` on `node`, or checks the refusal (and stops the case) without xattr support.
fn set(t: &Ctx, node: NodeId, name: &str, value: &[u8], how: XattrSet) -> CaseResult {
    let result = t.fs.setxattr(node, name.as_bytes(), value, how);
    if !t.caps.xattrs {
        errno(result, Errno::EOPNOTSUPP, "setxattr without xattr support")?;
        return Err(crate::outcome::Stop::Skip(String::new()));
    }
    ok(result, &format!("setxattr({name})"))
}

/// Runs `body`, turning the early stop of `set` on a provider without xattrs into a pass.
fn run(body: impl FnOnce() -> CaseResult) -> CaseResult {
    match body() {
        Err(crate::outcome::Stop::Skip(reason)) if reason.is_empty() => Ok(()),
        other => other,
    }
}

cases! {
    /// `setxattr("f", "user.k", "v")` then `getxattr`: the value back.
    fn xattr_set_then_get(t) {
        let f = t.file(t.root, "f", b"")?;
        run(|| {
            set(t, f, "user.k", b"v", XattrSet::Either)?;
            eq(ok(t.fs.getxattr(f, b"user.k"), "getxattr")?, b"v".to_vec(), "value")
        })
    }

    /// `getxattr("f", "user.missing")` → ENODATA (EOPNOTSUPP without support).
    fn xattr_missing_is_enodata(t) {
        let f = t.file(t.root, "f", b"")?;
        let want = if t.caps.xattrs { Errno::ENODATA } else { Errno::EOPNOTSUPP };
        errno(t.fs.getxattr(f, b"user.missing"), want, "getxattr of a missing attribute")
    }

    /// `setxattr(XATTR_CREATE)` of an existing attribute → EEXIST.
    fn xattr_create_existing_is_eexist(t) {
        let f = t.file(t.root, "f", b"")?;
        run(|| {
            set(t, f, "user.k", b"v", XattrSet::Either)?;
            errno(t.fs.setxattr(f, b"user.k", b"w", XattrSet::Create), Errno::EEXIST, "XATTR_CREATE of an existing one")?;
            eq(ok(t.fs.getxattr(f, b"user.k"), "getxattr")?, b"v".to_vec(), "value unchanged")
        })
    }

    /// `setxattr(XATTR_CREATE)` of a new attribute works.
    fn xattr_create_new_works(t) {
        let f = t.file(t.root, "f", b"")?;
        run(|| {
            set(t, f, "user.k", b"v", XattrSet::Create)?;
            eq(ok(t.fs.getxattr(f, b"user.k"), "getxattr")?, b"v".to_vec(), "value")
        })
    }

    /// `setxattr(XATTR_REPLACE)` of a missing attribute → ENODATA.
    fn xattr_replace_missing_is_enodata(t) {
        let f = t.file(t.root, "f", b"")?;
        let want = if t.caps.xattrs { Errno::ENODATA } else { Errno::EOPNOTSUPP };
        errno(t.fs.setxattr(f, b"user.k", b"v", XattrSet::Replace), want, "XATTR_REPLACE of a missing one")
    }

    /// `setxattr(XATTR_REPLACE)` of an existing attribute replaces the value.
    fn xattr_replace_existing_works(t) {
        let f = t.file(t.root, "f", b"")?;
        run(|| {
            set(t, f, "user.k", b"old", XattrSet::Either)?;
            set(t, f, "user.k", b"new", XattrSet::Replace)?;
            eq(ok(t.fs.getxattr(f, b"user.k"), "getxattr")?, b"new".to_vec(), "value")
        })
    }

    /// `listxattr("f")`: every name set, each once.
    fn xattr_list_names(t) {
        let f = t.file(t.root, "f", b"")?;
        run(|| {
            set(t, f, "user.a", b"1", XattrSet::Either)?;
            set(t, f, "user.b", b"2", XattrSet::Either)?;
            let mut names = ok(t.fs.listxattr(f), "listxattr")?;
            names.sort();
            names.retain(|name| name.starts_with(b"user."));
            eq(names, vec![b"user.a".to_vec(), b"user.b".to_vec()], "names")
        })
    }

    /// `listxattr` without xattr support → EOPNOTSUPP; with it, a fresh file lists no
    /// `user.` names.
    fn xattr_list_fresh_file(t) {
        let f = t.file(t.root, "f", b"")?;
        let result = t.fs.listxattr(f);
        if !t.caps.xattrs {
            return errno(result, Errno::EOPNOTSUPP, "listxattr without support");
        }
        let names = ok(result, "listxattr")?;
        check(!names.iter().any(|name| name.starts_with(b"user.")), "a fresh file has user. attributes")
    }

    /// `removexattr("f", "user.k")` then `getxattr` → ENODATA.
    fn xattr_remove_then_enodata(t) {
        let f = t.file(t.root, "f", b"")?;
        run(|| {
            set(t, f, "user.k", b"v", XattrSet::Either)?;
            ok(t.fs.removexattr(f, b"user.k"), "removexattr")?;
            errno(t.fs.getxattr(f, b"user.k"), Errno::ENODATA, "getxattr after remove")
        })
    }

    /// `removexattr("f", "user.missing")` → ENODATA.
    fn xattr_remove_missing_is_enodata(t) {
        let f = t.file(t.root, "f", b"")?;
        let want = if t.caps.xattrs { Errno::ENODATA } else { Errno::EOPNOTSUPP };
        errno(t.fs.removexattr(f, b"user.missing"), want, "removexattr of a missing one")
    }

    /// `setxattr("f", "foo.bar")`: an unknown namespace → EOPNOTSUPP.
    fn xattr_unknown_namespace_is_eopnotsupp(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.setxattr(f, b"foo.bar", b"v", XattrSet::Either), Errno::EOPNOTSUPP, "setxattr foo.bar")?;
        errno(t.fs.getxattr(f, b"foo.bar"), Errno::EOPNOTSUPP, "getxattr foo.bar")
    }

    /// `setxattr` of a 256-byte name → ERANGE (XATTR_NAME_MAX is 255), checked by Linux's
    /// syscall layer before any filesystem, so also without xattr support.
    fn xattr_name_too_long_is_erange(t) {
        let f = t.file(t.root, "f", b"")?;
        let name = format!("user.{}", "a".repeat(251));
        errno(t.fs.setxattr(f, name.as_bytes(), b"v", XattrSet::Either), Errno::ERANGE, "256-byte xattr name")
    }

    /// `setxattr` of a 255-byte name works.
    fn xattr_name_255_bytes_works(t) {
        let f = t.file(t.root, "f", b"")?;
        let name = format!("user.{}", "a".repeat(250));
        run(|| {
            set(t, f, &name, b"v", XattrSet::Either)?;
            eq(ok(t.fs.getxattr(f, name.as_bytes()), "getxattr")?, b"v".to_vec(), "value")
        })
    }

    /// `setxattr` of a 65,537-byte value → E2BIG (XATTR_SIZE_MAX is 65,536), checked before
    /// any filesystem, so also without xattr support.
    fn xattr_value_too_large_is_e2big(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.setxattr(f, b"user.big", &vec![b'x'; 65_537], XattrSet::Either), Errno::E2BIG, "65,537-byte value")
    }

    /// `setxattr("f", "user.k", "")`: an empty value is a value.
    fn xattr_empty_value_works(t) {
        let f = t.file(t.root, "f", b"")?;
        run(|| {
            set(t, f, "user.k", b"", XattrSet::Either)?;
            eq(ok(t.fs.getxattr(f, b"user.k"), "getxattr")?, Vec::<u8>::new(), "value")
        })
    }

    /// Binary values (NUL and 0xff bytes) round-trip.
    fn xattr_binary_value_round_trips(t) {
        let f = t.file(t.root, "f", b"")?;
        run(|| {
            set(t, f, "user.bin", b"\0\xff\0x", XattrSet::Either)?;
            eq(ok(t.fs.getxattr(f, b"user.bin"), "getxattr")?, b"\0\xff\0x".to_vec(), "value")
        })
    }

    /// `setxattr("d", "user.k")` on a directory works.
    fn xattr_on_directory_works(t) {
        let d = t.mkdir(t.root, "d")?;
        run(|| {
            set(t, d, "user.k", b"v", XattrSet::Either)?;
            eq(ok(t.fs.getxattr(d, b"user.k"), "getxattr")?, b"v".to_vec(), "value")
        })
    }

    /// `lsetxattr("l", "user.k")` on a symlink → EPERM (Linux allows user.* on regular files
    /// and directories only).
    fn xattr_on_symlink_is_eperm(t) {
        let l = t.symlink(t.root, "l", b"x")?;
        let want = if t.caps.xattrs { Errno::EPERM } else { Errno::EOPNOTSUPP };
        errno(t.fs.setxattr(l, b"user.k", b"v", XattrSet::Either), want, "user. xattr on a symlink")
    }

    /// `setxattr` changes ctime.
    fn xattr_set_updates_ctime(t) {
        let f = t.file(t.root, "f", b"")?;
        let before = t.attr(f)?.ctime;
        tick();
        run(|| {
            set(t, f, "user.k", b"v", XattrSet::Either)?;
            later(t.attr(f)?.ctime, before, "ctime after setxattr")
        })
    }

    /// Attributes follow the inode through a rename.
    fn xattr_survives_rename(t) {
        let f = t.file(t.root, "f", b"")?;
        run(|| {
            set(t, f, "user.k", b"v", XattrSet::Either)?;
            ok(t.fs.rename(t.root, n("f"), t.root, n("g"), vfsbox_api::RenameFlags::Replace), "rename")?;
            let g = t.lookup(t.root, "g")?.node;
            eq(ok(t.fs.getxattr(g, b"user.k"), "getxattr")?, b"v".to_vec(), "value")
        })
    }
}
