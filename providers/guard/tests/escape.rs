//! Adversarial review of the guard: attempts to get around a rule — hard links, renames,
//! symbolic links, `..`, readdir cookies, handles kept across a rename, attribute changes
//! through a descriptor, xattrs, special files, `O_TRUNC`, the `lookup_path` shortcut,
//! passthrough and the limits — each with the exact errno that closes the door. Raw
//! provider calls stand for a FUSE client (the kernel forwards them as they are); the
//! `Emulated` tests go through the emulated layer's resolver as sandboxed code would.

mod common;

use common::*;
use std::sync::Arc;
use vfsbox_api::{
    Errno, FallocateMode, FileKind, FileSystem, OpenFlags, Posix, RenameFlags, SetAttr, XattrSet,
};
use vfsbox_emulation::Emulated;
use vfsbox_guard::{Action, Guard, Guarded, Limits, Op, Rules, SymlinkMode};

/// `/secret/**` hidden, `/ro/**` read-only, `/locked/**` denied write/create/delete only,
/// `/noexec/**` exec denied; `/pub` free.
fn tree() -> Guarded {
    with_rules(
        &["/pub", "/secret", "/ro", "/locked", "/noexec"],
        &[
            "/pub/a",
            "/secret/key",
            "/ro/f",
            "/locked/f",
            "/noexec/tool",
        ],
        vec![
            rule("/secret/**", &[], Action::Hide),
            rule("/ro/**", &[], Action::ReadOnly),
            rule("/locked/**", &[Op::Write, Op::Create, Op::Delete], EACCES),
            rule("/noexec/**", &[Op::Exec], EACCES),
        ],
    )
}

fn emulated(fs: Guarded) -> Emulated {
    Emulated::new(Arc::new(fs))
}

// ---------------------------------------------------------------------------------------
// Hard links

/// Linking a protected file to a free name would leave its content reachable by a path no
/// rule covers (for good once the node table forgets the node, or in the next session):
/// a link between two regimes is `EXDEV`, in both directions, after `EEXIST`.
#[test]
fn link_across_a_rule_boundary_is_exdev() {
    let fs = tree();
    let pubd = node(&fs, "/pub");
    let locked = node(&fs, "/locked");
    let lf = node(&fs, "/locked/f");
    let a = node(&fs, "/pub/a");
    assert_eq!(
        fs.link(lf, pubd, n("g")),
        Err(Errno::EXDEV),
        "out of /locked"
    );
    assert_eq!(
        fs.link(a, locked, n("g")),
        Err(Errno::EXDEV),
        "into /locked"
    );
    assert_eq!(
        fs.link(lf, pubd, n("a")),
        Err(Errno::EEXIST),
        "EEXIST first"
    );
    let tool = node(&fs, "/noexec/tool");
    assert_eq!(
        fs.link(tool, pubd, n("t")),
        Err(Errno::EXDEV),
        "exec-denied out"
    );
    // Read-only covers link itself: EROFS, as before.
    let ro = node(&fs, "/ro/f");
    assert_eq!(fs.link(ro, pubd, n("r")), Err(Errno::EROFS));
    // Same regime: allowed.
    let e = fs.link(a, pubd, n("b")).unwrap();
    assert_eq!(e.node, a);
    let e = fs.link(lf, locked, n("g")).unwrap();
    assert_eq!(e.node, lf);
    assert_eq!(walk(&fs, "/pub/g"), Err(Errno::ENOENT));
}

/// The motivating case: had the link been made, forgetting the node (and the table's
/// sweep of idle entries) would have lost the protected path's verdicts. With the link
/// refused, churning the table changes nothing.
#[test]
fn protection_survives_forgetting_every_node() {
    let fs = tree();
    let pubd = node(&fs, "/pub");
    let lf = walk(&fs, "/locked/f").unwrap().node;
    assert_eq!(fs.link(lf, pubd, n("g")), Err(Errno::EXDEV));
    fs.forget(lf, 1);
    for i in 0..5000 {
        let (e, h) = fs
            .create(pubd, n(&format!("c{i}")), 0o644, OpenFlags::WRITE, ME)
            .unwrap();
        fs.release(h).unwrap();
        fs.forget(e.node, 1);
    }
    let lf = node(&fs, "/locked/f");
    assert_eq!(fs.open(lf, OpenFlags::WRITE), Err(Errno::EACCES));
}

/// A hidden source cannot be named; a guessed inner node id is `ESTALE` for every node
/// call (FUSE clients and the emulated layer only hold ids the guard handed out).
#[test]
fn hidden_nodes_by_guessed_id_are_estale() {
    let mem = vfsbox_memory::MemoryFs::new();
    populate(&mem, &["/secret", "/pub"], &["/secret/key"]);
    let secret = mem.lookup(mem.root(), n("secret")).unwrap().node;
    let key = mem.lookup(secret, n("key")).unwrap().node;
    let fs = Guarded::new(
        Arc::new(mem),
        Guard {
            rules: Rules::new(vec![rule("/secret/**", &[], Action::Hide)]),
            ..Guard::default()
        },
    );
    let pubd = node(&fs, "/pub");
    assert_eq!(fs.link(key, pubd, n("k")), Err(Errno::ESTALE));
    assert_eq!(fs.open(key, OpenFlags::READ), Err(Errno::ESTALE));
    assert_eq!(fs.opendir(secret), Err(Errno::ESTALE));
    assert_eq!(fs.lookup(secret, n("key")), Err(Errno::ESTALE));
    assert_eq!(fs.getxattr(key, b"user.x"), Err(Errno::ESTALE));
    assert_eq!(fs.listxattr(key), Err(Errno::ESTALE));
    assert_eq!(
        fs.setxattr(key, b"user.x", b"v", XattrSet::Either),
        Err(Errno::ESTALE)
    );
    let size = SetAttr {
        size: Some(0),
        ..SetAttr::default()
    };
    assert_eq!(fs.setattr(key, &size, None), Err(Errno::ESTALE));
    assert_eq!(fs.readlink(key), Err(Errno::ESTALE));
    assert_eq!(
        fs.rename(secret, n("key"), pubd, n("k"), RenameFlags::Replace),
        Err(Errno::ESTALE)
    );
    assert_eq!(fs.mkdir(secret, n("d"), 0o755, ME), Err(Errno::ESTALE));
}

/// Hard links that exist before the sandbox starts (a host tree) are one node reached by
/// two paths: once both are known, every node call — including `create` of the existing
/// free name with `O_TRUNC` — gets the stricter verdict.
#[test]
fn a_pre_existing_link_is_protected_through_its_free_name() {
    let mem = vfsbox_memory::MemoryFs::new();
    populate(&mem, &["/pub", "/locked"], &["/locked/f"]);
    let locked = mem.lookup(mem.root(), n("locked")).unwrap().node;
    let pubd = mem.lookup(mem.root(), n("pub")).unwrap().node;
    let f = mem.lookup(locked, n("f")).unwrap().node;
    mem.link(f, pubd, n("g")).unwrap();
    for node in [locked, pubd, f, f] {
        mem.forget(node, 1);
    }
    let fs = Guarded::new(
        Arc::new(mem),
        Guard {
            rules: Rules::new(vec![rule(
                "/locked/**",
                &[Op::Write, Op::Create, Op::Delete],
                EACCES,
            )]),
            ..Guard::default()
        },
    );
    let g = node(&fs, "/pub/g");
    node(&fs, "/locked/f");
    assert_eq!(fs.open(g, OpenFlags::WRITE), Err(Errno::EACCES));
    let pubd = node(&fs, "/pub");
    assert_eq!(
        fs.create(
            pubd,
            n("g"),
            0o644,
            OpenFlags::WRITE | OpenFlags::TRUNCATE,
            ME
        )
        .map(|_| ()),
        Err(Errno::EACCES),
        "create of the existing free name must not truncate the protected node"
    );
    let h = fs.open(g, OpenFlags::READ).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(fs.read(h, 0, &mut buf), Ok(4), "content intact");
    fs.release(h).unwrap();
}

// ---------------------------------------------------------------------------------------
// Renames

#[test]
fn renames_onto_or_out_of_hidden_names() {
    let fs = tree();
    let pubd = node(&fs, "/pub");
    let secret = fs.inner().lookup(fs.inner().root(), n("secret")).unwrap();
    // The guard never handed out /secret: it cannot be a rename's directory.
    assert_eq!(
        fs.rename(pubd, n("a"), secret.node, n("key"), RenameFlags::Replace),
        Err(Errno::ESTALE)
    );
    fs.inner().forget(secret.node, 1);
    let root = fs.root();
    // Onto the hidden directory's name: EACCES (never EEXIST), whatever the flags.
    for flags in [
        RenameFlags::Replace,
        RenameFlags::NoReplace,
        RenameFlags::Exchange,
    ] {
        assert_eq!(
            fs.rename(root, n("pub"), root, n("secret"), flags),
            Err(Errno::EACCES),
            "{flags:?}"
        );
    }
    // Out of a hidden name: ENOENT (it does not exist for the sandbox).
    assert_eq!(
        fs.rename(root, n("secret"), root, n("x"), RenameFlags::Replace),
        Err(Errno::ENOENT)
    );
    assert_eq!(
        fs.rename(root, n("secret"), root, n("pub"), RenameFlags::Exchange),
        Err(Errno::ENOENT)
    );
}

/// A rule on one exact path below a directory (no `**`): moving the directory would leave
/// the path uncovered, so the move is `EXDEV`; so is an exchange with a directory.
#[test]
fn moving_a_parent_of_an_exact_path_rule_is_exdev() {
    let fs = with_rules(
        &["/proj", "/proj/.env.d", "/other"],
        &["/proj/.env", "/proj/main.c"],
        vec![
            rule("/proj/.env", &[], Action::Hide),
            rule("/proj/main.c", &[], Action::ReadOnly),
        ],
    );
    let root = fs.root();
    assert_eq!(
        fs.rename(root, n("proj"), root, n("moved"), RenameFlags::Replace),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        fs.rename(root, n("proj"), root, n("other"), RenameFlags::Exchange),
        Err(Errno::EXDEV)
    );
    // A file moved by itself is checked at both names: read-only source, EROFS.
    let proj = node(&fs, "/proj");
    assert_eq!(
        fs.rename(proj, n("main.c"), root, n("main.c"), RenameFlags::Replace),
        Err(Errno::EROFS)
    );
    assert_eq!(walk(&fs, "/moved"), Err(Errno::ENOENT));
    assert_eq!(walk(&fs, "/proj/.env"), Err(Errno::ENOENT));
}

/// Making a file where it is allowed, then moving it into a read-only or hidden place.
#[test]
fn create_then_rename_into_a_protected_directory() {
    let fs = tree();
    let pubd = node(&fs, "/pub");
    let ro = node(&fs, "/ro");
    let root = fs.root();
    let (e, h) = fs
        .create(pubd, n("new"), 0o644, OpenFlags::WRITE, ME)
        .unwrap();
    fs.release(h).unwrap();
    assert_eq!(
        fs.rename(pubd, n("new"), ro, n("f"), RenameFlags::Replace),
        Err(Errno::EROFS),
        "over a read-only file"
    );
    assert_eq!(
        fs.rename(pubd, n("new"), ro, n("g"), RenameFlags::Replace),
        Err(Errno::EROFS),
        "to a new read-only name"
    );
    assert_eq!(
        fs.rename(pubd, n("new"), ro, n("f"), RenameFlags::Exchange),
        Err(Errno::EROFS)
    );
    assert_eq!(
        fs.rename(pubd, n("new"), root, n("secret"), RenameFlags::Replace),
        Err(Errno::EACCES),
        "onto a hidden name"
    );
    fs.forget(e.node, 1);
}

/// `/locked` denies write, create and delete but not rename: moving a file in is allowed,
/// and from then on the file is `/locked`'s — opening it for writing is refused, and so is
/// a truncate through a handle opened before the move (the node's verdicts are checked at
/// each setattr). A write through that earlier handle still lands, as an open descriptor
/// survives `chmod` on Linux: rules are checked at `open`.
#[test]
fn a_handle_kept_across_a_rename_into_a_denied_place() {
    let fs = tree();
    let pubd = node(&fs, "/pub");
    let locked = node(&fs, "/locked");
    let (e, h) = fs
        .create(pubd, n("mine"), 0o644, OpenFlags::READ_WRITE, ME)
        .unwrap();
    // Through the guard the move itself is refused: the file would change regime.
    assert_eq!(
        fs.rename(pubd, n("mine"), locked, n("mine"), RenameFlags::Replace),
        Err(Errno::EXDEV)
    );
    // Moved behind the guard's back (a host process), then found at its new place.
    fs.inner()
        .rename(pubd, n("mine"), locked, n("mine"), RenameFlags::Replace)
        .unwrap();
    let found = fs.lookup(locked, n("mine")).unwrap();
    assert_eq!(found.node, e.node);
    fs.forget(found.node, 1);
    assert_eq!(fs.open(e.node, OpenFlags::WRITE), Err(Errno::EACCES));
    let size = SetAttr {
        size: Some(0),
        ..SetAttr::default()
    };
    assert_eq!(fs.setattr(e.node, &size, Some(h)), Err(Errno::EACCES));
    assert_eq!(fs.write(h, 0, b"x"), Ok(1), "checked at open");
    fs.release(h).unwrap();
    // And out again: delete is denied, but rename is not.
    assert_eq!(fs.unlink(locked, n("mine")), Err(Errno::EACCES));
}

/// `fchmod`/`ftruncate` through a descriptor opened before a rule-relevant change still
/// meet the node's verdicts.
#[test]
fn setattr_through_an_old_handle() {
    let fs = with_rules(
        &["/perm"],
        &["/perm/f"],
        vec![rule("/perm/**", &[Op::Chmod, Op::Chown], EPERM)],
    );
    let f = node(&fs, "/perm/f");
    let h = fs.open(f, OpenFlags::READ_WRITE).unwrap();
    let chmod = SetAttr {
        perm: Some(0o777),
        ..SetAttr::default()
    };
    let chown = SetAttr {
        uid: Some(1),
        ..SetAttr::default()
    };
    assert_eq!(fs.setattr(f, &chmod, Some(h)), Err(Errno::EPERM));
    assert_eq!(fs.setattr(f, &chown, Some(h)), Err(Errno::EPERM));
    // The node forgotten while the handle lives: the handle's verdicts.
    fs.forget(f, 1);
    assert_eq!(fs.setattr(f, &chmod, Some(h)), Err(Errno::EPERM));
    fs.release(h).unwrap();
}

// ---------------------------------------------------------------------------------------
// Opens, special files, xattrs, readdir

#[test]
fn truncation_of_a_read_only_file() {
    let fs = tree();
    let f = node(&fs, "/ro/f");
    let ro = node(&fs, "/ro");
    assert_eq!(
        fs.open(f, OpenFlags::READ | OpenFlags::TRUNCATE),
        Err(Errno::EROFS),
        "O_RDONLY|O_TRUNC"
    );
    assert_eq!(
        fs.create(
            ro,
            n("f"),
            0o644,
            OpenFlags::WRITE | OpenFlags::TRUNCATE,
            ME
        )
        .map(|_| ()),
        Err(Errno::EROFS)
    );
    assert_eq!(
        fs.create(
            ro,
            n("f"),
            0o644,
            OpenFlags::WRITE | OpenFlags::EXCLUSIVE,
            ME
        )
        .map(|_| ()),
        Err(Errno::EEXIST)
    );
    let size = SetAttr {
        size: Some(0),
        ..SetAttr::default()
    };
    assert_eq!(fs.setattr(f, &size, None), Err(Errno::EROFS));
    let h = fs.open(f, OpenFlags::READ).unwrap();
    assert_eq!(fs.setattr(f, &size, Some(h)), Err(Errno::EROFS));
    assert_eq!(
        fs.fallocate(h, FallocateMode::Allocate, 0, 10),
        Err(Errno::EBADF)
    );
    assert_eq!(fs.write(h, 0, b"x"), Err(Errno::EBADF));
    fs.release(h).unwrap();
    let h = fs.open(f, OpenFlags::READ).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(fs.read(h, 0, &mut buf), Ok(4));
    fs.release(h).unwrap();
}

#[test]
fn special_files_in_protected_places() {
    let fs = tree();
    let ro = node(&fs, "/ro");
    let locked = node(&fs, "/locked");
    let root = fs.root();
    assert_eq!(
        fs.mknod(ro, n("fifo"), FileKind::Fifo, 0o644, 0, ME),
        Err(Errno::EROFS)
    );
    assert_eq!(
        fs.mknod(locked, n("fifo"), FileKind::Fifo, 0o644, 0, ME),
        Err(Errno::EACCES)
    );
    assert_eq!(
        fs.mknod(root, n("secret"), FileKind::Fifo, 0o644, 0, ME),
        Err(Errno::EACCES),
        "a hidden name: EACCES, not EEXIST"
    );
    assert_eq!(fs.mkdir(root, n("secret"), 0o755, ME), Err(Errno::EACCES));
    assert_eq!(
        fs.symlink(root, n("secret"), b"pub", ME),
        Err(Errno::EACCES)
    );
    assert_eq!(fs.symlink(ro, n("l"), b"f", ME), Err(Errno::EROFS));
}

#[test]
fn xattrs_of_protected_nodes() {
    let fs = tree();
    let f = node(&fs, "/ro/f");
    assert_eq!(
        fs.setxattr(f, b"user.a", b"v", XattrSet::Either),
        Err(Errno::EROFS)
    );
    assert_eq!(fs.removexattr(f, b"user.a"), Err(Errno::EROFS));
    assert_eq!(fs.getxattr(f, b"user.a"), Err(Errno::ENODATA));
    assert_eq!(fs.listxattr(f), Ok(Vec::new()));
    let fs = with_rules(&["/x"], &["/x/f"], vec![rule("/x/**", &[Op::Xattr], EPERM)]);
    let f = node(&fs, "/x/f");
    assert_eq!(fs.getxattr(f, b"user.a"), Err(Errno::EPERM));
    assert_eq!(fs.listxattr(f), Err(Errno::EPERM));
    assert_eq!(
        fs.setxattr(f, b"user.a", b"v", XattrSet::Either),
        Err(Errno::EPERM)
    );
}

/// Resuming a listing from any cookie never yields a hidden entry, and every visible one
/// comes exactly once.
#[test]
fn readdir_cookies_never_reveal_hidden_entries() {
    let names_: Vec<String> = (0..40).map(|i| format!("e{i:02}")).collect();
    let files: Vec<String> = names_.iter().map(|s| format!("/d/{s}")).collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let fs = with_rules(
        &["/d"],
        &files,
        vec![rule("/d/e?[02468]", &[], Action::Hide)],
    );
    let d = node(&fs, "/d");
    let h = fs.opendir(d).unwrap();
    let mut seen = Vec::new();
    let mut cookie = 0;
    loop {
        let mut next = None;
        fs.readdir(h, cookie, &mut |e| {
            next = Some((e.name.to_string_lossy().into_owned(), e.cookie));
            false
        })
        .unwrap();
        let Some((name, c)) = next else { break };
        seen.push(name);
        cookie = c;
    }
    fs.releasedir(h).unwrap();
    let visible: Vec<&String> = seen.iter().filter(|s| !s.starts_with('.')).collect();
    let expected: Vec<&String> = names_.iter().filter(|s| s.as_bytes()[2] % 2 == 1).collect();
    assert_eq!(visible, expected);
    assert_eq!(walk(&fs, "/d/e02"), Err(Errno::ENOENT));
}

/// The guard keeps `lookup_path`'s default: a walk in one call would skip its per-name
/// hide checks.
#[test]
fn lookup_path_is_not_a_shortcut() {
    let fs = tree();
    let root = fs.root();
    for hold in [false, true] {
        assert!(fs
            .lookup_path(root, &[n("secret"), n("key")], None, hold)
            .is_none());
        assert!(fs
            .lookup_path(root, &[n("pub"), n("a")], None, hold)
            .is_none());
    }
}

// ---------------------------------------------------------------------------------------
// Limits

fn limited(limits: Limits) -> Guarded {
    guarded(
        &["/d"],
        &["/d/f"],
        Guard {
            limits,
            ..Guard::default()
        },
    )
}

#[test]
fn file_size_cannot_be_passed_by_setattr_fallocate_or_offsets() {
    let fs = limited(Limits {
        max_file_size: Some(100),
        ..Limits::default()
    });
    let f = node(&fs, "/d/f");
    let h = fs.open(f, OpenFlags::READ_WRITE).unwrap();
    let size = |s| SetAttr {
        size: Some(s),
        ..SetAttr::default()
    };
    assert_eq!(
        fs.setattr(f, &size(101), Some(h)).map(|_| ()),
        Err(Errno::EFBIG)
    );
    assert_eq!(
        fs.setattr(f, &size(101), None).map(|_| ()),
        Err(Errno::EFBIG)
    );
    assert_eq!(fs.setattr(f, &size(100), None).map(|a| a.size), Ok(100));
    assert_eq!(
        fs.fallocate(h, FallocateMode::Allocate, 50, 51),
        Err(Errno::EFBIG)
    );
    // KEEP_SIZE leaves the size but takes the blocks: a 4-byte file held 64 MiB.
    assert_eq!(
        fs.fallocate(h, FallocateMode::KeepSize, 0, 64 << 20),
        Err(Errno::EFBIG)
    );
    assert_eq!(fs.fallocate(h, FallocateMode::KeepSize, 0, 100), Ok(()));
    assert_eq!(
        fs.fallocate(h, FallocateMode::PunchHole, 0, 64 << 20),
        Ok(()),
        "punching frees, never refused"
    );
    assert_eq!(
        fs.fallocate(h, FallocateMode::Allocate, u64::MAX - 1, 10),
        Err(Errno::EFBIG),
        "offset + len overflowing"
    );
    assert_eq!(fs.write(h, 100, b"x"), Err(Errno::EFBIG));
    assert_eq!(fs.write(h, u64::MAX - 1, b"xy"), Err(Errno::EFBIG));
    assert_eq!(
        fs.write(h, 98, b"xyz"),
        Ok(2),
        "short write up to the limit"
    );
    fs.release(h).unwrap();
    // Append: the size, not the offset, decides.
    let h = fs.open(f, OpenFlags::WRITE | OpenFlags::APPEND).unwrap();
    assert_eq!(fs.write(h, 0, b"z"), Err(Errno::EFBIG));
    fs.release(h).unwrap();
    // A new file made through create.
    let d = node(&fs, "/d");
    let (e, h) = fs.create(d, n("g"), 0o644, OpenFlags::WRITE, ME).unwrap();
    assert_eq!(fs.write(h, 0, &[0u8; 200]), Ok(100));
    assert_eq!(fs.getattr(e.node).map(|a| a.size), Ok(100));
    fs.release(h).unwrap();
    assert_eq!(fs.backing_file(h).map(|_| ()), None);
}

#[test]
fn bytes_written_is_sandbox_wide_across_handles() {
    let fs = limited(Limits {
        max_bytes_written: Some(10),
        ..Limits::default()
    });
    let d = node(&fs, "/d");
    let mut handles = Vec::new();
    for i in 0..4 {
        let (_, h) = fs
            .create(d, n(&format!("q{i}")), 0o644, OpenFlags::WRITE, ME)
            .unwrap();
        handles.push(h);
    }
    assert_eq!(fs.write(handles[0], 0, b"abcd"), Ok(4));
    assert_eq!(fs.write(handles[1], 0, b"abcd"), Ok(4));
    assert_eq!(fs.write(handles[2], 0, b"abcd"), Ok(2));
    assert_eq!(fs.write(handles[3], 0, b"a"), Err(Errno::EDQUOT));
    for h in handles {
        fs.release(h).unwrap();
    }
    // Releasing handles gives nothing back; a new handle starts no new quota.
    let f = node(&fs, "/d/f");
    let h = fs.open(f, OpenFlags::WRITE).unwrap();
    assert_eq!(fs.write(h, 0, b"a"), Err(Errno::EDQUOT));
    assert_eq!(fs.backing_file(h).map(|_| ()), None, "no passthrough");
    fs.release(h).unwrap();
}

#[test]
fn open_files_count_opendir_create_and_open() {
    let fs = limited(Limits {
        max_open_files: Some(3),
        ..Limits::default()
    });
    let d = node(&fs, "/d");
    let f = node(&fs, "/d/f");
    let dh = fs.opendir(d).unwrap();
    let fh = fs.open(f, OpenFlags::READ).unwrap();
    let (_, ch) = fs.create(d, n("new"), 0o644, OpenFlags::WRITE, ME).unwrap();
    assert_eq!(fs.opendir(d), Err(Errno::EMFILE));
    assert_eq!(fs.open(f, OpenFlags::READ), Err(Errno::EMFILE));
    assert_eq!(
        fs.create(d, n("other"), 0o644, OpenFlags::WRITE, ME)
            .map(|_| ()),
        Err(Errno::EMFILE)
    );
    // Releasing a handle twice gives back one slot only.
    fs.releasedir(dh).unwrap();
    assert_eq!(fs.releasedir(dh), Err(Errno::EBADF));
    let again = fs.opendir(d).unwrap();
    assert_eq!(fs.open(f, OpenFlags::READ), Err(Errno::EMFILE));
    for h in [fh, ch] {
        fs.release(h).unwrap();
    }
    fs.releasedir(again).unwrap();
}

// ---------------------------------------------------------------------------------------
// Through the emulated layer: symlinks, `..`, *at calls

const O_RDONLY: i32 = libc::O_RDONLY;
const O_WRONLY: i32 = libc::O_WRONLY;
const O_RDWR: i32 = libc::O_RDWR;

#[test]
fn symlinks_to_hidden_paths_resolve_to_nothing() {
    let px = emulated(tree());
    px.symlinkat(b"/secret/key", libc::AT_FDCWD, b"/pub/abs")
        .unwrap();
    px.symlinkat(b"../secret/key", libc::AT_FDCWD, b"/pub/rel")
        .unwrap();
    px.symlinkat(b"/secret", libc::AT_FDCWD, b"/pub/dir")
        .unwrap();
    px.symlinkat(b"../../../../secret", libc::AT_FDCWD, b"/pub/up")
        .unwrap();
    for path in [
        &b"/pub/abs"[..],
        b"/pub/rel",
        b"/pub/dir/key",
        b"/pub/up/key",
        b"/pub/../secret/key",
        b"/pub/./../pub/../secret/key",
        b"/secret/key",
    ] {
        let shown = String::from_utf8_lossy(path);
        assert_eq!(px.open(path, O_RDONLY, 0), Err(Errno::ENOENT), "{shown}");
        assert_eq!(px.stat(path).map(|_| ()), Err(Errno::ENOENT), "{shown}");
        assert_eq!(
            px.getxattr(path, b"user.a", 0),
            Err(Errno::ENOENT),
            "{shown}"
        );
        assert_eq!(px.truncate(path, 0), Err(Errno::ENOENT), "{shown}");
    }
    assert_eq!(
        px.open(b"/pub/dir/new", O_WRONLY | libc::O_CREAT, 0o644),
        Err(Errno::ENOENT)
    );
    assert_eq!(px.realpath(b"/pub/dir"), Err(Errno::ENOENT));
    assert_eq!(px.chdir(b"/pub/dir"), Err(Errno::ENOENT));
    assert_eq!(px.opendir(b"/pub/dir").map(|_| ()), Err(Errno::ENOENT));
    // The link's own text is the caller's, not a leak.
    assert_eq!(
        px.readlinkat(libc::AT_FDCWD, b"/pub/abs"),
        Ok(b"/secret/key".to_vec())
    );
}

#[test]
fn symlinks_into_read_only_and_denied_places() {
    let px = emulated(tree());
    px.symlinkat(b"/ro/f", libc::AT_FDCWD, b"/pub/ro").unwrap();
    px.symlinkat(b"../locked", libc::AT_FDCWD, b"/pub/lk")
        .unwrap();
    assert_eq!(px.open(b"/pub/ro", O_WRONLY, 0), Err(Errno::EROFS));
    assert_eq!(
        px.open(b"/pub/ro", O_RDONLY | libc::O_TRUNC, 0),
        Err(Errno::EROFS)
    );
    assert_eq!(px.truncate(b"/pub/ro", 0), Err(Errno::EROFS));
    assert_eq!(px.open(b"/pub/lk/f", O_RDWR, 0), Err(Errno::EACCES));
    assert_eq!(
        px.open(b"/pub/lk/new", O_WRONLY | libc::O_CREAT, 0o644),
        Err(Errno::EACCES)
    );
    assert_eq!(px.unlink(b"/pub/lk/f"), Err(Errno::EACCES));
    // Hard links by path, following the symlink (AT_SYMLINK_FOLLOW).
    assert_eq!(
        px.linkat(
            libc::AT_FDCWD,
            b"/pub/ro",
            libc::AT_FDCWD,
            b"/pub/hard",
            libc::AT_SYMLINK_FOLLOW
        ),
        Err(Errno::EROFS)
    );
    assert_eq!(
        px.linkat(
            libc::AT_FDCWD,
            b"/pub/lk/f",
            libc::AT_FDCWD,
            b"/pub/hard",
            0
        ),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        px.linkat(libc::AT_FDCWD, b"/secret/key", libc::AT_FDCWD, b"/pub/k", 0),
        Err(Errno::ENOENT)
    );
    assert_eq!(
        px.renameat2(
            libc::AT_FDCWD,
            b"/pub/a",
            libc::AT_FDCWD,
            b"/pub/lk/../secret",
            0
        ),
        Err(Errno::EACCES)
    );
    assert_eq!(px.stat(b"/ro/f").map(|s| s.size), Ok(4));
}

#[test]
fn exec_denied_cannot_be_regained_by_chmod_or_link() {
    let px = emulated(tree());
    px.fchmodat(libc::AT_FDCWD, b"/noexec/tool", 0o755, 0)
        .unwrap();
    assert_eq!(
        px.stat(b"/noexec/tool").map(|s| s.mode & 0o111),
        Ok(0),
        "x bits stay cleared"
    );
    assert_eq!(
        px.faccessat(libc::AT_FDCWD, b"/noexec/tool", libc::X_OK, 0),
        Err(Errno::EACCES)
    );
    assert_eq!(
        px.linkat(
            libc::AT_FDCWD,
            b"/noexec/tool",
            libc::AT_FDCWD,
            b"/pub/tool",
            0
        ),
        Err(Errno::EXDEV)
    );
    px.symlinkat(b"/noexec/tool", libc::AT_FDCWD, b"/pub/sym")
        .unwrap();
    assert_eq!(
        px.faccessat(libc::AT_FDCWD, b"/pub/sym", libc::X_OK, 0),
        Err(Errno::EACCES)
    );
}

#[test]
fn symlink_modes_hold_through_the_emulated_layer() {
    let fs = guarded(
        &["/out", "/out/sub", "/nolinks"],
        &[],
        Guard {
            symlinks: vec![
                ("/out".into(), SymlinkMode::RelativeInside),
                ("/nolinks".into(), SymlinkMode::Deny),
            ],
            ..Guard::default()
        },
    );
    let px = emulated(fs);
    assert_eq!(
        px.symlinkat(b"/etc/passwd", libc::AT_FDCWD, b"/out/abs"),
        Err(Errno::EPERM)
    );
    assert_eq!(
        px.symlinkat(b"../x", libc::AT_FDCWD, b"/out/up"),
        Err(Errno::EPERM)
    );
    assert_eq!(
        px.symlinkat(b"sub/../../x", libc::AT_FDCWD, b"/out/zig"),
        Err(Errno::EPERM)
    );
    assert_eq!(
        px.symlinkat(b"../sub", libc::AT_FDCWD, b"/out/sub/ok"),
        Ok(())
    );
    assert_eq!(
        px.symlinkat(b"x", libc::AT_FDCWD, b"/nolinks/l"),
        Err(Errno::EPERM)
    );
    // Made outside, then moved in: checked as if made there.
    px.symlinkat(b"/etc", libc::AT_FDCWD, b"/l").unwrap();
    assert_eq!(
        px.renameat2(libc::AT_FDCWD, b"/l", libc::AT_FDCWD, b"/out/l", 0),
        Err(Errno::EPERM)
    );
    // A directory holding a relative link moved shallower could take it out: EXDEV.
    assert_eq!(
        px.renameat2(libc::AT_FDCWD, b"/out/sub", libc::AT_FDCWD, b"/sub", 0),
        Err(Errno::EXDEV)
    );
}

/// A hard link to a symbolic link is a new name for the link itself: into a mount that
/// restricts links it is checked as if made there (it was not, and an absolute link made
/// elsewhere landed in a `relative-inside` or `deny` mount).
#[test]
fn hard_linking_a_symlink_into_a_restricted_mount() {
    let fs = guarded(
        &["/out", "/out/a", "/out/a/b", "/pub", "/nolinks"],
        &[],
        Guard {
            symlinks: vec![
                ("/out".into(), SymlinkMode::RelativeInside),
                ("/nolinks".into(), SymlinkMode::Deny),
            ],
            ..Guard::default()
        },
    );
    let pubd = node(&fs, "/pub");
    let out = node(&fs, "/out");
    let abs = fs.symlink(pubd, n("abs"), b"/etc/passwd", ME).unwrap();
    assert_eq!(fs.link(abs.node, out, n("l")), Err(Errno::EPERM));
    assert_eq!(
        fs.link(abs.node, node(&fs, "/nolinks"), n("l")),
        Err(Errno::EPERM)
    );
    assert_eq!(fs.link(abs.node, pubd, n("abs")), Err(Errno::EEXIST));
    // Relative, fine at depth 2, escaping from depth 0.
    let deep = node(&fs, "/out/a/b");
    let rel = fs.symlink(deep, n("r"), b"../../x", ME).unwrap();
    assert_eq!(fs.link(rel.node, out, n("r")), Err(Errno::EPERM));
    let e = fs.link(rel.node, node(&fs, "/out/a/b"), n("r2")).unwrap();
    assert_eq!(e.node, rel.node);
    let e = fs.link(abs.node, pubd, n("abs2")).unwrap();
    assert_eq!(e.node, abs.node);
    let px = emulated(fs);
    assert_eq!(
        px.linkat(libc::AT_FDCWD, b"/pub/abs", libc::AT_FDCWD, b"/out/l", 0),
        Err(Errno::EPERM)
    );
    assert_eq!(px.readlinkat(libc::AT_FDCWD, b"/out/l"), Err(Errno::ENOENT));
}

// ---------------------------------------------------------------------------------------
// Renames of files between regimes, and renames that replace

/// A file renamed from one rule regime to another would lose (or gain) its protection — a
/// tool out of an exec-denied tree becomes executable, a file out of a write-denied tree
/// writable — so it is `EXDEV`, in both directions, as a directory whose contents would change
/// regime is; `mv` then copies (through the rules) and removes the source (ditto).
#[test]
fn a_file_renamed_across_a_rule_boundary_is_exdev() {
    let fs = tree();
    let pubd = node(&fs, "/pub");
    let locked = node(&fs, "/locked");
    let noexec = node(&fs, "/noexec");
    let none = RenameFlags::Replace;
    assert_eq!(
        fs.rename(noexec, n("tool"), pubd, n("tool"), none),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        fs.rename(locked, n("f"), pubd, n("f"), none),
        Err(Errno::EXDEV)
    );
    // Onto an existing name where delete is denied: that refusal comes first.
    assert_eq!(
        fs.rename(pubd, n("a"), locked, n("f"), none),
        Err(Errno::EACCES)
    );
    assert_eq!(
        fs.rename(pubd, n("a"), locked, n("new"), none),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        fs.rename(pubd, n("a"), noexec, n("tool"), RenameFlags::Exchange),
        Err(Errno::EXDEV)
    );
    // A missing source is still ENOENT; within one regime a rename works.
    assert_eq!(
        fs.rename(pubd, n("zz"), locked, n("f"), none),
        Err(Errno::ENOENT)
    );
    fs.rename(pubd, n("a"), pubd, n("b"), none).unwrap();
    fs.rename(noexec, n("tool"), noexec, n("tool2"), none)
        .unwrap();
}

/// Replacing a name deletes what was there: refused where `delete` is denied, while a
/// rename to a new name there (which deletes nothing) follows the `rename` class.
#[test]
fn a_rename_that_replaces_needs_delete_at_the_destination() {
    let fs = tree();
    let locked = node(&fs, "/locked");
    let e = fs.mknod(locked, n("g"), FileKind::Regular, 0o644, 0, ME);
    // Creating is denied in /locked: make the second name behind the guard's back.
    assert_eq!(e.map(|e| e.node).err(), Some(Errno::EACCES));
    fs.inner()
        .link(node(&fs, "/locked/f"), locked, n("g"))
        .map(|e| fs.inner().forget(e.node, 1))
        .unwrap();
    assert_eq!(
        fs.rename(locked, n("f"), locked, n("g"), RenameFlags::Replace),
        Err(Errno::EACCES)
    );
    assert_eq!(
        fs.rename(locked, n("f"), locked, n("g"), RenameFlags::Exchange),
        Err(Errno::EACCES)
    );
    assert_eq!(
        fs.rename(locked, n("f"), locked, n("g"), RenameFlags::NoReplace),
        Err(Errno::EEXIST)
    );
    fs.rename(locked, n("f"), locked, n("new"), RenameFlags::Replace)
        .unwrap();
}
