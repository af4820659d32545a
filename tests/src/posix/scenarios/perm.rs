//! Permission rules, each run as root and again as uid/gid 65534 (setup always as root).

use libc::*;
use vfsbox_api::TimeSpec;

/// Files owned by root for the unprivileged body to meet: modes 000, 644, 666, 755, a
/// directory without x, one without w, one without r, a sticky world-writable one.
fn standard_setup(r: &mut super::super::Run<'_>) {
    r.umask(0);
    r.write_file(b"none", b"secret");
    r.chmod(b"none", 0);
    r.write_file(b"ro", b"readable");
    r.chmod(b"ro", 0o644);
    r.write_file(b"rw", b"writable");
    r.chmod(b"rw", 0o666);
    r.write_file(b"exe", b"#!");
    r.chmod(b"exe", 0o755);
    r.mkdir(b"nox", 0o766);
    r.write_file(b"nox/f", b"inside");
    r.mkdir(b"now", 0o755);
    r.write_file(b"now/f", b"inside");
    r.mkdir(b"nor", 0o333);
    r.write_file(b"nor/f", b"inside");
    r.mkdir(b"sticky", 0o1777);
    r.write_file(b"sticky/roots", b"root's");
    r.chmod(b"sticky/roots", 0o666);
}

scenarios! { perm;
    /// Opening files by mode: 000 is EACCES for a user, 644 read-only, 666 writable.
    both fn open_by_mode(r) setup { standard_setup(r); } {
        r.open(b"none", O_RDONLY, 0);
        r.open(b"ro", O_RDONLY, 0);
        r.open(b"ro", O_WRONLY, 0);
        r.open(b"ro", O_RDONLY | O_TRUNC, 0);
        r.open(b"rw", O_RDWR, 0);
        r.open(b"none", O_PATH, 0);
        r.read_file(b"none");
    }
    /// A directory without x: nothing inside can be reached; its listing still can.
    both fn dir_without_x(r) setup { standard_setup(r); } {
        r.stat(b"nox/f");
        r.open(b"nox/f", O_RDONLY, 0);
        r.open(b"nox/g", O_CREAT | O_WRONLY, 0o644);
        r.chdir(b"nox");
        if let Some(s) = r.opendir(b"nox") {
            r.readdir_all(s);
            r.closedir(s);
        }
    }
    /// A directory without w: no creating, removing or renaming in it.
    both fn dir_without_w(r) setup { standard_setup(r); } {
        r.open(b"now/g", O_CREAT | O_WRONLY, 0o644);
        r.mkdir(b"now/d", 0o755);
        r.unlink(b"now/f");
        r.rename(b"now/f", b"moved");
        r.symlink(b"x", b"now/l");
        r.link(b"ro", b"now/h");
        r.read_file(b"now/f");
    }
    /// A directory without r: listing is EACCES, lookups inside still work.
    both fn dir_without_r(r) setup { standard_setup(r); } {
        r.opendir(b"nor");
        r.stat(b"nor/f");
        r.open(b"nor/g", O_CREAT | O_WRONLY, 0o644);
        r.unlink(b"nor/g");
    }
    /// A sticky directory: others' files cannot be removed or renamed away; own files can.
    both fn sticky_dir(r) setup { standard_setup(r); } {
        r.unlink(b"sticky/roots");
        r.rename(b"sticky/roots", b"sticky/mine");
        r.write_file(b"sticky/own", b"mine");
        r.rename(b"sticky/own", b"sticky/own2");
        r.unlink(b"sticky/own2");
        r.open(b"sticky/roots", O_WRONLY | O_APPEND, 0);
    }
    /// chmod, chown and utimensat of others' files are EPERM; UTIME_NOW needs write access.
    both fn others_files(r) setup { standard_setup(r); } {
        r.chmod(b"ro", 0o777);
        r.chown(b"ro", 65534, 65534);
        r.chown(b"ro", u32::MAX, u32::MAX);
        let t = TimeSpec { sec: 5, nsec: 5 };
        r.utimensat(AT_FDCWD, b"ro", [t, t], 0);
        r.utimensat(AT_FDCWD, b"ro", [TimeSpec::NOW, TimeSpec::NOW], 0);
        r.utimensat(AT_FDCWD, b"rw", [TimeSpec::NOW, TimeSpec::NOW], 0);
        r.utimensat(AT_FDCWD, b"rw", [t, t], 0);
        r.truncate(b"ro", 0);
        r.truncate(b"rw", 1);
        r.setxattr(b"ro", b"user.x", b"v", 0, 0);
        r.getxattr(b"none", b"user.x", 0);
    }
    /// A user's own files: chmod works, chown to another user is EPERM, to one's own ids works.
    both fn own_files(r) {
        r.write_file(b"mine", b"x");
        r.chmod(b"mine", 0o4777);
        r.stat(b"mine");
        r.chown(b"mine", 0, u32::MAX);
        r.chown(b"mine", u32::MAX, 0);
        r.chown(b"mine", 65534, 65534);
        r.chown(b"mine", u32::MAX, u32::MAX);
        r.stat(b"mine");
        r.chmod(b"mine", 0);
        r.read_file(b"mine");
        r.access(b"mine", R_OK);
    }
    /// faccessat by mode, real and effective ids alike.
    both fn access_by_mode(r) setup { standard_setup(r); } {
        r.access(b"none", R_OK);
        r.access(b"ro", R_OK);
        r.access(b"ro", W_OK);
        r.access(b"rw", W_OK);
        r.access(b"exe", X_OK);
        r.access(b"ro", X_OK);
        r.faccessat(AT_FDCWD, b"ro", W_OK, AT_EACCESS);
        r.faccessat(AT_FDCWD, b"rw", R_OK | W_OK, AT_EACCESS);
        r.access(b"nox/f", F_OK);
        r.access(b"nox", W_OK);
    }
    /// Hard links to others' files the user cannot write (fs.protected_hardlinks).
    both fn protected_hardlinks(r) setup { standard_setup(r); } {
        r.link(b"ro", b"ro-link");
        r.link(b"rw", b"rw-link");
        r.link(b"none", b"none-link");
    }
    /// Removing and renaming directories needs w on the parent and (to move) on the directory.
    both fn dir_moves(r) setup {
        r.mkdir(b"parent", 0o755);
        r.mkdir(b"parent/child", 0o755);
        r.mkdir(b"open", 0o777);
        r.mkdir(b"open/rootdir", 0o755);
    } {
        r.rmdir(b"parent/child");
        r.rename(b"open/rootdir", b"open/renamed");
        r.rename(b"open/rootdir", b"moved-out");
        r.mkdir(b"mine", 0o755);
        r.rename(b"mine", b"open/mine");
        r.rmdir(b"open/mine");
    }
    /// Creating files in a directory the user does not own, and the owner of what is made.
    both fn create_ownership(r) setup {
        r.mkdir(b"shared", 0o777);
        r.mkdir(b"rootonly", 0o755);
    } {
        r.write_file(b"shared/f", b"x");
        r.stat(b"shared/f");
        r.mkdir(b"shared/d", 0o777);
        r.stat(b"shared/d");
        r.write_file(b"rootonly/f", b"x");
        r.mknod(b"rootonly/p", S_IFIFO | 0o644, 0);
    }
    /// setgid directories pass their group on; a user's chmod g+s of a file outside its group
    /// loses the bit.
    both fn setgid_dirs(r) setup {
        r.mkdir(b"sg", 0o777);
        r.chown(b"sg", 0, 100);
        r.chmod(b"sg", 0o2777);
    } {
        r.write_file(b"sg/f", b"x");
        r.stat(b"sg/f");
        r.mkdir(b"sg/d", 0o755);
        r.stat(b"sg/d");
        r.chmod(b"sg/f", 0o2755);
        r.stat(b"sg/f");
    }
    /// Writing to a file clears set-uid bits for an unprivileged writer.
    both fn write_clears_setuid(r) setup {
        r.write_file(b"suid", b"x");
        r.chmod(b"suid", 0o4777);
    } {
        let fd = r.open(b"suid", O_WRONLY, 0);
        r.write(fd, b"y");
        r.close(fd);
        r.stat(b"suid");
    }
    /// O_TRUNC is checked before anything is cut: a file the user may not write stays whole
    /// (whatever the access mode), one it may write is emptied, and a set-uid one loses the
    /// bit as it is truncated.
    both fn trunc_needs_write(r) setup {
        standard_setup(r);
        r.write_file(b"suid", b"data");
        r.chmod(b"suid", 0o4666);
    } {
        r.open(b"ro", O_WRONLY | O_TRUNC, 0);
        r.open(b"none", O_RDWR | O_TRUNC, 0);
        r.open(b"ro", O_WRONLY | O_TRUNC | O_NOFOLLOW, 0);
        let fd = r.open(b"rw", O_WRONLY | O_TRUNC, 0);
        r.fstat(fd);
        r.close(fd);
        let fd = r.open(b"suid", O_RDWR | O_TRUNC, 0);
        r.close(fd);
        r.stat(b"suid");
        r.read_file(b"ro");
        r.read_file(b"none");
    }
    /// O_NOATIME needs ownership, checked after the mode bits: EACCES before EPERM.
    both fn noatime_needs_owner(r) setup { standard_setup(r); } {
        r.open(b"none", O_RDONLY | O_NOATIME, 0);
        r.open(b"ro", O_RDONLY | O_NOATIME, 0);
        r.write_file(b"mine", b"x");
        let fd = r.open(b"mine", O_RDONLY | O_NOATIME, 0);
        r.close(fd);
    }
    /// chdir needs x; getcwd works in a directory the user cannot read.
    both fn chdir_needs_x(r) setup { standard_setup(r); } {
        r.chdir(b"nox");
        r.chdir(b"nor");
        r.getcwd();
    }
    /// Directory write needs search: unlinking inside a directory without x.
    both fn unlink_needs_x(r) setup { standard_setup(r); } {
        r.unlink(b"nox/f");
        r.rename(b"nox/f", b"nox/g");
        r.rmdir(b"nox");
    }
    /// xattrs of others' files: reading needs r, writing needs ownership or w.
    both fn xattr_permissions(r) setup {
        standard_setup(r);
        r.setxattr(b"ro", b"user.tag", b"v", 0, 0);
    } {
        r.getxattr(b"ro", b"user.tag", 0);
        r.listxattr(b"ro", 0);
        r.setxattr(b"rw", b"user.tag", b"w", 0, 0);
        r.setxattr(b"ro", b"user.tag", b"w", 0, 0);
        r.removexattr(b"ro", b"user.tag", 0);
    }
}
