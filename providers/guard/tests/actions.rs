//! Every action on every operation class over a memory provider, with exact errnos.

mod common;

use common::*;
use vfsbox_api::{
    Errno, FallocateMode, FileKind, FileSystem, OpenFlags, RenameFlags, SetAttr, TimeSet, XattrSet,
};
use vfsbox_guard::{Action, Op};

/// `/secret/` (with `key`), `/top`, and `/pub/`, `/ro/`, `/deny/`, `/perm/` (each with `f`
/// and `d/`).
fn tree(rules: Vec<vfsbox_guard::Rule>) -> vfsbox_guard::Guarded {
    with_rules(
        &[
            "/pub", "/pub/d", "/secret", "/ro", "/ro/d", "/deny", "/deny/d", "/perm", "/perm/d",
        ],
        &[
            "/pub/f",
            "/secret/key",
            "/top",
            "/ro/f",
            "/deny/f",
            "/perm/f",
        ],
        rules,
    )
}

fn standard() -> vfsbox_guard::Guarded {
    tree(vec![
        rule("/secret/**", &[], Action::Hide),
        rule("/ro/**", &[], Action::ReadOnly),
        rule("/deny/**", &[], EACCES),
        rule("/perm/**", &[], EPERM),
    ])
}

#[test]
fn hidden_paths_vanish() {
    let fs = standard();
    let root = fs.root();
    assert_eq!(fs.lookup(root, n("secret")).unwrap_err(), Errno::ENOENT);
    assert_eq!(names(&fs, root), ["deny", "perm", "pub", "ro", "top"]);
    // Removing or renaming a hidden name: it does not exist.
    assert_eq!(fs.unlink(root, n("secret")), Err(Errno::ENOENT));
    assert_eq!(fs.rmdir(root, n("secret")), Err(Errno::ENOENT));
    assert_eq!(
        fs.rename(root, n("secret"), root, n("x"), RenameFlags::Replace),
        Err(Errno::ENOENT)
    );
}

#[test]
fn making_a_hidden_name_is_eacces_whether_or_not_it_exists() {
    let fs = tree(vec![
        rule("/secret", &[], Action::Hide),
        rule("/pub/ghost", &[], Action::Hide),
    ]);
    let root = fs.root();
    let public = node(&fs, "/pub");
    // `/secret` exists, `/pub/ghost` does not: the same answer.
    assert_eq!(
        fs.mkdir(root, n("secret"), 0o755, ME).unwrap_err(),
        Errno::EACCES
    );
    assert_eq!(
        fs.mkdir(public, n("ghost"), 0o755, ME).unwrap_err(),
        Errno::EACCES
    );
    let mk = |dir, name| {
        fs.mknod(dir, n(name), FileKind::Fifo, 0o644, 0, ME)
            .unwrap_err()
    };
    assert_eq!(mk(root, "secret"), Errno::EACCES);
    assert_eq!(mk(public, "ghost"), Errno::EACCES);
    for flags in [OpenFlags::READ, OpenFlags::WRITE | OpenFlags::EXCLUSIVE] {
        assert_eq!(
            fs.create(root, n("secret"), 0o644, flags, ME).unwrap_err(),
            Errno::EACCES
        );
        assert_eq!(
            fs.create(public, n("ghost"), 0o644, flags, ME).unwrap_err(),
            Errno::EACCES
        );
    }
    assert_eq!(
        fs.symlink(root, n("secret"), b"x", ME).unwrap_err(),
        Errno::EACCES
    );
    let f = node(&fs, "/pub/f");
    assert_eq!(fs.link(f, root, n("secret")).unwrap_err(), Errno::EACCES);
    assert_eq!(fs.link(f, public, n("ghost")).unwrap_err(), Errno::EACCES);
    assert_eq!(
        fs.rename(public, n("f"), root, n("secret"), RenameFlags::Replace),
        Err(Errno::EACCES)
    );
    assert_eq!(
        fs.rename(public, n("f"), public, n("ghost"), RenameFlags::NoReplace),
        Err(Errno::EACCES)
    );
    // Nothing was made.
    assert_eq!(names(&fs, public), ["d", "f"]);
}

#[test]
fn hiding_a_directory_hides_everything_below() {
    let fs = tree(vec![rule("/secret", &[], Action::Hide)]);
    assert_eq!(walk(&fs, "/secret/key").unwrap_err(), Errno::ENOENT);
}

/// One call of each class on `/<dir>/f` (a file) and `/<dir>/d` (a directory), and the
/// errno it gets.
fn each_class(fs: &dyn FileSystem, dir: &str) -> Vec<(&'static str, Result<(), Errno>)> {
    let d = node(fs, &format!("/{dir}"));
    let f = node(fs, &format!("/{dir}/f"));
    let sub = node(fs, &format!("/{dir}/d"));
    let keep = |r: Result<vfsbox_api::Entry, Errno>| r.map(|e| fs.forget(e.node, 1));
    let close = |r: Result<vfsbox_api::HandleId, Errno>| r.map(|h| fs.release(h).unwrap());
    vec![
        ("read", close(fs.open(f, OpenFlags::READ))),
        (
            "opendir",
            fs.opendir(sub).map(|h| fs.releasedir(h).unwrap()),
        ),
        ("write", close(fs.open(f, OpenFlags::WRITE))),
        (
            "trunc",
            close(fs.open(f, OpenFlags::READ | OpenFlags::TRUNCATE)),
        ),
        (
            "size",
            fs.setattr(
                f,
                &SetAttr {
                    size: Some(1),
                    ..SetAttr::default()
                },
                None,
            )
            .map(drop),
        ),
        (
            "utimens",
            fs.setattr(
                f,
                &SetAttr {
                    mtime: Some(TimeSet::Now),
                    ..SetAttr::default()
                },
                None,
            )
            .map(drop),
        ),
        ("mkdir", keep(fs.mkdir(d, n("new"), 0o755, ME))),
        (
            "mknod",
            keep(fs.mknod(d, n("fifo"), FileKind::Fifo, 0o644, 0, ME)),
        ),
        (
            "create",
            fs.create(d, n("c"), 0o644, OpenFlags::WRITE, ME)
                .map(|(e, h)| {
                    fs.release(h).unwrap();
                    fs.forget(e.node, 1);
                }),
        ),
        ("symlink", keep(fs.symlink(d, n("sl"), b"f", ME))),
        ("link", keep(fs.link(f, d, n("hard")))),
        (
            "chmod",
            fs.setattr(
                f,
                &SetAttr {
                    perm: Some(0o600),
                    ..SetAttr::default()
                },
                None,
            )
            .map(drop),
        ),
        (
            "chown",
            fs.setattr(
                f,
                &SetAttr {
                    uid: Some(7),
                    ..SetAttr::default()
                },
                None,
            )
            .map(drop),
        ),
        (
            "getxattr",
            fs.getxattr(f, b"user.a").map(drop).or_else(|e| match e {
                Errno::ENODATA => Ok(()),
                e => Err(e),
            }),
        ),
        (
            "setxattr",
            fs.setxattr(f, b"user.a", b"1", XattrSet::Either),
        ),
        ("listxattr", fs.listxattr(f).map(drop)),
        (
            "rename",
            fs.rename(d, n("f"), d, n("g"), RenameFlags::Replace)
                .and_then(|()| fs.rename(d, n("g"), d, n("f"), RenameFlags::Replace)),
        ),
        ("unlink", fs.unlink(d, n("f"))),
        ("rmdir", fs.rmdir(d, n("d"))),
    ]
}

fn expect(fs: &dyn FileSystem, dir: &str, refused: &[&str], errno: Errno) {
    for (call, result) in each_class(fs, dir) {
        let expected = if refused.contains(&call) {
            Err(errno)
        } else {
            Ok(())
        };
        assert_eq!(result, expected, "{call} in /{dir}");
    }
}

const MUTATING: &[&str] = &[
    "write", "trunc", "size", "utimens", "mkdir", "mknod", "create", "symlink", "link", "chmod",
    "chown", "setxattr", "rename", "unlink", "rmdir",
];
const ALL: &[&str] = &[
    "read",
    "opendir",
    "write",
    "trunc",
    "size",
    "utimens",
    "mkdir",
    "mknod",
    "create",
    "symlink",
    "link",
    "chmod",
    "chown",
    "getxattr",
    "setxattr",
    "listxattr",
    "rename",
    "unlink",
    "rmdir",
];

#[test]
fn allow_passes_everything() {
    let fs = tree(vec![rule("/pub/**", &[], Action::Allow)]);
    expect(&fs, "pub", &[], Errno::EACCES);
}

#[test]
fn read_only_refuses_every_mutation_with_erofs() {
    expect(&standard(), "ro", MUTATING, Errno::EROFS);
}

#[test]
fn deny_refuses_everything_with_its_errno() {
    let fs = standard();
    expect(&fs, "deny", ALL, Errno::EACCES);
    expect(&fs, "perm", ALL, Errno::EPERM);
}

#[test]
fn each_class_alone() {
    let table: &[(Op, &[&str])] = &[
        (Op::Read, &["read", "opendir", "trunc"]),
        (Op::Write, &["write", "trunc", "size", "utimens"]),
        (Op::Create, &["mkdir", "mknod", "create"]),
        (Op::Delete, &["unlink", "rmdir"]),
        (Op::Rename, &["rename"]),
        (Op::Link, &["link"]),
        (Op::Symlink, &["symlink"]),
        (Op::Chmod, &["chmod"]),
        (Op::Chown, &["chown"]),
        (Op::Xattr, &["getxattr", "setxattr", "listxattr"]),
        (Op::Exec, &[]),
    ];
    for &(op, refused) in table {
        let fs = tree(vec![rule("/deny/**", &[op], EPERM)]);
        for (call, result) in each_class(&fs, "deny") {
            let expected = if refused.contains(&call) {
                Err(Errno::EPERM)
            } else {
                Ok(())
            };
            assert_eq!(result, expected, "{call} under a deny of {op}");
        }
    }
}

#[test]
fn readlink_is_read() {
    let fs = tree(vec![rule("/deny/**", &[Op::Read], EACCES)]);
    let d = node(&fs, "/deny");
    let sl = fs.symlink(d, n("sl"), b"f", ME).unwrap().node;
    assert_eq!(fs.readlink(sl), Err(Errno::EACCES));
    // lookup, getattr and statfs are never refused.
    assert!(fs.getattr(sl).is_ok());
    assert!(fs.statfs(sl).is_ok());
}

#[test]
fn refusals_keep_linux_precedence() {
    let fs = standard();
    for dir in ["ro", "deny"] {
        let d = node(&fs, &format!("/{dir}"));
        let f = node(&fs, &format!("/{dir}/f"));
        let errno = if dir == "ro" {
            Errno::EROFS
        } else {
            Errno::EACCES
        };
        assert_eq!(fs.mkdir(d, n("f"), 0o755, ME).unwrap_err(), Errno::EEXIST);
        assert_eq!(fs.mkdir(d, n("new"), 0o755, ME).unwrap_err(), errno);
        assert_eq!(fs.mkdir(f, n("x"), 0o755, ME).unwrap_err(), Errno::ENOTDIR);
        assert_eq!(fs.symlink(d, n("sl"), b"", ME).unwrap_err(), Errno::ENOENT);
        assert_eq!(
            fs.mknod(d, n("x"), FileKind::Directory, 0o755, 0, ME)
                .unwrap_err(),
            Errno::EPERM
        );
        assert_eq!(
            fs.create(
                d,
                n("f"),
                0o644,
                OpenFlags::WRITE | OpenFlags::EXCLUSIVE,
                ME
            )
            .unwrap_err(),
            Errno::EEXIST
        );
        let sub = node(&fs, &format!("/{dir}/d"));
        assert_eq!(fs.open(sub, OpenFlags::WRITE), Err(Errno::EISDIR));
        assert_eq!(
            fs.setattr(
                sub,
                &SetAttr {
                    size: Some(0),
                    ..SetAttr::default()
                },
                None
            ),
            Err(Errno::EISDIR)
        );
    }
    // Removing a missing name under deny: ENOENT first; read-only: EROFS first.
    let deny = node(&fs, "/deny");
    assert_eq!(fs.unlink(deny, n("missing")), Err(Errno::ENOENT));
    let ro = node(&fs, "/ro");
    assert_eq!(fs.unlink(ro, n("missing")), Err(Errno::EROFS));
    // An empty change passes (utimensat with both times omitted).
    let f = node(&fs, "/deny/f");
    assert!(fs.setattr(f, &SetAttr::default(), None).is_ok());
}

#[test]
fn rename_needs_both_paths() {
    let fs = standard();
    let public = node(&fs, "/pub");
    let ro = node(&fs, "/ro");
    let deny = node(&fs, "/deny");
    assert_eq!(
        fs.rename(public, n("f"), ro, n("g"), RenameFlags::Replace),
        Err(Errno::EROFS)
    );
    assert_eq!(
        fs.rename(deny, n("f"), public, n("g"), RenameFlags::Replace),
        Err(Errno::EACCES)
    );
    assert_eq!(
        fs.rename(public, n("f"), deny, n("g"), RenameFlags::Replace),
        Err(Errno::EACCES)
    );
    assert_eq!(names(&fs, public), ["d", "f"]);
}

#[test]
fn read_only_lets_special_files_open_for_writing() {
    let fs = standard();
    let ro = node(&fs, "/ro");
    // Made before the rule applies: through the inner provider.
    let fifo = fs
        .inner()
        .mknod(ro, n("fifo"), FileKind::Fifo, 0o644, 0, ME)
        .unwrap();
    fs.inner().forget(fifo.node, 1);
    let e = fs.lookup(ro, n("fifo")).unwrap();
    match fs.open(e.node, OpenFlags::WRITE | OpenFlags::NONBLOCK) {
        Ok(h) => fs.release(h).unwrap(),
        Err(e) => assert_eq!(e, Errno::ENXIO, "the inner provider's own answer"),
    }
}

#[test]
fn exec_deny_clears_x_bits_of_regular_files() {
    let fs = tree(vec![rule("/deny/**", &[Op::Exec], EACCES)]);
    let f = walk(&fs, "/deny/f").unwrap();
    assert_eq!(f.attr.perm, 0o644, "lookup");
    assert_eq!(fs.getattr(f.node).unwrap().perm, 0o644, "getattr");
    let changed = fs
        .setattr(
            f.node,
            &SetAttr {
                perm: Some(0o4775),
                ..SetAttr::default()
            },
            None,
        )
        .unwrap();
    assert_eq!(changed.perm, 0o4664, "setattr");
    assert_eq!(
        fs.inner().getattr(f.node).unwrap().perm,
        0o4775,
        "kept inside"
    );
    let d = node(&fs, "/deny");
    assert_eq!(
        fs.getattr(d).unwrap().perm,
        0o755,
        "directories keep theirs"
    );
    let (created, h) = fs.create(d, n("new"), 0o755, OpenFlags::WRITE, ME).unwrap();
    fs.release(h).unwrap();
    assert_eq!(created.attr.perm, 0o644, "create");
    // Elsewhere, untouched.
    assert_eq!(walk(&fs, "/pub/f").unwrap().attr.perm, 0o755);
    // Exec denied, everything else allowed.
    assert!(fs.open(f.node, OpenFlags::READ_WRITE).is_ok());
}

#[test]
fn fallocate_needs_a_writable_handle_checked_at_open() {
    let fs = standard();
    let f = node(&fs, "/ro/f");
    let h = fs.open(f, OpenFlags::READ).unwrap();
    assert_eq!(
        fs.fallocate(h, FallocateMode::Allocate, 0, 10),
        Err(Errno::EBADF)
    );
}
