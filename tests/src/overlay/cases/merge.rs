//! Merged listings (upper first, no duplicates, no whited-out or reserved names, stable
//! cookies) and directory link counts.

use super::walk;
use crate::helpers::*;
use std::collections::BTreeSet;
use vfsbox_api::{OpenFlags, SetAttr};

fn names_of(entries: &[Listed]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e.name.to_string_lossy().into_owned())
        .collect()
}

/// Fails if a name appears twice.
fn no_duplicates(names: &[String]) -> crate::outcome::CaseResult {
    let mut seen = BTreeSet::new();
    for name in names {
        check(seen.insert(name), &format!("{name:?} listed twice"))?;
    }
    Ok(())
}

overlay_cases! {
    /// Lower `a`, `b`, `c`; `b` copied up, `c` unlinked, `d` created: the listing is `b`, `d`
    /// (upper) then `a` (lower), each once, without `c` or the whiteout.
    fn listing_merges_upper_first(o) {
        let b = o.build(|l| {
            for name in ["a", "b", "c"] {
                l.file(l.root, name, name.as_bytes())?;
            }
            Ok(())
        })?;
        let t = &b.t;
        let bb = walk(t, "b")?;
        t.setattr(bb, SetAttr { perm: Some(0o600), ..SetAttr::default() })?;
        ok(t.fs.unlink(t.root, n("c")), "unlink c")?;
        t.file(t.root, "d", b"")?;
        let names = names_of(&t.list(t.root)?);
        no_duplicates(&names)?;
        let (upper, lower) = names.split_at(2.min(names.len()));
        let upper: BTreeSet<&String> = upper.iter().collect();
        eq(upper, ["b".to_string(), "d".to_string()].iter().collect(), "upper entries first")?;
        eq(lower.to_vec(), vec!["a".to_string()], "then the lower ones")
    }

    /// 30 lower and 30 upper files (10 of them shadowing lower names), listed 7 at a time,
    /// resuming from the last cookie: complete, no duplicates, non-zero distinct cookies.
    fn listing_resumes_with_stable_cookies(o) {
        let b = o.build(|l| {
            for i in 0..30 {
                l.file(l.root, &format!("l{i:02}"), b"")?;
            }
            Ok(())
        })?;
        let t = &b.t;
        for i in 0..30 {
            t.file(t.root, &format!("u{i:02}"), b"")?;
        }
        for i in 0..10 {
            let node = walk(t, &format!("l{i:02}"))?;
            t.pin_times(node)?;
        }
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        let mut all = Vec::new();
        let mut cookies = BTreeSet::new();
        let mut cookie = 0;
        loop {
            let batch = t.list_from(h, cookie, 7)?;
            let Some(last) = batch.last() else { break };
            cookie = last.cookie;
            for e in &batch {
                check(e.cookie != 0 && cookies.insert(e.cookie), "a cookie is 0 or repeated")?;
            }
            all.extend(names_of(&batch));
            check(all.len() <= 120, "the listing does not end")?;
        }
        ok(t.fs.releasedir(h), "releasedir")?;
        no_duplicates(&all)?;
        eq(all.len(), 60, "entries")
    }

    /// In a merged directory, each listed entry's d_ino and kind equal its lookup's.
    fn listing_inos_match_lookup(o) {
        let b = o.build(|l| {
            l.file(l.root, "lf", b"")?;
            l.mkdir(l.root, "ld")?;
            l.file(l.root, "copied", b"").map(|_| ())
        })?;
        let t = &b.t;
        t.file(t.root, "uf", b"")?;
        t.mkdir(t.root, "ud")?;
        let c = walk(t, "copied")?;
        t.pin_times(c)?;
        for entry in t.list(t.root)? {
            let name = entry.name.to_string_lossy().into_owned();
            let found = t.lookup(t.root, &name)?;
            eq((entry.ino, entry.kind), (found.attr.ino, found.attr.kind), &format!("d_ino and kind of {name}"))?;
        }
        Ok(())
    }

    /// A lower file copied up while the listing is in its lower phase is listed once.
    fn copyup_during_listing_lists_once(o) {
        let b = o.build(|l| {
            for i in 0..10 {
                l.file(l.root, &format!("f{i}"), b"")?;
            }
            Ok(())
        })?;
        let t = &b.t;
        let h = ok(t.fs.opendir(t.root), "opendir")?;
        let first = t.list_from(h, 0, 3)?;
        let listed: BTreeSet<String> = names_of(&first).into_iter().collect();
        let unlisted = (0..10).map(|i| format!("f{i}")).find(|n| !listed.contains(n));
        let unlisted = unlisted.ok_or_else(|| skip("every name came in the first batch"))?;
        let node = walk(t, &unlisted)?;
        let w = t.open(node, OpenFlags::WRITE)?;
        t.release(w)?;
        let cookie = first.last().map(|e| e.cookie).unwrap_or(0);
        let rest = t.list_from(h, cookie, usize::MAX)?;
        ok(t.fs.releasedir(h), "releasedir")?;
        let mut all = names_of(&first);
        all.extend(names_of(&rest));
        no_duplicates(&all)?;
        eq(all.len(), 10, "entries")
    }

    /// Directory nlink in the merged view: lower `a`, `b` plus upper `c` → 5; after `rmdir a`
    /// → 4; a lower directory holding `x/` → 3.
    fn merged_dir_nlink_counts_both_layers(o) {
        let b = o.build(|l| {
            let a = l.mkdir(l.root, "a")?;
            l.mkdir(a, "x")?;
            l.mkdir(l.root, "b")?;
            Ok(())
        })?;
        let t = &b.t;
        t.mkdir(t.root, "c")?;
        eq(t.attr(t.root)?.nlink, 5, "root nlink")?;
        let a = walk(t, "a")?;
        eq(t.attr(a)?.nlink, 3, "a nlink")?;
        ok(t.fs.rmdir(a, n("x")), "rmdir a/x")?;
        eq(t.attr(a)?.nlink, 2, "a nlink after rmdir a/x")?;
        ok(t.fs.rmdir(t.root, n("a")), "rmdir a")?;
        eq(t.attr(t.root)?.nlink, 4, "root nlink after rmdir a")
    }
}
