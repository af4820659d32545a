//! Nodes keep their identity: unlinked open files work, host-side renames do not break
//! getattr, modes are final and set-id bits never reach the host.

mod common;

use common::{me, name, Fixture};
use std::os::unix::fs::MetadataExt;
use vfsbox_api::{Errno, FileKind, FileSystem, OpenFlags, SetAttr};

#[test]
fn unlinked_open_file_still_reads_and_writes() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let (e, h) = fx
        .fs
        .create(root, name("f"), 0o644, OpenFlags::READ_WRITE, me())
        .unwrap();
    assert_eq!(fx.fs.write(h, 0, b"hello"), Ok(5));
    fx.fs.unlink(root, name("f")).unwrap();
    assert!(!fx.root_path().join("f").exists());
    assert_eq!(fx.fs.write(h, 5, b" world"), Ok(6));
    assert_eq!(fx.read_all(h), b"hello world");
    let attr = fx.fs.getattr(e.node).unwrap();
    assert_eq!((attr.nlink, attr.size), (0, 11));
    // ftruncate through the handle keeps working too.
    let cut = SetAttr {
        size: Some(5),
        ..SetAttr::default()
    };
    assert_eq!(fx.fs.setattr(e.node, &cut, Some(h)).unwrap().size, 5);
    // link of an unlinked file: ENOENT, as linkat gives.
    assert_eq!(
        fx.fs.link(e.node, root, name("back")).map(|_| ()),
        Err(Errno::ENOENT)
    );
    fx.fs.release(h).unwrap();
    assert_eq!(fx.fs.release(h), Err(Errno::EBADF));
}

#[test]
fn getattr_survives_a_rename_by_another_process() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let e = fx.write_file(root, "a", b"data");
    std::fs::create_dir(fx.root_path().join("sub")).unwrap();
    std::fs::rename(fx.root_path().join("a"), fx.root_path().join("sub/b")).unwrap();
    let attr = fx.fs.getattr(e.node).unwrap();
    assert_eq!(
        attr.ino,
        std::fs::metadata(fx.root_path().join("sub/b"))
            .unwrap()
            .ino()
    );
    assert_eq!(attr.size, 4);
    // Opening needs a name: the old one is gone, so the node answers ESTALE until found again.
    assert_eq!(fx.fs.open(e.node, OpenFlags::READ), Err(Errno::ESTALE));
    let sub = fx.lookup(root, "sub").node;
    let again = fx.lookup(sub, "b");
    assert_eq!(again.node, e.node, "same inode, same node");
    let h = fx.fs.open(e.node, OpenFlags::READ).unwrap();
    assert_eq!(fx.read_all(h), b"data");
}

#[test]
fn own_rename_keeps_open_working() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let e = fx.write_file(root, "a", b"x");
    let sub = fx.fs.mkdir(root, name("sub"), 0o755, me()).unwrap().node;
    fx.fs
        .rename(root, name("a"), sub, name("b"), Default::default())
        .unwrap();
    let h = fx.fs.open(e.node, OpenFlags::READ).unwrap();
    assert_eq!(fx.read_all(h), b"x");
}

#[test]
fn modes_are_final_and_setid_bits_stripped() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    // The test harness runs with umask 022 or similar; 0o777 must still come out 0o777.
    let (e, h) = fx
        .fs
        .create(root, name("f"), 0o4777, OpenFlags::WRITE, me())
        .unwrap();
    fx.fs.release(h).unwrap();
    assert_eq!(e.attr.perm, 0o777);
    assert_eq!(
        std::fs::metadata(fx.root_path().join("f")).unwrap().mode() & 0o7777,
        0o777
    );
    let d = fx.fs.mkdir(root, name("d"), 0o3777, me()).unwrap();
    assert_eq!(d.attr.perm, 0o1777);
    let chmod = SetAttr {
        perm: Some(0o6755),
        ..SetAttr::default()
    };
    assert_eq!(fx.fs.setattr(e.node, &chmod, None).unwrap().perm, 0o755);
    let bad = SetAttr {
        perm: Some(0o10000),
        ..SetAttr::default()
    };
    assert_eq!(fx.fs.setattr(e.node, &bad, None), Err(Errno::EINVAL));
    assert_eq!(
        fx.fs.mkdir(root, name("x"), 0o10755, me()).map(|_| ()),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        fx.fs.mkdir(root, name("d"), 0o10755, me()).map(|_| ()),
        Err(Errno::EEXIST)
    );
}

#[test]
fn devices_are_never_made_fifos_are() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    assert_eq!(
        fx.fs
            .mknod(root, name("c"), FileKind::CharDevice, 0o666, 0x0103, me())
            .map(|_| ()),
        Err(Errno::EPERM)
    );
    assert_eq!(
        fx.fs
            .mknod(root, name("d"), FileKind::Directory, 0o755, 0, me())
            .map(|_| ()),
        Err(Errno::EPERM)
    );
    let p = fx
        .fs
        .mknod(root, name("p"), FileKind::Fifo, 0o644, 0, me())
        .unwrap();
    assert_eq!(p.attr.kind, FileKind::Fifo);
    // A FIFO without reader: opening for writing would block, so ENXIO.
    assert_eq!(fx.fs.open(p.node, OpenFlags::WRITE), Err(Errno::ENXIO));
    let r = fx
        .fs
        .open(p.node, OpenFlags::READ | OpenFlags::NONBLOCK)
        .unwrap();
    let w = fx.fs.open(p.node, OpenFlags::WRITE).unwrap();
    assert_eq!(fx.fs.write(w, 0, b"pipe"), Ok(4));
    let mut buf = [0u8; 8];
    assert_eq!(fx.fs.read(r, 0, &mut buf), Ok(4));
}

#[test]
fn lookups_count_and_forget_invalidates() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let e = fx.write_file(root, "f", b"");
    let again = fx.lookup(root, "f");
    assert_eq!(again.node, e.node);
    assert_eq!(fx.fs.node_count(), 2);
    fx.fs.forget(e.node, 3); // more than held: ignored
    fx.fs.forget(e.node, 1);
    assert!(fx.fs.getattr(e.node).is_ok());
    fx.fs.forget(e.node, 1);
    assert_eq!(fx.fs.getattr(e.node), Err(Errno::ESTALE));
    assert_eq!(fx.fs.node_count(), 1);
    let next = fx.lookup(root, "f");
    assert_ne!(next.node, e.node, "ids are never reused");
    fx.fs.forget(root, 1);
    assert!(fx.fs.getattr(root).is_ok());
}

#[test]
fn readdir_lists_each_entry_once_and_resumes_from_cookies() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    for i in 0..300 {
        std::fs::write(fx.root_path().join(format!("entry-{i:03}")), b"").unwrap();
    }
    let h = fx.fs.opendir(root).unwrap();
    let mut names = Vec::new();
    let mut cookie = 0;
    loop {
        let mut batch = 0;
        fx.fs
            .readdir(h, cookie, &mut |e| {
                if batch == 7 {
                    return false;
                }
                batch += 1;
                names.push(e.name.to_string_lossy().into_owned());
                cookie = e.cookie;
                assert_eq!(e.kind, FileKind::Regular);
                true
            })
            .unwrap();
        if batch == 0 {
            break;
        }
    }
    names.sort();
    let want: Vec<String> = (0..300).map(|i| format!("entry-{i:03}")).collect();
    assert_eq!(names, want);
    assert_eq!(fx.fs.release(h), Err(Errno::EBADF));
    fx.fs.releasedir(h).unwrap();
}
