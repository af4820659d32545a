//! Nanosecond timestamps from the injected clock, per operation as tmpfs sets them.

use super::*;
use vfsbox_api::{Attr, SetAttr, TimeSet};

fn times(a: &Attr) -> (Timestamp, Timestamp, Timestamp) {
    (a.atime, a.mtime, a.ctime)
}

#[test]
fn create_write_and_setattr_times() {
    let (fs, clock) = manual_fs();
    clock.set(ts(2000, 123_456_789));
    let (entry, h) = create(&fs, ROOT, "f");
    let t0 = ts(2000, 123_456_789);
    assert_eq!(times(&entry.attr), (t0, t0, t0));
    assert_eq!(entry.attr.btime, Some(t0));
    let root = fs.getattr(ROOT).unwrap();
    assert_eq!((root.mtime, root.ctime), (t0, t0));
    assert_eq!(root.atime, ts(1000, 1));

    clock.advance_ns(1);
    let t1 = ts(2000, 123_456_790);
    fs.write(h, 0, b"hello").unwrap();
    let a = fs.getattr(entry.node).unwrap();
    assert_eq!(times(&a), (t0, t1, t1));

    // A read updates atime under relatime (atime is not after mtime)...
    clock.advance_ns(1);
    let t2 = ts(2000, 123_456_791);
    let mut buf = [0u8; 5];
    fs.read(h, 0, &mut buf).unwrap();
    assert_eq!(fs.getattr(entry.node).unwrap().atime, t2);
    // ...but not again while atime is newer than mtime and ctime.
    clock.advance_ns(1);
    fs.read(h, 0, &mut buf).unwrap();
    assert_eq!(fs.getattr(entry.node).unwrap().atime, t2);

    // Same-size truncate changes nothing; a real one sets mtime and ctime.
    clock.advance_ns(1);
    let same = SetAttr {
        size: Some(5),
        ..Default::default()
    };
    assert_eq!(
        times(&fs.setattr(entry.node, &same, None).unwrap()),
        (t2, t1, t1)
    );
    let shrink = SetAttr {
        size: Some(1),
        ..Default::default()
    };
    let t4 = ts(2000, 123_456_793);
    assert_eq!(
        times(&fs.setattr(entry.node, &shrink, None).unwrap()),
        (t2, t4, t4)
    );

    // Explicit times, "now", and ctime on chmod.
    clock.advance_ns(1);
    let t5 = ts(2000, 123_456_794);
    let set = SetAttr {
        atime: Some(TimeSet::At(ts(5, 6))),
        mtime: Some(TimeSet::Now),
        ..Default::default()
    };
    assert_eq!(
        times(&fs.setattr(entry.node, &set, None).unwrap()),
        (ts(5, 6), t5, t5)
    );
    clock.advance_ns(1);
    let chmod = SetAttr {
        perm: Some(0o600),
        ..Default::default()
    };
    let a = fs.setattr(entry.node, &chmod, None).unwrap();
    assert_eq!(
        (a.perm, a.ctime, a.mtime),
        (0o600, ts(2000, 123_456_795), t5)
    );
    // Nothing to change: nothing changes.
    clock.advance_ns(1);
    let a = fs.setattr(entry.node, &SetAttr::default(), None).unwrap();
    assert_eq!(a.ctime, ts(2000, 123_456_795));
}

#[test]
fn namespace_changes_set_directory_and_target_times() {
    let (fs, clock) = manual_fs();
    let d = mkdir(&fs, ROOT, "d");
    let (f, h) = create(&fs, ROOT, "f");
    fs.release(h).unwrap();
    clock.set(ts(3000, 7));
    fs.link(f.node, d.node, name("g")).unwrap();
    let t = ts(3000, 7);
    assert_eq!(fs.getattr(f.node).unwrap().ctime, t);
    assert_eq!(fs.getattr(d.node).unwrap().mtime, t);
    assert_ne!(fs.getattr(ROOT).unwrap().mtime, t);

    clock.set(ts(3001, 8));
    let t = ts(3001, 8);
    fs.rename(
        ROOT,
        name("f"),
        d.node,
        name("h"),
        vfsbox_api::RenameFlags::Replace,
    )
    .unwrap();
    assert_eq!(fs.getattr(ROOT).unwrap().ctime, t);
    assert_eq!(fs.getattr(d.node).unwrap().mtime, t);
    assert_eq!(fs.getattr(f.node).unwrap().ctime, t);
    assert_ne!(fs.getattr(f.node).unwrap().mtime, t);

    clock.set(ts(3002, 9));
    fs.unlink(d.node, name("g")).unwrap();
    let a = fs.getattr(f.node).unwrap();
    assert_eq!((a.nlink, a.ctime), (1, ts(3002, 9)));
    assert_eq!(fs.getattr(d.node).unwrap().ctime, ts(3002, 9));
}
