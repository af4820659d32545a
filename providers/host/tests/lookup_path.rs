//! `lookup_path`: the directories on the way walked by one confined `openat2`, the last name
//! by `statx`; anything it cannot answer exactly (a symlink on the way, one leading outside,
//! a held node, a search check) is left to the name-by-name walk.

mod common;

use common::{name, Fixture};
use vfsbox_api::{Errno, FileKind, FileSystem};

#[test]
fn attributes_of_a_deep_name_match_the_walk() {
    let fx = Fixture::new();
    let dir = fx.root_path();
    std::fs::create_dir_all(dir.join("a/b/c")).unwrap();
    std::fs::write(dir.join("a/b/c/f"), b"12345").unwrap();
    std::os::unix::fs::symlink("b", dir.join("a/link")).unwrap();
    std::os::unix::fs::symlink(fx.outside(), dir.join("a/out")).unwrap();
    let root = fx.fs.root();
    let path = [name("a"), name("b"), name("c"), name("f")];
    let quick = fx
        .fs
        .lookup_path(root, &path, None, false)
        .unwrap()
        .unwrap();
    let a = fx.lookup(root, "a");
    let b = fx.lookup(a.node, "b");
    let c = fx.lookup(b.node, "c");
    let f = fx.lookup(c.node, "f");
    assert_eq!(quick.attr, f.attr);
    assert_eq!(quick.attr.size, 5);
    // One name: a single statx.
    let one = fx
        .fs
        .lookup_path(root, &[name("a")], None, false)
        .unwrap()
        .unwrap();
    assert_eq!(one.attr, a.attr);
    // A missing last name is the walk's ENOENT.
    let missing = [name("a"), name("b"), name("nope")];
    assert_eq!(
        fx.fs.lookup_path(root, &missing, None, false),
        Some(Err(Errno::ENOENT))
    );
    // A last symlink is described, not followed.
    let link = fx
        .fs
        .lookup_path(root, &[name("a"), name("link")], None, false)
        .unwrap()
        .unwrap();
    assert_eq!(link.attr.kind, FileKind::Symlink);
    // Symlinks on the way (inside or to outside), missing directories, held nodes and search
    // checks: the name-by-name walk answers.
    for names in [
        &[name("a"), name("link"), name("c")][..],
        &[name("a"), name("out"), name("x")][..],
        &[name("a"), name("zz"), name("f")][..],
    ] {
        assert_eq!(fx.fs.lookup_path(root, names, None, false), None);
    }
    assert_eq!(fx.fs.lookup_path(root, &path, None, true), None);
    let mut allow = |_: &vfsbox_api::Attr| Ok(());
    assert_eq!(
        fx.fs.lookup_path(root, &path, Some(&mut allow), false),
        None
    );
}
