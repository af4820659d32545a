//! Symlinks are never followed: every call through a name that is a symlink to outside acts
//! on the link itself or fails with the errno Linux gives.

mod common;

use common::{me, name, snapshot, Fixture};
use std::os::unix::fs::symlink;
use vfsbox_api::{
    Errno, FileKind, FileSystem, OpenFlags, RenameFlags, SetAttr, TimeSet, Timestamp,
};

fn setup() -> Fixture {
    let fx = Fixture::new();
    std::fs::write(fx.outside().join("secret"), b"SECRET").unwrap();
    symlink(fx.outside(), fx.root_path().join("dirlink")).unwrap();
    symlink(fx.outside().join("secret"), fx.root_path().join("filelink")).unwrap();
    fx
}

#[test]
fn lookup_and_getattr_describe_the_link() {
    let fx = setup();
    let root = fx.fs.root();
    let e = fx.lookup(root, "dirlink");
    assert_eq!(e.attr.kind, FileKind::Symlink);
    assert_eq!(e.attr.size, fx.outside().as_os_str().len() as u64);
    assert_eq!(fx.fs.getattr(e.node).unwrap().kind, FileKind::Symlink);
    assert_eq!(
        fx.fs.readlink(e.node).unwrap(),
        fx.outside().as_os_str().as_encoded_bytes()
    );
}

#[test]
fn names_under_a_symlink_are_enotdir() {
    let fx = setup();
    let link = fx.lookup(fx.fs.root(), "dirlink").node;
    let before = snapshot(&fx.outside());
    assert_eq!(fx.fs.lookup(link, name("secret")), Err(Errno::ENOTDIR));
    assert_eq!(
        fx.fs
            .create(link, name("new"), 0o644, OpenFlags::WRITE, me())
            .map(|_| ()),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(
        fx.fs.mkdir(link, name("d"), 0o755, me()).map(|_| ()),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(fx.fs.unlink(link, name("secret")), Err(Errno::ENOTDIR));
    assert_eq!(fx.fs.opendir(link), Err(Errno::ENOTDIR));
    assert_eq!(
        fx.fs.rename(
            link,
            name("secret"),
            fx.fs.root(),
            name("stolen"),
            RenameFlags::Replace
        ),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(snapshot(&fx.outside()), before);
}

#[test]
fn open_of_a_symlink_is_eloop() {
    let fx = setup();
    let root = fx.fs.root();
    let link = fx.lookup(root, "filelink").node;
    assert_eq!(fx.fs.open(link, OpenFlags::READ), Err(Errno::ELOOP));
    // create on an existing symlink name: exclusive is EEXIST, otherwise O_NOFOLLOW's ELOOP.
    let flags = OpenFlags::READ_WRITE;
    assert_eq!(
        fx.fs
            .create(
                root,
                name("filelink"),
                0o644,
                flags | OpenFlags::EXCLUSIVE,
                me()
            )
            .map(|_| ()),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        fx.fs
            .create(
                root,
                name("filelink"),
                0o644,
                flags | OpenFlags::TRUNCATE,
                me()
            )
            .map(|_| ()),
        Err(Errno::ELOOP)
    );
    assert_eq!(
        std::fs::read(fx.outside().join("secret")).unwrap(),
        b"SECRET"
    );
}

#[test]
fn setattr_on_a_symlink_changes_the_link_only() {
    let fx = setup();
    let before = snapshot(&fx.outside());
    let link = fx.lookup(fx.fs.root(), "filelink").node;
    let when = Timestamp::new(1_000_000, 5).unwrap();
    let changes = SetAttr {
        mtime: Some(TimeSet::At(when)),
        ..SetAttr::default()
    };
    assert_eq!(fx.fs.setattr(link, &changes, None).unwrap().mtime, when);
    let perm = SetAttr {
        perm: Some(0o600),
        ..SetAttr::default()
    };
    // lchmod: Linux has no mode on symlinks.
    assert_eq!(fx.fs.setattr(link, &perm, None), Err(Errno::EOPNOTSUPP));
    let size = SetAttr {
        size: Some(0),
        ..SetAttr::default()
    };
    assert_eq!(fx.fs.setattr(link, &size, None), Err(Errno::EINVAL));
    if fx.fs.capabilities().xattrs {
        assert_eq!(fx.fs.getxattr(link, b"user.x"), Err(Errno::ENODATA));
        assert_eq!(
            fx.fs
                .setxattr(link, b"user.x", b"v", vfsbox_api::XattrSet::Either),
            Err(Errno::EPERM)
        );
    }
    assert_eq!(snapshot(&fx.outside()), before);
}

#[test]
fn targets_are_stored_verbatim_and_never_resolved() {
    let fx = setup();
    let root = fx.fs.root();
    let target = b"../../../../etc/passwd";
    let e = fx.fs.symlink(root, name("up"), target, me()).unwrap();
    assert_eq!(e.attr.kind, FileKind::Symlink);
    assert_eq!(fx.fs.readlink(e.node).unwrap(), target);
    assert_eq!(
        std::fs::read_link(fx.root_path().join("up"))
            .unwrap()
            .as_os_str()
            .len(),
        target.len()
    );
    assert_eq!(
        fx.fs.symlink(root, name("empty"), b"", me()),
        Err(Errno::ENOENT)
    );
    assert_eq!(
        fx.fs.symlink(root, name("long"), &[b'a'; 4096], me()),
        Err(Errno::ENAMETOOLONG)
    );
    // Removing and renaming a link touch the link, never the target.
    let before = snapshot(&fx.outside());
    fx.fs
        .rename(
            root,
            name("dirlink"),
            root,
            name("moved"),
            RenameFlags::NoReplace,
        )
        .unwrap();
    fx.fs.unlink(root, name("moved")).unwrap();
    assert_eq!(fx.fs.rmdir(root, name("filelink")), Err(Errno::ENOTDIR));
    assert_eq!(snapshot(&fx.outside()), before);
}
