//! Linux's errno precedence on a read-only mount, checked on a view of a populated memory
//! provider. Each expectation was observed on tmpfs remounted read-only (bind, `ro`).

use vfsbox_api::{
    Errno, FileKind, FileSystem, Name, OpenFlags, Owner, RenameFlags, SetAttr, TimeSet, XattrSet,
};
use vfsbox_memory::MemoryFs;
use vfsbox_readonly::ReadOnly;

const ME: Owner = Owner { uid: 0, gid: 0 };

fn n(s: &str) -> &Name {
    Name::new(s.as_bytes()).unwrap()
}

/// `/d/`, `/f` ("hi"), `/fifo`, `/sl -> f`, and `/gone`, a held directory that was removed.
struct Tree {
    ro: ReadOnly,
    d: vfsbox_api::NodeId,
    f: vfsbox_api::NodeId,
    fifo: vfsbox_api::NodeId,
    sl: vfsbox_api::NodeId,
    gone: vfsbox_api::NodeId,
}

fn tree() -> Tree {
    let fs = MemoryFs::new();
    let root = fs.root();
    let d = fs.mkdir(root, n("d"), 0o755, ME).unwrap().node;
    let (f, h) = fs
        .create(root, n("f"), 0o644, OpenFlags::READ_WRITE, ME)
        .unwrap();
    fs.write(h, 0, b"hi").unwrap();
    fs.release(h).unwrap();
    let fifo = fs
        .mknod(root, n("fifo"), FileKind::Fifo, 0o644, 0, ME)
        .unwrap()
        .node;
    let sl = fs.symlink(root, n("sl"), b"f", ME).unwrap().node;
    let gone = fs.mkdir(root, n("gone"), 0o755, ME).unwrap().node;
    fs.rmdir(root, n("gone")).unwrap();
    Tree {
        ro: ReadOnly::wrap(fs),
        d,
        f: f.node,
        fifo,
        sl,
        gone,
    }
}

#[test]
fn making_an_existing_name_is_eexist_before_erofs() {
    let t = tree();
    let root = t.ro.root();
    assert_eq!(t.ro.mkdir(root, n("d"), 0o755, ME), Err(Errno::EEXIST));
    assert_eq!(t.ro.mkdir(root, n("f"), 0o755, ME), Err(Errno::EEXIST));
    assert_eq!(t.ro.mkdir(root, n("new"), 0o755, ME), Err(Errno::EROFS));
    assert_eq!(
        t.ro.mknod(root, n("f"), FileKind::Fifo, 0o644, 0, ME),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        t.ro.mknod(root, n("new"), FileKind::Fifo, 0o644, 0, ME),
        Err(Errno::EROFS)
    );
    assert_eq!(t.ro.symlink(root, n("f"), b"x", ME), Err(Errno::EEXIST));
    assert_eq!(t.ro.symlink(root, n("new"), b"x", ME), Err(Errno::EROFS));
    assert_eq!(t.ro.link(t.f, root, n("d")), Err(Errno::EEXIST));
    assert_eq!(t.ro.link(t.f, root, n("new")), Err(Errno::EROFS));
    assert_eq!(t.ro.link(t.d, root, n("new")), Err(Errno::EROFS));
}

#[test]
fn checks_linux_makes_before_the_mount_come_first() {
    let t = tree();
    let root = t.ro.root();
    assert_eq!(t.ro.mkdir(t.f, n("x"), 0o755, ME), Err(Errno::ENOTDIR));
    assert_eq!(t.ro.mkdir(t.gone, n("x"), 0o755, ME), Err(Errno::ENOENT));
    assert_eq!(
        t.ro.mknod(root, n("d"), FileKind::Directory, 0o755, 0, ME),
        Err(Errno::EPERM)
    );
    assert_eq!(
        t.ro.mknod(root, n("d"), FileKind::Symlink, 0o755, 0, ME),
        Err(Errno::EINVAL)
    );
    assert_eq!(t.ro.symlink(root, n("f"), b"", ME), Err(Errno::ENOENT));
    let long = vec![b'a'; 4096];
    assert_eq!(
        t.ro.symlink(root, n("f"), &long, ME),
        Err(Errno::ENAMETOOLONG)
    );
    assert_eq!(t.ro.unlink(t.f, n("x")), Err(Errno::ENOTDIR));
    assert_eq!(
        t.ro.rename(root, n("f"), t.f, n("x"), RenameFlags::Replace),
        Err(Errno::ENOTDIR)
    );
}

#[test]
fn removal_is_erofs_before_looking_at_names() {
    let t = tree();
    let root = t.ro.root();
    assert_eq!(t.ro.unlink(root, n("missing")), Err(Errno::EROFS));
    assert_eq!(t.ro.unlink(root, n("d")), Err(Errno::EROFS));
    assert_eq!(t.ro.rmdir(root, n("missing")), Err(Errno::EROFS));
    assert_eq!(t.ro.rmdir(root, n("f")), Err(Errno::EROFS));
    for flags in [
        RenameFlags::Replace,
        RenameFlags::NoReplace,
        RenameFlags::Exchange,
    ] {
        assert_eq!(
            t.ro.rename(root, n("missing"), root, n("y"), flags),
            Err(Errno::EROFS)
        );
    }
}

#[test]
fn open_and_create_refuse_writes_only() {
    let t = tree();
    let root = t.ro.root();
    // O_CREAT|O_RDONLY of an existing file opens it on a read-only mount.
    let (entry, h) =
        t.ro.create(root, n("f"), 0o644, OpenFlags::READ, ME)
            .unwrap();
    assert_eq!(entry.node, t.f);
    let mut buf = [0; 8];
    assert_eq!(t.ro.read(h, 0, &mut buf), Ok(2));
    assert_eq!(t.ro.write(h, 0, b"x"), Err(Errno::EBADF));
    t.ro.release(h).unwrap();
    t.ro.forget(entry.node, 1);
    assert_eq!(
        t.ro.create(
            root,
            n("f"),
            0o644,
            OpenFlags::READ | OpenFlags::EXCLUSIVE,
            ME
        ),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        t.ro.create(root, n("f"), 0o644, OpenFlags::WRITE, ME),
        Err(Errno::EROFS)
    );
    assert_eq!(
        t.ro.create(root, n("d"), 0o644, OpenFlags::READ, ME),
        Err(Errno::EISDIR)
    );
    assert_eq!(
        t.ro.create(root, n("new"), 0o644, OpenFlags::READ, ME),
        Err(Errno::EROFS)
    );
    assert_eq!(
        t.ro.create(t.f, n("new"), 0o644, OpenFlags::READ, ME),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(t.ro.open(t.f, OpenFlags::WRITE), Err(Errno::EROFS));
    assert_eq!(t.ro.open(t.f, OpenFlags::READ_WRITE), Err(Errno::EROFS));
    assert_eq!(
        t.ro.open(t.f, OpenFlags::READ | OpenFlags::TRUNCATE),
        Err(Errno::EROFS)
    );
    assert_eq!(t.ro.open(t.d, OpenFlags::WRITE), Err(Errno::EISDIR));
    assert_eq!(t.ro.open(t.sl, OpenFlags::WRITE), Err(Errno::ELOOP));
    // A FIFO may be opened for writing on a read-only mount; without a reader that is ENXIO,
    // the inner provider's answer, not EROFS.
    assert_eq!(
        t.ro.open(t.fifo, OpenFlags::WRITE | OpenFlags::NONBLOCK),
        t.ro.inner()
            .open(t.fifo, OpenFlags::WRITE | OpenFlags::NONBLOCK)
            .map(|_| unreachable!("no reader"))
    );
}

#[test]
fn attribute_changes_are_erofs_after_truncate_kind_checks() {
    let t = tree();
    let chmod = SetAttr {
        perm: Some(0o600),
        ..SetAttr::default()
    };
    let truncate = SetAttr {
        size: Some(0),
        ..SetAttr::default()
    };
    let touch = SetAttr {
        mtime: Some(TimeSet::Now),
        ..SetAttr::default()
    };
    for node in [t.f, t.d, t.fifo, t.sl] {
        assert_eq!(t.ro.setattr(node, &chmod, None), Err(Errno::EROFS));
        assert_eq!(t.ro.setattr(node, &touch, None), Err(Errno::EROFS));
    }
    assert_eq!(t.ro.setattr(t.f, &truncate, None), Err(Errno::EROFS));
    assert_eq!(t.ro.setattr(t.d, &truncate, None), Err(Errno::EISDIR));
    assert_eq!(t.ro.setattr(t.fifo, &truncate, None), Err(Errno::EINVAL));
    let before = t.ro.getattr(t.f).unwrap();
    assert_eq!(t.ro.setattr(t.f, &SetAttr::default(), None), Ok(before));
}

#[test]
fn xattr_changes_are_erofs_after_name_and_size_checks() {
    let t = tree();
    assert_eq!(
        t.ro.setxattr(t.f, b"user.a", b"1", XattrSet::Either),
        Err(Errno::EROFS)
    );
    assert_eq!(
        t.ro.setxattr(t.f, b"bogus.a", b"1", XattrSet::Either),
        Err(Errno::EROFS)
    );
    assert_eq!(
        t.ro.setxattr(t.f, b"", b"1", XattrSet::Either),
        Err(Errno::ERANGE)
    );
    assert_eq!(
        t.ro.setxattr(t.f, b"user.a", &vec![0; 65_537], XattrSet::Either),
        Err(Errno::E2BIG)
    );
    assert_eq!(t.ro.removexattr(t.fifo, b"user.a"), Err(Errno::EROFS));
    assert_eq!(t.ro.removexattr(t.f, b""), Err(Errno::ERANGE));
}

#[test]
fn reads_pass_through_and_the_view_says_read_only() {
    let t = tree();
    let root = t.ro.root();
    assert_eq!(t.ro.root(), t.ro.inner().root());
    assert!(t.ro.capabilities().read_only);
    assert_eq!(
        vfsbox_api::Capabilities {
            read_only: false,
            ..t.ro.capabilities()
        },
        t.ro.inner().capabilities()
    );
    assert!(t.ro.statfs(root).unwrap().read_only);
    assert!(!t.ro.inner().statfs(root).unwrap().read_only);
    let entry = t.ro.lookup(root, n("f")).unwrap();
    assert_eq!(entry.node, t.f);
    assert_eq!(t.ro.readlink(t.sl).unwrap(), b"f");
    let h = t.ro.opendir(root).unwrap();
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    t.ro.readdir(h, 0, &mut |e| {
        mine.push((e.name.as_bytes().to_vec(), e.ino, e.cookie));
        true
    })
    .unwrap();
    t.ro.inner()
        .readdir(h, 0, &mut |e| {
            theirs.push((e.name.as_bytes().to_vec(), e.ino, e.cookie));
            true
        })
        .unwrap();
    t.ro.releasedir(h).unwrap();
    assert_eq!(mine, theirs);
    assert_eq!(mine.len(), 4);
}

#[test]
fn stale_nodes_are_estale_before_any_refusal() {
    let t = tree();
    let bogus = vfsbox_api::NodeId(u64::MAX - 7);
    assert_eq!(t.ro.mkdir(bogus, n("x"), 0o755, ME), Err(Errno::ESTALE));
    assert_eq!(t.ro.unlink(bogus, n("x")), Err(Errno::ESTALE));
    assert_eq!(
        t.ro.setattr(bogus, &SetAttr::default(), None),
        Err(Errno::ESTALE)
    );
    assert_eq!(
        t.ro.setxattr(bogus, b"user.a", b"", XattrSet::Either),
        Err(Errno::ESTALE)
    );
    assert_eq!(t.ro.link(bogus, t.d, n("x")), Err(Errno::ESTALE));
}
