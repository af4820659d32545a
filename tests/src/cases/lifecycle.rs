//! Open files outliving their names, handles outliving renames and forgets.

use crate::helpers::*;
use crate::outcome::CaseResult;
use vfsbox_api::{Errno, OpenFlags, RenameFlags, SetAttr};

fn need_unlinked(t: &Ctx) -> CaseResult {
    if t.caps.unlinked_open_files {
        Ok(())
    } else {
        Err(skip("the provider declares no unlinked_open_files and the trait names no refusal errno for it"))
    }
}

cases! {
    /// `open("f")`, `unlink("f")`, `pread(fd)`: the data is still there.
    fn unlinked_open_file_still_reads(t) {
        need_unlinked(t)?;
        let f = t.file(t.root, "f", b"still here")?;
        let h = t.open(f, OpenFlags::READ)?;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        eq(t.read_at(h, 0, 64)?, b"still here".to_vec(), "read after unlink")
    }

    /// `open("f", O_RDWR)`, `unlink("f")`, `pwrite`, `pread`: writes keep working.
    fn unlinked_open_file_still_writes(t) {
        need_unlinked(t)?;
        let (_, h) = t.create(t.root, "f")?;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        t.write_all(h, 0, b"after")?;
        eq(t.read_at(h, 0, 64)?, b"after".to_vec(), "read back")
    }

    /// `open`, `unlink`, `fstat(fd)`: nlink 0.
    fn unlinked_open_file_nlink_is_zero(t) {
        need_unlinked(t)?;
        let (f, _h) = t.create(t.root, "f")?;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        eq(t.attr(f)?.nlink, 0, "nlink")
    }

    /// `open`, `unlink`, `ftruncate(fd, 2)`: truncation through the handle still works.
    fn unlinked_open_file_ftruncate(t) {
        need_unlinked(t)?;
        let (f, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"abcdef")?;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        ok(t.fs.setattr(f, &SetAttr { size: Some(2), ..SetAttr::default() }, Some(h)), "ftruncate")?;
        eq(t.read_handle(h)?, b"ab".to_vec(), "contents")
    }

    /// `open("b")`, `rename("a", "b")`: the replaced file stays readable through its fd.
    fn replaced_open_file_still_reads(t) {
        need_unlinked(t)?;
        t.file(t.root, "a", b"new")?;
        let b = t.file(t.root, "b", b"old")?;
        let h = t.open(b, OpenFlags::READ)?;
        ok(t.fs.rename(t.root, n("a"), t.root, n("b"), RenameFlags::Replace), "rename")?;
        eq(t.read_at(h, 0, 8)?, b"old".to_vec(), "read of the replaced file")
    }

    /// `open("a")`, `rename("a", "d/b")`, `pwrite(fd)`: the handle follows the inode.
    fn open_handle_survives_rename(t) {
        let (_, h) = t.create(t.root, "a")?;
        let d = t.mkdir(t.root, "d")?;
        ok(t.fs.rename(t.root, n("a"), d, n("b"), RenameFlags::Replace), "rename")?;
        t.write_all(h, 0, b"moved")?;
        t.release(h)?;
        eq(t.contents(t.lookup(d, "b")?.node)?, b"moved".to_vec(), "contents under the new name")
    }

    /// FUSE `FORGET` of a node with an open handle: the handle keeps working.
    fn forget_does_not_close_handle(t) {
        let (f, h) = t.create(t.root, "f")?;
        t.fs.forget(f, 1);
        t.write_all(h, 0, b"x")?;
        eq(t.read_at(h, 0, 4)?, b"x".to_vec(), "read after forget")
    }

    /// `open`, `unlink`, `close`: after the last release the file is gone for good; a new
    /// file of the same name is a different, empty file.
    fn unlinked_file_gone_after_release(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"old")?;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        t.release(h)?;
        let g = t.file(t.root, "f", b"")?;
        eq(t.contents(g)?, Vec::<u8>::new(), "contents of the new file")
    }

    /// `open`, `unlink`, `open("f", O_CREAT)`: a new file of the same name is independent of
    /// the unlinked one still open.
    fn unlinked_open_file_independent_of_new_name(t) {
        need_unlinked(t)?;
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"old")?;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        t.file(t.root, "f", b"new")?;
        eq(t.read_at(h, 0, 8)?, b"old".to_vec(), "read through the old handle")?;
        eq(t.contents(t.lookup(t.root, "f")?.node)?, b"new".to_vec(), "contents of the new file")
    }

    /// `open("d", O_DIRECTORY)`, `rmdir("d")`, `getdents64(fd)` → ENOENT (Linux's
    /// `iterate_dir` refuses a dead directory); the handle can still be closed.
    fn removed_dir_readdir_is_enoent(t) {
        let d = t.mkdir(t.root, "d")?;
        let h = ok(t.fs.opendir(d), "opendir")?;
        ok(t.fs.rmdir(t.root, n("d")), "rmdir")?;
        errno(t.fs.readdir(h, 0, &mut |_| true), Errno::ENOENT, "readdir of a removed directory")?;
        ok(t.fs.releasedir(h), "releasedir")
    }

    /// `unlink("f")` while f's node is held but not open: later `getattr` reports nlink 0 or
    /// ESTALE is not allowed — the node id is valid until forgotten.
    fn unlinked_node_valid_until_forget(t) {
        let f = t.file(t.root, "f", b"")?;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        eq(t.attr(f)?.nlink, 0, "nlink")?;
        t.fs.forget(f, 1);
        errno(t.fs.getattr(f), Errno::ESTALE, "getattr after the last forget")
    }
}
