//! File data: `read`, `write`, sizes, holes, append, truncation, `seek` for data and holes.

use crate::helpers::*;
use vfsbox_api::{Errno, OpenFlags, SeekHole, SetAttr};

/// An offset past any Linux file (`loff_t` tops out at 2^63 - 1).
const HUGE: u64 = 1 << 63;
const MIB: u64 = 1 << 20;

/// For a provider whose declared largest file (`Capabilities::max_file_size`) is below
/// `offset + 1`: checks the refusal it declares instead (`pwrite(fd, "x", offset)` and
/// `ftruncate(fd, offset + 1)` are EFBIG and leave the file empty). `None` when the file fits.
fn beyond_largest_file(
    t: &Ctx,
    f: vfsbox_api::NodeId,
    h: vfsbox_api::HandleId,
    offset: u64,
) -> Option<crate::outcome::CaseResult> {
    if offset < t.caps.max_file_size {
        return None;
    }
    let grow = SetAttr {
        size: Some(offset + 1),
        ..SetAttr::default()
    };
    Some((|| {
        errno(
            t.fs.write(h, offset, b"x"),
            Errno::EFBIG,
            "write past the largest file",
        )?;
        eq(t.attr(f)?.size, 0, "size after the refused write")?;
        errno(
            t.fs.setattr(f, &grow, Some(h)),
            Errno::EFBIG,
            "truncate past the largest file",
        )
    })())
}

cases! {
    /// `pwrite(fd, "hello", 0)` then `pread(fd, 5, 0)`: the same bytes.
    fn write_then_read_round_trips(t) {
        let (f, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"hello")?;
        eq(t.read_at(h, 0, 5)?, b"hello".to_vec(), "read")?;
        eq(t.attr(f)?.size, 5, "size")
    }

    /// `pread(fd, 10, 2)` on a 5-byte file: a short read of the 3 remaining bytes.
    fn read_short_at_eof(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"hello")?;
        eq(t.read_at(h, 2, 10)?, b"llo".to_vec(), "short read")
    }

    /// `pread(fd, 4, 5)` on a 5-byte file: 0 bytes at end of file.
    fn read_at_eof_is_zero(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"hello")?;
        eq(t.read_at(h, 5, 4)?.len(), 0, "bytes read at EOF")
    }

    /// `pread(fd, 4, 1000)` on a 5-byte file: 0 bytes past end of file, no error.
    fn read_past_eof_is_zero(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"hello")?;
        eq(t.read_at(h, 1000, 4)?.len(), 0, "bytes read past EOF")?;
        eq(t.read_at(h, 1 << 40, 4)?.len(), 0, "bytes read at 1 TiB")
    }

    /// `pread(fd, 0, 0)`: an empty buffer reads 0.
    fn read_empty_buffer_is_zero(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"hello")?;
        eq(t.read_at(h, 0, 0)?.len(), 0, "bytes read into an empty buffer")
    }

    /// `pwrite(fd, "", 0, 100)`: writing nothing succeeds with 0 and does not extend the file.
    fn write_empty_keeps_size(t) {
        let (f, h) = t.create(t.root, "f")?;
        eq(ok(t.fs.write(h, 100, b""), "empty write")?, 0, "bytes written")?;
        eq(t.attr(f)?.size, 0, "size")
    }

    /// `pwrite(fd, "x", 4096)` on an empty file, then `pread(fd, 4097, 0)`: the hole reads as
    /// zeros.
    fn sparse_write_reads_zeros(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 4096, b"x")?;
        let data = t.read_handle(h)?;
        eq(data.len(), 4097, "length")?;
        check(data[..4096].iter().all(|&b| b == 0), "the hole does not read as zeros")?;
        eq(data[4096], b'x', "the written byte")
    }

    /// `pwrite(fd, "abc", 1 MiB)`: the size is offset plus length.
    fn sparse_write_sets_size(t) {
        let (f, h) = t.create(t.root, "f")?;
        t.write_all(h, MIB, b"abc")?;
        eq(t.attr(f)?.size, MIB + 3, "size")
    }

    /// `pwrite(fd, "x", 1 GiB)` on an empty file: a sparse file uses far fewer blocks than
    /// its size (`st_blocks`).
    fn sparse_file_uses_few_blocks(t) {
        let (f, h) = t.create(t.root, "f")?;
        if let Some(refusal) = beyond_largest_file(t, f, h, 1 << 30) {
            return refusal;
        }
        t.write_all(h, 1 << 30, b"x")?;
        ok(t.fs.fsync(h, false), "fsync")?;
        let attr = t.attr(f)?;
        check(attr.blocks * 512 < MIB, &format!("{} blocks for a 1 GiB file holding one byte", attr.blocks))
    }

    /// `pwrite(fd, "XY", 2)` in "abcdef": overwrite in the middle keeps the size.
    fn overwrite_middle_keeps_size(t) {
        let (f, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"abcdef")?;
        t.write_all(h, 2, b"XY")?;
        eq(t.read_handle(h)?, b"abXYef".to_vec(), "contents")?;
        eq(t.attr(f)?.size, 6, "size")
    }

    /// `pwrite(fd, "tail", 4)` on "abcdef": overwrite across the end extends.
    fn overwrite_across_end_extends(t) {
        let (f, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"abcdef")?;
        t.write_all(h, 4, b"tail")?;
        eq(t.read_handle(h)?, b"abcdtail".to_vec(), "contents")?;
        eq(t.attr(f)?.size, 8, "size")
    }

    /// `pwrite` of 1 MiB of a pattern then `pread` of it back in one call.
    fn large_write_round_trips(t) {
        let (_, h) = t.create(t.root, "f")?;
        let data: Vec<u8> = (0..MIB as usize).map(|i| (i * 7 % 251) as u8).collect();
        t.write_all(h, 0, &data)?;
        eq(t.read_handle(h)? == data, true, "1 MiB read back intact")
    }

    /// `pwrite` of 1000 small pieces back to back: the file holds them in order.
    fn many_small_writes_concatenate(t) {
        let (_, h) = t.create(t.root, "f")?;
        let mut want = Vec::new();
        for i in 0..1000u32 {
            let piece = format!("{i},");
            t.write_all(h, want.len() as u64, piece.as_bytes())?;
            want.extend_from_slice(piece.as_bytes());
        }
        eq(t.read_handle(h)? == want, true, "contents of 1000 appended pieces")
    }

    /// `pwrite(fd, "far", 1 TiB)` then `pread` there: large offsets work (ext4 and tmpfs take
    /// 1 TiB files).
    fn large_offset_write_reads_back(t) {
        let (f, h) = t.create(t.root, "f")?;
        if let Some(refusal) = beyond_largest_file(t, f, h, 1 << 40) {
            return refusal;
        }
        t.write_all(h, 1 << 40, b"far")?;
        eq(t.attr(f)?.size, (1 << 40) + 3, "size")?;
        eq(t.read_at(h, 1 << 40, 8)?, b"far".to_vec(), "read at 1 TiB")?;
        eq(t.read_at(h, (1 << 40) - 4, 4)?, vec![0; 4], "hole before it")
    }

    /// `pwrite(fd, "x", 2^63)`: at or past the largest file size → EFBIG.
    fn write_at_huge_offset_is_efbig(t) {
        let (f, h) = t.create(t.root, "f")?;
        errno(t.fs.write(h, HUGE, b"x"), Errno::EFBIG, "write at 2^63")?;
        errno(t.fs.write(h, u64::MAX - 1, b"x"), Errno::EFBIG, "write at 2^64 - 2")?;
        eq(t.attr(f)?.size, 0, "size unchanged")
    }

    /// `open(O_WRONLY|O_APPEND)` then `pwrite(fd, "b", 0)`: with O_APPEND the data goes to the
    /// end whatever the offset (Linux ignores the pwrite offset on O_APPEND fds).
    fn append_writes_at_end(t) {
        let f = t.file(t.root, "f", b"aaa")?;
        let h = t.open(f, OpenFlags::WRITE | OpenFlags::APPEND)?;
        t.write_all(h, 0, b"b")?;
        t.write_all(h, 1, b"c")?;
        t.release(h)?;
        eq(t.contents(f)?, b"aaabc".to_vec(), "contents")
    }

    /// Two O_APPEND handles interleaving: every write lands at the current end.
    fn append_handles_interleave_at_end(t) {
        let f = t.file(t.root, "f", b"")?;
        let a = t.open(f, OpenFlags::WRITE | OpenFlags::APPEND)?;
        let b = t.open(f, OpenFlags::WRITE | OpenFlags::APPEND)?;
        t.write_all(a, 0, b"1")?;
        t.write_all(b, 0, b"2")?;
        t.write_all(a, 0, b"3")?;
        eq(t.contents(f)?, b"123".to_vec(), "contents")
    }

    /// `truncate("f", 3)` on "abcdef": the tail is gone.
    fn truncate_down_discards_tail(t) {
        let f = t.file(t.root, "f", b"abcdef")?;
        eq(t.setattr(f, SetAttr { size: Some(3), ..SetAttr::default() })?.size, 3, "size returned")?;
        eq(t.contents(f)?, b"abc".to_vec(), "contents")
    }

    /// `truncate("f", 10)` on "abc": the new bytes read as zeros.
    fn truncate_up_reads_zeros(t) {
        let f = t.file(t.root, "f", b"abc")?;
        t.setattr(f, SetAttr { size: Some(10), ..SetAttr::default() })?;
        eq(t.contents(f)?, b"abc\0\0\0\0\0\0\0".to_vec(), "contents")
    }

    /// `truncate("f", 2)` then `truncate("f", 6)` on "abcdef": the old tail does not come back.
    fn truncate_down_then_up_reads_zeros(t) {
        let f = t.file(t.root, "f", b"abcdef")?;
        t.setattr(f, SetAttr { size: Some(2), ..SetAttr::default() })?;
        t.setattr(f, SetAttr { size: Some(6), ..SetAttr::default() })?;
        eq(t.contents(f)?, b"ab\0\0\0\0".to_vec(), "contents")
    }

    /// `ftruncate(fd, 1)` through an open handle (setattr with the handle).
    fn ftruncate_through_handle(t) {
        let (f, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, b"abc")?;
        ok(t.fs.setattr(f, &SetAttr { size: Some(1), ..SetAttr::default() }, Some(h)), "ftruncate")?;
        eq(t.read_handle(h)?, b"a".to_vec(), "contents")
    }

    /// `truncate("f", 0)` then `pwrite` at 0: a truncated file is reusable.
    fn truncate_to_zero_then_write(t) {
        let f = t.file(t.root, "f", b"abcdef")?;
        t.setattr(f, SetAttr { size: Some(0), ..SetAttr::default() })?;
        let h = t.open(f, OpenFlags::WRITE)?;
        t.write_all(h, 0, b"z")?;
        t.release(h)?;
        eq(t.contents(f)?, b"z".to_vec(), "contents")
    }

    /// `truncate("d", 0)` on a directory → EISDIR.
    fn truncate_dir_is_eisdir(t) {
        let d = t.mkdir(t.root, "d")?;
        errno(
            t.fs.setattr(d, &SetAttr { size: Some(0), ..SetAttr::default() }, None),
            Errno::EISDIR,
            "truncate of a directory",
        )
    }

    /// `truncate` of a symlink node itself (the resolver would follow; a provider refuses) →
    /// EINVAL.
    fn truncate_symlink_is_einval(t) {
        let l = t.symlink(t.root, "l", b"target")?;
        errno(
            t.fs.setattr(l, &SetAttr { size: Some(0), ..SetAttr::default() }, None),
            Errno::EINVAL,
            "truncate of a symlink",
        )
    }

    /// `truncate("p", 0)` on a FIFO → EINVAL.
    fn truncate_fifo_is_einval(t) {
        let p = t.fifo(t.root, "p")?;
        errno(
            t.fs.setattr(p, &SetAttr { size: Some(0), ..SetAttr::default() }, None),
            Errno::EINVAL,
            "truncate of a FIFO",
        )
    }

    /// `truncate("f", 2^63)`: past the largest file size → EFBIG.
    fn truncate_huge_is_efbig(t) {
        let f = t.file(t.root, "f", b"abc")?;
        errno(
            t.fs.setattr(f, &SetAttr { size: Some(HUGE), ..SetAttr::default() }, None),
            Errno::EFBIG,
            "truncate to 2^63",
        )?;
        eq(t.attr(f)?.size, 3, "size unchanged")
    }

    /// `write` then `stat`: a file with data has blocks (`st_blocks` > 0) and a block size.
    fn written_file_has_blocks(t) {
        let (f, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, &[7u8; 8192])?;
        ok(t.fs.fsync(h, false), "fsync")?;
        let attr = t.attr(f)?;
        check(attr.blocks > 0, "st_blocks is 0 for 8 KiB of data")?;
        check(attr.blksize > 0, "st_blksize is 0")
    }

    /// `lseek(fd, 0, SEEK_DATA)` on a file starting with data → 0.
    fn seek_data_at_data_is_same_offset(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, &[1u8; 100])?;
        eq(ok(t.fs.seek(h, 10, SeekHole::Data), "SEEK_DATA")?, 10, "offset")
    }

    /// `lseek(fd, 0, SEEK_HOLE)` on a dense file → its size (the end counts as a hole).
    fn seek_hole_in_dense_file_is_eof(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, &[1u8; 100])?;
        eq(ok(t.fs.seek(h, 0, SeekHole::Hole), "SEEK_HOLE")?, 100, "offset")
    }

    /// `lseek(fd, size, SEEK_DATA)` → ENXIO.
    fn seek_data_at_eof_is_enxio(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, &[1u8; 100])?;
        errno(t.fs.seek(h, 100, SeekHole::Data), Errno::ENXIO, "SEEK_DATA at EOF")
    }

    /// `lseek(fd, size + 1, SEEK_HOLE)` → ENXIO.
    fn seek_hole_past_eof_is_enxio(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, 0, &[1u8; 100])?;
        errno(t.fs.seek(h, 101, SeekHole::Hole), Errno::ENXIO, "SEEK_HOLE past EOF")
    }

    /// `lseek(fd, 0, SEEK_DATA)` on an empty file → ENXIO.
    fn seek_data_in_empty_file_is_enxio(t) {
        let (_, h) = t.create(t.root, "f")?;
        errno(t.fs.seek(h, 0, SeekHole::Data), Errno::ENXIO, "SEEK_DATA in an empty file")
    }

    /// `pwrite(fd, "x", 1 MiB)` then `lseek(fd, 0, SEEK_DATA)`: at most 1 MiB (0 for providers
    /// that keep no holes, the block holding the byte for those that do), and `SEEK_HOLE`
    /// from 0 is 0 or the size.
    fn seek_data_skips_leading_hole(t) {
        let (_, h) = t.create(t.root, "f")?;
        t.write_all(h, MIB, b"x")?;
        let data = ok(t.fs.seek(h, 0, SeekHole::Data), "SEEK_DATA")?;
        check(data <= MIB, &format!("SEEK_DATA from 0 went to {data}, past the data at {MIB}"))?;
        let hole = ok(t.fs.seek(h, 0, SeekHole::Hole), "SEEK_HOLE")?;
        check(hole == 0 || hole == MIB + 1, &format!("SEEK_HOLE from 0 gave {hole}"))
    }
}
