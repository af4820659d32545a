//! Bad handles: unknown, released, or of the wrong kind → EBADF; access modes enforced.

use crate::helpers::*;
use vfsbox_api::{Errno, FallocateMode, OpenFlags, SeekHole};

cases! {
    /// `pread(fd)` on an fd never opened → EBADF.
    fn read_unknown_handle_is_ebadf(t) {
        let mut buf = [0u8; 4];
        errno(t.fs.read(BOGUS_HANDLE, 0, &mut buf), Errno::EBADF, "read(bogus)")
    }

    /// `pwrite(fd)` on an fd never opened → EBADF.
    fn write_unknown_handle_is_ebadf(t) {
        errno(t.fs.write(BOGUS_HANDLE, 0, b"x"), Errno::EBADF, "write(bogus)")
    }

    /// `close(fd)` of an fd never opened → EBADF.
    fn release_unknown_handle_is_ebadf(t) {
        errno(t.fs.release(BOGUS_HANDLE), Errno::EBADF, "release(bogus)")
    }

    /// `close(fd)` twice → the second is EBADF.
    fn release_twice_is_ebadf(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.release(h)?;
        errno(t.fs.release(h), Errno::EBADF, "second release")
    }

    /// `close(fd)` then `pread(fd)` → EBADF.
    fn read_released_handle_is_ebadf(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.release(h)?;
        let mut buf = [0u8; 4];
        errno(t.fs.read(h, 0, &mut buf), Errno::EBADF, "read after release")
    }

    /// `close(fd)` then `pwrite(fd)` → EBADF.
    fn write_released_handle_is_ebadf(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.release(h)?;
        errno(t.fs.write(h, 0, b"x"), Errno::EBADF, "write after release")
    }

    /// `fsync(fd)` on an fd never opened → EBADF.
    fn fsync_unknown_handle_is_ebadf(t) {
        errno(t.fs.fsync(BOGUS_HANDLE, false), Errno::EBADF, "fsync(bogus)")
    }

    /// `close(fd)` (FUSE FLUSH) on an fd never opened → EBADF.
    fn flush_unknown_handle_is_ebadf(t) {
        errno(t.fs.flush(BOGUS_HANDLE), Errno::EBADF, "flush(bogus)")
    }

    /// `lseek(fd, 0, SEEK_DATA)` on an fd never opened → EBADF.
    fn seek_unknown_handle_is_ebadf(t) {
        errno(t.fs.seek(BOGUS_HANDLE, 0, SeekHole::Data), Errno::EBADF, "seek(bogus)")
    }

    /// `getdents64(fd)` on an fd never opened → EBADF.
    fn readdir_unknown_handle_is_ebadf(t) {
        errno(t.fs.readdir(BOGUS_HANDLE, 0, &mut |_| true), Errno::EBADF, "readdir(bogus)")
    }

    /// `closedir` of a handle never opened → EBADF.
    fn releasedir_unknown_handle_is_ebadf(t) {
        errno(t.fs.releasedir(BOGUS_HANDLE), Errno::EBADF, "releasedir(bogus)")
    }

    /// `closedir` twice → the second is EBADF.
    fn releasedir_twice_is_ebadf(t) {
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        ok(t.fs.releasedir(h), "releasedir")?;
        errno(t.fs.releasedir(h), Errno::EBADF, "second releasedir")
    }

    /// `closedir` then `getdents64` → EBADF.
    fn readdir_released_handle_is_ebadf(t) {
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        ok(t.fs.releasedir(h), "releasedir")?;
        errno(t.fs.readdir(h, 0, &mut |_| true), Errno::EBADF, "readdir after releasedir")
    }

    /// `getdents64` on a regular file's fd → the handle is not a directory handle: EBADF.
    fn readdir_on_file_handle_is_ebadf(t) {
        let (_, h) = t.create(t.root, "f")?;
        errno(t.fs.readdir(h, 0, &mut |_| true), Errno::EBADF, "readdir on a file handle")
    }

    /// `closedir` of a regular file's handle → EBADF.
    fn releasedir_on_file_handle_is_ebadf(t) {
        let (_, h) = t.create(t.root, "f")?;
        errno(t.fs.releasedir(h), Errno::EBADF, "releasedir of a file handle")
    }

    /// `fallocate(fd)` on an fd never opened → EBADF (EOPNOTSUPP without fallocate support,
    /// the trait default).
    fn fallocate_unknown_handle_is_ebadf(t) {
        let want = if t.caps.fallocate { Errno::EBADF } else { Errno::EOPNOTSUPP };
        errno(t.fs.fallocate(BOGUS_HANDLE, FallocateMode::Allocate, 0, 1), want, "fallocate(bogus)")
    }

    /// `open(O_RDONLY)` then `pwrite` → EBADF.
    fn write_on_readonly_handle_is_ebadf(t) {
        let f = t.file(t.root, "f", b"abc")?;
        let h = t.open(f, OpenFlags::READ)?;
        errno(t.fs.write(h, 0, b"x"), Errno::EBADF, "write on O_RDONLY")?;
        eq(t.contents(f)?, b"abc".to_vec(), "contents unchanged")
    }

    /// `open(O_WRONLY)` then `pread` → EBADF.
    fn read_on_writeonly_handle_is_ebadf(t) {
        let f = t.file(t.root, "f", b"abc")?;
        let h = t.open(f, OpenFlags::WRITE)?;
        let mut buf = [0u8; 4];
        errno(t.fs.read(h, 0, &mut buf), Errno::EBADF, "read on O_WRONLY")
    }

    /// `open(O_RDWR)`: both read and write work on one handle.
    fn readwrite_handle_reads_and_writes(t) {
        let f = t.file(t.root, "f", b"")?;
        let h = t.open(f, OpenFlags::READ_WRITE)?;
        t.write_all(h, 0, b"hello")?;
        eq(t.read_at(h, 0, 16)?, b"hello".to_vec(), "read back")
    }

    /// `open` twice: two independent handles; releasing one leaves the other working.
    fn two_handles_are_independent(t) {
        let f = t.file(t.root, "f", b"abc")?;
        let a = t.open(f, OpenFlags::READ)?;
        let b = t.open(f, OpenFlags::READ)?;
        check(a != b, "two opens returned the same handle id")?;
        t.release(a)?;
        eq(t.read_at(b, 0, 8)?, b"abc".to_vec(), "read through the other handle")
    }

    /// `fsync(fd)` and `fdatasync(fd)` of a written file succeed.
    fn fsync_and_fdatasync_succeed(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"data")?;
        ok(t.fs.fsync(h, false), "fsync")?;
        ok(t.fs.fsync(h, true), "fdatasync")
    }

    /// `close(fd)` of a written file: the FUSE FLUSH succeeds and the handle stays open until
    /// RELEASE.
    fn flush_keeps_handle_open(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"data")?;
        ok(t.fs.flush(h), "flush")?;
        eq(t.read_at(h, 0, 8)?, b"data".to_vec(), "read after flush")
    }
}
