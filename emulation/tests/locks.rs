//! Record locks between emulated processes and flock between open file descriptions.
mod common;
use common::*;
use std::sync::Arc;
use vfsbox_api::*;
use vfsbox_emulation::Emulated;

fn lock(kind: i32, start: i64, len: i64) -> Flock {
    Flock {
        kind: kind as i16,
        whence: libc::SEEK_SET as i16,
        start,
        len,
        pid: 0,
    }
}

#[test]
fn record_locks_conflict_between_processes_not_within_one() {
    let fs: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
    let a = Emulated::new(Arc::clone(&fs));
    let b = Emulated::new(fs);
    put(&a, "f", b"0123456789");
    let fa = a.open(b"f", RW, 0).unwrap();
    let fb = b.open(b"f", RW, 0).unwrap();
    a.fcntl_lock(fa, libc::F_SETLK, &mut lock(libc::F_WRLCK, 0, 5))
        .unwrap();
    // Same process: no conflict, the lock is replaced.
    let fa2 = a.open(b"f", libc::O_RDONLY, 0).unwrap();
    a.fcntl_lock(fa2, libc::F_SETLK, &mut lock(libc::F_RDLCK, 0, 2))
        .unwrap();
    assert_eq!(
        b.fcntl_lock(fb, libc::F_SETLK, &mut lock(libc::F_RDLCK, 4, 1)),
        Err(Errno::EAGAIN)
    );
    b.fcntl_lock(fb, libc::F_SETLK, &mut lock(libc::F_WRLCK, 5, 0))
        .unwrap();
    let mut probe = lock(libc::F_WRLCK, 0, 0);
    b.fcntl_lock(fb, libc::F_GETLK, &mut probe).unwrap();
    assert_eq!(
        (probe.kind, probe.start, probe.len, probe.pid),
        (libc::F_RDLCK as i16, 0, 2, a.pid())
    );
    let mut free = lock(libc::F_RDLCK, 100, 1);
    a.fcntl_lock(fa, libc::F_GETLK, &mut free).unwrap();
    assert_eq!(free.kind, libc::F_WRLCK as i16);
    assert_eq!(free.pid, b.pid());
    // Closing any descriptor of the file drops all of the process's locks on it.
    a.close(fa2).unwrap();
    b.fcntl_lock(fb, libc::F_SETLK, &mut lock(libc::F_WRLCK, 0, 5))
        .unwrap();
}

#[test]
fn record_lock_arguments_are_checked_as_linux_does() {
    let p = root();
    put(&p, "f", b"");
    let ro = p.open(b"f", libc::O_RDONLY, 0).unwrap();
    assert_eq!(
        p.fcntl_lock(ro, libc::F_SETLK, &mut lock(libc::F_WRLCK, 0, 1)),
        Err(Errno::EBADF)
    );
    assert_eq!(
        p.fcntl_lock(ro, libc::F_SETLK, &mut lock(7, 0, 1)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        p.fcntl_lock(ro, libc::F_SETLK, &mut lock(libc::F_RDLCK, -1, 1)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        p.fcntl_lock(ro, libc::F_SETLK, &mut lock(libc::F_RDLCK, 2, -3)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        p.fcntl_lock(ro, libc::F_GETLK, &mut lock(libc::F_UNLCK, 0, 1)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        p.fcntl_lock(99, libc::F_GETLK, &mut lock(libc::F_RDLCK, 0, 1)),
        Err(Errno::EBADF)
    );
    let mut bad_whence = lock(libc::F_RDLCK, 0, 1);
    bad_whence.whence = 9;
    assert_eq!(
        p.fcntl_lock(ro, libc::F_SETLK, &mut bad_whence),
        Err(Errno::EINVAL)
    );
    p.fcntl_lock(ro, libc::F_SETLK, &mut lock(libc::F_RDLCK, 5, -3))
        .unwrap();
}

#[test]
fn blocked_setlkw_wakes_when_the_holder_closes() {
    let fs: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
    let a = Arc::new(Emulated::new(Arc::clone(&fs)));
    let b = Emulated::new(fs);
    put(&a, "f", b"");
    let fa = a.open(b"f", RW, 0).unwrap();
    a.fcntl_lock(fa, libc::F_SETLK, &mut lock(libc::F_WRLCK, 0, 0))
        .unwrap();
    let fb = b.open(b"f", RW, 0).unwrap();
    let holder = Arc::clone(&a);
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        holder.close(fa).unwrap();
    });
    b.fcntl_lock(fb, libc::F_SETLKW, &mut lock(libc::F_WRLCK, 0, 0))
        .unwrap();
    t.join().unwrap();
    assert_eq!(
        b.compat_count(vfsbox_emulation::CompatEvent::UndetectedLockDeadlock),
        1
    );
}

#[test]
fn flock_belongs_to_the_open_file_description() {
    let p = root();
    put(&p, "f", b"");
    let a = p.open(b"f", libc::O_RDONLY, 0).unwrap();
    let a2 = p.dup(a).unwrap();
    let b = p.open(b"f", libc::O_RDONLY, 0).unwrap();
    p.flock(a, libc::LOCK_EX).unwrap();
    p.flock(a2, libc::LOCK_EX | libc::LOCK_NB).unwrap();
    assert_eq!(
        p.flock(b, libc::LOCK_SH | libc::LOCK_NB),
        Err(Errno::EWOULDBLOCK)
    );
    p.close(a).unwrap();
    // Still held through the duplicate.
    assert_eq!(
        p.flock(b, libc::LOCK_SH | libc::LOCK_NB),
        Err(Errno::EWOULDBLOCK)
    );
    p.close(a2).unwrap();
    p.flock(b, libc::LOCK_SH | libc::LOCK_NB).unwrap();
    assert_eq!(p.flock(b, 0), Err(Errno::EINVAL));
    p.flock(b, libc::LOCK_UN).unwrap();
}
