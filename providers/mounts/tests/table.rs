//! The mount table's own cases: construction errors, crossing mounts, synthesized
//! directories, shadowing, listings, inode numbers and statfs per mount.

use std::collections::HashSet;
use std::sync::Arc;
use vfsbox_api::{Errno, FileKind, FileSystem, Name, NodeId, OpenFlags, Owner, RenameFlags};
use vfsbox_memory::MemoryFs;
use vfsbox_mounts::{MountError, MountTable};
use vfsbox_readonly::ReadOnly;

const ME: Owner = Owner { uid: 0, gid: 0 };

fn n(s: &str) -> &Name {
    Name::new(s.as_bytes()).unwrap()
}

fn mem() -> Arc<dyn FileSystem> {
    Arc::new(MemoryFs::new())
}

/// `/` memory with a file `f` and a directory `ro/hidden` (shadowed by the mount), `/ro` read-only
/// memory holding `x`, `/data/cache` memory (`/data` synthesized).
fn table() -> MountTable {
    let root = MemoryFs::new();
    let (e, h) = root
        .create(root.root(), n("f"), 0o644, OpenFlags::WRITE, ME)
        .unwrap();
    root.release(h).unwrap();
    root.forget(e.node, 1);
    let hidden = root.mkdir(root.root(), n("ro"), 0o755, ME).unwrap().node;
    root.mkdir(hidden, n("hidden"), 0o755, ME).unwrap();
    let lower = MemoryFs::new();
    lower.mkdir(lower.root(), n("x"), 0o755, ME).unwrap();
    MountTable::builder()
        .mount("/", Arc::new(root))
        .unwrap()
        .mount("/data/cache", mem())
        .unwrap()
        .mount("/ro", Arc::new(ReadOnly::wrap(lower)))
        .unwrap()
        .build()
        .unwrap()
}

fn names(fs: &dyn FileSystem, dir: NodeId) -> Vec<String> {
    let h = fs.opendir(dir).unwrap();
    let mut out = Vec::new();
    fs.readdir(h, 0, &mut |e| {
        out.push(e.name.to_string_lossy().into_owned());
        true
    })
    .unwrap();
    fs.releasedir(h).unwrap();
    out.sort();
    out
}

fn err<T>(r: Result<T, MountError>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn construction_errors_say_what_is_wrong() {
    assert_eq!(
        err(MountTable::builder().mount("data", mem())),
        "mount path \"data\" is relative: mount paths are absolute, starting with '/'"
    );
    for bad in ["/a/../b", "/a/./b", "//a", "/a/"] {
        assert_eq!(
            err(MountTable::builder().mount(bad, mem())),
            format!("mount path {bad:?} is not normalized: it has an empty, '.' or '..' component")
        );
    }
    assert_eq!(
        err(MountTable::builder()
            .mount("/a", mem())
            .unwrap()
            .mount("/a", mem())),
        "mount path \"/a\" is mounted twice"
    );
    assert_eq!(
        err(MountTable::builder()
            .mount("/", Arc::new(table()))
            .unwrap()
            .mount("/f/x", mem())
            .unwrap()
            .build()),
        "cannot mount at \"/f/x\": \"/f\" is a non-directory in the provider mounted at \"/\""
    );
    assert_eq!(
        err(MountTable::builder()
            .mount("/", Arc::new(table()))
            .unwrap()
            .mount("/f", mem())
            .unwrap()
            .build()),
        "cannot mount at \"/f\": \"/f\" is a non-directory in the provider mounted at \"/\""
    );
}

#[test]
fn mount_points_are_listed_once_and_shadow() {
    let t = table();
    assert_eq!(names(&t, t.root()), ["data", "f", "ro"]);
    let ro = t.lookup(t.root(), n("ro")).unwrap();
    assert_eq!(ro.attr.kind, FileKind::Directory);
    assert_eq!(names(&t, ro.node), ["x"]);
    let data = t.lookup(t.root(), n("data")).unwrap();
    assert_eq!(names(&t, data.node), ["cache"]);
    assert_eq!(data.attr.perm, 0o555);
    assert_eq!(data.attr.nlink, 3);
    assert_eq!(
        t.lookup(data.node, n("nope")),
        Err(Errno::ENOENT).map(|_: ()| unreachable!())
    );
}

#[test]
fn synthesized_directories_are_read_only() {
    let t = table();
    let data = t.lookup(t.root(), n("data")).unwrap().node;
    assert_eq!(
        t.mkdir(data, n("new"), 0o755, ME).map(|_| ()),
        Err(Errno::EROFS)
    );
    assert_eq!(
        t.mkdir(data, n("cache"), 0o755, ME).map(|_| ()),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        t.create(data, n("new"), 0o644, OpenFlags::WRITE, ME)
            .map(|_| ()),
        Err(Errno::EROFS)
    );
    assert_eq!(t.unlink(data, n("cache")), Err(Errno::EROFS));
    assert_eq!(t.rmdir(data, n("cache")), Err(Errno::EROFS));
    assert!(t.statfs(data).unwrap().read_only);
    assert_eq!(t.open(data, OpenFlags::READ), Err(Errno::EISDIR));
}

#[test]
fn mount_points_are_busy() {
    let t = table();
    let root = t.root();
    assert_eq!(t.rmdir(root, n("ro")), Err(Errno::EBUSY));
    assert_eq!(t.unlink(root, n("ro")), Err(Errno::EISDIR));
    assert_eq!(
        t.rename(root, n("ro"), root, n("y"), RenameFlags::Replace),
        Err(Errno::EBUSY)
    );
    assert_eq!(
        t.rename(root, n("f"), root, n("data"), RenameFlags::Replace),
        Err(Errno::EISDIR)
    );
    t.mkdir(root, n("d"), 0o755, ME).unwrap();
    assert_eq!(
        t.rename(root, n("d"), root, n("data"), RenameFlags::Replace),
        Err(Errno::EBUSY)
    );
    assert_eq!(
        t.mkdir(root, n("ro"), 0o755, ME).map(|_| ()),
        Err(Errno::EEXIST)
    );
}

#[test]
fn crossing_mounts_is_exdev() {
    let t = table();
    let root = t.root();
    let data = t.lookup(root, n("data")).unwrap().node;
    let cache = t.lookup(data, n("cache")).unwrap().node;
    let f = t.lookup(root, n("f")).unwrap().node;
    assert_eq!(
        t.rename(root, n("f"), cache, n("f"), RenameFlags::Replace),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        t.rename(root, n("missing"), cache, n("f"), RenameFlags::Replace),
        Err(Errno::EXDEV)
    );
    assert_eq!(t.link(f, cache, n("g")).map(|_| ()), Err(Errno::EXDEV));
    let ro = t.lookup(root, n("ro")).unwrap().node;
    assert_eq!(t.link(f, ro, n("x")).map(|_| ()), Err(Errno::EEXIST));
    assert_eq!(t.link(f, ro, n("g")).map(|_| ()), Err(Errno::EROFS));
    // Within one mount both work.
    t.link(f, root, n("g")).unwrap();
    t.rename(root, n("g"), root, n("h"), RenameFlags::Replace)
        .unwrap();
}

#[test]
fn inode_numbers_and_node_ids_never_collide() {
    let t = table();
    let root = t.root();
    let data = t.lookup(root, n("data")).unwrap().node;
    let cache = t.lookup(data, n("cache")).unwrap().node;
    // The first file of two memory providers: same inner ino and node id.
    let a = t.create(root, n("a"), 0o644, OpenFlags::WRITE, ME).unwrap();
    let b = t
        .create(cache, n("a"), 0o644, OpenFlags::WRITE, ME)
        .unwrap();
    assert_ne!(a.0.node, b.0.node);
    assert_ne!(a.0.attr.ino, b.0.attr.ino);
    let mut inos = HashSet::new();
    for node in [root, data, cache, a.0.node, b.0.node] {
        assert!(inos.insert(t.getattr(node).unwrap().ino));
    }
    // Listing and lookup agree on the remapped ino.
    let h = t.opendir(cache).unwrap();
    t.readdir(h, 0, &mut |e| {
        assert_eq!(e.ino, b.0.attr.ino);
        true
    })
    .unwrap();
    t.releasedir(h).unwrap();
    // A forgotten id is stale; a new lookup of the same node gets that id back (never
    // another node's).
    t.forget(b.0.node, 1);
    assert_eq!(t.getattr(b.0.node).map(|_| ()), Err(Errno::ESTALE));
    let again = t.lookup(cache, n("a")).unwrap();
    assert_eq!(again.node, b.0.node);
    assert_ne!(again.node, a.0.node);
    assert_eq!(again.attr.ino, b.0.attr.ino);
}

#[test]
fn statfs_answers_for_the_mount() {
    let t = table();
    let ro = t.lookup(t.root(), n("ro")).unwrap().node;
    assert!(t.statfs(ro).unwrap().read_only);
    assert!(!t.statfs(t.root()).unwrap().read_only);
    assert!(!t.capabilities().read_only);
}

#[test]
fn merged_cookies_resume_exactly() {
    let t = table();
    let root = t.root();
    for i in 0..5 {
        let name = format!("e{i}");
        t.mkdir(root, n(&name), 0o755, ME).unwrap();
    }
    let h = t.opendir(root).unwrap();
    let mut all = Vec::new();
    t.readdir(h, 0, &mut |e| {
        all.push((e.name.to_string_lossy().into_owned(), e.cookie));
        true
    })
    .unwrap();
    assert_eq!(all.len(), 8); // data, ro, f, e0..e4 ("ro" of the root provider hidden)
    for w in 0..all.len() {
        let mut rest = Vec::new();
        t.readdir(h, all[w].1, &mut |e| {
            rest.push((e.name.to_string_lossy().into_owned(), e.cookie));
            true
        })
        .unwrap();
        assert_eq!(rest, all[w + 1..]);
    }
    assert_eq!(t.readdir(h, 999, &mut |_| true), Err(Errno::EINVAL));
    t.releasedir(h).unwrap();
}

/// The path `p` looked up name by name, as a consumer without `lookup_path` would (every
/// lookup but the last given back), with the inode numbers of the directories it searched.
fn walk(fs: &dyn FileSystem, p: &[&str]) -> (Result<(NodeId, u64), Errno>, Vec<u64>) {
    let mut seen = Vec::new();
    let mut dir = fs.root();
    let mut held: Option<NodeId> = None;
    for name in p {
        let attr = fs.getattr(dir).unwrap();
        if attr.kind == FileKind::Directory {
            seen.push(attr.ino); // a consumer checks search permission on directories only
        }
        let found = fs.lookup(dir, n(name));
        if let Some(h) = held.take() {
            fs.forget(h, 1);
        }
        match found {
            Ok(e) => {
                dir = e.node;
                held = Some(e.node);
            }
            Err(e) => return (Err(e), seen),
        }
    }
    (Ok((dir, fs.getattr(dir).unwrap().ino)), seen)
}

#[test]
fn lookup_path_crosses_the_skeleton_and_answers_as_the_walk_name_by_name() {
    let t = table();
    let cache = t.lookup(t.root(), n("data")).unwrap().node;
    let cache = t.lookup(cache, n("cache")).unwrap().node;
    t.mkdir(cache, n("d"), 0o755, ME).unwrap();
    let d = t.lookup(cache, n("d")).unwrap().node;
    let (e, h) = t.create(d, n("f"), 0o644, OpenFlags::WRITE, ME).unwrap();
    t.release(h).unwrap();
    t.forget(e.node, 1);
    t.forget(d, 1);
    t.symlink(cache, n("l"), b"d", ME).unwrap();
    let paths: &[&[&str]] = &[
        &["data", "cache", "d", "f"],
        &["data", "cache", "d"],
        &["data", "cache"],
        &["data"],
        &["data", "nothing"],
        &["data", "cache", "nothing", "f"],
        &["data", "cache", "d", "f", "below"],
        &["ro", "x"],
        &["ro", "hidden"],
        &["f"],
    ];
    for p in paths {
        let (expected, expected_seen) = walk(&t, p);
        let names: Vec<&Name> = p.iter().map(|s| n(s)).collect();
        let mut seen = Vec::new();
        let mut search = |a: &vfsbox_api::Attr| {
            seen.push(a.ino);
            Ok(())
        };
        let got = t
            .lookup_path(t.root(), &names, Some(&mut search), true)
            .unwrap_or_else(|| panic!("{p:?}: no answer"));
        assert_eq!(
            got.as_ref().map(|e| (e.node, e.attr.ino)).map_err(|e| *e),
            expected,
            "{p:?}"
        );
        assert_eq!(seen, expected_seen, "{p:?}: the directories searched");
        if let (Ok(e), Ok((node, _))) = (got, expected) {
            t.forget(e.node, 1);
            t.forget(node, 1);
        }
    }
    // A symlink on the way is the consumer's to follow.
    assert!(t
        .lookup_path(
            t.root(),
            &[n("data"), n("cache"), n("l"), n("f")],
            None,
            true
        )
        .is_none());
    // A search refusal ends the walk with its error, at the first directory.
    let mut deny = |_: &vfsbox_api::Attr| Err(Errno::EACCES);
    assert_eq!(
        t.lookup_path(t.root(), &[n("data"), n("cache")], Some(&mut deny), true)
            .map(|r| r.map(|_| ())),
        Some(Err(Errno::EACCES))
    );
    // Without `hold` nothing is counted: the file's id is stale once the walk above is given back.
    let f = t
        .lookup_path(
            t.root(),
            &[n("data"), n("cache"), n("d"), n("f")],
            None,
            false,
        )
        .unwrap()
        .unwrap();
    assert_eq!(f.attr.kind, FileKind::Regular);
    assert_eq!(t.getattr(f.node).map(|_| ()), Err(Errno::ESTALE));
}

#[test]
fn open_name_opens_a_mounts_file_and_leaves_mount_points_to_the_walk() {
    let t = table();
    let ro = t.lookup(t.root(), n("ro")).unwrap().node;
    let mut ok = |_: &vfsbox_api::Attr| Ok(());
    // A mount point and a synthesized directory are never opened this way.
    assert!(t
        .open_name(t.root(), n("ro"), OpenFlags::READ, &mut ok)
        .is_none());
    assert!(
        t.open_name(ro, n("x"), OpenFlags::READ, &mut ok).is_none(),
        "a directory"
    );
    assert!(t
        .open_name(t.root(), n("data"), OpenFlags::READ, &mut ok)
        .is_none());
    // The root mount's file: an entry and a handle of the table, the check seeing the
    // table's inode number.
    let expected_ino = t.lookup(t.root(), n("f")).unwrap().attr.ino;
    let mut checked = None;
    let mut check = |a: &vfsbox_api::Attr| {
        checked = Some(a.ino);
        Ok(())
    };
    let (entry, handle) = t
        .open_name(t.root(), n("f"), OpenFlags::READ, &mut check)
        .expect("memory opens by name")
        .unwrap();
    assert_eq!(checked, Some(expected_ino));
    assert_eq!(entry.attr.ino, expected_ino);
    let mut buf = [0u8; 4];
    assert_eq!(t.read(handle, 0, &mut buf), Ok(0));
    t.release(handle).unwrap();
    // A refusal is the check's error, with nothing left open.
    let mut refuse = |_: &vfsbox_api::Attr| Err(Errno::EACCES);
    assert_eq!(
        t.open_name(t.root(), n("f"), OpenFlags::READ, &mut refuse)
            .map(|r| r.map(|_| ())),
        Some(Err(Errno::EACCES))
    );
}
