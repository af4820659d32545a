//! Listings, rename rules, ownership and xattrs.

use super::*;
use vfsbox_api::{Errno, FileKind, RenameFlags, SetAttr, XattrSet, S_ISGID, S_ISUID};

#[test]
fn readdir_cookies_survive_removal_and_reject_unissued() {
    let fs = MemoryFs::new();
    for i in 0..10 {
        mkdir(&fs, ROOT, &format!("d{i}"));
    }
    let h = fs.opendir(ROOT).unwrap();
    let mut first = Vec::new();
    fs.readdir(h, 0, &mut |e| {
        first.push((e.name.to_string_lossy().into_owned(), e.cookie, e.kind));
        first.len() < 3
    })
    .unwrap();
    assert_eq!(first.len(), 3);
    let (resume_name, resume) = (first[1].0.clone(), first[1].1);
    assert_eq!(first[1].2, FileKind::Directory);
    // Remove the entry we resume from, add one: listing continues after it, new one last.
    fs.rmdir(ROOT, name(&resume_name)).unwrap();
    mkdir(&fs, ROOT, "new");
    let mut rest = Vec::new();
    fs.readdir(h, resume, &mut |e| {
        rest.push(e.name.to_string_lossy().into_owned());
        true
    })
    .unwrap();
    assert_eq!(rest.len(), 9);
    assert_eq!(rest[0], first[2].0);
    assert_eq!(rest.last().map(String::as_str), Some("new"));
    assert_eq!(fs.readdir(h, 1_000, &mut |_| true), Err(Errno::EINVAL));
    let (_, fh) = create(&fs, ROOT, "file");
    assert_eq!(fs.readdir(fh, 0, &mut |_| true), Err(Errno::EBADF));
    assert_eq!(fs.releasedir(fh), Err(Errno::EBADF));
    assert_eq!(fs.release(h), Err(Errno::EBADF));
    fs.releasedir(h).unwrap();
}

/// The listing log drops removed entries once they outnumber the live ones: a listing
/// resumed from a dropped entry's cookie still continues right after it, long names (kept
/// apart from the log's records) list as they were made, and an exchange after a
/// compaction still updates the listed inode numbers and kinds.
#[test]
fn readdir_resumes_across_compaction_of_removed_entries() {
    let fs = MemoryFs::new();
    let long = "l".repeat(200);
    let names: Vec<String> = (0..100)
        .map(|i| match i % 10 {
            0 => format!("{long}{i:03}"),
            _ => format!("f{i:03}"),
        })
        .collect();
    for n in &names {
        let (_, h) = create(&fs, ROOT, n);
        fs.release(h).unwrap();
    }
    let dir = mkdir(&fs, ROOT, "zdir");
    let h = fs.opendir(ROOT).unwrap();
    let mut seen = Vec::new();
    fs.readdir(h, 0, &mut |e| {
        seen.push((e.name.to_string_lossy().into_owned(), e.cookie));
        seen.len() < 20
    })
    .unwrap();
    assert_eq!(seen.len(), 20);
    let names_seen: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names_seen,
        names[..20].iter().map(String::as_str).collect::<Vec<_>>()
    );
    let resume = seen[19].1;
    // Remove 80 names, the one we resume from among them: enough for a compaction.
    for n in names[5..85].iter() {
        fs.unlink(ROOT, name(n)).unwrap();
    }
    let mut rest = Vec::new();
    fs.readdir(h, resume, &mut |e| {
        rest.push((e.name.to_string_lossy().into_owned(), e.ino, e.kind));
        true
    })
    .unwrap();
    let rest_names: Vec<&str> = rest.iter().map(|(n, _, _)| n.as_str()).collect();
    let mut expected: Vec<&str> = names[85..].iter().map(String::as_str).collect();
    expected.push("zdir");
    assert_eq!(rest_names, expected);
    // Exchange a file and the directory: both keep their places, with the other's node.
    let file = fs.lookup(ROOT, name(&names[90])).unwrap();
    fs.rename(
        ROOT,
        name(&names[90]),
        ROOT,
        name("zdir"),
        RenameFlags::Exchange,
    )
    .unwrap();
    let all = {
        let mut all = Vec::new();
        fs.readdir(h, 0, &mut |e| {
            all.push((e.name.to_string_lossy().into_owned(), e.ino, e.kind));
            true
        })
        .unwrap();
        all
    };
    assert_eq!(all.len(), 5 + 15 + 1);
    assert_eq!(
        all[..5]
            .iter()
            .map(|(n, _, _)| n.as_str())
            .collect::<Vec<_>>(),
        names[..5].iter().map(String::as_str).collect::<Vec<_>>()
    );
    let swapped = all.iter().find(|(n, _, _)| *n == names[90]).unwrap();
    assert_eq!((swapped.1, swapped.2), (dir.node.0, FileKind::Directory));
    let last = all.last().unwrap();
    assert_eq!(
        (last.0.as_str(), last.1, last.2),
        ("zdir", file.node.0, FileKind::Regular)
    );
    fs.forget(file.node, 1);
    fs.releasedir(h).unwrap();
}

#[test]
fn rename_errnos_in_order() {
    let fs = MemoryFs::new();
    let a = mkdir(&fs, ROOT, "a");
    let b = mkdir(&fs, a.node, "b");
    mkdir(&fs, b.node, "c");
    let (_, h) = create(&fs, ROOT, "f");
    fs.release(h).unwrap();
    let r = |d, n: &str, nd, nn: &str, fl| fs.rename(d, name(n), nd, name(nn), fl);
    assert_eq!(
        r(ROOT, "a", b.node, "x", RenameFlags::Replace),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        r(ROOT, "a", a.node, "x", RenameFlags::Replace),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        r(b.node, "c", ROOT, "a", RenameFlags::Replace),
        Err(Errno::ENOTEMPTY)
    );
    assert_eq!(
        r(b.node, "c", ROOT, "a", RenameFlags::Exchange),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        r(ROOT, "a", ROOT, "f", RenameFlags::Replace),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(
        r(ROOT, "f", a.node, "b", RenameFlags::Replace),
        Err(Errno::EISDIR)
    );
    assert_eq!(
        r(ROOT, "f", ROOT, "a", RenameFlags::NoReplace),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        r(ROOT, "f", ROOT, "f", RenameFlags::NoReplace),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        r(ROOT, "f", ROOT, "zz", RenameFlags::Exchange),
        Err(Errno::ENOENT)
    );
    assert_eq!(
        r(ROOT, "nope", ROOT, "zz", RenameFlags::Replace),
        Err(Errno::ENOENT)
    );
    let f = fs.lookup(ROOT, name("f")).unwrap();
    assert_eq!(
        r(f.node, "x", ROOT, "y", RenameFlags::Replace),
        Err(Errno::ENOTDIR)
    );
    // A directory replacing a non-empty directory.
    let e = mkdir(&fs, ROOT, "e");
    assert_eq!(
        r(ROOT, "e", ROOT, "a", RenameFlags::Replace),
        Err(Errno::ENOTEMPTY)
    );
    // Same node under two names: nothing happens.
    fs.link(f.node, ROOT, name("f2")).unwrap();
    assert_eq!(r(ROOT, "f", ROOT, "f2", RenameFlags::Replace), Ok(()));
    assert!(fs.lookup(ROOT, name("f")).is_ok());
    // Moving a directory across parents updates both link counts.
    assert_eq!(r(ROOT, "e", b.node, "e", RenameFlags::Replace), Ok(()));
    assert_eq!(fs.getattr(b.node).unwrap().nlink, 4);
    assert_eq!(fs.getattr(ROOT).unwrap().nlink, 3);
    // An empty directory replaced by a directory is removed.
    mkdir(&fs, ROOT, "empty");
    assert_eq!(r(b.node, "e", ROOT, "empty", RenameFlags::Replace), Ok(()));
    assert_eq!(fs.lookup(ROOT, name("empty")).unwrap().node, e.node);
    assert_eq!(fs.getattr(ROOT).unwrap().nlink, 4);
    assert_eq!(fs.getattr(b.node).unwrap().nlink, 3);
    // Exchange of a file and a directory across parents.
    assert_eq!(r(ROOT, "f", b.node, "c", RenameFlags::Exchange), Ok(()));
    assert_eq!(
        fs.lookup(ROOT, name("f")).unwrap().attr.kind,
        FileKind::Directory
    );
    assert_eq!(fs.lookup(b.node, name("c")).unwrap().node, f.node);
    assert_eq!(fs.getattr(b.node).unwrap().nlink, 2);
    assert_eq!(fs.getattr(ROOT).unwrap().nlink, 5);
}

#[test]
fn setgid_directories_pass_group_and_bit() {
    let fs = MemoryFs::new();
    let d = mkdir(&fs, ROOT, "d");
    let set = SetAttr {
        perm: Some(0o2775),
        gid: Some(50),
        ..Default::default()
    };
    fs.setattr(d.node, &set, None).unwrap();
    let sub = fs.mkdir(d.node, name("s"), 0o755, OWNER).unwrap();
    assert_eq!((sub.attr.gid, sub.attr.perm), (50, 0o2755));
    let (file, _) = create(&fs, d.node, "f");
    assert_eq!((file.attr.gid, file.attr.perm), (50, 0o644));
}

#[test]
fn chown_clears_setid_like_linux() {
    let fs = MemoryFs::new();
    let (f, _) = create(&fs, ROOT, "f");
    let chmod = |perm| SetAttr {
        perm: Some(perm),
        ..Default::default()
    };
    let chown = SetAttr {
        uid: Some(1),
        ..Default::default()
    };
    fs.setattr(f.node, &chmod(0o6755), None).unwrap();
    assert_eq!(fs.setattr(f.node, &chown, None).unwrap().perm, 0o755);
    fs.setattr(f.node, &chmod(0o6745), None).unwrap();
    assert_eq!(fs.setattr(f.node, &chown, None).unwrap().perm, 0o2745);
    let d = mkdir(&fs, ROOT, "d");
    fs.setattr(d.node, &chmod(0o6755), None).unwrap();
    assert_eq!(
        fs.setattr(d.node, &chown, None).unwrap().perm,
        0o6755 & (S_ISUID | S_ISGID | 0o777)
    );
    assert_eq!(
        fs.setattr(f.node, &chmod(0o10000), None),
        Err(Errno::EINVAL)
    );
}

#[test]
fn xattrs_follow_linux_rules() {
    let fs = MemoryFs::new();
    let (f, _) = create(&fs, ROOT, "f");
    let l = fs.symlink(ROOT, name("l"), b"f", OWNER).unwrap();
    let set = |n, v: &[u8], how| fs.setxattr(f.node, n, v, how);
    assert_eq!(set(b"user.a", b"1", XattrSet::Create), Ok(()));
    assert_eq!(set(b"user.a", b"1", XattrSet::Create), Err(Errno::EEXIST));
    assert_eq!(set(b"user.b", b"1", XattrSet::Replace), Err(Errno::ENODATA));
    assert_eq!(
        set(b"trusted.a", b"1", XattrSet::Either),
        Err(Errno::EOPNOTSUPP)
    );
    assert_eq!(set(b"user.", b"1", XattrSet::Either), Err(Errno::EINVAL));
    assert_eq!(set(b"", b"1", XattrSet::Either), Err(Errno::ERANGE));
    assert_eq!(
        set(&[b'u'; 256], b"1", XattrSet::Either),
        Err(Errno::ERANGE)
    );
    assert_eq!(
        set(b"user.big", &[0; 65537], XattrSet::Either),
        Err(Errno::E2BIG)
    );
    assert_eq!(fs.getxattr(f.node, b"user.a"), Ok(b"1".to_vec()));
    assert_eq!(fs.getxattr(f.node, b"user.zz"), Err(Errno::ENODATA));
    assert_eq!(fs.listxattr(f.node), Ok(vec![b"user.a".to_vec()]));
    assert_eq!(
        fs.setxattr(l.node, b"user.a", b"1", XattrSet::Either),
        Err(Errno::EPERM)
    );
    assert_eq!(fs.getxattr(l.node, b"user.a"), Err(Errno::ENODATA));
    assert_eq!(fs.removexattr(l.node, b"user.a"), Err(Errno::EPERM));
    assert_eq!(fs.removexattr(f.node, b"user.a"), Ok(()));
    assert_eq!(fs.removexattr(f.node, b"user.a"), Err(Errno::ENODATA));
}

#[test]
fn handles_enforce_access_modes_and_kinds() {
    let fs = MemoryFs::new();
    let (f, h) = create(&fs, ROOT, "f");
    fs.write(h, 0, b"abc").unwrap();
    let ro = fs.open(f.node, OpenFlags::READ).unwrap();
    let wo = fs
        .open(f.node, OpenFlags::WRITE | OpenFlags::APPEND)
        .unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(fs.write(ro, 0, b"x"), Err(Errno::EBADF));
    assert_eq!(fs.read(wo, 0, &mut buf), Err(Errno::EBADF));
    assert_eq!(fs.write(wo, 0, b"de"), Ok(2));
    assert_eq!(fs.read(ro, 0, &mut buf), Ok(5));
    assert_eq!(&buf[..5], b"abcde");
    let tr = fs
        .open(f.node, OpenFlags::WRITE | OpenFlags::TRUNCATE)
        .unwrap();
    assert_eq!(fs.getattr(f.node).unwrap().size, 0);
    let d = mkdir(&fs, ROOT, "d");
    assert_eq!(fs.open(d.node, OpenFlags::READ), Err(Errno::EISDIR));
    let l = fs.symlink(ROOT, name("l"), b"f", OWNER).unwrap();
    assert_eq!(fs.open(l.node, OpenFlags::READ), Err(Errno::ELOOP));
    let p = fs
        .mknod(ROOT, name("p"), FileKind::Fifo, 0o644, 0, OWNER)
        .unwrap();
    assert_eq!(fs.open(p.node, OpenFlags::READ), Err(Errno::ENXIO));
    let c = fs
        .mknod(ROOT, name("c"), FileKind::CharDevice, 0o644, 0x0103, OWNER)
        .unwrap();
    assert_eq!(c.attr.rdev, 0x0103);
    assert_eq!(
        fs.mknod(ROOT, name("c"), FileKind::Directory, 0o644, 0, OWNER)
            .map(|e| e.node),
        Err(Errno::EPERM)
    );
    assert_eq!(
        fs.mknod(ROOT, name("c"), FileKind::Symlink, 0o644, 0, OWNER)
            .map(|e| e.node),
        Err(Errno::EINVAL)
    );
    assert_eq!(fs.opendir(f.node), Err(Errno::ENOTDIR));
    for handle in [h, ro, wo, tr] {
        fs.release(handle).unwrap();
    }
    assert_eq!(fs.release(h), Err(Errno::EBADF));
}

#[test]
fn symlinks_are_verbatim_and_checked_first() {
    let fs = MemoryFs::new();
    let target = b"../../x//y/";
    let l = fs.symlink(ROOT, name("l"), target, OWNER).unwrap();
    assert_eq!(l.attr.size, target.len() as u64);
    assert_eq!(fs.readlink(l.node), Ok(target.to_vec()));
    assert_eq!(fs.readlink(ROOT), Err(Errno::EINVAL));
    assert_eq!(
        fs.symlink(ROOT, name("l"), b"", OWNER).map(|e| e.node),
        Err(Errno::ENOENT)
    );
    assert_eq!(
        fs.symlink(ROOT, name("l"), &[b'a'; 4096], OWNER)
            .map(|e| e.node),
        Err(Errno::ENAMETOOLONG)
    );
    assert_eq!(
        fs.symlink(ROOT, name("l"), b"t", OWNER).map(|e| e.node),
        Err(Errno::EEXIST)
    );
}

/// `lookup_path` answers as the name-by-name walk would: the same errno at the same step,
/// `None` at a symlink on the way, one lookup counted only with `hold`.
#[test]
fn lookup_path_matches_the_walk_name_by_name() {
    let fs = MemoryFs::new();
    let a = mkdir(&fs, ROOT, "a");
    let b = mkdir(&fs, a.node, "b");
    let (file, fh) = create(&fs, b.node, "f");
    fs.release(fh).unwrap();
    fs.symlink(a.node, name("link"), b"b", OWNER).unwrap();
    let path = [name("a"), name("b"), name("f")];
    let found = fs.lookup_path(ROOT, &path, None, true).unwrap().unwrap();
    assert_eq!(found.node, file.node);
    assert_eq!(found.attr, fs.getattr(file.node).unwrap());
    let unheld = fs.lookup_path(ROOT, &path, None, false).unwrap().unwrap();
    assert_eq!(unheld.attr.ino, file.attr.ino);
    // Two lookups held (create's and the held walk's): two forgets free an unlinked file.
    fs.unlink(b.node, name("f")).unwrap();
    fs.forget(file.node, 1);
    assert!(fs.getattr(file.node).is_ok());
    fs.forget(file.node, 1);
    assert_eq!(fs.getattr(file.node), Err(Errno::ESTALE));

    let missing = [name("a"), name("x"), name("f")];
    assert_eq!(
        fs.lookup_path(ROOT, &missing, None, false),
        Some(Err(Errno::ENOENT))
    );
    let (_, gh) = create(&fs, a.node, "g");
    fs.release(gh).unwrap();
    let through_file = [name("a"), name("g"), name("f")];
    assert_eq!(
        fs.lookup_path(ROOT, &through_file, None, false),
        Some(Err(Errno::ENOTDIR))
    );
    assert_eq!(
        fs.lookup_path(ROOT, &[name("a"), name("link"), name("f")], None, false),
        None
    );
    // A symlink as the last name is the consumer's to follow or not.
    let last_link = fs
        .lookup_path(ROOT, &[name("a"), name("link")], None, false)
        .unwrap()
        .unwrap();
    assert_eq!(last_link.attr.kind, FileKind::Symlink);
    // The search check sees every directory looked in, in order, and its error ends the walk.
    let mut seen = Vec::new();
    let mut deny_b = |attr: &vfsbox_api::Attr| {
        seen.push(attr.ino);
        if attr.ino == b.attr.ino {
            Err(Errno::EACCES)
        } else {
            Ok(())
        }
    };
    assert_eq!(
        fs.lookup_path(
            ROOT,
            &[name("a"), name("b"), name("zz")],
            Some(&mut deny_b),
            false
        ),
        Some(Err(Errno::EACCES))
    );
    assert_eq!(seen, [1, a.attr.ino, b.attr.ino]);
    assert_eq!(fs.lookup_path(ROOT, &[], None, false), None);
    assert_eq!(
        fs.lookup_path(file.node, &[name("f")], None, false),
        Some(Err(Errno::ESTALE))
    );
}
