//! Hard links and `nlink`; EPERM without `Capabilities::hard_links`.

use crate::helpers::*;
use vfsbox_api::{Errno, FileKind, OpenFlags};

cases! {
    /// `link("f", "g")`: same inode, nlink 2 on both names, same data.
    fn link_creates_second_name(t) {
        let f = t.file(t.root, "f", b"data")?;
        let result = t.fs.link(f, t.root, n("g"));
        if !t.caps.hard_links {
            return errno(result, Errno::EPERM, "link without hard-link support");
        }
        let e = ok(result, "link")?;
        eq(e.attr.ino, t.attr(f)?.ino, "ino")?;
        eq(t.attr(f)?.nlink, 2, "nlink")?;
        eq(t.lookup(t.root, "g")?.attr.nlink, 2, "nlink by the new name")?;
        eq(t.contents(t.lookup(t.root, "g")?.node)?, b"data".to_vec(), "contents by the new name")
    }

    /// `link("d", "e")` on a directory → EPERM.
    fn link_to_dir_is_eperm(t) {
        let d = t.mkdir(t.root, "d")?;
        errno(t.fs.link(d, t.root, n("e")), Errno::EPERM, "link of a directory")
    }

    /// Precedence: `link("d", "f")` of a directory onto an existing name → EEXIST first.
    fn link_dir_onto_existing_is_eexist(t) {
        let d = t.mkdir(t.root, "d")?;
        t.file(t.root, "f", b"")?;
        errno(t.fs.link(d, t.root, n("f")), Errno::EEXIST, "link of a dir onto an existing name")
    }

    /// `link("f", "g")` where g exists → EEXIST.
    fn link_existing_name_is_eexist(t) {
        let f = t.file(t.root, "f", b"")?;
        t.file(t.root, "g", b"")?;
        errno(t.fs.link(f, t.root, n("g")), Errno::EEXIST, "link onto an existing name")
    }

    /// `link("f", "f")`: the name exists (it is the same file) → EEXIST.
    fn link_onto_own_name_is_eexist(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.link(f, t.root, n("f")), Errno::EEXIST, "link onto its own name")
    }

    /// `link("f", "g/x")` where g is a file → ENOTDIR.
    fn link_into_file_is_enotdir(t) {
        let f = t.file(t.root, "f", b"")?;
        let g = t.file(t.root, "g", b"")?;
        errno(t.fs.link(f, g, n("x")), Errno::ENOTDIR, "link into a file")
    }

    /// `open("f")`, `unlink("f")`, `linkat(fd, "", AT_EMPTY_PATH)` → ENOENT (no links left).
    fn link_unlinked_file_is_enoent(t) {
        let f = t.file(t.root, "f", b"")?;
        let h = t.open(f, OpenFlags::READ)?;
        ok(t.fs.unlink(t.root, n("f")), "unlink")?;
        let want = if t.caps.hard_links { Errno::ENOENT } else { Errno::EPERM };
        let result = errno(t.fs.link(f, t.root, n("g")), want, "link of an unlinked file");
        t.release(h)?;
        result
    }

    /// `link("f", "d/g")` across directories, then `unlink("f")`: data stays reachable, nlink 1.
    fn unlink_one_link_keeps_other(t) {
        let f = t.file(t.root, "f", b"data")?;
        let d = t.mkdir(t.root, "d")?;
        let result = t.fs.link(f, d, n("g"));
        if !t.caps.hard_links {
            return errno(result, Errno::EPERM, "link without hard-link support");
        }
        let g = ok(result, "link")?.node;
        ok(t.fs.unlink(t.root, n("f")), "unlink f")?;
        eq(t.attr(g)?.nlink, 1, "nlink")?;
        eq(t.contents(g)?, b"data".to_vec(), "contents")
    }

    /// Three names for one file: nlink counts 3, then down as names go.
    fn link_nlink_counts_names(t) {
        let f = t.file(t.root, "a", b"")?;
        if !t.caps.hard_links {
            return errno(t.fs.link(f, t.root, n("b")), Errno::EPERM, "link without hard-link support");
        }
        ok(t.fs.link(f, t.root, n("b")), "link b")?;
        ok(t.fs.link(f, t.root, n("c")), "link c")?;
        eq(t.attr(f)?.nlink, 3, "nlink with three names")?;
        ok(t.fs.unlink(t.root, n("a")), "unlink a")?;
        eq(t.attr(f)?.nlink, 2, "nlink after one unlink")?;
        eq(t.names(t.root)?, vec!["b".to_string(), "c".to_string()], "listing")
    }

    /// `linkat("l", "m", 0)` on a symlink: a hard link to the symlink itself, not its target.
    fn link_to_symlink_links_the_symlink(t) {
        let l = t.symlink(t.root, "l", b"target")?;
        if !t.caps.hard_links {
            return errno(t.fs.link(l, t.root, n("m")), Errno::EPERM, "link without hard-link support");
        }
        let m = ok(t.fs.link(l, t.root, n("m")), "link of a symlink")?;
        eq(m.attr.kind, FileKind::Symlink, "kind")?;
        eq(ok(t.fs.readlink(m.node), "readlink")?, b"target".to_vec(), "target")
    }

    /// Writing through one name is seen through the other (one inode).
    fn link_shares_data(t) {
        let f = t.file(t.root, "f", b"")?;
        if !t.caps.hard_links {
            return errno(t.fs.link(f, t.root, n("g")), Errno::EPERM, "link without hard-link support");
        }
        let g = ok(t.fs.link(f, t.root, n("g")), "link")?.node;
        let h = t.open(g, OpenFlags::WRITE)?;
        t.write_all(h, 0, b"shared")?;
        t.release(h)?;
        eq(t.contents(f)?, b"shared".to_vec(), "contents through the first name")
    }
}
