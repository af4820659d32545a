//! `flock` and `fcntl` record locks between descriptors of one process.

use libc::*;

scenarios! { locks;
    /// flock: two descriptions conflict (EWOULDBLOCK), duplicates share the lock.
    root fn flock_conflicts(r) {
        r.write_file(b"f", b"x");
        let a = r.open(b"f", O_RDONLY, 0);
        let b = r.open(b"f", O_RDONLY, 0);
        let d = r.dup(a);
        r.flock(a, LOCK_EX | LOCK_NB);
        r.flock(a, LOCK_EX | LOCK_NB);
        r.flock(d, LOCK_EX | LOCK_NB);
        r.flock(b, LOCK_EX | LOCK_NB);
        r.flock(b, LOCK_SH | LOCK_NB);
        r.flock(d, LOCK_UN);
        r.flock(b, LOCK_EX | LOCK_NB);
        r.flock(a, LOCK_SH | LOCK_NB);
    }
    /// Shared flocks coexist; an exclusive one then conflicts; closing releases.
    root fn flock_shared(r) {
        r.write_file(b"f", b"x");
        let a = r.open(b"f", O_RDONLY, 0);
        let b = r.open(b"f", O_WRONLY, 0);
        r.flock(a, LOCK_SH | LOCK_NB);
        r.flock(b, LOCK_SH | LOCK_NB);
        r.flock(b, LOCK_EX | LOCK_NB);
        r.close(a);
        r.flock(b, LOCK_EX | LOCK_NB);
    }
    /// flock errors: bad operation EINVAL, bad fd EBADF, O_PATH fd EBADF; a directory works.
    root fn flock_errors(r) {
        r.write_file(b"f", b"x");
        let a = r.open(b"f", O_RDONLY, 0);
        r.flock(a, 0);
        r.flock(a, LOCK_SH | LOCK_EX);
        r.flock(a, 99);
        r.flock(-1, LOCK_SH);
        let p = r.open(b"f", O_PATH, 0);
        r.flock(p, LOCK_SH | LOCK_NB);
        let d = r.open(b".", O_RDONLY | O_DIRECTORY, 0);
        r.flock(d, LOCK_EX | LOCK_NB);
    }
    /// Record locks of one process never conflict with each other (F_GETLK says F_UNLCK).
    root fn record_locks_same_process(r) {
        r.write_file(b"f", b"0123456789");
        let a = r.open(b"f", O_RDWR, 0);
        let b = r.open(b"f", O_RDWR, 0);
        r.lock(a, F_SETLK, F_WRLCK, 0, 5);
        r.lock(b, F_SETLK, F_WRLCK, 0, 5);
        r.lock(b, F_GETLK, F_WRLCK, 0, 0);
        r.lock(a, F_SETLKW, F_RDLCK, 2, 0);
        r.lock(a, F_SETLK, F_UNLCK, 0, 0);
    }
    /// Record lock kinds need the matching access mode (EBADF); bad values are EINVAL.
    root fn record_lock_errors(r) {
        r.write_file(b"f", b"0123456789");
        let ro = r.open(b"f", O_RDONLY, 0);
        let wo = r.open(b"f", O_WRONLY, 0);
        r.lock(ro, F_SETLK, F_WRLCK, 0, 1);
        r.lock(wo, F_SETLK, F_RDLCK, 0, 1);
        r.lock(ro, F_SETLK, 77, 0, 1);
        r.lock(ro, F_GETLK, 77, 0, 1);
        r.lock(ro, F_SETLK, F_RDLCK, -5, 1);
        r.lock(-1, F_SETLK, F_RDLCK, 0, 1);
        let p = r.open(b"f", O_PATH, 0);
        r.lock(p, F_SETLK, F_RDLCK, 0, 1);
        r.lock(ro, F_SETLK, F_RDLCK, 5, -3);
        r.lock(ro, F_GETLK, F_UNLCK, 0, 1);
    }
}
