//! Concurrency smoke tests: several threads on one provider; nothing lost, duplicated or
//! panicking.

use crate::helpers::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use vfsbox_api::{Errno, OpenFlags, RenameFlags};

const THREADS: usize = 4;

cases! {
    /// 4 threads each `open(O_CREAT|O_EXCL)` 100 distinct names: all succeed, all listed once.
    fn concurrent_creates_all_listed(t) {
        t.writable()?;
        let failures = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for thread in 0..THREADS {
                let (fs, root, owner, failures) = (&t.fs, t.root, t.owner, &failures);
                s.spawn(move || {
                    for i in 0..100 {
                        let name = format!("t{thread}-{i}");
                        match fs.create(root, n(&name), 0o644, OpenFlags::WRITE | OpenFlags::EXCLUSIVE, owner) {
                            Ok((_, h)) => {
                                let _ = fs.release(h);
                            }
                            Err(_) => {
                                failures.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                });
            }
        });
        eq(failures.load(Ordering::Relaxed), 0, "failed creates")?;
        let names = t.names(t.root)?;
        eq(names.len(), THREADS * 100, "entries")
    }

    /// 8 threads race `open("x", O_CREAT|O_EXCL)`: exactly one wins, the rest get EEXIST.
    fn concurrent_exclusive_create_one_wins(t) {
        t.writable()?;
        let wins = AtomicUsize::new(0);
        let others = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                let (fs, root, owner, wins, others) = (&t.fs, t.root, t.owner, &wins, &others);
                s.spawn(move || {
                    match fs.create(root, n("x"), 0o644, OpenFlags::WRITE | OpenFlags::EXCLUSIVE, owner) {
                        Ok((_, h)) => {
                            let _ = fs.release(h);
                            wins.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) if e == Errno::EEXIST => {}
                        Err(_) => {
                            others.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        eq(wins.load(Ordering::Relaxed), 1, "winners")?;
        eq(others.load(Ordering::Relaxed), 0, "errors other than EEXIST")
    }

    /// 4 threads write their own files in 4 KiB pieces: every file reads back intact.
    fn concurrent_writes_to_distinct_files(t) {
        let mut nodes = Vec::new();
        for i in 0..THREADS {
            nodes.push(t.file(t.root, &format!("f{i}"), b"")?);
        }
        let failures = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for (i, &node) in nodes.iter().enumerate() {
                let (fs, failures) = (&t.fs, &failures);
                s.spawn(move || {
                    let Ok(h) = fs.open(node, OpenFlags::WRITE) else {
                        failures.fetch_add(1, Ordering::Relaxed);
                        return;
                    };
                    for piece in 0..64u64 {
                        if fs.write(h, piece * 4096, &[i as u8 + 1; 4096]) != Ok(4096) {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    let _ = fs.release(h);
                });
            }
        });
        eq(failures.load(Ordering::Relaxed), 0, "failed writes")?;
        for (i, &node) in nodes.iter().enumerate() {
            let data = t.contents(node)?;
            eq(data.len(), 64 * 4096, "size")?;
            check(data.iter().all(|&b| b == i as u8 + 1), "a file holds another thread's bytes")?;
        }
        Ok(())
    }

    /// One thread lists a directory of 500 entries while another creates 200 more: the
    /// listing has no duplicates and every old entry.
    fn concurrent_readdir_while_creating(t) {
        for i in 0..500 {
            t.file(t.root, &format!("old{i:03}"), b"")?;
        }
        let listing = std::thread::scope(|s| {
            let (fs, root, owner) = (&t.fs, t.root, t.owner);
            s.spawn(move || {
                for i in 0..200 {
                    if let Ok((_, h)) = fs.create(root, n(&format!("new{i:03}")), 0o644, OpenFlags::WRITE, owner) {
                        let _ = fs.release(h);
                    }
                }
            });
            t.list(t.root)
        })?;
        let mut names: Vec<String> = listing.iter().map(|e| e.name.to_string_lossy().into_owned()).collect();
        names.sort();
        let total = names.len();
        names.dedup();
        eq(names.len(), total, "entries without duplicates")?;
        eq(names.iter().filter(|n| n.starts_with("old")).count(), 500, "old entries listed")
    }

    /// Two threads rename "a"→"b" and "b"→"a" 200 times: afterwards exactly one name exists,
    /// and every failure was ENOENT (the other thread moved it first).
    fn concurrent_rename_ping_pong(t) {
        t.file(t.root, "a", b"x")?;
        let bad = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for (from, to) in [("a", "b"), ("b", "a")] {
                let (fs, root, bad) = (&t.fs, t.root, &bad);
                s.spawn(move || {
                    for _ in 0..200 {
                        match fs.rename(root, n(from), root, n(to), RenameFlags::Replace) {
                            Ok(()) => {}
                            Err(e) if e == Errno::ENOENT => {}
                            Err(_) => {
                                bad.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                });
            }
        });
        eq(bad.load(Ordering::Relaxed), 0, "errors other than ENOENT")?;
        eq(t.names(t.root)?.len(), 1, "names left")
    }

    /// Threads `mkdir`/`rmdir` the same name 200 times each: only EEXIST/ENOENT failures, and
    /// the root's nlink matches what is left.
    fn concurrent_mkdir_rmdir_same_name(t) {
        t.writable()?;
        let bad = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for thread in 0..THREADS {
                let (fs, root, owner, bad) = (&t.fs, t.root, t.owner, &bad);
                s.spawn(move || {
                    for _ in 0..200 {
                        let result = if thread % 2 == 0 {
                            fs.mkdir(root, n("d"), 0o755, owner).map(|e| fs.forget(e.node, 1))
                        } else {
                            fs.rmdir(root, n("d"))
                        };
                        match result {
                            Ok(()) => {}
                            Err(e) if e == Errno::EEXIST || e == Errno::ENOENT => {}
                            Err(_) => {
                                bad.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                });
            }
        });
        eq(bad.load(Ordering::Relaxed), 0, "errors other than EEXIST/ENOENT")?;
        let left = t.names(t.root)?.len() as u32;
        eq(t.attr(t.root)?.nlink, 2 + left, "root nlink")
    }
}
