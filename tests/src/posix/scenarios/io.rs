//! `read`, `write`, `pread`, `pwrite`, `lseek`, `truncate`, `fsync`.

use libc::*;

scenarios! { io;
    /// Written bytes read back; reading at the end returns 0.
    root fn write_read_round_trip(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.write(fd, b"hello world");
        r.lseek(fd, 0, SEEK_SET);
        r.read(fd, 5);
        r.read(fd, 100);
        r.read(fd, 100);
        r.close(fd);
    }
    /// Zero-length reads and writes succeed with 0.
    root fn zero_length(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.write(fd, b"");
        r.read(fd, 0);
        r.fstat(fd);
    }
    /// read on O_WRONLY and write on O_RDONLY are EBADF.
    root fn wrong_access_mode_is_ebadf(r) {
        r.write_file(b"f", b"abc");
        let w = r.open(b"f", O_WRONLY, 0);
        r.read(w, 3);
        r.pread(w, 3, 0);
        let ro = r.open(b"f", O_RDONLY, 0);
        r.write(ro, b"x");
        r.pwrite(ro, b"x", 0);
        r.ftruncate(ro, 0);
    }
    /// read on a directory descriptor is EISDIR; write is EBADF.
    root fn dir_fd_io(r) {
        r.mkdir(b"d", 0o755);
        let fd = r.open(b"d", O_RDONLY | O_DIRECTORY, 0);
        r.read(fd, 10);
        r.pread(fd, 10, 0);
        r.write(fd, b"x");
        r.lseek(fd, 0, SEEK_SET);
        r.ftruncate(fd, 0);
        r.fsync(fd);
    }
    /// Closed, negative and never-opened descriptors are EBADF.
    root fn bad_fds_are_ebadf(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.close(fd);
        r.read(fd, 1);
        r.write(fd, b"x");
        r.close(fd);
        r.read(-1, 1);
        r.write(1000, b"x");
        r.lseek(-1, 0, SEEK_SET);
        r.fstat(-1);
        r.fsync(77);
        r.fdatasync(77);
        r.ftruncate(77, 0);
    }
    /// pread/pwrite leave the file offset alone.
    root fn pread_pwrite_keep_offset(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.write(fd, b"abcdef");
        r.pwrite(fd, b"XY", 1);
        r.pread(fd, 3, 2);
        r.lseek(fd, 0, SEEK_CUR);
        r.pwrite(fd, b"far", 10);
        r.fstat(fd);
        r.pread(fd, 20, 0);
    }
    /// Negative offsets for pread/pwrite are EINVAL.
    root fn negative_offsets_are_einval(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.pread(fd, 1, -1);
        r.pwrite(fd, b"x", -1);
        r.lseek(fd, -1, SEEK_SET);
        r.lseek(fd, -10, SEEK_CUR);
        r.lseek(fd, -10, SEEK_END);
        r.lseek(fd, 0, SEEK_CUR);
    }
    /// pwrite on an O_APPEND descriptor appends (Linux ignores the offset).
    root fn pwrite_append_appends(r) {
        r.write_file(b"f", b"abc");
        let fd = r.open(b"f", O_WRONLY | O_APPEND, 0);
        r.pwrite(fd, b"Z", 0);
        r.close(fd);
        r.read_file(b"f");
    }
    /// SEEK_SET, SEEK_CUR and SEEK_END; seeking past the end then writing leaves zeros.
    root fn lseek_whences(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.write(fd, b"0123456789");
        r.lseek(fd, 2, SEEK_SET);
        r.lseek(fd, 3, SEEK_CUR);
        r.read(fd, 2);
        r.lseek(fd, -1, SEEK_END);
        r.read(fd, 5);
        r.lseek(fd, 5, SEEK_END);
        r.write(fd, b"!");
        r.pread(fd, 20, 8);
    }
    /// An unknown whence is EINVAL.
    root fn bad_whence_is_einval(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.lseek(fd, 0, 5);
        r.lseek(fd, 0, -1);
        r.lseek(fd, 0, 99);
    }
    /// SEEK_DATA and SEEK_HOLE on a dense file: data at 0, hole at the end, ENXIO past it.
    root fn seek_data_hole_dense(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.write(fd, b"0123456789");
        r.lseek(fd, 0, SEEK_DATA);
        r.lseek(fd, 0, SEEK_HOLE);
        r.lseek(fd, 4, SEEK_DATA);
        r.lseek(fd, 4, SEEK_HOLE);
        r.lseek(fd, 10, SEEK_DATA);
        r.lseek(fd, 10, SEEK_HOLE);
        r.lseek(fd, 11, SEEK_HOLE);
        r.lseek(fd, -1, SEEK_DATA);
    }
    /// SEEK_DATA and SEEK_HOLE on an empty file are ENXIO.
    root fn seek_data_hole_empty(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.lseek(fd, 0, SEEK_DATA);
        r.lseek(fd, 0, SEEK_HOLE);
    }
    /// A file with a large hole: SEEK_DATA skips it (block granularity 4096 on ext4).
    root fn seek_data_hole_sparse(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.write(fd, b"a");
        r.pwrite(fd, b"b", 1 << 20);
        r.lseek(fd, 0, SEEK_DATA);
        r.lseek(fd, 0, SEEK_HOLE);
        r.lseek(fd, 8192, SEEK_DATA);
        r.lseek(fd, 8192, SEEK_HOLE);
        r.pread(fd, 2, 4096);
    }
    /// ftruncate grows with zeros and shrinks; the offset stays.
    root fn ftruncate_grows_and_shrinks(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.write(fd, b"abcdef");
        r.ftruncate(fd, 3);
        r.fstat(fd);
        r.ftruncate(fd, 8);
        r.pread(fd, 20, 0);
        r.lseek(fd, 0, SEEK_CUR);
        r.ftruncate(fd, -1);
        r.ftruncate(fd, 0);
        r.fstat(fd);
    }
    /// ftruncate on a read-only descriptor is EINVAL on Linux (not EBADF).
    root fn ftruncate_rdonly(r) {
        r.write_file(b"f", b"abc");
        let fd = r.open(b"f", O_RDONLY, 0);
        r.ftruncate(fd, 1);
        r.stat(b"f");
    }
    /// truncate by path: grows, shrinks, a directory is EISDIR, a missing file ENOENT.
    root fn truncate_path(r) {
        r.write_file(b"f", b"abcdef");
        r.truncate(b"f", 2);
        r.read_file(b"f");
        r.truncate(b"f", 4);
        r.read_file(b"f");
        r.truncate(b"f", -1);
        r.mkdir(b"d", 0o755);
        r.truncate(b"d", 0);
        r.truncate(b"missing", 0);
        r.truncate(b"f/x", 0);
        r.truncate(b"", 0);
    }
    /// truncate follows symlinks.
    root fn truncate_follows_symlink(r) {
        r.write_file(b"f", b"abcdef");
        r.symlink(b"f", b"l");
        r.truncate(b"l", 1);
        r.read_file(b"f");
    }
    /// fsync and fdatasync succeed on files and directories.
    root fn fsync_ok(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.write(fd, b"x");
        r.fsync(fd);
        r.fdatasync(fd);
        let d = r.open(b".", O_RDONLY | O_DIRECTORY, 0);
        r.fsync(d);
        let ro = r.open(b"f", O_RDONLY, 0);
        r.fsync(ro);
    }
    /// Writing grows the size; fstat follows each write.
    root fn size_follows_writes(r) {
        let fd = r.open(b"f", O_CREAT | O_WRONLY, 0o644);
        r.write(fd, &[7u8; 5000]);
        r.fstat(fd);
        r.lseek(fd, 100, SEEK_SET);
        r.write(fd, b"short");
        r.fstat(fd);
    }
    /// Two descriptions of one file have their own offsets.
    root fn two_descriptions_own_offsets(r) {
        r.write_file(b"f", b"abcdef");
        let a = r.open(b"f", O_RDONLY, 0);
        let b = r.open(b"f", O_RDWR, 0);
        r.read(a, 2);
        r.read(b, 3);
        r.write(b, b"X");
        r.read(a, 10);
    }
    /// Large reads are short at the end of file.
    root fn large_read_short(r) {
        r.write_file(b"f", &[b'z'; 10000]);
        let fd = r.open(b"f", O_RDONLY, 0);
        r.lseek(fd, 9990, SEEK_SET);
        r.read(fd, 65536);
    }
}
