//! The current directory, `realpath`, `umask`, and directory streams (`.` and `..` first,
//! then the provider's entries, resumed by cookie so concurrent changes never repeat or skip
//! an entry that stays).

use crate::compat::CompatEvent;
use crate::emulated::Emulated;
use crate::fdtable::{DirPos, Handle, OpenFile};
use crate::identity::MAY_EXEC;
use crate::node::{Location, NodeRef};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use vfsbox_api::{
    DirBatch, DirEntry, DirRecord, DirStream, Errno, Fd, FileKind, HandleId, Name, AT_FDCWD,
};

/// Directories `getcwd` searches for a renamed cwd before giving up.
const RELOCATE_LIMIT: usize = 100_000;

/// Entries fetched from the provider at a time: a multiple of what the memory provider
/// copies out per lock of the directory (128), so no copied entry is thrown away, and about
/// the 32 KiB glibc reads per `getdents64`.
const BATCH: usize = 1024;

impl Emulated {
    pub(crate) fn do_chdir(&self, path: &[u8]) -> Result<(), Errno> {
        let found = self.lookup_at(&self.eff, AT_FDCWD, path, false, true)?;
        if found.attr.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        self.eff.may(&found.attr, MAY_EXEC)?;
        *self.cwd.lock() = found.into_location();
        Ok(())
    }

    pub(crate) fn do_fchdir(&self, fd: Fd) -> Result<(), Errno> {
        let file = self.fds.file(fd)?;
        if file.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        let attr = self.fs.getattr(file.loc.node().id())?;
        self.eff.may(&attr, MAY_EXEC)?;
        *self.cwd.lock() = file.loc.clone();
        Ok(())
    }

    pub(crate) fn do_getcwd(&self) -> Result<Vec<u8>, Errno> {
        let loc = self.cwd_location();
        let attr = self.fs.getattr(loc.node().id())?;
        if attr.nlink == 0 {
            return Err(Errno::ENOENT);
        }
        // If the directory (or a parent) was renamed, find where it is now, as Linux's
        // dentry walk would, and make that the cwd so `..` follows the real parent too.
        if let Some(current) = self.refreshed(&loc) {
            let path = current.path();
            *self.cwd.lock() = current;
            return Self::fits_a_page(path);
        }
        self.compat.emit(
            CompatEvent::StaleDirectoryPath,
            "the directory was renamed after it was reached and could not be found again",
        )?;
        Self::fits_a_page(loc.path())
    }

    /// The kernel builds the path in one page: a longer one (with its NUL) is
    /// `ENAMETOOLONG`.
    fn fits_a_page(path: Vec<u8>) -> Result<Vec<u8>, Errno> {
        if path.len() >= crate::resolver::PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        Ok(path)
    }

    /// True when every step of `loc`'s chain still names the node it held: no directory of
    /// it was renamed or moved since it was reached.
    pub(crate) fn leads_to_itself(&self, loc: &Location) -> bool {
        loc.steps().all(|(parent, name, node)| {
            let Ok(name) = Name::new(name) else {
                return false;
            };
            match self.fs.lookup(parent.id(), name) {
                Ok(entry) => {
                    drop(NodeRef::adopt(&self.fs, entry.node));
                    entry.node == node.id()
                }
                Err(_) => false,
            }
        })
    }

    /// `loc` if its chain is current, else the directory's chain as it is now (found by
    /// [`Emulated::relocate`]); `None` if it cannot be found.
    pub(crate) fn refreshed(&self, loc: &Location) -> Option<Location> {
        if self.leads_to_itself(loc) {
            return Some(loc.clone());
        }
        self.relocate(loc)
    }

    /// Searches the tree breadth-first for `loc`'s directory (at most [`RELOCATE_LIMIT`]
    /// directories): its chain of parents as it is now.
    pub(crate) fn relocate(&self, loc: &Location) -> Option<Location> {
        let target = loc.node().id();
        let mut queue = std::collections::VecDeque::from([self.root_location()]);
        let mut seen = 0usize;
        while let Some(dir) = queue.pop_front() {
            let Ok(handle) = self.fs.opendir(dir.node().id()) else {
                continue;
            };
            let mut subdirs: Vec<Vec<u8>> = Vec::new();
            let mut sink = |entry: DirEntry<'_>| {
                if entry.kind == FileKind::Directory {
                    subdirs.push(entry.name.as_bytes().to_vec());
                }
                true
            };
            let listed = self.fs.readdir(handle, 0, &mut sink);
            let _ = self.fs.releasedir(handle);
            if listed.is_err() {
                continue;
            }
            for name in subdirs {
                seen += 1;
                if seen > RELOCATE_LIMIT {
                    return None;
                }
                let Ok(name) = Name::new(&name) else { continue };
                let Ok(entry) = self.fs.lookup(dir.node().id(), name) else {
                    continue;
                };
                let node = NodeRef::adopt(&self.fs, entry.node);
                if entry.attr.kind != FileKind::Directory {
                    continue;
                }
                let mut below = dir.clone();
                below.push(node, name.as_bytes());
                if entry.node == target {
                    return Some(below);
                }
                queue.push_back(below);
            }
        }
        None
    }

    pub(crate) fn do_umask(&self, mask: u32) -> u32 {
        self.umask.swap(mask & 0o777, Ordering::Relaxed)
    }

    /// glibc's `realpath` walks component by component, so the input may be longer than
    /// `PATH_MAX`; only a result that long is `ENAMETOOLONG`.
    pub(crate) fn do_realpath(&self, path: &[u8]) -> Result<Vec<u8>, Errno> {
        let start = if path.first() == Some(&b'/') {
            self.root_location()
        } else {
            // The result spells the cwd's path: make sure it is the current one.
            let cwd = self.cwd_location();
            match self.refreshed(&cwd) {
                Some(current) if !cwd.is_root() => {
                    *self.cwd.lock() = current.clone();
                    current
                }
                _ => cwd,
            }
        };
        let found = self.resolver(&self.eff).resolve_any_length(&start, path)?;
        let resolved = found.into_location().path();
        if resolved.len() >= crate::resolver::PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        Ok(resolved)
    }

    fn new_stream(&self, fd: Fd) -> DirStream {
        let id = self.next_dir.fetch_add(1, Ordering::Relaxed);
        self.dirs.lock().insert(id, fd);
        DirStream(id)
    }

    pub(crate) fn do_opendir(&self, path: &[u8]) -> Result<DirStream, Errno> {
        let fd = self.do_openat(
            AT_FDCWD,
            path,
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
            0,
        )?;
        Ok(self.new_stream(fd))
    }

    pub(crate) fn do_fdopendir(&self, fd: Fd) -> Result<DirStream, Errno> {
        let file = self.io_file(fd)?;
        if file.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok(self.new_stream(fd))
    }

    fn stream_file(&self, dir: DirStream) -> Result<Arc<OpenFile>, Errno> {
        let fd = *self.dirs.lock().get(&dir.0).ok_or(Errno::EBADF)?;
        self.io_file(fd)
    }

    pub(crate) fn do_readdir(&self, dir: DirStream) -> Result<Option<DirRecord>, Errno> {
        let file = self.stream_file(dir)?;
        let Handle::Dir(handle) = file.handle else {
            return Err(Errno::ENOTDIR);
        };
        let mut pos = file.dir.lock();
        let mut record = None;
        self.next_entry(&file, handle, &mut pos, |ino, kind, name| {
            record = Some(DirRecord {
                ino,
                kind,
                name: name.to_vec(),
            });
        })?;
        Ok(record)
    }

    /// `readdir` up to `max` times under one lookup of the stream and one lock of its
    /// position, the names copied into `out`'s one buffer.
    pub(crate) fn do_readdir_batch(
        &self,
        dir: DirStream,
        out: &mut DirBatch,
        max: usize,
    ) -> Result<usize, Errno> {
        out.clear();
        let file = self.stream_file(dir)?;
        let Handle::Dir(handle) = file.handle else {
            return Err(Errno::ENOTDIR);
        };
        let mut pos = file.dir.lock();
        while out.len() < max {
            if pos.stage == 2 && pos.pending.is_drained() && !pos.exhausted {
                // Straight from the provider into `out`, without the stream's buffer.
                match self.fetch_into(handle, &mut pos, out, max) {
                    Ok(()) => continue,
                    Err(e) if out.is_empty() => return Err(e),
                    Err(_) => break,
                }
            }
            match self.next_entry(&file, handle, &mut pos, |ino, kind, name| {
                out.push(ino, kind, name);
            }) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if out.is_empty() => return Err(e),
                // What was read is handed out; the next call meets the error again.
                Err(_) => break,
            }
        }
        Ok(out.len())
    }

    /// Moves the stream one entry on and gives that entry to `emit`: `.`, `..`, then the
    /// provider's entries, fetched [`BATCH`] at a time. `false` at the end of the stream.
    fn next_entry(
        &self,
        file: &OpenFile,
        handle: HandleId,
        pos: &mut DirPos,
        emit: impl FnOnce(u64, u8, &[u8]),
    ) -> Result<bool, Errno> {
        match pos.stage {
            0 => {
                let attr = self.fs.getattr(file.loc.node().id())?;
                if attr.nlink == 0 {
                    // IS_DEADDIR: getdents fails with ENOENT, which glibc's readdir turns
                    // into the end of the stream.
                    return Ok(false);
                }
                pos.stage = 1;
                emit(attr.ino, libc::DT_DIR, b".");
                return Ok(true);
            }
            1 => {
                let parent = self.fs.getattr(file.loc.parent().id())?;
                pos.stage = 2;
                emit(parent.ino, libc::DT_DIR, b"..");
                return Ok(true);
            }
            _ => {}
        }
        if pos.pending.is_drained() {
            if pos.exhausted {
                return Ok(false);
            }
            self.fetch(handle, pos)?;
        }
        match pos.pending.pop() {
            Some((ino, kind, cookie, name)) => {
                pos.cookie = cookie;
                emit(ino, kind, name);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The provider's entries after the stream's cookie appended to `out` until it holds
    /// `max`, the stream moved past them: [`Emulated::fetch`] for a batch, with one copy of
    /// each name fewer. On an error `out` keeps only what it held before.
    fn fetch_into(
        &self,
        handle: HandleId,
        pos: &mut DirPos,
        out: &mut DirBatch,
        max: usize,
    ) -> Result<(), Errno> {
        let before = out.len();
        let mut last = pos.cookie;
        let mut refused = false;
        let listed = {
            let mut sink = |entry: DirEntry<'_>| {
                if out.len() >= max {
                    refused = true;
                    return false;
                }
                out.push(entry.ino, entry.kind.dirent_type(), entry.name.as_bytes());
                last = entry.cookie;
                true
            };
            self.fs.readdir(handle, pos.cookie, &mut sink)
        };
        match listed {
            Ok(()) => {
                pos.cookie = last;
                pos.exhausted = !refused;
                Ok(())
            }
            Err(e) => {
                out.truncate(before);
                if e == Errno::ENOENT {
                    pos.exhausted = true;
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Replaces the stream's pending entries by the provider's next [`BATCH`] after the
    /// stream's cookie.
    fn fetch(&self, handle: HandleId, pos: &mut DirPos) -> Result<(), Errno> {
        pos.pending.clear();
        // Room for a whole batch at once (as glibc gives each stream a 32 KiB buffer), so
        // a large listing does not grow the buffers step by step, copying them each time.
        pos.pending.reserve(BATCH, BATCH * 16);
        let cookie = pos.cookie;
        let mut refused = false;
        let listed = {
            // Filled in place: the buffers keep their capacity from one batch to the next.
            let pending = &mut pos.pending;
            let mut sink = |entry: DirEntry<'_>| {
                if pending.len() == BATCH {
                    refused = true;
                    return false;
                }
                pending.push(
                    entry.ino,
                    entry.kind.dirent_type(),
                    entry.cookie,
                    entry.name.as_bytes(),
                );
                true
            };
            self.fs.readdir(handle, cookie, &mut sink)
        };
        match listed {
            Ok(()) => {
                pos.exhausted = !refused;
                Ok(())
            }
            Err(e) => {
                // Nothing of a failed listing is handed out.
                pos.pending.clear();
                if e == Errno::ENOENT {
                    // Removed while listed: the end of the stream, as glibc reports it.
                    pos.exhausted = true;
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    pub(crate) fn do_rewinddir(&self, dir: DirStream) -> Result<(), Errno> {
        let file = self.stream_file(dir)?;
        file.dir.lock().rewind();
        Ok(())
    }

    pub(crate) fn do_closedir(&self, dir: DirStream) -> Result<(), Errno> {
        let fd = self.dirs.lock().remove(&dir.0).ok_or(Errno::EBADF)?;
        self.do_close(fd)
    }
}
