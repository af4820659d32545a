//! `isatty`, NUL bytes and over-long names in every kind of call.

use libc::*;

use super::{long_name, long_path};

scenarios! { misc;
    /// isatty: a regular file is not a terminal; a bad descriptor is EBADF.
    root fn isatty_rules(r) {
        let fd = r.open(b"f", O_CREAT | O_RDWR, 0o644);
        r.isatty(fd);
        r.isatty(-1);
        r.isatty(400);
        let d = r.open(b".", O_RDONLY | O_DIRECTORY, 0);
        r.isatty(d);
    }
    /// A NUL inside a path is EINVAL for every path call.
    root fn nul_everywhere(r) {
        r.stat(b"a\0");
        r.mkdir(b"d\0x", 0o755);
        r.unlink(b"\0");
        r.rename(b"a\0", b"b");
        r.symlink(b"t\0", b"l");
        r.readlink(b"l\0");
        r.chdir(b"\0");
        r.chmod(b"\0", 0o644);
        r.truncate(b"\0", 0);
        r.realpath(b"\0");
        r.opendir(b"\0");
        r.access(b"\0", F_OK);
    }
    /// Over-long names are ENAMETOOLONG in every path call.
    root fn long_names_everywhere(r) {
        let n = long_name(256);
        r.stat(&n);
        r.mkdir(&n, 0o755);
        r.unlink(&n);
        r.rmdir(&n);
        r.rename(&n, b"x");
        r.write_file(b"f", b"x");
        r.rename(b"f", &n);
        r.link(b"f", &n);
        r.symlink(b"f", &n);
        r.readlink(&n);
        r.chdir(&n);
        r.chmod(&n, 0o644);
        r.access(&n, F_OK);
        r.truncate(&n, 0);
        r.opendir(&n);
        r.realpath(&n);
    }
    /// Over-long paths are ENAMETOOLONG; a path just below the limit reaches the walk.
    root fn long_paths_everywhere(r) {
        let p = long_path(4096);
        r.stat(&p);
        r.mkdir(&p, 0o755);
        r.chdir(&p);
        r.unlink(&p);
        r.mkdir(b"d", 0o755);
        r.stat(&long_path(4095));
        r.realpath(&p);
    }
    /// A long name made of many components: deep trees work as deep as names allow.
    root fn deep_tree(r) {
        let mut path = Vec::new();
        for _ in 0..30 {
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(b"deep");
            r.raw().mkdir(&path, 0o755).ok();
        }
        path.extend_from_slice(b"/leaf");
        r.write_file(&path, b"bottom");
        r.read_file(&path);
        r.chdir(&path[..path.len() - 5]);
        r.getcwd();
    }
    /// "." and ".." components and repeated slashes resolve as the kernel does.
    root fn dots_and_slashes(r) {
        r.mkdir(b"d", 0o755);
        r.write_file(b"d/f", b"x");
        r.stat(b"./d//./f");
        r.stat(b"d/../d/./f");
        r.stat(b"d/f/.");
        r.stat(b"d/f/..");
        r.stat(b"d/.//");
        r.open(b"d/.", O_CREAT | O_WRONLY, 0o644);
        r.mkdir(b"d/new/.", 0o755);
    }
    /// Operations on the working directory itself by ".".
    root fn ops_on_dot(r) {
        r.unlink(b".");
        r.rename(b".", b"x");
        r.link(b".", b"x");
        r.symlink(b"x", b".");
        r.mknod(b".", S_IFREG | 0o644, 0);
        r.open(b".", O_CREAT | O_EXCL | O_RDWR, 0o644);
    }
    /// Hard links keep data shared and nlink counted through unlink.
    root fn hard_link_lifecycle(r) {
        r.write_file(b"a", b"shared");
        r.link(b"a", b"b");
        r.link(b"b", b"c");
        r.stat(b"a");
        r.unlink(b"a");
        r.stat(b"b");
        let fd = r.open(b"c", O_WRONLY | O_APPEND, 0);
        r.write(fd, b"+more");
        r.read_file(b"b");
    }
}
