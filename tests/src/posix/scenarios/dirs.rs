//! Directory streams: `opendir`, `fdopendir`, `readdir`, `rewinddir`, `closedir`.

use libc::*;

scenarios! { dirs;
    /// An empty directory lists "." and ".."; entries carry their d_type.
    root fn list_kinds(r) {
        r.mkdir(b"d", 0o755);
        if let Some(s) = r.opendir(b"d") {
            r.readdir_all(s);
            r.closedir(s);
        }
        r.write_file(b"d/f", b"x");
        r.mkdir(b"d/sub", 0o755);
        r.symlink(b"f", b"d/l");
        r.mknod(b"d/p", S_IFIFO | 0o644, 0);
        if let Some(s) = r.opendir(b"d") {
            r.readdir_all(s);
            r.readdir_one(s);
            r.closedir(s);
        }
    }
    /// opendir errors: ENOTDIR, ENOENT, through symlinks to directories it works.
    root fn opendir_errors(r) {
        r.write_file(b"f", b"x");
        r.mkdir(b"d", 0o755);
        r.symlink(b"d", b"l");
        r.opendir(b"f");
        r.opendir(b"missing");
        r.opendir(b"");
        if let Some(s) = r.opendir(b"l") {
            r.readdir_all(s);
            r.closedir(s);
        }
    }
    /// fdopendir takes over the descriptor: after closedir it is EBADF.
    root fn fdopendir_owns_fd(r) {
        r.mkdir(b"d", 0o755);
        r.write_file(b"d/a", b"x");
        let fd = r.open(b"d", O_RDONLY | O_DIRECTORY, 0);
        if let Some(s) = r.fdopendir(fd) {
            r.readdir_all(s);
            r.closedir(s);
        }
        r.close(fd);
        r.fcntl(fd, F_GETFD, 0);
    }
    /// fdopendir of a file is ENOTDIR, of a bad fd EBADF.
    root fn fdopendir_errors(r) {
        r.write_file(b"f", b"x");
        let fd = r.open(b"f", O_RDONLY, 0);
        r.fdopendir(fd);
        r.fdopendir(-1);
        r.fdopendir(300);
        r.fcntl(fd, F_GETFD, 0);
    }
    /// rewinddir lists again, including names added meanwhile.
    root fn rewind_sees_new(r) {
        r.mkdir(b"d", 0o755);
        r.write_file(b"d/a", b"x");
        if let Some(s) = r.opendir(b"d") {
            r.readdir_all(s);
            r.readdir_one(s);
            r.write_file(b"d/b", b"y");
            r.unlink(b"d/a");
            r.rewinddir(s);
            r.readdir_all(s);
            r.closedir(s);
        }
    }
    /// A stream of a removed directory reads nothing more.
    root fn stream_of_removed_dir(r) {
        r.mkdir(b"d", 0o755);
        if let Some(s) = r.opendir(b"d") {
            r.rmdir(b"d");
            r.rewinddir(s);
            r.readdir_all(s);
            r.closedir(s);
        }
    }
    /// Many entries are all listed once.
    root fn many_entries(r) {
        r.mkdir(b"d", 0o755);
        for i in 0..300 {
            let name = format!("d/entry-{i:03}");
            r.raw().mknodat(vfsbox_api::AT_FDCWD, name.as_bytes(), S_IFREG | 0o644, 0).ok();
        }
        if let Some(s) = r.opendir(b"d") {
            let names = r.readdir_all(s);
            r.check("302 names", names.len() == 302);
            r.closedir(s);
        }
    }
    /// The stream's descriptor is open while the stream is (lowest-fd accounting).
    root fn stream_uses_fd(r) {
        let s = r.opendir(b".");
        r.open(b".", O_RDONLY | O_DIRECTORY, 0);
        if let Some(s) = s {
            r.closedir(s);
        }
        r.open(b".", O_RDONLY | O_DIRECTORY, 0);
    }
}
