//! The current directory, `realpath`, `umask`, and directory streams (`.` and `..` first,
//! then the provider's entries, resumed by cookie so concurrent changes never repeat or skip
//! an entry that stays).

use crate::compat::CompatEvent;
use crate::emulated::Emulated;
use crate::fdtable::{Handle, OpenFile};
use crate::identity::{Identity, MAY_EXEC};
use crate::node::Location;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use vfsbox_api::{DirEntry, DirRecord, DirStream, Errno, Fd, FileKind, AT_FDCWD};

/// Entries fetched from the provider at a time.
const BATCH: usize = 64;

impl Emulated {
    pub(crate) fn do_chdir(&self, path: &[u8]) -> Result<(), Errno> {
        let found = self.lookup_at(&self.eff, AT_FDCWD, path, false, true)?;
        if found.attr.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        self.eff.may(&found.attr, MAY_EXEC)?;
        *self.cwd.lock() = found.loc;
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
        self.check_fresh(&loc)?;
        Ok(loc.path())
    }

    /// Reports a compatibility event when `loc`'s path no longer leads to its node (the
    /// directory or one of its parents was renamed since it was reached).
    fn check_fresh(&self, loc: &Location) -> Result<(), Errno> {
        if loc.is_root() {
            return Ok(());
        }
        let root = Identity::root().effective();
        let same = self
            .resolver(&root)
            .resolve(&self.root_location(), &loc.path(), false)
            .is_ok_and(|f| f.node().id() == loc.node().id());
        if !same {
            self.compat.emit(
                CompatEvent::StaleDirectoryPath,
                "the directory was renamed after it was reached",
            )?;
        }
        Ok(())
    }

    pub(crate) fn do_umask(&self, mask: u32) -> u32 {
        self.umask.swap(mask & 0o777, Ordering::Relaxed)
    }

    pub(crate) fn do_realpath(&self, path: &[u8]) -> Result<Vec<u8>, Errno> {
        let found = self.lookup_at(&self.eff, AT_FDCWD, path, false, true)?;
        Ok(found.loc.path())
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
        match pos.stage {
            0 => {
                let attr = self.fs.getattr(file.loc.node().id())?;
                if attr.nlink == 0 {
                    // IS_DEADDIR: a removed directory lists nothing, not even `.`.
                    return Err(Errno::ENOENT);
                }
                pos.stage = 1;
                return Ok(Some(DirRecord {
                    ino: attr.ino,
                    kind: libc::DT_DIR,
                    name: b".".to_vec(),
                }));
            }
            1 => {
                let parent = self.fs.getattr(file.loc.parent().id())?;
                pos.stage = 2;
                return Ok(Some(DirRecord {
                    ino: parent.ino,
                    kind: libc::DT_DIR,
                    name: b"..".to_vec(),
                }));
            }
            _ => {}
        }
        if pos.buffer.is_empty() && !pos.exhausted {
            let mut fetched = Vec::new();
            let mut sink = |entry: DirEntry<'_>| {
                if fetched.len() == BATCH {
                    return false;
                }
                fetched.push((
                    DirRecord {
                        ino: entry.ino,
                        kind: entry.kind.dirent_type(),
                        name: entry.name.as_bytes().to_vec(),
                    },
                    entry.cookie,
                ));
                true
            };
            self.fs.readdir(handle, pos.cookie, &mut sink)?;
            if fetched.len() < BATCH {
                pos.exhausted = true;
            }
            pos.buffer.extend(fetched);
        }
        match pos.buffer.pop_front() {
            Some((record, cookie)) => {
                pos.cookie = cookie;
                Ok(Some(record))
            }
            None => Ok(None),
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
