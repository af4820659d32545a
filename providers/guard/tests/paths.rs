//! Node paths: renames move verdicts, hard links get the strictest, counts are mirrored.

mod common;

use common::*;
use vfsbox_api::{Errno, FileSystem, OpenFlags, RenameFlags, SetAttr};
use vfsbox_guard::{Action, Op};

#[test]
fn directory_rename_keeps_the_verdicts_of_nodes_below() {
    // Moving a tree under a rule would change the verdicts below it: EXDEV (see rename.rs),
    // and the held nodes keep theirs.
    let fs = with_rules(
        &["/work", "/work/a", "/work/a/b"],
        &["/work/a/b/f"],
        vec![rule(
            "/**/ro/**",
            &[Op::Write, Op::Create],
            Action::ReadOnly,
        )],
    );
    let f = node(&fs, "/work/a/b/f");
    let b = node(&fs, "/work/a/b");
    let root = fs.root();
    let work = node(&fs, "/work");
    assert_eq!(
        fs.rename(work, n("a"), root, n("ro"), RenameFlags::Replace),
        Err(Errno::EXDEV)
    );
    let h = fs.open(f, OpenFlags::WRITE).unwrap();
    fs.release(h).unwrap();
    // A rename every rule sees alike passes, and the nodes below follow it: `/a2/b` is where
    // `b` is now, so a name made in it is checked there.
    fs.rename(work, n("a"), root, n("a2"), RenameFlags::Replace)
        .unwrap();
    let h = fs.open(f, OpenFlags::WRITE).unwrap();
    fs.release(h).unwrap();
    assert_eq!(fs.mkdir(b, n("ro"), 0o755, ME).unwrap_err(), Errno::EROFS);
    let x = fs.mkdir(b, n("x"), 0o755, ME).unwrap();
    assert_eq!(walk(&fs, "/a2/b/x").unwrap().node, x.node);
}

#[test]
fn exchange_across_regimes_is_refused_and_within_one_swaps_paths() {
    let fs = with_rules(
        &["/a", "/b"],
        &["/a/f", "/a/f2", "/b/g"],
        vec![rule("/b/*", &[Op::Write], EACCES)],
    );
    let (a, b) = (node(&fs, "/a"), node(&fs, "/b"));
    let f = node(&fs, "/a/f");
    let f2 = node(&fs, "/a/f2");
    let g = node(&fs, "/b/g");
    assert_eq!(fs.open(g, OpenFlags::WRITE), Err(Errno::EACCES));
    // Swapping f and g would make the protected g writable at /a/f.
    assert_eq!(
        fs.rename(a, n("f"), b, n("g"), RenameFlags::Exchange),
        Err(Errno::EXDEV)
    );
    assert_eq!(fs.open(g, OpenFlags::WRITE), Err(Errno::EACCES));
    fs.rename(a, n("f"), a, n("f2"), RenameFlags::Exchange)
        .unwrap();
    assert_eq!(fs.lookup(a, n("f")).unwrap().node, f2);
    assert_eq!(fs.lookup(a, n("f2")).unwrap().node, f);
    let h = fs.open(f, OpenFlags::WRITE).unwrap();
    fs.release(h).unwrap();
}

#[test]
fn renaming_the_read_only_tree_itself_is_refused() {
    let fs = with_rules(
        &["/a", "/ro"],
        &[],
        vec![rule("/ro/**", &[], Action::ReadOnly)],
    );
    let root = fs.root();
    assert_eq!(
        fs.rename(root, n("a"), root, n("ro"), RenameFlags::Exchange),
        Err(Errno::EROFS)
    );
    assert_eq!(
        fs.rename(root, n("ro"), root, n("b"), RenameFlags::Replace),
        Err(Errno::EROFS)
    );
}

#[test]
fn unlinked_and_renamed_files_follow_their_new_path() {
    let fs = with_rules(
        &["/a", "/ro"],
        &["/a/f"],
        vec![rule("/ro/**", &[], Action::ReadOnly)],
    );
    let f = node(&fs, "/a/f");
    let (a, ro) = (node(&fs, "/a"), node(&fs, "/ro"));
    // Renamed into /ro by the inner provider would be unseen; through the wrapper the
    // destination refuses.
    assert_eq!(
        fs.rename(a, n("f"), ro, n("f"), RenameFlags::Replace),
        Err(Errno::EROFS)
    );
    fs.rename(a, n("f"), a, n("g"), RenameFlags::Replace)
        .unwrap();
    assert_eq!(fs.lookup(a, n("f")).unwrap_err(), Errno::ENOENT);
    assert_eq!(fs.lookup(a, n("g")).unwrap().node, f);
    let h = fs.open(f, OpenFlags::WRITE).unwrap();
    fs.unlink(a, n("g")).unwrap();
    // The open handle and the held node keep working after the last name is gone.
    assert_eq!(fs.write(h, 0, b"xy"), Ok(2));
    fs.release(h).unwrap();
    assert_eq!(fs.getattr(f).unwrap().size, 4);
}

#[test]
fn hard_link_under_two_regimes_gets_the_most_restrictive() {
    let fs = with_rules(
        &["/open", "/locked", "/ro"],
        &["/open/f"],
        vec![
            rule("/locked/**", &[vfsbox_guard::Op::Chmod], EPERM),
            rule("/ro/**", &[], Action::ReadOnly),
        ],
    );
    let open_dir = node(&fs, "/open");
    let f = node(&fs, "/open/f");
    let chmod = SetAttr {
        perm: Some(0o600),
        ..SetAttr::default()
    };
    // Linked into /locked by the inner provider (no link rule there), then looked up there.
    let locked = node(&fs, "/locked");
    let e = fs.inner().link(f, locked, n("f")).unwrap();
    fs.inner().forget(e.node, 1);
    assert!(fs.setattr(f, &chmod, None).is_ok(), "one path: allowed");
    let again = fs.lookup(locked, n("f")).unwrap();
    assert_eq!(again.node, f);
    assert_eq!(fs.setattr(f, &chmod, None), Err(Errno::EPERM), "deny wins");
    // A third path under read-only: deny (EPERM) still outranks read-only.
    let ro = node(&fs, "/ro");
    let e = fs.inner().link(f, ro, n("f")).unwrap();
    fs.inner().forget(e.node, 1);
    fs.lookup(ro, n("f")).unwrap();
    assert_eq!(fs.setattr(f, &chmod, None), Err(Errno::EPERM));
    assert_eq!(
        fs.open(f, OpenFlags::WRITE),
        Err(Errno::EROFS),
        "read-only for writes"
    );
    // Removing the restrictive names restores the open path's verdicts.
    fs.inner().unlink(ro, n("f")).unwrap();
    fs.inner().unlink(locked, n("f")).unwrap();
    // (through the wrapper the removals would be refused; the table learns through it)
    let fs_names = names(&fs, open_dir);
    assert_eq!(fs_names, ["f"]);
}

#[test]
fn removing_a_link_through_the_wrapper_relaxes_the_node() {
    let fs = with_rules(
        &["/open", "/locked"],
        &["/open/f"],
        vec![rule("/locked/**", &[vfsbox_guard::Op::Write], EACCES)],
    );
    let f = node(&fs, "/open/f");
    let locked = node(&fs, "/locked");
    // The wrapper refuses a link between two regimes; one made beside it (a host tree's)
    // is learned by lookup.
    assert_eq!(fs.link(f, locked, n("f")), Err(Errno::EXDEV));
    let e = fs.inner().link(f, locked, n("f")).unwrap();
    fs.inner().forget(e.node, 1);
    fs.lookup(locked, n("f")).unwrap();
    assert_eq!(fs.open(f, OpenFlags::WRITE), Err(Errno::EACCES));
    fs.unlink(locked, n("f")).unwrap();
    let h = fs.open(f, OpenFlags::WRITE).unwrap();
    fs.release(h).unwrap();
}

#[test]
fn lookup_counts_are_mirrored_exactly() {
    let fs = with_rules(&["/d"], &["/d/f"], vec![rule("/x", &[], Action::Hide)]);
    let d = node(&fs, "/d");
    let f1 = fs.lookup(d, n("f")).unwrap().node;
    let f2 = fs.lookup(d, n("f")).unwrap().node;
    assert_eq!(f1, f2);
    fs.forget(f1, 1);
    assert!(fs.getattr(f1).is_ok(), "one lookup left");
    fs.forget(f1, 5);
    assert!(
        fs.getattr(f1).is_ok(),
        "a count larger than held is ignored"
    );
    fs.forget(f1, 1);
    assert_eq!(fs.getattr(f1), Err(Errno::ESTALE));
    assert_eq!(fs.inner().getattr(f1), Err(Errno::ESTALE), "forwarded");
}

#[test]
fn a_hidden_lookup_gives_its_count_back() {
    let fs = with_rules(&["/d"], &["/d/f"], vec![rule("/d/f", &[], Action::Hide)]);
    let d = node(&fs, "/d");
    let inner_f = fs.inner().lookup(d, n("f")).unwrap().node;
    assert_eq!(fs.lookup(d, n("f")).unwrap_err(), Errno::ENOENT);
    fs.inner().forget(inner_f, 1);
    assert_eq!(
        fs.inner().getattr(inner_f),
        Err(Errno::ESTALE),
        "the hidden lookup's count was returned to the inner provider"
    );
}
