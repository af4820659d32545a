//! `opendir`/`readdir`/`releasedir`: complete listings, no duplicates, stable cookies.

use crate::helpers::*;
use std::collections::BTreeSet;
use vfsbox_api::{Errno, FileKind};

/// Makes files `f000`..`f{count-1}` in the root.
fn fill(t: &Ctx, count: usize) -> crate::outcome::CaseResult {
    for i in 0..count {
        t.file(t.root, &format!("f{i:03}"), b"")?;
    }
    Ok(())
}

/// Fails if a name appears twice in `names`.
fn no_duplicates(names: &[String]) -> crate::outcome::CaseResult {
    let mut seen = BTreeSet::new();
    for name in names {
        check(seen.insert(name), &format!("{name:?} listed twice"))?;
    }
    Ok(())
}

fn names_of(entries: &[Listed]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e.name.to_string_lossy().into_owned())
        .collect()
}

cases! {
    /// `getdents64` of an empty directory: nothing (consumers add `.` and `..`).
    fn readdir_empty_dir_lists_nothing(t) {
        let d = t.mkdir(t.root, "d")?;
        eq(t.list(d)?.len(), 0, "entries")
    }

    /// `getdents64` lists every entry of every kind exactly once.
    fn readdir_lists_every_entry(t) {
        t.file(t.root, "f", b"")?;
        t.mkdir(t.root, "d")?;
        let mut want = vec!["d".to_string(), "f".to_string()];
        if t.caps.symlinks {
            t.symlink(t.root, "l", b"x")?;
            want.push("l".to_string());
        }
        if t.caps.fifos {
            t.fifo(t.root, "p")?;
            want.push("p".to_string());
        }
        eq(t.names(t.root)?, want, "listing")
    }

    /// `getdents64` of 1,000 entries: complete, no duplicates.
    fn readdir_1000_entries_complete(t) {
        fill(t, 1000)?;
        let names = names_of(&t.list(t.root)?);
        no_duplicates(&names)?;
        eq(names.len(), 1000, "entries")
    }

    /// `getdents64` with a small buffer (10 entries per call) over 1,000 entries, resuming from
    /// the last cookie each time: complete, no duplicates.
    fn readdir_resumes_in_small_batches(t) {
        fill(t, 1000)?;
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        let mut all = Vec::new();
        let mut cookie = 0;
        loop {
            let batch = t.list_from(h, cookie, 10)?;
            let Some(last) = batch.last() else { break };
            cookie = last.cookie;
            all.extend(names_of(&batch));
            check(all.len() <= 2000, "the listing does not end")?;
        }
        no_duplicates(&all)?;
        eq(all.len(), 1000, "entries")
    }

    /// `getdents64` d_type and d_ino agree with `lstat` of each name.
    fn readdir_kinds_and_inos_match_lookup(t) {
        t.file(t.root, "f", b"")?;
        t.mkdir(t.root, "d")?;
        if t.caps.symlinks {
            t.symlink(t.root, "l", b"x")?;
        }
        for entry in t.list(t.root)? {
            let name = entry.name.to_string_lossy().into_owned();
            let found = t.lookup(t.root, &name)?;
            eq(entry.kind, found.attr.kind, &format!("kind of {name}"))?;
            eq(entry.ino, found.attr.ino, &format!("ino of {name}"))?;
        }
        Ok(())
    }

    /// Every cookie is non-zero (0 means "from the start") and they are distinct.
    fn readdir_cookies_nonzero_and_distinct(t) {
        fill(t, 50)?;
        let entries = t.list(t.root)?;
        let cookies: BTreeSet<u64> = entries.iter().map(|e| e.cookie).collect();
        check(!cookies.contains(&0), "a cookie is 0")?;
        eq(cookies.len(), entries.len(), "distinct cookies")
    }

    /// A sink that refuses an entry does not consume it: resuming from the previous cookie
    /// offers that entry first (a full getdents64 buffer).
    fn readdir_refused_entry_comes_next(t) {
        fill(t, 5)?;
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        let mut offered = Vec::new();
        ok(
            t.fs.readdir(h, 0, &mut |e| {
                offered.push((e.name.to_string_lossy().into_owned(), e.cookie));
                offered.len() < 3
            }),
            "readdir",
        )?;
        eq(offered.len(), 3, "entries offered before the refusal")?;
        let rest = t.list_from(h, offered[1].1, usize::MAX)?;
        eq(rest.first().map(|e| e.name.to_string_lossy().into_owned()), Some(offered[2].0.clone()), "first entry after resuming")?;
        eq(rest.len(), 3, "remaining entries")
    }

    /// `getdents64` from cookie 0 again (rewinddir) lists everything again.
    fn readdir_restart_from_zero(t) {
        fill(t, 20)?;
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        let first = t.list_from(h, 0, usize::MAX)?;
        let second = t.list_from(h, 0, usize::MAX)?;
        eq(names_of(&second), names_of(&first), "second listing")
    }

    /// Half-way through a listing, `unlink` an entry already listed; resuming lists each
    /// remaining entry exactly once.
    fn readdir_cookie_stable_after_unlink(t) {
        fill(t, 100)?;
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        let head = t.list_from(h, 0, 50)?;
        ok(t.fs.unlink(t.root, &head[10].name), "unlink a listed entry")?;
        let tail = t.list_from(h, head[49].cookie, usize::MAX)?;
        let mut all = names_of(&head);
        all.extend(names_of(&tail));
        no_duplicates(&all)?;
        eq(all.len(), 100, "entries listed")
    }

    /// Half-way through a listing, `unlink` an entry not yet listed: every other entry appears
    /// exactly once, the removed one at most once (POSIX leaves it unspecified, and ext4 may
    /// still return it from the batch it has read ahead).
    fn readdir_cookie_stable_after_unlink_of_unlisted(t) {
        fill(t, 100)?;
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        let head = t.list_from(h, 0, 50)?;
        let listed: BTreeSet<String> = names_of(&head).into_iter().collect();
        let victim = (0..100)
            .map(|i| format!("f{i:03}"))
            .find(|name| !listed.contains(name))
            .ok_or_else(|| skip("every entry was listed in the first half"))?;
        ok(t.fs.unlink(t.root, n(&victim)), "unlink an unlisted entry")?;
        let tail = t.list_from(h, head[49].cookie, usize::MAX)?;
        let mut all = names_of(&head);
        all.extend(names_of(&tail));
        no_duplicates(&all)?;
        let others = all.iter().filter(|name| **name != victim).count();
        eq(others, 99, "other entries listed")
    }

    /// Half-way through a listing, create new entries: no old entry appears twice or
    /// vanishes (new ones may or may not appear).
    fn readdir_cookie_stable_after_add(t) {
        fill(t, 100)?;
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        let head = t.list_from(h, 0, 50)?;
        for i in 0..20 {
            t.file(t.root, &format!("new{i:02}"), b"")?;
        }
        let tail = t.list_from(h, head[49].cookie, usize::MAX)?;
        let mut all = names_of(&head);
        all.extend(names_of(&tail));
        no_duplicates(&all)?;
        let old = all.iter().filter(|name| name.starts_with('f')).count();
        eq(old, 100, "old entries listed")
    }

    /// Resuming from the cookie of an entry removed since: the listing continues after it.
    fn readdir_resume_after_removed_cookie(t) {
        fill(t, 30)?;
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        let head = t.list_from(h, 0, 10)?;
        let last = head.last().ok_or_else(|| skip("empty listing"))?;
        ok(t.fs.unlink(t.root, &last.name), "unlink the entry of the cookie")?;
        let tail = t.list_from(h, last.cookie, usize::MAX)?;
        let mut all = names_of(&head);
        all.extend(names_of(&tail));
        no_duplicates(&all)?;
        eq(all.len(), 30, "entries listed (the removed one once, before its removal)")
    }

    /// `getdents64` of a subdirectory lists its entries only.
    fn readdir_lists_only_own_entries(t) {
        let d = t.mkdir(t.root, "d")?;
        t.file(d, "inner", b"")?;
        t.file(t.root, "outer", b"")?;
        eq(t.names(d)?, vec!["inner".to_string()], "d listing")
    }

    /// `opendir` then `mkdir`/`unlink`, then a fresh listing reflects the change (no stale
    /// snapshot across handles).
    fn readdir_fresh_handle_sees_changes(t) {
        t.file(t.root, "a", b"")?;
        t.names(t.root)?;
        t.file(t.root, "b", b"")?;
        ok(t.fs.unlink(t.root, n("a")), "unlink a")?;
        eq(t.names(t.root)?, vec!["b".to_string()], "listing")
    }

    /// A renamed entry is listed under its new name only.
    fn readdir_after_rename_shows_new_name(t) {
        t.file(t.root, "a", b"")?;
        ok(t.fs.rename(t.root, n("a"), t.root, n("z"), vfsbox_api::RenameFlags::Replace), "rename")?;
        eq(t.names(t.root)?, vec!["z".to_string()], "listing")
    }

    /// Directory entries report `FileKind::Directory` for subdirectories (d_type DT_DIR).
    fn readdir_subdir_kind_is_directory(t) {
        t.mkdir(t.root, "d")?;
        let entries = t.list(t.root)?;
        eq(entries.first().map(|e| e.kind), Some(FileKind::Directory), "kind")
    }

    /// Two handles on one directory list independently.
    fn readdir_two_handles_independent(t) {
        fill(t, 10)?;
        let a = ok(t.fs.opendir(t.root), "opendir a")?;
        let b = ok(t.fs.opendir(t.root), "opendir b")?;
        let part = t.list_from(a, 0, 3)?;
        eq(t.list_from(b, 0, usize::MAX)?.len(), 10, "entries through b")?;
        eq(t.list_from(a, part[2].cookie, usize::MAX)?.len(), 7, "rest through a")?;
        ok(t.fs.releasedir(a), "releasedir a")?;
        ok(t.fs.releasedir(b), "releasedir b")
    }

    /// `opendir`, then `unlink("f001")`, then the first `getdents64`: the removed name is
    /// not listed.
    fn readdir_after_unlink_before_start(t) {
        fill(t, 3)?;
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        ok(t.fs.unlink(t.root, n("f001")), "unlink")?;
        let mut got = names_of(&t.list_from(h, 0, usize::MAX)?);
        got.sort();
        eq(got, vec!["f000".to_string(), "f002".to_string()], "listing")
    }

    /// `link("a", "b")` then `getdents64`: both names listed with the same d_ino.
    fn readdir_hard_links_share_ino(t) {
        let a = t.file(t.root, "a", b"")?;
        if !t.caps.hard_links {
            return errno(t.fs.link(a, t.root, n("b")), Errno::EPERM, "link without hard-link support");
        }
        ok(t.fs.link(a, t.root, n("b")), "link")?;
        let entries = t.list(t.root)?;
        eq(entries.len(), 2, "entries")?;
        eq(entries[0].ino, entries[1].ino, "inode numbers of the two names")
    }
}
