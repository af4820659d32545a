//! The provider stays inside its root while the host changes under it: a thread keeps
//! exchanging a directory inside the root with a symlink to a directory outside
//! (`renameat2(RENAME_EXCHANGE)`) while the provider looks up, opens, reads, creates,
//! renames and removes through that name. Afterwards nothing outside was read, created,
//! changed or removed.
#![allow(unsafe_code)] // one renameat2 call, which std does not offer

mod common;

use common::{me, name, snapshot, Fixture};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vfsbox_api::{Errno, FileKind, FileSystem, OpenFlags, RenameFlags, SetAttr, TimeSet};

const MARKER: &[u8] = b"OUTSIDE-SENTINEL-MUST-NEVER-BE-READ";
const RUN_FOR: Duration = Duration::from_secs(3);

fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are NUL-terminated C strings that outlive the call.
    let ret = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if ret == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[test]
fn swapping_a_directory_for_a_symlink_never_reaches_outside() {
    let fx = Fixture::new();
    let outside = fx.outside();
    // Outside: the same names the worker uses inside, so any escape would hit them.
    std::fs::write(outside.join("f"), MARKER).unwrap();
    std::fs::write(outside.join("victim"), MARKER).unwrap();
    std::fs::create_dir(outside.join("sub")).unwrap();
    std::fs::write(outside.join("sub/f"), MARKER).unwrap();
    let inside = fx.root_path().join("d");
    std::fs::create_dir(&inside).unwrap();
    std::fs::write(inside.join("f"), b"inside").unwrap();
    std::fs::write(inside.join("victim"), b"inside").unwrap();
    std::os::unix::fs::symlink(&outside, fx.root_path().join("l")).unwrap();
    let before = snapshot(&outside);

    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicU64::new(0));
    let swapper = {
        let (stop, swaps) = (stop.clone(), swaps.clone());
        let (d, l) = (inside.clone(), fx.root_path().join("l"));
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                exchange(&d, &l).expect("renameat2 exchange");
                swaps.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    let fs = &fx.fs;
    let root = fs.root();
    let started = Instant::now();
    let (mut rounds, mut through_dir, mut through_link) = (0u64, 0u64, 0u64);
    let mut buf = [0u8; 256];
    while started.elapsed() < RUN_FOR {
        rounds += 1;
        for top in ["d", "l"] {
            let Ok(e) = fs.lookup(root, name(top)) else {
                continue;
            };
            match e.attr.kind {
                FileKind::Symlink => {
                    through_link += 1;
                    // A symlink node: nothing reaches through it.
                    assert_eq!(fs.lookup(e.node, name("f")), Err(Errno::ENOTDIR));
                    assert_eq!(fs.open(e.node, OpenFlags::READ), Err(Errno::ELOOP));
                    assert_eq!(
                        fs.create(e.node, name("new"), 0o644, OpenFlags::WRITE, me())
                            .map(|_| ()),
                        Err(Errno::ENOTDIR)
                    );
                    assert_eq!(fs.unlink(e.node, name("victim")), Err(Errno::ENOTDIR));
                }
                FileKind::Directory => {
                    through_dir += 1;
                    let dir = e.node;
                    if let Ok(f) = fs.lookup(dir, name("f")) {
                        if let Ok(h) = fs.open(f.node, OpenFlags::READ) {
                            let n = fs.read(h, 0, &mut buf).unwrap();
                            assert_eq!(&buf[..n], b"inside", "read something not ours");
                            fs.release(h).unwrap();
                        }
                        let touch = SetAttr {
                            mtime: Some(TimeSet::Now),
                            ..SetAttr::default()
                        };
                        let _ = fs.setattr(f.node, &touch, None);
                        fs.forget(f.node, 1);
                    }
                    let tmp = format!("t{rounds}");
                    if let Ok((c, h)) = fs.create(dir, name(&tmp), 0o644, OpenFlags::WRITE, me()) {
                        fs.write(h, 0, b"made inside").unwrap();
                        fs.release(h).unwrap();
                        fs.forget(c.node, 1);
                        let moved = format!("m{rounds}");
                        fs.rename(dir, name(&tmp), dir, name(&moved), RenameFlags::NoReplace)
                            .unwrap();
                        fs.unlink(dir, name(&moved)).unwrap();
                    }
                    if let Ok(s) = fs.mkdir(dir, name("sub"), 0o755, me()) {
                        fs.forget(s.node, 1);
                        fs.rmdir(dir, name("sub")).unwrap();
                    }
                }
                other => panic!("unexpected kind {other:?}"),
            }
            fs.forget(e.node, 1);
        }
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();

    assert!(swaps.load(Ordering::Relaxed) > 100, "the race did not run");
    assert!(
        through_dir > 10 && through_link > 10,
        "{through_dir} / {through_link}"
    );
    assert_eq!(snapshot(&outside), before, "something outside changed");
    // Inside, only the two original files remain wherever the directory ended up.
    let dir = if inside.is_dir() && !inside.is_symlink() {
        inside
    } else {
        fx.root_path().join("l")
    };
    let mut left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["f", "victim"]);
    assert_eq!(fs.node_count(), 1, "every lookup was forgotten");
}
