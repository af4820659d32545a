//! Every lookup the emulated layer takes is given back with `forget`.
mod common;
use common::*;
use std::sync::Arc;
use vfsbox_api::*;
use vfsbox_emulation::Emulated;

/// A busy mix of operations, errors included.
fn exercise(p: &Emulated) {
    p.mkdir(b"a", 0o755).unwrap();
    p.mkdir(b"a/b", 0o755).unwrap();
    put(p, "a/b/f", b"data");
    p.symlink(b"a/b", b"lb").unwrap();
    p.symlink(b"/a/b/f", b"a/abs").unwrap();
    p.symlink(b"loop", b"loop").unwrap();
    let _ = p.stat(b"loop");
    let _ = p.stat(b"lb/f/x");
    let _ = p.stat(b"a/missing/x");
    let _ = p.open(b"a/b/f", libc::O_CREAT | libc::O_EXCL | RW, 0o644);
    assert_eq!(get(p, "a/abs"), b"data");
    p.linkat(AT_FDCWD, b"a/b/f", AT_FDCWD, b"a/hard", 0)
        .unwrap();
    p.rename(b"a/hard", b"a/b/hard2").unwrap();
    let _ = p.rename(b"a", b"a/b/inside");
    p.mknodat(AT_FDCWD, b"a/fifo", libc::S_IFIFO | 0o644, 0)
        .unwrap();
    let fd = p
        .open(b"lb", libc::O_RDONLY | libc::O_DIRECTORY, 0)
        .unwrap();
    let file = p.openat(fd, b"../b/f", RW, 0).unwrap();
    p.chdir(b"lb").unwrap();
    p.fchdir(fd).unwrap();
    let dir = p.fdopendir(fd).unwrap();
    while p.readdir(dir).unwrap().is_some() {}
    p.closedir(dir).unwrap();
    p.unlink(b"/a/b/f").unwrap();
    p.write(file, b"still here").unwrap();
    p.close(file).unwrap();
    p.chdir(b"/").unwrap();
    let _ = p.rmdir(b"a/b");
    p.unlink(b"a/b/hard2").unwrap();
    p.rmdir(b"a/b").unwrap();
}

#[test]
fn no_lookup_is_leaked_over_memory() {
    let counting = Counting::new(Arc::new(vfsbox_memory::MemoryFs::new()));
    {
        let p = Emulated::new(counting.clone());
        exercise(&p);
        assert_eq!(counting.held(), 0);
        // Open descriptors and the cwd hold their nodes until closed or changed.
        p.mkdir(b"keep", 0o755).unwrap();
        p.chdir(b"keep").unwrap();
        let fd = p
            .open(b"/a/abs", libc::O_PATH | libc::O_NOFOLLOW, 0)
            .unwrap();
        assert!(counting.held() > 0);
        p.close(fd).unwrap();
        p.chdir(b"/").unwrap();
        assert_eq!(counting.held(), 0);
        p.chdir(b"keep").unwrap();
        let _ = p.open(b"x", libc::O_CREAT | RW, 0o644).unwrap();
    }
    // Dropping the process closes its descriptors and its cwd.
    assert_eq!(counting.held(), 0);
}

#[test]
fn host_nodes_return_to_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let host = Arc::new(vfsbox_host::HostFs::open(dir.path()).unwrap());
    let baseline = host.node_count();
    {
        let p = Emulated::new(host.clone());
        exercise(&p);
        assert_eq!(host.node_count(), baseline);
    }
    assert_eq!(host.node_count(), baseline);
}

#[test]
fn concurrent_threads_leak_nothing() {
    let counting = Counting::new(Arc::new(vfsbox_memory::MemoryFs::new()));
    {
        let p = Arc::new(Emulated::new(counting.clone()));
        p.mkdir(b"a", 0o755).unwrap();
        p.mkdir(b"b", 0o755).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let p = Arc::clone(&p);
                std::thread::spawn(move || {
                    let mine = format!("f{t}");
                    for i in 0..300 {
                        let (from, to) = if i % 2 == 0 { ("a", "b") } else { ("b", "a") };
                        let _ = p.rename(
                            format!("{from}/{mine}").as_bytes(),
                            format!("{to}/{mine}").as_bytes(),
                        );
                        if let Ok(fd) =
                            p.open(format!("{to}/{mine}").as_bytes(), libc::O_CREAT | RW, 0o644)
                        {
                            let _ = p.write(fd, b"x");
                            let _ = p.close(fd);
                        }
                        let _ = p.stat(b"a/../b/./f0");
                        let _ = p.rename(b"a/d", b"b/d");
                        let _ = p.mkdir(b"a/d", 0o755);
                        let _ = p.rmdir(b"b/d");
                        if let Ok(dir) = p.opendir(b"a") {
                            while let Ok(Some(_)) = p.readdir(dir) {}
                            let _ = p.closedir(dir);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(p.open_fds(), 0);
        assert_eq!(counting.held(), 0);
    }
    assert_eq!(counting.held(), 0);
}
