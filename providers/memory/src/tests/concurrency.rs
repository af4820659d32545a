//! Many threads at once: no deadlock, no duplicate or missing entries.

use super::*;
use std::collections::HashSet;
use std::thread;
use vfsbox_api::{Errno, RenameFlags};

#[test]
fn concurrent_creates_renames_and_listings_agree() {
    let fs = Arc::new(MemoryFs::new());
    let a = mkdir(&fs, ROOT, "a").node;
    let b = mkdir(&fs, ROOT, "b").node;
    // Stable entries that nobody touches: every listing must show each exactly once.
    for i in 0..300 {
        let (_, h) = create(&fs, a, &format!("stable{i}"));
        fs.release(h).unwrap();
    }
    let mut workers = Vec::new();
    for t in 0..4 {
        let fs = Arc::clone(&fs);
        workers.push(thread::spawn(move || {
            for i in 0..400 {
                let n = format!("t{t}-{i}");
                let (e, h) = create(&fs, a, &n);
                fs.release(h).unwrap();
                fs.forget(e.node, 1);
                let (from, to) = if i % 2 == 0 { (a, b) } else { (b, a) };
                if i % 2 == 1 {
                    fs.rename(a, name(&n), b, name(&n), RenameFlags::NoReplace)
                        .unwrap();
                }
                fs.rename(
                    from,
                    name(&n),
                    to,
                    name(&format!("{n}x")),
                    RenameFlags::Replace,
                )
                .unwrap();
                if i % 3 == 0 {
                    fs.unlink(to, name(&format!("{n}x"))).unwrap();
                }
            }
        }));
    }
    // Directory renames in both directions at once must not deadlock.
    for t in 0..2 {
        let fs = Arc::clone(&fs);
        workers.push(thread::spawn(move || {
            let n = format!("dir{t}");
            mkdir(&fs, a, &n);
            for i in 0..300 {
                let (from, to) = if i % 2 == 0 { (a, b) } else { (b, a) };
                fs.rename(from, name(&n), to, name(&n), RenameFlags::Replace)
                    .unwrap();
            }
        }));
    }
    let lister = {
        let fs = Arc::clone(&fs);
        thread::spawn(move || {
            for _ in 0..60 {
                let names = list(&fs, a);
                // Only an entry that leaves and re-enters the directory during the listing
                // (`dir0`, `dir1`) may be listed twice, with its new cookie: POSIX leaves
                // entries added or removed during a listing unspecified, and tmpfs does the
                // same. No other entry may ever appear twice.
                let others: Vec<&String> = names.iter().filter(|n| !n.starts_with("dir")).collect();
                let unique: HashSet<&&String> = others.iter().collect();
                assert_eq!(unique.len(), others.len(), "duplicate entry in a listing");
                let stable: HashSet<&String> =
                    names.iter().filter(|n| n.starts_with("stable")).collect();
                assert_eq!(stable.len(), 300, "a stable entry vanished");
            }
        })
    };
    for w in workers {
        w.join().unwrap();
    }
    lister.join().unwrap();
    let all: Vec<String> = list(&fs, a).into_iter().chain(list(&fs, b)).collect();
    let expected_moved = 4 * (400 - 400usize.div_ceil(3));
    assert_eq!(all.len(), 300 + expected_moved + 2);
    assert_eq!(fs.memory_usage().entries as usize, all.len() + 2);
}

#[test]
fn crossing_directory_renames_never_deadlock_or_make_cycles() {
    let fs = Arc::new(MemoryFs::new());
    let x = mkdir(&fs, ROOT, "x").node;
    let y = mkdir(&fs, ROOT, "y").node;
    let mut workers = Vec::new();
    for t in 0..2 {
        let fs = Arc::clone(&fs);
        workers.push(thread::spawn(move || {
            let (from, to, n) = if t == 0 {
                (ROOT, y, "x")
            } else {
                (ROOT, x, "y")
            };
            let (back_dir, _) = if t == 0 { (y, x) } else { (x, y) };
            for _ in 0..500 {
                // Move x into y while another thread moves y into x: one must fail EINVAL
                // (or ENOENT when the other already moved it away).
                match fs.rename(from, name(n), to, name(n), RenameFlags::Replace) {
                    Ok(()) => {
                        fs.rename(back_dir, name(n), ROOT, name(n), RenameFlags::Replace)
                            .unwrap();
                    }
                    Err(e) => assert!(e == Errno::EINVAL || e == Errno::ENOENT, "{e:?}"),
                }
            }
        }));
    }
    for w in workers {
        w.join().unwrap();
    }
    let mut names = list(&fs, ROOT);
    names.sort();
    assert_eq!(names, ["x", "y"]);
}
