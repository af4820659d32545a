//! `open_name`: a regular file opened by name in one `openat`, checked by the consumer on
//! the attributes of the very inode opened, truncated only after that check; everything
//! else (directories, symlinks, FIFOs, read-only writes) left to lookup + open.

mod common;

use common::{name, Fixture};
use std::cell::Cell;
use std::os::unix::fs::PermissionsExt;
use vfsbox_api::{Attr, Errno, FileKind, FileSystem, OpenFlags};

/// A check that records the attributes it was called with and answers `answer`.
fn recording<'a>(
    seen: &'a Cell<Option<Attr>>,
    answer: Result<(), Errno>,
) -> impl FnMut(&Attr) -> Result<(), Errno> + 'a {
    move |attr: &Attr| {
        assert!(seen.get().is_none(), "the check runs once");
        seen.set(Some(*attr));
        answer
    }
}

/// Makes a FIFO `n` in the root as another host process would: through a second provider
/// over the same directory, so that `fx.fs` has never seen the name.
fn fifo_beside(fx: &Fixture, n: &str) {
    let other = vfsbox_host::HostFs::open(fx.root_path()).expect("second provider");
    other
        .mknod(
            other.root(),
            name(n),
            FileKind::Fifo,
            0o644,
            0,
            common::me(),
        )
        .expect("mkfifo");
}

#[test]
fn opens_a_regular_file_as_lookup_and_open_would() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let made = fx.write_file(root, "f", b"hello");
    fx.fs.forget(made.node, 1);
    let before = fx.fs.node_count();
    let seen = Cell::new(None);
    let mut check = recording(&seen, Ok(()));
    let (entry, handle) = fx
        .fs
        .open_name(root, name("f"), OpenFlags::READ, &mut check)
        .expect("a regular file is opened by name")
        .expect("open_name");
    assert_eq!(seen.get(), Some(entry.attr));
    assert_eq!(entry.attr.kind, FileKind::Regular);
    assert_eq!(entry.attr.size, 5);
    // One lookup counted, of the same node a lookup finds.
    assert_eq!(fx.fs.node_count(), before + 1);
    let looked = fx.lookup(root, "f");
    assert_eq!(looked.node, entry.node);
    assert_eq!(looked.attr, entry.attr);
    assert_eq!(fx.read_all(handle), b"hello");
    fx.fs.forget(entry.node, 2);
    assert_eq!(fx.fs.node_count(), before);
    fx.fs.release(handle).expect("release");
    // Opened for writing, the handle writes.
    let mut ok = |_: &Attr| Ok(());
    let (entry, handle) = fx
        .fs
        .open_name(root, name("f"), OpenFlags::WRITE, &mut ok)
        .unwrap()
        .unwrap();
    assert_eq!(fx.fs.write(handle, 0, b"J"), Ok(1));
    assert_eq!(fx.fs.read(handle, 0, &mut [0; 8]), Err(Errno::EBADF));
    fx.fs.release(handle).unwrap();
    fx.fs.forget(entry.node, 1);
    assert_eq!(std::fs::read(fx.root_path().join("f")).unwrap(), b"Jello");
}

#[test]
fn a_name_never_seen_is_opened_too() {
    let fx = Fixture::new();
    std::fs::write(fx.root_path().join("host-made"), b"abc").unwrap();
    let root = fx.fs.root();
    let mut ok = |_: &Attr| Ok(());
    let (entry, handle) = fx
        .fs
        .open_name(root, name("host-made"), OpenFlags::READ, &mut ok)
        .unwrap()
        .unwrap();
    assert_eq!(fx.read_all(handle), b"abc");
    assert_eq!(fx.lookup(root, "host-made").node, entry.node);
}

#[test]
fn a_refused_check_leaves_nothing_open_counted_or_truncated() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let made = fx.write_file(root, "f", b"keep me");
    fx.fs.forget(made.node, 1);
    let before = fx.fs.node_count();
    let seen = Cell::new(None);
    let mut check = recording(&seen, Err(Errno::EACCES));
    let flags = OpenFlags::WRITE | OpenFlags::TRUNCATE;
    assert_eq!(
        fx.fs.open_name(root, name("f"), flags, &mut check),
        Some(Err(Errno::EACCES))
    );
    assert_eq!(
        seen.get().map(|a| a.size),
        Some(7),
        "checked before truncating"
    );
    assert_eq!(std::fs::read(fx.root_path().join("f")).unwrap(), b"keep me");
    assert_eq!(fx.fs.node_count(), before);
}

#[test]
fn truncation_comes_after_the_check_and_shows_in_the_entry() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let made = fx.write_file(root, "f", b"old contents");
    fx.fs.forget(made.node, 1);
    let seen = Cell::new(None);
    let mut check = recording(&seen, Ok(()));
    let flags = OpenFlags::WRITE | OpenFlags::TRUNCATE;
    let (entry, handle) = fx
        .fs
        .open_name(root, name("f"), flags, &mut check)
        .unwrap()
        .unwrap();
    assert_eq!(seen.get().map(|a| a.size), Some(12));
    assert_eq!(entry.attr.size, 0);
    assert_eq!(
        std::fs::metadata(fx.root_path().join("f")).unwrap().len(),
        0
    );
    fx.fs.release(handle).unwrap();
    // O_RDONLY|O_TRUNC needs a second, writing descriptor: the usual way does it.
    let mut never = |_: &Attr| -> Result<(), Errno> { panic!("not opened") };
    let flags = OpenFlags::READ | OpenFlags::TRUNCATE;
    assert_eq!(fx.fs.open_name(root, name("f"), flags, &mut never), None);
}

#[test]
fn only_regular_files_are_opened() {
    let fx = Fixture::new();
    let dir = fx.root_path();
    std::fs::create_dir(dir.join("d")).unwrap();
    std::os::unix::fs::symlink("f", dir.join("l")).unwrap();
    std::fs::write(dir.join("f"), b"x").unwrap();
    fifo_beside(&fx, "p");
    let root = fx.fs.root();
    // Unknown names (a statx tells the kind) and remembered ones (the table does).
    for round in 0..2 {
        for n in ["d", "l", "p"] {
            let mut never = |_: &Attr| -> Result<(), Errno> { panic!("{n} was opened") };
            for flags in [OpenFlags::READ, OpenFlags::WRITE] {
                assert_eq!(
                    fx.fs.open_name(root, name(n), flags, &mut never),
                    None,
                    "{n} in round {round}"
                );
            }
            if round == 0 {
                let _ = fx.lookup(root, n);
            }
        }
    }
    // A missing name is the lookup's ENOENT; a non-directory `dir` is ENOTDIR.
    let mut never = |_: &Attr| -> Result<(), Errno> { panic!("nothing to open") };
    assert_eq!(
        fx.fs
            .open_name(root, name("missing"), OpenFlags::READ, &mut never),
        Some(Err(Errno::ENOENT))
    );
    let f = fx.lookup(root, "f");
    assert_eq!(
        fx.fs
            .open_name(f.node, name("x"), OpenFlags::READ, &mut never),
        Some(Err(Errno::ENOTDIR))
    );
}

#[test]
fn a_name_replaced_on_the_host_opens_and_checks_the_new_inode() {
    let fx = Fixture::new();
    let dir = fx.root_path();
    let root = fx.fs.root();
    let old = fx.write_file(root, "f", b"old");
    // A host process replaces the name with another file (other mode and contents).
    std::fs::write(dir.join("new"), b"replaced").unwrap();
    std::fs::set_permissions(dir.join("new"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::rename(dir.join("new"), dir.join("f")).unwrap();
    let seen = Cell::new(None);
    let mut check = recording(&seen, Ok(()));
    let (entry, handle) = fx
        .fs
        .open_name(root, name("f"), OpenFlags::READ, &mut check)
        .unwrap()
        .unwrap();
    let checked = seen.get().expect("checked");
    assert_eq!((checked.perm, checked.size), (0o600, 8));
    assert_ne!(entry.node, old.node);
    assert_ne!(entry.attr.ino, old.attr.ino);
    assert_eq!(fx.read_all(handle), b"replaced");
    // Replaced by a FIFO while remembered as a regular file: left to the usual way.
    fifo_beside(&fx, "p");
    std::fs::rename(dir.join("p"), dir.join("f")).unwrap();
    let mut never = |_: &Attr| -> Result<(), Errno> { panic!("a FIFO was checked") };
    assert_eq!(
        fx.fs
            .open_name(root, name("f"), OpenFlags::READ, &mut never),
        None
    );
}
