//! The descriptor table: lowest free number, EMFILE, shared descriptions, close-on-exec per
//! descriptor, descriptors that outlive their names.
mod common;
use common::*;
use std::sync::Arc;
use vfsbox_api::*;
use vfsbox_emulation::Emulated;

#[test]
fn lowest_free_number_first() {
    let p = root();
    put(&p, "f", b"");
    let fds: Vec<Fd> = (0..4)
        .map(|_| p.open(b"f", libc::O_RDONLY, 0).unwrap())
        .collect();
    assert_eq!(fds, vec![0, 1, 2, 3]);
    p.close(1).unwrap();
    p.close(2).unwrap();
    assert_eq!(p.open(b"f", libc::O_RDONLY, 0), Ok(1));
    assert_eq!(p.dup(0), Ok(2));
    assert_eq!(p.fcntl(0, libc::F_DUPFD, 10), Ok(10));
    assert_eq!(p.close(7), Err(Errno::EBADF));
    assert_eq!(p.close(-1), Err(Errno::EBADF));
}

#[test]
fn emfile_at_the_configured_limit() {
    let p = Emulated::builder(Arc::new(vfsbox_memory::MemoryFs::new()))
        .fd_limit(3)
        .build();
    put(&p, "f", b"");
    for want in 0..3 {
        assert_eq!(p.open(b"f", libc::O_RDONLY, 0), Ok(want));
    }
    assert_eq!(p.open(b"f", libc::O_RDONLY, 0), Err(Errno::EMFILE));
    assert_eq!(p.dup(0), Err(Errno::EMFILE));
    assert_eq!(p.fcntl(0, libc::F_DUPFD, 3), Err(Errno::EINVAL));
    assert_eq!(p.dup2(0, 3), Err(Errno::EBADF));
    p.close(2).unwrap();
    assert_eq!(p.fcntl(0, libc::F_DUPFD, 1), Ok(2));
}

#[test]
fn duplicates_share_the_offset_and_status_flags() {
    let p = root();
    put(&p, "f", b"abcdef");
    let a = p.open(b"f", RW, 0).unwrap();
    let b = p.dup(a).unwrap();
    let mut buf = [0u8; 2];
    p.read(a, &mut buf).unwrap();
    p.read(b, &mut buf).unwrap();
    assert_eq!(&buf, b"cd");
    assert_eq!(p.lseek(a, 0, libc::SEEK_CUR), Ok(4));
    p.fcntl(b, libc::F_SETFL, libc::O_APPEND as i64).unwrap();
    assert_ne!(p.fcntl(a, libc::F_GETFL, 0).unwrap() & libc::O_APPEND, 0);
    // A second open is a second description with its own offset.
    let c = p.open(b"f", libc::O_RDONLY, 0).unwrap();
    assert_eq!(p.lseek(c, 0, libc::SEEK_CUR), Ok(0));
    // dup2 onto an open descriptor closes it first.
    assert_eq!(p.dup2(a, c), Ok(c));
    assert_eq!(p.lseek(c, 0, libc::SEEK_CUR), Ok(4));
    assert_eq!(p.dup2(a, a), Ok(a));
    assert_eq!(p.dup2(99, a), Err(Errno::EBADF));
    assert_eq!(p.dup3(a, a, 0), Err(Errno::EINVAL));
    assert_eq!(p.dup3(a, 20, libc::O_APPEND), Err(Errno::EINVAL));
}

#[test]
fn close_on_exec_is_per_descriptor() {
    let p = root();
    put(&p, "f", b"");
    let a = p.open(b"f", libc::O_RDONLY | libc::O_CLOEXEC, 0).unwrap();
    assert_eq!(p.fcntl(a, libc::F_GETFD, 0), Ok(libc::FD_CLOEXEC));
    let b = p.dup(a).unwrap();
    assert_eq!(p.fcntl(b, libc::F_GETFD, 0), Ok(0));
    let c = p.fcntl(b, libc::F_DUPFD_CLOEXEC, 0).unwrap();
    assert_eq!(p.fcntl(c, libc::F_GETFD, 0), Ok(libc::FD_CLOEXEC));
    p.fcntl(a, libc::F_SETFD, 0).unwrap();
    assert_eq!(p.fcntl(a, libc::F_GETFD, 0), Ok(0));
    assert_eq!(p.fcntl(c, libc::F_GETFD, 0), Ok(libc::FD_CLOEXEC));
    let d = p.dup3(a, 30, libc::O_CLOEXEC).unwrap();
    assert_eq!(p.fcntl(d, libc::F_GETFD, 0), Ok(libc::FD_CLOEXEC));
}

#[test]
fn getfl_reports_what_linux_keeps() {
    let p = root();
    let fd = p
        .open(
            b"f",
            libc::O_WRONLY | libc::O_APPEND | libc::O_TRUNC | libc::O_CREAT | libc::O_CLOEXEC,
            0o644,
        )
        .unwrap();
    assert_eq!(p.fcntl(fd, libc::F_GETFL, 0), Ok(0o102001));
    let path = p
        .open(b"f", libc::O_PATH | libc::O_NOFOLLOW | libc::O_RDWR, 0)
        .unwrap();
    assert_eq!(p.fcntl(path, libc::F_GETFL, 0), Ok(0o10400000));
    assert_eq!(p.fcntl(path, libc::F_SETFL, 0), Err(Errno::EBADF));
    assert_eq!(p.fcntl(fd, 12345, 0), Err(Errno::EINVAL));
}

#[test]
fn descriptors_keep_working_after_rename_and_unlink() {
    let p = root();
    put(&p, "f", b"before");
    let fd = p.open(b"f", RW, 0).unwrap();
    p.rename(b"f", b"g").unwrap();
    assert_eq!(p.pwrite(fd, b"after!", 0), Ok(6));
    assert_eq!(get(&p, "g"), b"after!");
    p.unlink(b"g").unwrap();
    assert_eq!(p.fstat(fd).unwrap().nlink, 0);
    assert_eq!(p.lseek(fd, 0, libc::SEEK_END), Ok(6));
    assert_eq!(p.write(fd, b"more"), Ok(4));
    let mut buf = [0u8; 16];
    assert_eq!(p.pread(fd, &mut buf, 0), Ok(10));
    assert_eq!(&buf[..10], b"after!more");
    assert_eq!(p.ftruncate(fd, 3), Ok(()));
    assert_eq!(p.fstat(fd).unwrap().size, 3);
    p.close(fd).unwrap();
}

#[test]
fn o_path_descriptors_hold_a_node_but_no_io() {
    let p = root();
    put(&p, "f", b"x");
    let fd = p.open(b"f", libc::O_PATH, 0).unwrap();
    let mut buf = [0u8; 1];
    assert_eq!(p.read(fd, &mut buf), Err(Errno::EBADF));
    assert_eq!(p.write(fd, b"x"), Err(Errno::EBADF));
    assert_eq!(p.fchmod(fd, 0o600), Err(Errno::EBADF));
    assert_eq!(p.fchown(fd, 1, 1), Err(Errno::EBADF));
    assert_eq!(p.lseek(fd, 0, libc::SEEK_SET), Err(Errno::EBADF));
    assert_eq!(p.fsync(fd), Err(Errno::EBADF));
    assert_eq!(p.ftruncate(fd, 0), Err(Errno::EBADF));
    assert_eq!(p.flock(fd, libc::LOCK_SH), Err(Errno::EBADF));
    assert_eq!(p.isatty(fd), Err(Errno::EBADF));
    assert_eq!(p.fstat(fd).unwrap().size, 1);
    assert!(p.fstatvfs(fd).is_ok());
    assert_eq!(p.isatty(99), Err(Errno::EBADF));
    let real = p.open(b"f", libc::O_RDONLY, 0).unwrap();
    assert_eq!(p.isatty(real), Ok(false));
}

#[test]
fn io_errors_on_the_wrong_kind_of_descriptor() {
    let p = root();
    put(&p, "f", b"abc");
    p.mkdir(b"d", 0o755).unwrap();
    let ro = p.open(b"f", libc::O_RDONLY, 0).unwrap();
    let wo = p.open(b"f", libc::O_WRONLY, 0).unwrap();
    let dir = p.open(b"d", libc::O_RDONLY, 0).unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(p.write(ro, b"x"), Err(Errno::EBADF));
    assert_eq!(p.read(wo, &mut buf), Err(Errno::EBADF));
    assert_eq!(p.read(dir, &mut buf), Err(Errno::EISDIR));
    assert_eq!(p.pread(ro, &mut buf, -1), Err(Errno::EINVAL));
    assert_eq!(p.pread(99, &mut buf, -1), Err(Errno::EINVAL));
    assert_eq!(p.lseek(ro, -1, libc::SEEK_SET), Err(Errno::EINVAL));
    assert_eq!(p.lseek(ro, 0, 99), Err(Errno::EINVAL));
    assert_eq!(p.lseek(ro, 3, libc::SEEK_DATA), Err(Errno::ENXIO));
    assert_eq!(p.lseek(ro, 1, libc::SEEK_HOLE), Ok(3));
    assert_eq!(p.lseek(ro, -2, libc::SEEK_END), Ok(1));
    assert_eq!(p.ftruncate(ro, 0), Err(Errno::EINVAL));
    assert_eq!(p.ftruncate(wo, -1), Err(Errno::EINVAL));
    assert_eq!(p.ftruncate(dir, 0), Err(Errno::EINVAL));
    assert_eq!(p.open(b"d", libc::O_WRONLY, 0), Err(Errno::EISDIR));
    assert_eq!(
        p.open(b"d", libc::O_RDONLY | libc::O_TRUNC, 0),
        Err(Errno::EISDIR)
    );
    assert_eq!(
        p.open(b"f", libc::O_RDONLY | libc::O_DIRECTORY, 0),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(
        p.open(b"n", libc::O_CREAT | libc::O_DIRECTORY, 0o644),
        Err(Errno::EINVAL)
    );
    assert_eq!(p.open(b"d", libc::O_CREAT | RW, 0o644), Err(Errno::EISDIR));
    assert_eq!(
        p.open(b".", libc::O_CREAT | libc::O_EXCL | RW, 0o644),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        p.open(b"f", libc::O_CREAT | libc::O_EXCL | RW, 0o644),
        Err(Errno::EEXIST)
    );
}

#[test]
fn append_writes_at_the_end_and_moves_the_offset_there() {
    let p = root();
    put(&p, "f", b"12345");
    let fd = p.open(b"f", libc::O_WRONLY | libc::O_APPEND, 0).unwrap();
    assert_eq!(p.lseek(fd, 0, libc::SEEK_SET), Ok(0));
    assert_eq!(p.write(fd, b"67"), Ok(2));
    assert_eq!(p.lseek(fd, 0, libc::SEEK_CUR), Ok(7));
    // Linux appends even for pwrite on an O_APPEND descriptor.
    assert_eq!(p.pwrite(fd, b"8", 0), Ok(1));
    assert_eq!(get(&p, "f"), b"12345678");
    p.fcntl(fd, libc::F_SETFL, 0).unwrap();
    assert_eq!(p.pwrite(fd, b"X", 0), Ok(1));
    assert_eq!(get(&p, "f"), b"X2345678");
}

#[test]
fn directory_streams_list_dot_entries_and_rewind() {
    let p = root();
    p.mkdir(b"d", 0o755).unwrap();
    for i in 0..150 {
        put(&p, &format!("d/f{i}"), b"");
    }
    let dir = p.opendir(b"d").unwrap();
    let mut names = Vec::new();
    while let Some(e) = p.readdir(dir).unwrap() {
        names.push(e.name);
    }
    assert_eq!(names.len(), 152);
    assert_eq!(&names[..2], &[b".".to_vec(), b"..".to_vec()]);
    p.rewinddir(dir).unwrap();
    assert_eq!(p.readdir(dir).unwrap().unwrap().name, b".");
    p.closedir(dir).unwrap();
    assert_eq!(p.readdir(dir), Err(Errno::EBADF));
    let fd = p.open(b"d/f1", libc::O_RDONLY, 0).unwrap();
    assert_eq!(p.fdopendir(fd), Err(Errno::ENOTDIR));
    // A removed directory lists nothing (glibc turns getdents' ENOENT into the end).
    p.mkdir(b"gone", 0o755).unwrap();
    let dir = p.opendir(b"gone").unwrap();
    p.rmdir(b"gone").unwrap();
    assert_eq!(p.readdir(dir), Ok(None));
}

#[test]
fn getcwd_of_a_removed_directory_is_enoent() {
    let p = root();
    p.mkdir(b"d", 0o755).unwrap();
    p.chdir(b"d").unwrap();
    p.rmdir(b"/d").unwrap();
    assert_eq!(p.getcwd(), Err(Errno::ENOENT));
    assert_eq!(p.open(b"x", libc::O_CREAT | RW, 0o644), Err(Errno::ENOENT));
    p.chdir(b"..").unwrap();
    assert_eq!(p.getcwd().unwrap(), b"/");
}

#[test]
fn emulated_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Emulated>();
    let p = Arc::new(root());
    put(&p, "f", b"");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let p = Arc::clone(&p);
            std::thread::spawn(move || {
                for _ in 0..100 {
                    let fd = p.open(b"f", libc::O_RDONLY, 0).unwrap();
                    p.close(fd).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(p.open_fds(), 0);
}

#[test]
fn dotdot_from_a_moved_directory_follows_its_real_parent() {
    let p = root();
    p.mkdir(b"a", 0o755).unwrap();
    p.mkdir(b"a/d", 0o755).unwrap();
    p.mkdir(b"b", 0o755).unwrap();
    put(&p, "b/marker", b"b");
    let fd = p
        .open(b"a/d", libc::O_RDONLY | libc::O_DIRECTORY, 0)
        .unwrap();
    p.chdir(b"a/d").unwrap();
    p.rename(b"/a/d", b"/b/d").unwrap();
    assert_eq!(p.fstatat(fd, b"../marker", 0).unwrap().size, 1);
    assert_eq!(get(&p, "../marker"), b"b");
    assert_eq!(p.getcwd().unwrap(), b"/b/d");
}

#[test]
fn very_deep_descriptor_chains_drop_without_recursion() {
    // The provider is dropped with the emulated layer at the end, so both teardowns (the
    // descriptor chain here, the memory provider's 50,000-level tree) are exercised.
    let p = Emulated::new(Arc::new(vfsbox_memory::MemoryFs::new()));
    let mut fd = p.open(b".", libc::O_RDONLY | libc::O_DIRECTORY, 0).unwrap();
    for _ in 0..50_000 {
        p.mkdirat(fd, b"d", 0o755).unwrap();
        let next = p
            .openat(fd, b"d", libc::O_RDONLY | libc::O_DIRECTORY, 0)
            .unwrap();
        p.close(fd).unwrap();
        fd = next;
    }
    assert_eq!(
        p.fstatat(fd, b"..", 0).unwrap().mode & libc::S_IFMT,
        libc::S_IFDIR
    );
    p.close(fd).unwrap();
}

#[test]
fn huge_limits_and_bad_numbers_never_panic() {
    let p = Emulated::builder(Arc::new(vfsbox_memory::MemoryFs::new()))
        .fd_limit(usize::MAX)
        .build();
    put(&p, "f", b"");
    let fd = p.open(b"f", libc::O_RDONLY, 0).unwrap();
    assert_eq!(p.dup2(fd, -5), Err(Errno::EBADF));
    assert_eq!(p.dup2(fd, i32::MAX), Err(Errno::EBADF));
    assert_eq!(p.fcntl(fd, libc::F_DUPFD, -1), Err(Errno::EINVAL));
    assert_eq!(p.fcntl(fd, libc::F_DUPFD, i64::MAX), Err(Errno::EINVAL));
    assert_eq!(p.dup2(fd, 100_000), Ok(100_000));
    assert_eq!(p.lseek(fd, i64::MAX, libc::SEEK_SET), Ok(i64::MAX));
    assert_eq!(p.lseek(fd, 1, libc::SEEK_CUR), Err(Errno::EINVAL));
    let mut buf = [0u8; 4];
    assert_eq!(p.read(fd, &mut buf), Ok(0));
    assert_eq!(p.pread(fd, &mut buf, i64::MAX), Ok(0));
    assert_eq!(p.fcntl(i32::MIN, libc::F_GETFD, 0), Err(Errno::EBADF));
}
