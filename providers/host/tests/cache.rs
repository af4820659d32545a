//! The cache of forgotten nodes: a lookup of a cached inode revives it under a fresh id,
//! removals by this provider evict at once, and the cache stays within its bound.

mod common;

use common::{me, name, Fixture};
use std::os::unix::fs::MetadataExt;
use vfsbox_api::{Errno, FileKind, FileSystem, OpenFlags, RenameFlags};

#[test]
fn forgotten_node_is_cached_and_revived_under_a_fresh_id() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    std::fs::write(fx.root_path().join("f"), b"data").unwrap();
    let first = fx.lookup(root, "f");
    fx.fs.forget(first.node, 1);
    assert_eq!(fx.fs.cached_count().0, 1);
    assert_eq!(fx.fs.node_count(), 1);
    assert_eq!(fx.fs.getattr(first.node), Err(Errno::ESTALE));

    let again = fx.lookup(root, "f");
    assert_ne!(again.node, first.node, "ids are never reused");
    assert_eq!(again.attr.ino, first.attr.ino);
    assert_eq!(again.attr.size, 4);
    assert_eq!(fx.fs.cached_count().0, 0, "revived, no longer cached");
    assert_eq!(fx.fs.getattr(first.node), Err(Errno::ESTALE));
    // The revived node works like a new one, opening by its name included.
    let h = fx.fs.open(again.node, OpenFlags::READ).unwrap();
    assert_eq!(fx.read_all(h), b"data");
    fx.fs.release(h).unwrap();
}

#[test]
fn a_replaced_name_is_a_new_node_not_the_cached_one() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    std::fs::write(fx.root_path().join("f"), b"old").unwrap();
    let old = fx.lookup(root, "f");
    fx.fs.forget(old.node, 1);
    // Another process puts a new inode under the name (the cached one keeps its number
    // while cached, so the new one has another).
    std::fs::write(fx.root_path().join("g"), b"newer").unwrap();
    std::fs::rename(fx.root_path().join("g"), fx.root_path().join("f")).unwrap();
    let new = fx.lookup(root, "f");
    assert_ne!(new.attr.ino, old.attr.ino);
    assert_eq!(new.attr.size, 5);
    let h = fx.fs.open(new.node, OpenFlags::READ).unwrap();
    assert_eq!(fx.read_all(h), b"newer");
    fx.fs.release(h).unwrap();
    // The old inode was deleted by another process: it stays cached until evicted.
    assert_eq!(fx.fs.cached_count().0, 1);
}

#[test]
fn unlink_and_rmdir_by_the_provider_evict() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let (e, h) = fx
        .fs
        .create(root, name("f"), 0o644, OpenFlags::WRITE, me())
        .unwrap();
    fx.fs.release(h).unwrap();
    fx.fs.forget(e.node, 1);
    let d = fx.fs.mkdir(root, name("d"), 0o755, me()).unwrap();
    fx.fs.forget(d.node, 1);
    assert_eq!(fx.fs.cached_count().0, 2);
    fx.fs.unlink(root, name("f")).unwrap();
    assert_eq!(fx.fs.cached_count().0, 1);
    fx.fs.rmdir(root, name("d")).unwrap();
    assert_eq!(fx.fs.cached_count().0, 0);
}

#[test]
fn a_node_removed_while_held_is_not_cached_when_forgotten() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let f = fx.write_file(root, "f", b"x");
    let d = fx.fs.mkdir(root, name("d"), 0o755, me()).unwrap();
    let g = fx.write_file(root, "g", b"y");
    fx.fs.unlink(root, name("f")).unwrap();
    fx.fs.rmdir(root, name("d")).unwrap();
    fx.fs
        .rename(root, name("g"), root, name("g2"), RenameFlags::Replace)
        .unwrap();
    let over = fx.write_file(root, "victim", b"z");
    fx.fs
        .rename(root, name("g2"), root, name("victim"), RenameFlags::Replace)
        .unwrap();
    for node in [f.node, d.node, over.node] {
        fx.fs.forget(node, 1);
    }
    assert_eq!(fx.fs.cached_count().0, 0);
    // The renamed one is still there and is cached when forgotten.
    fx.fs.forget(g.node, 1);
    assert_eq!(fx.fs.cached_count().0, 1);
    let back = fx.lookup(root, "victim");
    assert_eq!(back.attr.ino, g.attr.ino);
    assert_eq!(fx.fs.cached_count().0, 0);
}

#[test]
fn rename_over_a_cached_name_evicts_it() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let a = fx.write_file(root, "a", b"a");
    let b = fx.write_file(root, "b", b"b");
    fx.fs.forget(b.node, 1);
    assert_eq!(fx.fs.cached_count().0, 1);
    fx.fs
        .rename(root, name("a"), root, name("b"), RenameFlags::Replace)
        .unwrap();
    assert_eq!(fx.fs.cached_count().0, 0);
    assert_eq!(fx.lookup(root, "b").node, a.node);
}

#[test]
fn directories_are_cached_and_revived_with_their_kind() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    std::fs::create_dir(fx.root_path().join("d")).unwrap();
    std::fs::write(fx.root_path().join("d/inner"), b"in").unwrap();
    let d = fx.lookup(root, "d");
    fx.fs.forget(d.node, 1);
    let again = fx.lookup(root, "d");
    assert_eq!(again.attr.kind, FileKind::Directory);
    let inner = fx.lookup(again.node, "inner");
    assert_eq!(inner.attr.size, 2);
    assert_eq!(fx.fs.lookup(d.node, name("inner")), Err(Errno::ESTALE));
}

#[test]
fn the_cache_stays_within_its_bound() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let (_, capacity) = fx.fs.cached_count();
    assert!(capacity > 0 && capacity <= 4096, "capacity {capacity}");
    let files = capacity + 50;
    for i in 0..files {
        std::fs::write(fx.root_path().join(format!("f{i}")), b"").unwrap();
    }
    for i in 0..files {
        let e = fx.lookup(root, &format!("f{i}"));
        fx.fs.forget(e.node, 1);
        // Looking the same name up again and again does not grow anything.
        let e = fx.lookup(root, &format!("f{i}"));
        fx.fs.forget(e.node, 1);
    }
    assert_eq!(fx.fs.cached_count().0, capacity);
    assert_eq!(fx.fs.node_count(), 1);
    // The oldest were evicted, the newest kept: a lookup of either still answers right.
    let oldest = fx.lookup(root, "f0");
    let newest = fx.lookup(root, &format!("f{}", files - 1));
    let meta = std::fs::metadata(fx.root_path().join("f0")).unwrap();
    assert_eq!(oldest.attr.ino, meta.ino());
    assert_ne!(oldest.attr.ino, newest.attr.ino);
}
