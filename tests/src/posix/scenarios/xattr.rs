//! Extended attributes in the `user.` namespace.

use libc::*;

scenarios! { xattr;
    /// set, get, list, remove by path.
    root fn round_trip(r) {
        r.write_file(b"f", b"x");
        r.setxattr(b"f", b"user.a", b"one", 0, 0);
        r.setxattr(b"f", b"user.b", b"", 0, 0);
        r.getxattr(b"f", b"user.a", 0);
        r.getxattr(b"f", b"user.b", 0);
        r.listxattr(b"f", 0);
        r.removexattr(b"f", b"user.a", 0);
        r.listxattr(b"f", 0);
    }
    /// XATTR_CREATE on an existing name EEXIST, XATTR_REPLACE on a missing one ENODATA.
    root fn create_replace(r) {
        r.write_file(b"f", b"x");
        r.setxattr(b"f", b"user.a", b"1", XATTR_REPLACE, 0);
        r.setxattr(b"f", b"user.a", b"1", XATTR_CREATE, 0);
        r.setxattr(b"f", b"user.a", b"2", XATTR_CREATE, 0);
        r.setxattr(b"f", b"user.a", b"3", XATTR_REPLACE, 0);
        r.getxattr(b"f", b"user.a", 0);
        r.setxattr(b"f", b"user.a", b"4", 99, 0);
    }
    /// Missing attributes are ENODATA; missing files ENOENT; names without namespace EOPNOTSUPP.
    root fn errors(r) {
        r.write_file(b"f", b"x");
        r.getxattr(b"f", b"user.none", 0);
        r.removexattr(b"f", b"user.none", 0);
        r.getxattr(b"missing", b"user.a", 0);
        r.setxattr(b"f", b"plain", b"v", 0, 0);
        r.getxattr(b"f", b"plain", 0);
        r.setxattr(b"f", b"user.", b"v", 0, 0);
        r.setxattr(b"f", b"", b"v", 0, 0);
    }
    /// Descriptor variants; O_PATH descriptors are EBADF.
    root fn fd_variants(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.fsetxattr(fd, b"user.k", b"v", 0);
        r.fgetxattr(fd, b"user.k");
        r.flistxattr(fd);
        r.fremovexattr(fd, b"user.k");
        r.fgetxattr(fd, b"user.k");
        r.fgetxattr(-1, b"user.k");
        let p = r.open(b"f", O_PATH, 0);
        r.fgetxattr(p, b"user.k");
        r.fsetxattr(p, b"user.k", b"v", 0);
    }
    /// Symlinks: user.* on the link itself is EPERM; the plain calls follow it.
    root fn symlinks(r) {
        r.write_file(b"f", b"x");
        r.symlink(b"f", b"l");
        r.setxattr(b"l", b"user.via", b"link", 0, 0);
        r.getxattr(b"f", b"user.via", 0);
        r.setxattr(b"l", b"user.own", b"x", 0, AT_SYMLINK_NOFOLLOW);
        r.getxattr(b"l", b"user.via", AT_SYMLINK_NOFOLLOW);
        r.listxattr(b"l", AT_SYMLINK_NOFOLLOW);
    }
    /// Directories carry user xattrs too; xattrs follow renames and hard links.
    root fn dirs_and_links(r) {
        r.mkdir(b"d", 0o755);
        r.setxattr(b"d", b"user.d", b"dir", 0, 0);
        r.getxattr(b"d", b"user.d", 0);
        r.write_file(b"f", b"x");
        r.setxattr(b"f", b"user.f", b"file", 0, 0);
        r.link(b"f", b"g");
        r.rename(b"f", b"h");
        r.getxattr(b"g", b"user.f", 0);
        r.getxattr(b"h", b"user.f", 0);
    }
}
