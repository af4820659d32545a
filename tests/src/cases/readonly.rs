//! Read-only providers: every mutation is EROFS, before ENOENT/EEXIST. On a writable provider
//! these cases cannot be checked (its mutations succeed) and skip.

use crate::helpers::*;
use crate::outcome::CaseResult;
use vfsbox_api::{Errno, FileKind, OpenFlags, RenameFlags, SetAttr};

fn need_read_only(t: &Ctx) -> CaseResult {
    if t.caps.read_only {
        Ok(())
    } else {
        Err(skip(
            "the provider is writable: EROFS refusals apply to read-only providers only",
        ))
    }
}

cases! {
    /// `mkdir("x")` on a read-only filesystem → EROFS.
    fn readonly_mkdir_is_erofs(t) {
        need_read_only(t)?;
        errno(t.fs.mkdir(t.root, n("x"), 0o755, t.owner), Errno::EROFS, "mkdir")
    }

    /// `open("x", O_CREAT)` on a read-only filesystem → EROFS.
    fn readonly_create_is_erofs(t) {
        need_read_only(t)?;
        errno(t.fs.create(t.root, n("x"), 0o644, OpenFlags::WRITE, t.owner), Errno::EROFS, "create")
    }

    /// `mknod("x", S_IFREG)` on a read-only filesystem → EROFS.
    fn readonly_mknod_is_erofs(t) {
        need_read_only(t)?;
        errno(t.fs.mknod(t.root, n("x"), FileKind::Regular, 0o644, 0, t.owner), Errno::EROFS, "mknod")
    }

    /// `symlink("t", "x")` on a read-only filesystem → EROFS.
    fn readonly_symlink_is_erofs(t) {
        need_read_only(t)?;
        let want = if t.caps.symlinks { Errno::EROFS } else { Errno::EPERM };
        errno(t.fs.symlink(t.root, n("x"), b"t", t.owner), want, "symlink")
    }

    /// Precedence: `unlink("missing")` on a read-only filesystem → EROFS before ENOENT.
    fn readonly_unlink_is_erofs(t) {
        need_read_only(t)?;
        errno(t.fs.unlink(t.root, n("missing")), Errno::EROFS, "unlink")
    }

    /// Precedence: `rmdir("missing")` on a read-only filesystem → EROFS before ENOENT.
    fn readonly_rmdir_is_erofs(t) {
        need_read_only(t)?;
        errno(t.fs.rmdir(t.root, n("missing")), Errno::EROFS, "rmdir")
    }

    /// Precedence: `rename("missing", "y")` on a read-only filesystem → EROFS before ENOENT.
    fn readonly_rename_is_erofs(t) {
        need_read_only(t)?;
        errno(t.fs.rename(t.root, n("missing"), t.root, n("y"), RenameFlags::Replace), Errno::EROFS, "rename")
    }

    /// `chmod("/", 0700)` on a read-only filesystem → EROFS.
    fn readonly_setattr_is_erofs(t) {
        need_read_only(t)?;
        errno(t.fs.setattr(t.root, &SetAttr { perm: Some(0o700), ..SetAttr::default() }, None), Errno::EROFS, "chmod")
    }

    /// `statvfs` on a read-only filesystem reports ST_RDONLY.
    fn readonly_statfs_reports_read_only(t) {
        need_read_only(t)?;
        eq(ok(t.fs.statfs(t.root), "statfs")?.read_only, true, "ST_RDONLY")
    }
}
