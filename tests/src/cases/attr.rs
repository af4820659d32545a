//! `getattr`/`setattr` of modes and owners, set-id bits, and `statfs`.

use crate::helpers::*;
use vfsbox_api::{Errno, FileKind, SetAttr, NAME_MAX, S_ISGID, S_ISUID};

fn perm(p: u32) -> SetAttr {
    SetAttr {
        perm: Some(p),
        ..SetAttr::default()
    }
}

/// A gid other than the owner's, for chown cases.
fn other_gid(t: &Ctx) -> u32 {
    if t.owner.gid == 4242 {
        4243
    } else {
        4242
    }
}

cases! {
    /// `stat("f")` of a 3-byte file: kind, nlink 1, size 3, owner, a block size.
    fn getattr_file_fields(t) {
        let f = t.file(t.root, "f", b"abc")?;
        let attr = t.attr(f)?;
        eq(attr.kind, FileKind::Regular, "kind")?;
        eq(attr.nlink, 1, "nlink")?;
        eq(attr.size, 3, "size")?;
        eq(attr.perm, 0o644, "perm")?;
        eq(attr.mode(), 0o100644, "st_mode")?;
        check(attr.blksize > 0, "st_blksize is 0")
    }

    /// `chmod("f", 0640)`: perm exactly 0640, kind unchanged; setattr returns the new attrs.
    fn chmod_sets_perm_exactly(t) {
        let f = t.file(t.root, "f", b"")?;
        let returned = t.setattr(f, perm(0o640))?;
        eq(returned.perm, 0o640, "perm returned")?;
        eq(returned.kind, FileKind::Regular, "kind")?;
        eq(t.attr(f)?, returned, "getattr after setattr")
    }

    /// `chmod("f", 0)` then `chmod("f", 0777)`: every value in 0..=0777 is kept as given.
    fn chmod_extremes_kept(t) {
        let f = t.file(t.root, "f", b"")?;
        eq(t.setattr(f, perm(0))?.perm, 0, "perm 0")?;
        eq(t.setattr(f, perm(0o777))?.perm, 0o777, "perm 0777")
    }

    /// `chmod("d", 01777)`: the sticky bit on a directory is kept.
    fn chmod_sticky_dir_kept(t) {
        let d = t.mkdir(t.root, "d")?;
        eq(t.setattr(d, perm(0o1777))?.perm, 0o1777, "perm")
    }

    /// `fchmodat` with bits outside 07777 → EINVAL.
    fn chmod_bad_bits_is_einval(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.setattr(f, &perm(0o100644), None), Errno::EINVAL, "chmod 0100644")?;
        eq(t.attr(f)?.perm, 0o644, "perm unchanged")
    }

    /// Precedence: `setattr` with bad perm bits and a size on a directory → EINVAL (perm is
    /// checked before the size's EISDIR).
    fn setattr_bad_perm_precedes_eisdir(t) {
        let d = t.mkdir(t.root, "d")?;
        let changes = SetAttr { perm: Some(0o20000), size: Some(0), ..SetAttr::default() };
        errno(t.fs.setattr(d, &changes, None), Errno::EINVAL, "bad perm and size on a dir")
    }

    /// `chmod("f", 04755)`: the set-user-id bit is kept with `Capabilities::setid_bits`,
    /// silently stripped without.
    fn chmod_setuid_follows_capabilities(t) {
        let f = t.file(t.root, "f", b"")?;
        let want = if t.caps.setid_bits { 0o4755 } else { 0o755 };
        eq(t.setattr(f, perm(0o4755))?.perm, want, "perm")
    }

    /// `chmod("f", 02755)`: the set-group-id bit follows `Capabilities::setid_bits`.
    fn chmod_setgid_follows_capabilities(t) {
        let f = t.file(t.root, "f", b"")?;
        let want = if t.caps.setid_bits { 0o2755 } else { 0o755 };
        eq(t.setattr(f, perm(0o2755))?.perm, want, "perm")
    }

    /// `chown("f", uid, gid)`: owner changed with `Capabilities::ownership`, EPERM without.
    fn chown_changes_owner(t) {
        let f = t.file(t.root, "f", b"")?;
        let gid = other_gid(t);
        let changes = SetAttr { uid: Some(4242), gid: Some(gid), ..SetAttr::default() };
        let result = t.fs.setattr(f, &changes, None);
        if !t.caps.ownership {
            return errno(result, Errno::EPERM, "chown without ownership support");
        }
        let attr = ok(result, "chown")?;
        eq((attr.uid, attr.gid), (4242, gid), "uid, gid")
    }

    /// `chmod("f", 06755)`, `chown("f", -1, gid)`: chown of a non-directory clears set-user-id,
    /// and set-group-id since group-execute is set.
    fn chown_clears_setid_bits(t) {
        if !(t.caps.setid_bits && t.caps.ownership) {
            return Err(skip("needs setid_bits and ownership: without them no set-id bit can be planted or no chown made (their own cases check that)"));
        }
        let f = t.file(t.root, "f", b"")?;
        t.setattr(f, perm(0o6755))?;
        let attr = t.setattr(f, SetAttr { gid: Some(other_gid(t)), ..SetAttr::default() })?;
        eq(attr.perm, 0o755, "perm after chown")
    }

    /// `chmod("f", 06745)`, `chown`: without group-execute the set-group-id bit (mandatory
    /// locking marker) stays; set-user-id goes.
    fn chown_keeps_setgid_without_group_exec(t) {
        if !(t.caps.setid_bits && t.caps.ownership) {
            return Err(skip("needs setid_bits and ownership"));
        }
        let f = t.file(t.root, "f", b"")?;
        t.setattr(f, perm(0o6745))?;
        let attr = t.setattr(f, SetAttr { uid: Some(4242), ..SetAttr::default() })?;
        eq(attr.perm, 0o2745, "perm after chown")
    }

    /// `chmod("d", 02755)`, `chown("d")`: a directory keeps its set-group-id bit.
    fn chown_dir_keeps_setgid(t) {
        if !(t.caps.setid_bits && t.caps.ownership) {
            return Err(skip("needs setid_bits and ownership"));
        }
        let d = t.mkdir(t.root, "d")?;
        t.setattr(d, perm(0o2755))?;
        let attr = t.setattr(d, SetAttr { gid: Some(other_gid(t)), ..SetAttr::default() })?;
        eq(attr.perm, 0o2755, "perm after chown")
    }

    /// `chmod("g", 02777)`, `chown("g", -1, G)`, `open("g/f", O_CREAT)`: a file made in a
    /// set-group-id directory gets the directory's group.
    fn setgid_dir_new_file_inherits_gid(t) {
        if !(t.caps.setid_bits && t.caps.ownership) {
            return Err(skip("needs setid_bits and ownership to make a set-group-id directory of another group"));
        }
        let g = t.mkdir(t.root, "g")?;
        let gid = other_gid(t);
        t.setattr(g, SetAttr { gid: Some(gid), ..SetAttr::default() })?;
        t.setattr(g, perm(0o2777))?;
        let f = t.file(g, "f", b"")?;
        eq(t.attr(f)?.gid, gid, "gid of the new file")
    }

    /// `mkdir("g/sub")` in a set-group-id directory: the subdirectory gets the group and the
    /// set-group-id bit.
    fn setgid_dir_new_subdir_inherits_setgid(t) {
        if !(t.caps.setid_bits && t.caps.ownership) {
            return Err(skip("needs setid_bits and ownership to make a set-group-id directory of another group"));
        }
        let g = t.mkdir(t.root, "g")?;
        let gid = other_gid(t);
        t.setattr(g, SetAttr { gid: Some(gid), ..SetAttr::default() })?;
        t.setattr(g, perm(0o2777))?;
        let sub = t.attr(t.mkdir(g, "sub")?)?;
        eq(sub.gid, gid, "gid")?;
        eq(sub.perm & S_ISGID, S_ISGID, "set-group-id bit")?;
        eq(sub.perm & S_ISUID, 0, "set-user-id bit")
    }

    /// `chmod("f", 0600)` on a file with two names: one inode, both names see the mode.
    fn chmod_seen_through_every_name(t) {
        let f = t.file(t.root, "f", b"")?;
        if !t.caps.hard_links {
            return errno(t.fs.link(f, t.root, n("g")), Errno::EPERM, "link without hard-link support");
        }
        ok(t.fs.link(f, t.root, n("g")), "link")?;
        t.setattr(f, perm(0o600))?;
        eq(t.lookup(t.root, "g")?.attr.perm, 0o600, "perm through g")
    }

    /// `setattr` with no changes returns the current attributes unchanged.
    fn setattr_empty_changes_nothing(t) {
        let f = t.file(t.root, "f", b"abc")?;
        let before = t.attr(f)?;
        let after = t.setattr(f, SetAttr::default())?;
        eq((after.perm, after.size, after.uid, after.gid, after.mtime), (before.perm, before.size, before.uid, before.gid, before.mtime), "attributes")
    }

    /// `statvfs("/")`: a block size, free ≤ total, available ≤ free, free inodes ≤ total,
    /// NAME_MAX 255, read-only flag as declared.
    fn statfs_is_sane(t) {
        let s = ok(t.fs.statfs(t.root), "statfs")?;
        check(s.block_size > 0, "f_frsize is 0")?;
        check(s.blocks_free <= s.blocks, "more free blocks than blocks")?;
        check(s.blocks_available <= s.blocks_free, "more available blocks than free ones")?;
        check(s.files_free <= s.files, "more free inodes than inodes")?;
        eq(s.name_max as usize, NAME_MAX, "f_namemax")?;
        eq(s.read_only, t.caps.read_only, "ST_RDONLY")
    }

    /// `fstatvfs` of a file node works and describes the same filesystem as the root.
    fn statfs_of_file_matches_root(t) {
        let f = t.file(t.root, "f", b"")?;
        let a = ok(t.fs.statfs(t.root), "statfs root")?;
        let b = ok(t.fs.statfs(f), "statfs file")?;
        eq((b.block_size, b.blocks, b.name_max), (a.block_size, a.blocks, a.name_max), "geometry")
    }

    /// `mkdir("d")` then `stat("d")`: directories report kind Directory and `st_mode` S_IFDIR.
    fn getattr_dir_mode(t) {
        let d = t.mkdir(t.root, "d")?;
        eq(t.attr(d)?.mode(), 0o40755, "st_mode")
    }
}
