//! Timestamps: nanosecond precision, `TimeSet::Now`/`At`, omitted fields, and which
//! operations move mtime and ctime. Relations only ("later than before"), never exact clocks;
//! `pin_times` first sets an old time so a change is visible whatever the clock's tick.

use crate::helpers::*;
use vfsbox_api::{OpenFlags, RenameFlags, SetAttr, TimeSet, Timestamp};

fn set_times(atime: Option<TimeSet>, mtime: Option<TimeSet>) -> SetAttr {
    SetAttr {
        atime,
        mtime,
        ..SetAttr::default()
    }
}

/// `ts` truncated to the provider's resolution, as the kernel truncates to `s_time_gran`.
fn granular(t: &Ctx, ts: Timestamp) -> Timestamp {
    let step = t.caps.time_resolution_ns.max(1);
    if step >= 1_000_000_000 {
        Timestamp {
            sec: ts.sec,
            nsec: 0,
        }
    } else {
        Timestamp {
            sec: ts.sec,
            nsec: ts.nsec - ts.nsec % step,
        }
    }
}

cases! {
    /// `utimensat("f", {At, At})` with nanoseconds: both read back exactly (to the declared
    /// resolution).
    fn utimens_at_keeps_nanoseconds(t) {
        let f = t.file(t.root, "f", b"")?;
        let a = Timestamp { sec: 1_234_567_890, nsec: 987_654_321 };
        let m = Timestamp { sec: 1_300_000_000, nsec: 1 };
        let attr = t.setattr(f, set_times(Some(TimeSet::At(a)), Some(TimeSet::At(m))))?;
        eq(attr.atime, granular(t, a), "atime")?;
        eq(attr.mtime, granular(t, m), "mtime")?;
        eq(t.attr(f)?.mtime, granular(t, m), "mtime by getattr")
    }

    /// `utimensat("f", {UTIME_OMIT, At})`: atime is left alone.
    fn utimens_omitted_atime_unchanged(t) {
        let f = t.file(t.root, "f", b"")?;
        t.pin_times(f)?;
        let m = Timestamp { sec: 1_500_000_000, nsec: 0 };
        let attr = t.setattr(f, set_times(None, Some(TimeSet::At(m))))?;
        eq(attr.atime, granular(t, PINNED), "atime")?;
        eq(attr.mtime, m, "mtime")
    }

    /// `utimensat("f", {At, UTIME_OMIT})`: mtime is left alone.
    fn utimens_omitted_mtime_unchanged(t) {
        let f = t.file(t.root, "f", b"")?;
        t.pin_times(f)?;
        let a = Timestamp { sec: 1_500_000_000, nsec: 0 };
        let attr = t.setattr(f, set_times(Some(TimeSet::At(a)), None))?;
        eq(attr.mtime, granular(t, PINNED), "mtime")?;
        eq(attr.atime, a, "atime")
    }

    /// `utimensat("f", {UTIME_NOW, UTIME_NOW})` after pinning old times: both move to about
    /// now (later than the pinned value, within a minute of the wall clock).
    fn utimens_now_sets_current_time(t) {
        let f = t.file(t.root, "f", b"")?;
        t.pin_times(f)?;
        let attr = t.setattr(f, set_times(Some(TimeSet::Now), Some(TimeSet::Now)))?;
        let now = Timestamp::now();
        later(attr.atime, PINNED, "atime after UTIME_NOW")?;
        later(attr.mtime, PINNED, "mtime after UTIME_NOW")?;
        check((attr.mtime.sec - now.sec).abs() < 60, "mtime after UTIME_NOW is not about now")
    }

    /// `utimensat("f", {At(-1.5 s)})`: times before the epoch are kept.
    fn utimens_before_epoch_kept(t) {
        let f = t.file(t.root, "f", b"")?;
        let m = Timestamp { sec: -2, nsec: 500_000_000 };
        eq(t.setattr(f, set_times(None, Some(TimeSet::At(m))))?.mtime, granular(t, m), "mtime")
    }

    /// `utimensat` changes ctime (to now), even when setting old times.
    fn utimens_updates_ctime(t) {
        let f = t.file(t.root, "f", b"")?;
        let before = t.attr(f)?.ctime;
        tick();
        let attr = t.setattr(f, set_times(Some(TimeSet::At(PINNED)), Some(TimeSet::At(PINNED))))?;
        later(attr.ctime, before, "ctime after utimensat")
    }

    /// `pwrite` after pinning mtime: mtime moves on.
    fn write_updates_mtime(t) {
        let (f, h) = t.create(t.root, "f")?;
        t.pin_times(f)?;
        t.write_all(h, 0, b"x")?;
        later(t.attr(f)?.mtime, PINNED, "mtime after write")
    }

    /// `pwrite`: ctime moves on.
    fn write_updates_ctime(t) {
        let (f, h) = t.create(t.root, "f")?;
        let before = t.attr(f)?.ctime;
        tick();
        t.write_all(h, 0, b"x")?;
        later(t.attr(f)?.ctime, before, "ctime after write")
    }

    /// `pread` does not change mtime or ctime.
    fn read_keeps_mtime_and_ctime(t) {
        let f = t.file(t.root, "f", b"abc")?;
        t.pin_times(f)?;
        let before = t.attr(f)?;
        let h = t.open(f, OpenFlags::READ)?;
        t.read_at(h, 0, 3)?;
        t.release(h)?;
        let after = t.attr(f)?;
        eq(after.mtime, before.mtime, "mtime")?;
        eq(after.ctime, before.ctime, "ctime")
    }

    /// `truncate("f", 1)`: mtime and ctime move on.
    fn truncate_updates_mtime_and_ctime(t) {
        let f = t.file(t.root, "f", b"abc")?;
        t.pin_times(f)?;
        let before = t.attr(f)?.ctime;
        tick();
        let attr = t.setattr(f, SetAttr { size: Some(1), ..SetAttr::default() })?;
        later(attr.mtime, PINNED, "mtime after truncate")?;
        later(attr.ctime, before, "ctime after truncate")
    }

    /// `open(O_TRUNC)` of a non-empty file: mtime moves on.
    fn open_truncate_updates_mtime(t) {
        let f = t.file(t.root, "f", b"abc")?;
        t.pin_times(f)?;
        let h = t.open(f, OpenFlags::WRITE | OpenFlags::TRUNCATE)?;
        t.release(h)?;
        later(t.attr(f)?.mtime, PINNED, "mtime after O_TRUNC")
    }

    /// `chmod`: ctime moves on, mtime does not.
    fn chmod_updates_ctime_not_mtime(t) {
        let f = t.file(t.root, "f", b"")?;
        t.pin_times(f)?;
        let before = t.attr(f)?.ctime;
        tick();
        let attr = t.setattr(f, SetAttr { perm: Some(0o600), ..SetAttr::default() })?;
        later(attr.ctime, before, "ctime after chmod")?;
        eq(attr.mtime, granular(t, PINNED), "mtime after chmod")
    }

    /// `chown` (to the same owner, which always works): ctime moves on.
    fn chown_updates_ctime(t) {
        let f = t.file(t.root, "f", b"")?;
        let before = t.attr(f)?.ctime;
        tick();
        let attr = t.setattr(f, SetAttr { uid: Some(t.owner.uid), gid: Some(t.owner.gid), ..SetAttr::default() })?;
        later(attr.ctime, before, "ctime after chown")
    }

    /// `open("d/f", O_CREAT)`: the parent's mtime moves on.
    fn create_updates_parent_mtime(t) {
        let d = t.mkdir(t.root, "d")?;
        t.pin_times(d)?;
        t.file(d, "f", b"")?;
        later(t.attr(d)?.mtime, PINNED, "parent mtime after create")
    }

    /// `mkdir("d/s")`: the parent's mtime moves on.
    fn mkdir_updates_parent_mtime(t) {
        let d = t.mkdir(t.root, "d")?;
        t.pin_times(d)?;
        t.mkdir(d, "s")?;
        later(t.attr(d)?.mtime, PINNED, "parent mtime after mkdir")
    }

    /// `symlink("x", "d/l")`: the parent's mtime moves on.
    fn symlink_updates_parent_mtime(t) {
        t.need_symlinks()?;
        let d = t.mkdir(t.root, "d")?;
        t.pin_times(d)?;
        t.symlink(d, "l", b"x")?;
        later(t.attr(d)?.mtime, PINNED, "parent mtime after symlink")
    }

    /// `unlink("d/f")`: the parent's mtime moves on.
    fn unlink_updates_parent_mtime(t) {
        let d = t.mkdir(t.root, "d")?;
        t.file(d, "f", b"")?;
        t.pin_times(d)?;
        ok(t.fs.unlink(d, n("f")), "unlink")?;
        later(t.attr(d)?.mtime, PINNED, "parent mtime after unlink")
    }

    /// `link("f", "g")` then `unlink("g")`: the file's ctime moves on (its link count changed).
    fn unlink_updates_ctime_of_remaining_link(t) {
        let f = t.file(t.root, "f", b"")?;
        if !t.caps.hard_links {
            return errno(t.fs.link(f, t.root, n("g")), vfsbox_api::Errno::EPERM, "link without hard-link support");
        }
        ok(t.fs.link(f, t.root, n("g")), "link")?;
        let before = t.attr(f)?.ctime;
        tick();
        ok(t.fs.unlink(t.root, n("g")), "unlink g")?;
        later(t.attr(f)?.ctime, before, "ctime after unlink")
    }

    /// `rmdir("d/s")`: the parent's mtime moves on.
    fn rmdir_updates_parent_mtime(t) {
        let d = t.mkdir(t.root, "d")?;
        t.mkdir(d, "s")?;
        t.pin_times(d)?;
        ok(t.fs.rmdir(d, n("s")), "rmdir")?;
        later(t.attr(d)?.mtime, PINNED, "parent mtime after rmdir")
    }

    /// `rename("p/f", "q/f")`: both parents' mtimes move on.
    fn rename_updates_both_parents_mtime(t) {
        let p = t.mkdir(t.root, "p")?;
        let q = t.mkdir(t.root, "q")?;
        t.file(p, "f", b"")?;
        t.pin_times(p)?;
        t.pin_times(q)?;
        ok(t.fs.rename(p, n("f"), q, n("f"), RenameFlags::Replace), "rename")?;
        later(t.attr(p)?.mtime, PINNED, "source parent mtime")?;
        later(t.attr(q)?.mtime, PINNED, "target parent mtime")
    }

    /// `rename("a", "b")`: the moved node's ctime moves on (ext4 and tmpfs both do this).
    fn rename_updates_ctime_of_moved_node(t) {
        let a = t.file(t.root, "a", b"")?;
        let before = t.attr(a)?.ctime;
        tick();
        ok(t.fs.rename(t.root, n("a"), t.root, n("b"), RenameFlags::Replace), "rename")?;
        later(t.attr(a)?.ctime, before, "ctime after rename")
    }

    /// `link("f", "d/g")`: the file's ctime and the new parent's mtime move on.
    fn link_updates_ctime_and_parent_mtime(t) {
        let f = t.file(t.root, "f", b"")?;
        let d = t.mkdir(t.root, "d")?;
        if !t.caps.hard_links {
            return errno(t.fs.link(f, d, n("g")), vfsbox_api::Errno::EPERM, "link without hard-link support");
        }
        t.pin_times(d)?;
        let before = t.attr(f)?.ctime;
        tick();
        ok(t.fs.link(f, d, n("g")), "link")?;
        later(t.attr(f)?.ctime, before, "file ctime after link")?;
        later(t.attr(d)?.mtime, PINNED, "parent mtime after link")
    }

    /// `open("f", O_CREAT)`: the new file's times are set at creation (not the epoch), and its
    /// birth time, when recorded, is not after its ctime.
    fn create_sets_current_times(t) {
        let f = t.file(t.root, "f", b"")?;
        let attr = t.attr(f)?;
        let now = Timestamp::now();
        check((attr.mtime.sec - now.sec).abs() < 60, "mtime of a new file is not about now")?;
        check((attr.ctime.sec - now.sec).abs() < 60, "ctime of a new file is not about now")?;
        check((attr.atime.sec - now.sec).abs() < 60, "atime of a new file is not about now")?;
        if let Some(btime) = attr.btime {
            check(btime <= attr.ctime, "btime is after ctime")?;
        }
        Ok(())
    }

    /// Timestamps carry sub-second parts when the provider declares nanosecond resolution:
    /// after a few writes at least one of the mtimes seen has a non-zero nanosecond part.
    fn times_have_subsecond_precision(t) {
        if t.caps.time_resolution_ns >= 1_000_000_000 {
            return Err(skip("the provider declares whole-second times"));
        }
        let (f, h) = t.create(t.root, "f")?;
        for i in 0..5u64 {
            t.write_all(h, i, b"x")?;
            if t.attr(f)?.mtime.nsec != 0 {
                return Ok(());
            }
            tick();
        }
        Err(crate::outcome::Failure::message("five mtimes in a row had no sub-second part").into())
    }
}
