//! `fallocate`: allocation, keep-size, punching holes; EOPNOTSUPP without the capability.

use crate::helpers::*;
use vfsbox_api::{Errno, FallocateMode, HandleId, NodeId, OpenFlags};

/// Makes "f" holding `data`, open read-write.
fn open_file(t: &Ctx, data: &[u8]) -> Result<(NodeId, HandleId), crate::outcome::Stop> {
    let (f, h) = t.create(t.root, "f")?;
    if !data.is_empty() {
        t.write_all(h, 0, data)?;
    }
    Ok((f, h))
}

cases! {
    /// `fallocate(fd, 0, 0, 8192)` on an empty file: the size becomes 8192, reading zeros;
    /// EOPNOTSUPP without `Capabilities::fallocate`.
    fn fallocate_allocate_extends_size(t) {
        let (f, h) = open_file(t, b"")?;
        let result = t.fs.fallocate(h, FallocateMode::Allocate, 0, 8192);
        if !t.caps.fallocate {
            return errno(result, Errno::EOPNOTSUPP, "fallocate without support");
        }
        ok(result, "fallocate")?;
        eq(t.attr(f)?.size, 8192, "size")?;
        eq(t.read_handle(h)?, vec![0; 8192], "contents")
    }

    /// `fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 8192)` on a 3-byte file: the size stays 3.
    fn fallocate_keep_size_keeps_size(t) {
        let (f, h) = open_file(t, b"abc")?;
        let result = t.fs.fallocate(h, FallocateMode::KeepSize, 0, 8192);
        if !t.caps.fallocate {
            return errno(result, Errno::EOPNOTSUPP, "fallocate without support");
        }
        ok(result, "fallocate KEEP_SIZE")?;
        eq(t.attr(f)?.size, 3, "size")?;
        eq(t.read_handle(h)?, b"abc".to_vec(), "contents")
    }

    /// `fallocate(fd, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE, 4096, 4096)` in a 12 KiB file
    /// of ones: that range reads as zeros, the rest and the size are kept.
    fn fallocate_punch_hole_reads_zeros(t) {
        let (f, h) = open_file(t, &[1u8; 12288])?;
        let result = t.fs.fallocate(h, FallocateMode::PunchHole, 4096, 4096);
        if !t.caps.fallocate {
            return errno(result, Errno::EOPNOTSUPP, "fallocate without support");
        }
        ok(result, "punch hole")?;
        eq(t.attr(f)?.size, 12288, "size")?;
        let data = t.read_handle(h)?;
        check(data[..4096].iter().all(|&b| b == 1), "bytes before the hole changed")?;
        check(data[4096..8192].iter().all(|&b| b == 0), "the punched range does not read zeros")?;
        check(data[8192..].iter().all(|&b| b == 1), "bytes after the hole changed")
    }

    /// `fallocate(fd, 0, 0, 0)` → EINVAL.
    fn fallocate_zero_len_is_einval(t) {
        let (_, h) = open_file(t, b"")?;
        let want = if t.caps.fallocate { Errno::EINVAL } else { Errno::EOPNOTSUPP };
        errno(t.fs.fallocate(h, FallocateMode::Allocate, 0, 0), want, "fallocate of length 0")
    }

    /// `open(O_RDONLY)` then `fallocate` → EBADF.
    fn fallocate_readonly_handle_is_ebadf(t) {
        let f = t.file(t.root, "f", b"abc")?;
        let h = t.open(f, OpenFlags::READ)?;
        let want = if t.caps.fallocate { Errno::EBADF } else { Errno::EOPNOTSUPP };
        errno(t.fs.fallocate(h, FallocateMode::Allocate, 0, 10), want, "fallocate on O_RDONLY")
    }

    /// `fallocate(fd, 0, 2^62, 2^62)`: the range ends past the largest file → EFBIG.
    fn fallocate_huge_is_efbig(t) {
        let (f, h) = open_file(t, b"")?;
        let want = if t.caps.fallocate { Errno::EFBIG } else { Errno::EOPNOTSUPP };
        errno(t.fs.fallocate(h, FallocateMode::Allocate, 1 << 62, 1 << 62), want, "fallocate to 2^63")?;
        eq(t.attr(f)?.size, 0, "size unchanged")
    }

    /// `fallocate(fd, 0, 4096, 4096)` on a 3-byte file: the old data stays, the gap reads
    /// zeros, the size becomes 8192.
    fn fallocate_past_end_keeps_data(t) {
        let (f, h) = open_file(t, b"abc")?;
        let result = t.fs.fallocate(h, FallocateMode::Allocate, 4096, 4096);
        if !t.caps.fallocate {
            return errno(result, Errno::EOPNOTSUPP, "fallocate without support");
        }
        ok(result, "fallocate")?;
        eq(t.attr(f)?.size, 8192, "size")?;
        let data = t.read_handle(h)?;
        eq(&data[..3], &b"abc"[..], "old data")?;
        check(data[3..].iter().all(|&b| b == 0), "the allocated range does not read zeros")
    }
}
