//! `mkdir`, `mknod`, `unlink`, `rmdir`, `rename`, `link`, `symlink`, `readlink`.

use libc::*;

use super::long_name;

scenarios! { names;
    /// mkdir honours mode and umask, including the sticky bit.
    root fn mkdir_mode_umask(r) {
        r.mkdir(b"a", 0o777);
        r.umask(0o027);
        r.mkdir(b"b", 0o777);
        r.mkdir(b"c", 0o1777);
        r.mkdir(b"e", 0o7777);
        r.stat(b"a");
        r.stat(b"b");
        r.stat(b"c");
        r.stat(b"e");
    }
    /// mkdir over anything existing is EEXIST (file, dir, dangling symlink, ".", "..").
    root fn mkdir_eexist(r) {
        r.write_file(b"f", b"x");
        r.mkdir(b"d", 0o755);
        r.symlink(b"nowhere", b"l");
        r.mkdir(b"f", 0o755);
        r.mkdir(b"d", 0o755);
        r.mkdir(b"l", 0o755);
        r.mkdir(b".", 0o755);
        r.mkdir(b"..", 0o755);
        r.mkdir(b"d/", 0o755);
    }
    /// mkdir in a missing parent is ENOENT, in a file ENOTDIR; trailing slash is fine.
    root fn mkdir_parent_errors(r) {
        r.write_file(b"f", b"x");
        r.mkdir(b"missing/d", 0o755);
        r.mkdir(b"f/d", 0o755);
        r.mkdir(b"new/", 0o755);
        r.mkdir(b"new2//", 0o755);
        r.mkdir(b"", 0o755);
        r.mkdir(&long_name(256), 0o755);
        r.mkdir(&long_name(255), 0o755);
    }
    /// mkdirat from a dirfd.
    root fn mkdirat_dirfd(r) {
        r.mkdir(b"d", 0o755);
        let dfd = r.open(b"d", O_RDONLY | O_DIRECTORY, 0);
        r.mkdirat(dfd, b"sub", 0o700);
        r.stat(b"d/sub");
        r.mkdirat(-1, b"x", 0o700);
    }
    /// mknod makes regular files and FIFOs; S_IFDIR is EPERM, a bad type EINVAL.
    root fn mknod_kinds(r) {
        r.mknod(b"reg", S_IFREG | 0o640, 0);
        r.mknod(b"zero", 0o640, 0);
        r.mknod(b"fifo", S_IFIFO | 0o666, 0);
        r.mknod(b"dir", S_IFDIR | 0o755, 0);
        r.mknod(b"bad", 0o170000 | 0o644, 0);
        r.mknod(b"reg", S_IFREG | 0o640, 0);
        r.stat(b"reg");
        r.stat(b"zero");
        r.stat(b"fifo");
    }
    /// unlink removes a file (not the symlink's target); a directory is EISDIR.
    root fn unlink_rules(r) {
        r.write_file(b"f", b"x");
        r.symlink(b"f", b"l");
        r.unlink(b"l");
        r.stat(b"f");
        r.mkdir(b"d", 0o755);
        r.unlink(b"d");
        r.unlink(b"missing");
        r.unlink(b"f/");
        r.unlink(b"f/x");
        r.unlink(b"");
        r.unlink(b"f");
        r.unlink(b"f");
    }
    /// unlinkat with AT_REMOVEDIR removes directories; unknown flags are EINVAL.
    root fn unlinkat_flags(r) {
        r.mkdir(b"d", 0o755);
        r.write_file(b"f", b"x");
        r.unlinkat(AT_FDCWD, b"d", 0x1);
        r.unlinkat(AT_FDCWD, b"f", AT_REMOVEDIR);
        r.unlinkat(AT_FDCWD, b"d", AT_REMOVEDIR);
        r.unlinkat(-1, b"f", 0);
    }
    /// rmdir: ENOTEMPTY, ENOTDIR, EINVAL for ".", ENOTEMPTY for "..", ENOENT, symlink ENOTDIR.
    root fn rmdir_rules(r) {
        r.mkdir(b"d", 0o755);
        r.write_file(b"d/f", b"x");
        r.rmdir(b"d");
        r.rmdir(b"d/f");
        r.rmdir(b"d/.");
        r.rmdir(b"d/..");
        r.rmdir(b"missing");
        r.symlink(b"d", b"l");
        r.rmdir(b"l");
        r.rmdir(b"l/");
        r.mkdir(b"e", 0o755);
        r.rmdir(b"e/");
        r.rmdir(b".");
    }
    /// rename of a file, onto a file (replacing), and of a symlink (the link moves).
    root fn rename_files(r) {
        r.write_file(b"a", b"A");
        r.write_file(b"b", b"B");
        r.rename(b"a", b"b");
        r.read_file(b"b");
        r.lstat(b"a");
        r.symlink(b"b", b"l");
        r.rename(b"l", b"m");
        r.readlink(b"m");
    }
    /// rename errors: over a directory EISDIR, a directory over a file ENOTDIR, missing ENOENT.
    root fn rename_kind_errors(r) {
        r.write_file(b"f", b"x");
        r.mkdir(b"d", 0o755);
        r.mkdir(b"e", 0o755);
        r.write_file(b"e/x", b"x");
        r.rename(b"f", b"d");
        r.rename(b"d", b"f");
        r.rename(b"d", b"e");
        r.rename(b"missing", b"x");
        r.rename(b"f", b"missing/x");
        r.rename(b"f", b"f/");
        r.rename(b"f/", b"g");
    }
    /// A directory replaces an empty directory; ".." of the moved directory follows.
    root fn rename_dirs(r) {
        r.mkdir(b"a", 0o755);
        r.mkdir(b"a/sub", 0o755);
        r.mkdir(b"b", 0o755);
        r.mkdir(b"c", 0o755);
        r.rename(b"a/sub", b"c/moved");
        r.stat(b"a");
        r.stat(b"c");
        r.rename(b"a", b"b");
        r.stat(b"b");
        r.lstat(b"a");
        r.rename(b"b/", b"z/");
    }
    /// A directory cannot move into itself (EINVAL); "." and ".." cannot be renamed.
    root fn rename_into_itself(r) {
        r.mkdir(b"d", 0o755);
        r.mkdir(b"d/e", 0o755);
        r.rename(b"d", b"d/e/x");
        r.rename(b"d", b"d/x");
        r.rename(b"d/.", b"y");
        r.rename(b"d/..", b"y");
        r.rename(b"d/e", b"d/.");
    }
    /// Renaming a name onto another link of the same inode does nothing.
    root fn rename_same_inode(r) {
        r.write_file(b"f", b"x");
        r.link(b"f", b"g");
        r.rename(b"f", b"g");
        r.stat(b"f");
        r.stat(b"g");
        r.rename(b"f", b"f");
    }
    /// RENAME_NOREPLACE: EEXIST over an existing name, fine otherwise.
    root fn rename_noreplace(r) {
        r.write_file(b"a", b"A");
        r.write_file(b"b", b"B");
        r.rename2(b"a", b"b", RENAME_NOREPLACE);
        r.rename2(b"a", b"c", RENAME_NOREPLACE);
        r.symlink(b"nowhere", b"l");
        r.rename2(b"c", b"l", RENAME_NOREPLACE);
    }
    /// RENAME_EXCHANGE swaps two names (even a file and a directory); ENOENT if one is missing.
    root fn rename_exchange(r) {
        r.write_file(b"a", b"A");
        r.mkdir(b"d", 0o755);
        r.write_file(b"d/in", b"in");
        r.rename2(b"a", b"d", RENAME_EXCHANGE);
        r.read_file(b"d");
        r.read_file(b"a/in");
        r.rename2(b"a", b"missing", RENAME_EXCHANGE);
    }
    /// Bad renameat2 flags are EINVAL (unknown bits, exchange with noreplace).
    root fn rename_bad_flags(r) {
        r.write_file(b"a", b"A");
        r.write_file(b"b", b"B");
        r.rename2(b"a", b"b", RENAME_EXCHANGE | RENAME_NOREPLACE);
        r.rename2(b"a", b"b", 0x100);
        r.read_file(b"a");
    }
    /// link makes a second name of the same inode; EEXIST, EPERM for directories, ENOENT.
    root fn link_rules(r) {
        r.write_file(b"f", b"x");
        r.link(b"f", b"g");
        r.same_inode(b"f", b"g");
        r.stat(b"g");
        r.link(b"f", b"g");
        r.mkdir(b"d", 0o755);
        r.link(b"d", b"d2");
        r.link(b"missing", b"h");
        r.link(b"f", b"missing/h");
        r.link(b"f", b"h/");
        r.link(b"f/", b"h");
    }
    /// linkat links the symlink itself unless AT_SYMLINK_FOLLOW; unknown flags are EINVAL.
    root fn linkat_follow(r) {
        r.write_file(b"f", b"x");
        r.symlink(b"f", b"l");
        r.linkat(AT_FDCWD, b"l", AT_FDCWD, b"nofollow", 0);
        r.linkat(AT_FDCWD, b"l", AT_FDCWD, b"follow", AT_SYMLINK_FOLLOW);
        r.lstat(b"nofollow");
        r.lstat(b"follow");
        r.same_inode(b"follow", b"f");
        r.same_inode(b"nofollow", b"l");
        r.linkat(AT_FDCWD, b"f", AT_FDCWD, b"bad", 0x1);
        r.symlink(b"missing", b"dangling");
        r.linkat(AT_FDCWD, b"dangling", AT_FDCWD, b"dl", AT_SYMLINK_FOLLOW);
        r.linkat(AT_FDCWD, b"dangling", AT_FDCWD, b"dl", 0);
    }
    /// linkat with AT_EMPTY_PATH links an open file (root only).
    root fn linkat_empty_path(r) {
        r.write_file(b"f", b"x");
        let fd = r.open(b"f", O_RDONLY, 0);
        r.linkat(fd, b"", AT_FDCWD, b"g", AT_EMPTY_PATH);
        r.same_inode(b"f", b"g");
        r.linkat(fd, b"", AT_FDCWD, b"h", 0);
    }
    /// readlink returns the text verbatim, whatever it holds.
    root fn readlink_verbatim(r) {
        r.symlink(b"a//b/../c/./", b"l1");
        r.symlink(b"../../outside", b"l2");
        r.symlink(b" spaces and \xff bytes", b"l3");
        r.readlink(b"l1");
        r.readlink(b"l2");
        r.readlink(b"l3");
    }
    /// readlink of a non-symlink is EINVAL; missing ENOENT; an empty target is ENOENT.
    root fn readlink_errors(r) {
        r.write_file(b"f", b"x");
        r.readlink(b"f");
        r.readlink(b".");
        r.readlink(b"missing");
        r.readlink(b"");
        r.symlink(b"", b"empty");
        r.lstat(b"empty");
    }
    /// symlink over an existing name is EEXIST; a 4095-byte target works, 4096 is ENAMETOOLONG.
    root fn symlink_rules(r) {
        r.write_file(b"f", b"x");
        r.symlink(b"t", b"f");
        r.symlink(b"t", b"missing/l");
        r.symlink(&vec![b'x'; 4095], b"long");
        r.symlink(&vec![b'x'; 4096], b"toolong");
        r.symlink(b"t", b"slash/");
        let n = r.readlink(b"long").len();
        r.check("4095-byte target kept", n == 4095);
    }
    /// Symlinks are followed in the middle of paths, with "..", and to absolute targets.
    root fn symlink_resolution(r) {
        r.mkdir(b"d", 0o755);
        r.mkdir(b"d/e", 0o755);
        r.write_file(b"d/e/f", b"deep");
        r.symlink(b"d/e", b"short");
        r.read_file(b"short/f");
        r.symlink(b"../e/f", b"d/e/up");
        r.read_file(b"d/e/up");
        let target = r.abs(b"/w/d/e/f");
        r.symlink(&target, b"absl");
        r.read_file(b"absl");
        r.readlink(b"absl");
        r.read_file(b"short/../e/f");
        r.stat(b"short/..");
    }
}
