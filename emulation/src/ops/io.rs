//! Descriptor operations: close, I/O at the offset or at a position, `lseek`, `dup*`,
//! `fcntl`, `fsync`, `ftruncate`, `isatty`.

use crate::compat::CompatEvent;
use crate::emulated::Emulated;
use crate::fdtable::{Handle, OpenFile, Slot};
use std::sync::Arc;
use vfsbox_api::{Attr, Errno, Fd, FileKind, SeekHole, SetAttr, S_ISGID, S_ISUID};

/// `fcntl` commands the libc crate does not name on every target (Linux values).
const F_SETSIG: i32 = 10;
const F_GETSIG: i32 = 11;
const F_SETOWN_EX: i32 = 15;
const F_GETOWN_EX: i32 = 16;

/// Status flags `F_SETFL` may change.
const SETFL_MASK: i32 =
    libc::O_APPEND | libc::O_NONBLOCK | libc::O_DIRECT | libc::O_NOATIME | libc::O_ASYNC;

impl Emulated {
    pub(crate) fn do_close(&self, fd: Fd) -> Result<(), Errno> {
        let slot = self.fds.remove(fd)?;
        self.close_slot(slot.file)
    }

    /// The description of an fd for reading: `EBADF` unless open for reading.
    fn readable(&self, fd: Fd) -> Result<Arc<OpenFile>, Errno> {
        let file = self.io_file(fd)?;
        if !file.readable {
            return Err(Errno::EBADF);
        }
        Ok(file)
    }

    fn writable(&self, fd: Fd) -> Result<Arc<OpenFile>, Errno> {
        let file = self.io_file(fd)?;
        if !file.writable {
            return Err(Errno::EBADF);
        }
        Ok(file)
    }

    pub(crate) fn do_read(&self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
        let file = self.readable(fd)?;
        if file.handle == Handle::EmptyFifo {
            return Ok(0);
        }
        let handle = file.file_handle()?;
        let mut pos = file.pos.lock();
        let n = self.fs.read(handle, *pos, buf)?;
        *pos += n as u64;
        Ok(n)
    }

    pub(crate) fn do_pread(&self, fd: Fd, buf: &mut [u8], offset: i64) -> Result<usize, Errno> {
        let offset = u64::try_from(offset).map_err(|_| Errno::EINVAL)?;
        Self::positional(&*self.io_file(fd)?)?;
        let file = self.readable(fd)?;
        let handle = file.file_handle()?;
        self.fs.read(handle, offset, buf)
    }

    pub(crate) fn do_write(&self, fd: Fd, data: &[u8]) -> Result<usize, Errno> {
        let file = self.writable(fd)?;
        let handle = file.file_handle()?;
        if data.is_empty() {
            // generic_write_checks: nothing to write, nothing changes (not even set-id bits).
            return Ok(0);
        }
        let mut pos = file.pos.lock();
        self.kill_setid_for_write(&file)?;
        let at = if file.status() & libc::O_APPEND != 0 {
            self.fs.getattr(file.loc.node().id())?.size
        } else {
            *pos
        };
        let n = self.fs.write(handle, at, data)?;
        *pos = at + n as u64;
        Ok(n)
    }

    pub(crate) fn do_pwrite(&self, fd: Fd, data: &[u8], offset: i64) -> Result<usize, Errno> {
        let offset = u64::try_from(offset).map_err(|_| Errno::EINVAL)?;
        Self::positional(&*self.io_file(fd)?)?;
        let file = self.writable(fd)?;
        let handle = file.file_handle()?;
        if data.is_empty() {
            return Ok(0);
        }
        self.kill_setid_for_write(&file)?;
        // Linux appends even for pwrite on an O_APPEND descriptor.
        let at = if file.status() & libc::O_APPEND != 0 {
            self.fs.getattr(file.loc.node().id())?.size
        } else {
            offset
        };
        self.fs.write(handle, at, data)
    }

    /// `ESPIPE` for positional I/O on FIFOs and sockets.
    fn positional(file: &OpenFile) -> Result<(), Errno> {
        if matches!(file.kind, FileKind::Fifo | FileKind::Socket) {
            return Err(Errno::ESPIPE);
        }
        Ok(())
    }

    /// `file_remove_privs`: a write by anyone without `CAP_FSETID` clears set-user-id, and
    /// set-group-id when group-execute is set.
    fn kill_setid_for_write(&self, file: &OpenFile) -> Result<(), Errno> {
        if self.eff.is_root() || file.kind != FileKind::Regular {
            return Ok(());
        }
        let attr = self.fs.getattr(file.loc.node().id())?;
        self.kill_setid(&attr, file.loc.node().id(), None)
    }

    /// Clears set-id bits as `should_remove_suid` decides.
    pub(crate) fn kill_setid(
        &self,
        attr: &Attr,
        node: vfsbox_api::NodeId,
        handle: Option<vfsbox_api::HandleId>,
    ) -> Result<(), Errno> {
        if self.eff.is_root() || attr.kind != FileKind::Regular {
            return Ok(());
        }
        let mut perm = attr.perm & !S_ISUID;
        if attr.perm & (S_ISGID | 0o010) == S_ISGID | 0o010 {
            perm &= !S_ISGID;
        }
        if perm != attr.perm {
            let change = SetAttr {
                perm: Some(perm),
                ..SetAttr::default()
            };
            self.fs.setattr(node, &change, handle)?;
        }
        Ok(())
    }

    pub(crate) fn do_lseek(&self, fd: Fd, offset: i64, whence: i32) -> Result<i64, Errno> {
        let file = self.io_file(fd)?;
        match file.kind {
            FileKind::Fifo | FileKind::Socket => return Err(Errno::ESPIPE),
            FileKind::Directory => return self.seek_dir(&file, offset, whence),
            _ => {}
        }
        let mut pos = file.pos.lock();
        let new = match whence {
            libc::SEEK_SET => offset,
            libc::SEEK_CUR => i64::try_from(*pos)
                .ok()
                .and_then(|p| p.checked_add(offset))
                .ok_or(Errno::EINVAL)?,
            libc::SEEK_END => {
                let size = self.fs.getattr(file.loc.node().id())?.size;
                i64::try_from(size)
                    .ok()
                    .and_then(|s| s.checked_add(offset))
                    .ok_or(Errno::EINVAL)?
            }
            libc::SEEK_DATA | libc::SEEK_HOLE => {
                let Ok(from) = u64::try_from(offset) else {
                    return Err(Errno::ENXIO);
                };
                let what = if whence == libc::SEEK_DATA {
                    SeekHole::Data
                } else {
                    SeekHole::Hole
                };
                let handle = file.file_handle()?;
                let found = self.fs.seek(handle, from, what)?;
                i64::try_from(found).map_err(|_| Errno::EOVERFLOW)?
            }
            _ => return Err(Errno::EINVAL),
        };
        if new < 0 {
            return Err(Errno::EINVAL);
        }
        *pos = new as u64;
        Ok(new)
    }

    /// `lseek` on a directory: the start (rewind) and the current position are exact;
    /// anything else is a compatibility event (cookies are not byte offsets).
    fn seek_dir(&self, file: &OpenFile, offset: i64, whence: i32) -> Result<i64, Errno> {
        if !matches!(
            whence,
            libc::SEEK_SET | libc::SEEK_CUR | libc::SEEK_END | libc::SEEK_DATA | libc::SEEK_HOLE
        ) {
            return Err(Errno::EINVAL);
        }
        let mut dir = file.dir.lock();
        let here = Self::dir_position(&dir);
        match (whence, offset) {
            (libc::SEEK_SET, 0) => {
                dir.rewind();
                Ok(0)
            }
            (libc::SEEK_CUR, 0) => Ok(here),
            (libc::SEEK_SET, o) if o == here => Ok(here),
            _ => {
                self.compat
                    .emit(CompatEvent::DirectorySeek, "lseek on a directory")?;
                Err(Errno::EINVAL)
            }
        }
    }

    /// The position a directory stream reports: 0 at the start, then the cookie of the
    /// last entry handed out (`.` and `..` count 1 and 2).
    pub(crate) fn dir_position(dir: &crate::fdtable::DirPos) -> i64 {
        match dir.stage {
            0 => 0,
            1 => 1,
            _ if dir.cookie == 0 => 2,
            _ => i64::try_from(dir.cookie).unwrap_or(i64::MAX),
        }
    }

    pub(crate) fn do_dup(&self, fd: Fd) -> Result<Fd, Errno> {
        let slot = self.fds.get(fd)?;
        self.fds.insert(
            Slot {
                file: slot.file,
                cloexec: false,
            },
            0,
        )
    }

    pub(crate) fn do_dup3(&self, fd: Fd, new_fd: Fd, cloexec: bool) -> Result<Fd, Errno> {
        if usize::try_from(new_fd).map_or(true, |n| n >= self.fds.limit()) {
            return Err(Errno::EBADF);
        }
        let slot = self.fds.get(fd)?;
        let old = self.fds.replace(
            new_fd,
            Slot {
                file: slot.file,
                cloexec,
            },
        )?;
        if let Some(old) = old {
            // dup2 closes silently.
            let _ = self.close_slot(old.file);
        }
        Ok(new_fd)
    }

    pub(crate) fn do_fcntl(&self, fd: Fd, cmd: i32, arg: i64) -> Result<i32, Errno> {
        let slot = self.fds.get(fd)?;
        let file = &slot.file;
        let path_ok = matches!(
            cmd,
            libc::F_DUPFD | libc::F_DUPFD_CLOEXEC | libc::F_GETFD | libc::F_SETFD | libc::F_GETFL
        );
        if file.is_path() && !path_ok {
            return Err(Errno::EBADF);
        }
        match cmd {
            libc::F_DUPFD | libc::F_DUPFD_CLOEXEC => {
                let min = usize::try_from(arg)
                    .ok()
                    .filter(|&m| m < self.fds.limit())
                    .ok_or(Errno::EINVAL)?;
                self.fds.insert(
                    Slot {
                        file: Arc::clone(file),
                        cloexec: cmd == libc::F_DUPFD_CLOEXEC,
                    },
                    min,
                )
            }
            libc::F_GETFD => Ok(if slot.cloexec { libc::FD_CLOEXEC } else { 0 }),
            libc::F_SETFD => {
                self.fds
                    .set_cloexec(fd, arg as i32 & libc::FD_CLOEXEC != 0)?;
                Ok(0)
            }
            libc::F_GETFL => Ok(file.status()),
            libc::F_SETFL => {
                let arg = arg as i32;
                let old = file.status();
                if arg & libc::O_NOATIME != 0 && old & libc::O_NOATIME == 0 {
                    let attr = self.fs.getattr(file.loc.node().id())?;
                    if !self.eff.owns(&attr) {
                        return Err(Errno::EPERM);
                    }
                }
                if arg & libc::O_ASYNC != 0 {
                    self.compat
                        .emit(CompatEvent::IgnoredAsyncFlag, "fcntl(F_SETFL, O_ASYNC)")?;
                }
                let new = (arg & SETFL_MASK) | (old & !SETFL_MASK);
                file.flags.store(new, std::sync::atomic::Ordering::Relaxed);
                Ok(0)
            }
            libc::F_GETLK
            | libc::F_SETLK
            | libc::F_SETLKW
            | libc::F_OFD_GETLK
            | libc::F_OFD_SETLK
            | libc::F_OFD_SETLKW
            | libc::F_SETOWN
            | libc::F_GETOWN
            | F_SETSIG
            | F_GETSIG
            | F_SETOWN_EX
            | F_GETOWN_EX
            | libc::F_SETLEASE
            | libc::F_GETLEASE
            | libc::F_NOTIFY
            | libc::F_SETPIPE_SZ
            | libc::F_GETPIPE_SZ
            | libc::F_ADD_SEALS
            | libc::F_GET_SEALS => {
                self.compat
                    .emit(CompatEvent::UnsupportedFcntl, "fcntl command not emulated")?;
                Err(Errno::EINVAL)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    pub(crate) fn do_fsync(&self, fd: Fd, datasync: bool) -> Result<(), Errno> {
        let file = self.io_file(fd)?;
        match file.handle {
            Handle::File(h) => self.fs.fsync(h, datasync),
            _ => Ok(()),
        }
    }

    pub(crate) fn do_ftruncate(&self, fd: Fd, length: i64) -> Result<(), Errno> {
        let size = u64::try_from(length).map_err(|_| Errno::EINVAL)?;
        let file = self.io_file(fd)?;
        if file.kind != FileKind::Regular || !file.writable {
            return Err(Errno::EINVAL);
        }
        let handle = file.file_handle()?;
        let node = file.loc.node().id();
        if !self.eff.is_root() {
            let attr = self.fs.getattr(node)?;
            self.kill_setid(&attr, node, Some(handle))?;
        }
        let change = SetAttr {
            size: Some(size),
            ..SetAttr::default()
        };
        self.fs.setattr(node, &change, Some(handle)).map(drop)
    }

    pub(crate) fn do_isatty(&self, fd: Fd) -> Result<bool, Errno> {
        self.io_file(fd).map(|_| false)
    }
}
