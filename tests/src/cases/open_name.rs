//! `open_name`: an optional shortcut, so each case accepts `None` ("look it up and open it
//! yourself") and holds a provider that answers to exactly what lookup + check + open would
//! do: the same node, the check called once with the opened file's attributes, nothing cut
//! before the check passes, `None` for anything but a regular file.

use crate::helpers::*;
use std::cell::Cell;
use vfsbox_api::{Attr, Errno, OpenFlags};

cases! {
    /// `open("f", O_RDONLY)` by name: the node a lookup finds, its contents, one lookup
    /// counted (given back by one forget), the check called once with the file's attributes.
    fn open_name_opens_what_lookup_finds(t) {
        let f = t.file(t.root, "f", b"abc")?;
        let calls = Cell::new(0);
        let seen = Cell::new(None);
        let mut check = |attr: &Attr| {
            calls.set(calls.get() + 1);
            seen.set(Some(*attr));
            Ok(())
        };
        let Some(opened) = t.fs.open_name(t.root, n("f"), OpenFlags::READ, &mut check) else {
            return eq(calls.get(), 0, "check calls of a declined open_name");
        };
        let (entry, handle) = ok(opened, "open_name(\"f\")")?;
        eq(calls.get(), 1, "check calls")?;
        eq(entry.node, f, "node")?;
        eq(seen.get().map(|a| (a.ino, a.kind, a.size)), Some((entry.attr.ino, entry.attr.kind, 3)), "checked attributes")?;
        eq(t.read_handle(handle)?, b"abc".to_vec(), "contents")?;
        t.release(handle)?;
        // The create's lookup and open_name's: two forgets make the node stale.
        t.fs.forget(f, 1);
        ok(t.fs.getattr(f), "getattr with open_name's lookup still held")?;
        t.fs.forget(f, 1);
        errno(t.fs.getattr(f), Errno::ESTALE, "getattr after both lookups are given back")
    }

    /// `open("f", O_WRONLY|O_TRUNC)` refused by the consumer's check (`EACCES`): the file
    /// keeps every byte and nothing stays counted.
    fn open_name_refused_leaves_file_whole(t) {
        let f = t.file(t.root, "f", b"keep me")?;
        let calls = Cell::new(0);
        let seen = Cell::new(None);
        let mut refuse = |attr: &Attr| {
            calls.set(calls.get() + 1);
            seen.set(Some(attr.size));
            Err(Errno::EACCES)
        };
        let flags = OpenFlags::WRITE | OpenFlags::TRUNCATE;
        match t.fs.open_name(t.root, n("f"), flags, &mut refuse) {
            None => eq(calls.get(), 0, "check calls of a declined open_name")?,
            Some(result) => {
                errno(result, Errno::EACCES, "open_name refused by its check")?;
                eq(calls.get(), 1, "check calls")?;
                eq(seen.get(), Some(7), "size seen by the check")?;
            }
        }
        eq(t.contents(f)?, b"keep me".to_vec(), "contents after a refused O_TRUNC")?;
        t.fs.forget(f, 1);
        errno(t.fs.getattr(f), Errno::ESTALE, "getattr after the create's lookup is given back")
    }

    /// `open("f", O_WRONLY|O_TRUNC)` allowed: emptied after the check, and the entry says so.
    fn open_name_truncates_after_the_check(t) {
        let f = t.file(t.root, "f", b"old")?;
        let seen = Cell::new(None);
        let mut check = |attr: &Attr| {
            seen.set(Some(attr.size));
            Ok(())
        };
        let flags = OpenFlags::WRITE | OpenFlags::TRUNCATE;
        let Some(opened) = t.fs.open_name(t.root, n("f"), flags, &mut check) else {
            return Ok(());
        };
        let (entry, handle) = ok(opened, "open_name(O_TRUNC)")?;
        eq(seen.get(), Some(3), "size seen by the check")?;
        eq(entry.attr.size, 0, "size in the entry")?;
        t.release(handle)?;
        eq(t.contents(f)?, Vec::new(), "contents")
    }

    /// The lookup's errors in the lookup's order: `ENOTDIR` for a file as directory, then
    /// `ENOENT` for a missing name; the check is never called.
    fn open_name_lookup_errors(t) {
        let f = t.file(t.root, "f", b"")?;
        let mut never = |_: &Attr| Err(Errno::EIO);
        for (dir, name, want) in [(t.root, "missing", Errno::ENOENT), (f, "missing", Errno::ENOTDIR)] {
            if let Some(result) = t.fs.open_name(dir, n(name), OpenFlags::READ, &mut never) {
                errno(result, want, &format!("open_name({name:?})"))?;
            }
        }
        Ok(())
    }

    /// A directory, a symlink and a FIFO are never opened by name: `None`, no check.
    fn open_name_declines_all_but_regular_files(t) {
        t.mkdir(t.root, "d")?;
        let mut never = |_: &Attr| Err(Errno::EIO);
        eq(t.fs.open_name(t.root, n("d"), OpenFlags::READ, &mut never), None, "open_name of a directory")?;
        if t.caps.symlinks {
            t.file(t.root, "f", b"")?;
            t.symlink(t.root, "l", b"f")?;
            eq(t.fs.open_name(t.root, n("l"), OpenFlags::READ, &mut never), None, "open_name of a symlink")?;
        }
        if t.caps.fifos {
            t.fifo(t.root, "p")?;
            for flags in [OpenFlags::READ, OpenFlags::WRITE] {
                eq(t.fs.open_name(t.root, n("p"), flags, &mut never), None, "open_name of a FIFO")?;
            }
        }
        Ok(())
    }
}
