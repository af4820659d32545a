//! `fcntl` record locks and `flock`, over the shared registry in [`crate::locks`].

use crate::compat::CompatEvent;
use crate::emulated::Emulated;
use crate::locks::{self, Record};
use vfsbox_api::{Errno, Fd, Flock};

/// `LOCK_MAND` (Linux's value; libc does not name it).
const LOCK_MAND: i32 = 32;

impl Emulated {
    pub(crate) fn do_fcntl_lock(&self, fd: Fd, cmd: i32, lock: &mut Flock) -> Result<(), Errno> {
        let file = self.fds.file(fd)?;
        if !matches!(cmd, libc::F_GETLK | libc::F_SETLK | libc::F_SETLKW) {
            if matches!(
                cmd,
                libc::F_OFD_GETLK | libc::F_OFD_SETLK | libc::F_OFD_SETLKW
            ) {
                self.compat
                    .emit(CompatEvent::UnsupportedFcntl, "open file description locks")?;
            }
            return Err(Errno::EINVAL);
        }
        if file.is_path() {
            return Err(Errno::EBADF);
        }
        // flock_to_posix_lock: the range first.
        let base: i64 = match i32::from(lock.whence) {
            libc::SEEK_SET => 0,
            libc::SEEK_CUR => i64::try_from(*file.pos.lock()).map_err(|_| Errno::EOVERFLOW)?,
            libc::SEEK_END => i64::try_from(self.fs.getattr(file.loc.node().id())?.size)
                .map_err(|_| Errno::EOVERFLOW)?,
            _ => return Err(Errno::EINVAL),
        };
        let start = base.checked_add(lock.start).ok_or(Errno::EOVERFLOW)?;
        if start < 0 {
            return Err(Errno::EINVAL);
        }
        let (start, end) = if lock.len > 0 {
            let end = start.checked_add(lock.len - 1).ok_or(Errno::EOVERFLOW)?;
            (start as u64, end as u64)
        } else if lock.len == 0 {
            (start as u64, u64::MAX)
        } else {
            let first = start + lock.len;
            if first < 0 {
                return Err(Errno::EINVAL);
            }
            (first as u64, start as u64 - 1)
        };
        let kind = i32::from(lock.kind);
        let owner = self.pid as u64;
        let key = file.lock_key();
        if cmd == libc::F_GETLK {
            let write = match kind {
                libc::F_RDLCK => false,
                libc::F_WRLCK => true,
                _ => return Err(Errno::EINVAL),
            };
            match locks::record_conflict(key, owner, write, start, end) {
                Some(found) => {
                    self.compat.emit(
                        CompatEvent::SyntheticLockOwner,
                        "F_GETLK reports a virtual pid",
                    )?;
                    lock.kind = if found.write {
                        libc::F_WRLCK as i16
                    } else {
                        libc::F_RDLCK as i16
                    };
                    lock.whence = libc::SEEK_SET as i16;
                    lock.start = found.start as i64;
                    lock.len = if found.end == u64::MAX {
                        0
                    } else {
                        (found.end - found.start + 1) as i64
                    };
                    lock.pid = found.pid;
                }
                None => lock.kind = libc::F_UNLCK as i16,
            }
            return Ok(());
        }
        let new = match kind {
            libc::F_RDLCK if !file.readable => return Err(Errno::EBADF),
            libc::F_WRLCK if !file.writable => return Err(Errno::EBADF),
            libc::F_RDLCK | libc::F_WRLCK => Some(Record {
                owner,
                pid: self.pid,
                write: kind == libc::F_WRLCK,
                start,
                end,
            }),
            libc::F_UNLCK => None,
            _ => return Err(Errno::EINVAL),
        };
        let mut on_wait = || {
            self.compat.emit(
                CompatEvent::UndetectedLockDeadlock,
                "F_SETLKW waits without deadlock detection",
            )
        };
        locks::record_set(
            key,
            &self.record_files,
            new,
            owner,
            start,
            end,
            cmd == libc::F_SETLKW,
            &mut on_wait,
        )
    }

    pub(crate) fn do_flock(&self, fd: Fd, operation: i32) -> Result<(), Errno> {
        // LOCK_MAND requests are ignored (and succeed) before anything is checked.
        if operation & LOCK_MAND != 0 {
            return Ok(());
        }
        let lock = match operation & !libc::LOCK_NB {
            libc::LOCK_SH => Some(false),
            libc::LOCK_EX => Some(true),
            libc::LOCK_UN => None,
            _ => return Err(Errno::EINVAL),
        };
        let file = self.io_file(fd)?;
        if lock.is_some() && !file.readable && !file.writable {
            return Err(Errno::EBADF);
        }
        if lock.is_some() {
            // Told before the lock exists, so the description's last close cannot miss it.
            file.flocked
                .store(true, std::sync::atomic::Ordering::Release);
        }
        locks::flock(
            file.lock_key(),
            file.id,
            lock,
            operation & libc::LOCK_NB != 0,
        )
    }
}
