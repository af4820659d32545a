//! Inode numbers: stable across copy-up, distinct between upper-only and lower files.

use super::walk;
use crate::helpers::*;
use std::collections::BTreeSet;
use vfsbox_api::{OpenFlags, SetAttr};

overlay_cases! {
    /// `stat("f")` of a lower file, then a write (copy-up): same st_ino, also after the node is
    /// forgotten and looked up again, and in the listing.
    fn ino_stable_across_copyup(o) {
        let b = o.build(|l| l.file(l.root, "f", b"data").map(|_| ()))?;
        let t = &b.t;
        let f = walk(t, "f")?;
        let before = t.attr(f)?.ino;
        let h = t.open(f, OpenFlags::WRITE)?;
        t.write_all(h, 0, b"DATA")?;
        t.release(h)?;
        eq(t.attr(f)?.ino, before, "ino after copy-up")?;
        t.fs.forget(f, 1);
        t.fs.forget(f, 1);
        eq(t.lookup(t.root, "f")?.attr.ino, before, "ino after forget and lookup")?;
        let listed = t.list(t.root)?.into_iter().find(|e| e.name.as_bytes() == b"f");
        eq(listed.map(|e| e.ino), Some(before), "d_ino")
    }

    /// A lower directory copied up because a file is created in it keeps its st_ino.
    fn dir_ino_stable_across_copyup(o) {
        let b = o.build(|l| l.mkdir(l.root, "d").map(|_| ()))?;
        let t = &b.t;
        let d = walk(t, "d")?;
        let before = t.attr(d)?.ino;
        t.file(d, "new", b"")?;
        eq(t.attr(d)?.ino, before, "ino after copy-up")?;
        t.fs.forget(d, 1);
        eq(t.lookup(t.root, "d")?.attr.ino, before, "ino after forget and lookup")
    }

    /// 20 lower files and 20 upper-only files (one made by chmod copy-up): 40 distinct inos.
    fn upper_and_lower_inos_distinct(o) {
        let b = o.build(|l| {
            for i in 0..20 {
                l.file(l.root, &format!("l{i}"), b"")?;
            }
            Ok(())
        })?;
        let t = &b.t;
        for i in 0..20 {
            t.file(t.root, &format!("u{i}"), b"")?;
        }
        let l0 = walk(t, "l0")?;
        t.setattr(l0, SetAttr { perm: Some(0o600), ..SetAttr::default() })?;
        let inos: BTreeSet<u64> = t.list(t.root)?.iter().map(|e| e.ino).collect();
        eq(inos.len(), 40, "distinct inos")
    }
}
