//! Attribute operations: stat, statvfs, chmod, chown, utimens, access, truncate, with
//! Linux's order of `EROFS` (`mnt_want_write`), `EPERM` (ownership) and `EACCES`.

use crate::compat::CompatEvent;
use crate::emulated::Emulated;
use crate::identity::{Cred, MAY_WRITE};
use crate::resolver::Found;
use vfsbox_api::{
    Attr, Errno, Fd, FileKind, NodeId, SetAttr, Stat, StatVfs, TimeSet, TimeSpec, Timestamp,
    S_ISGID,
};

/// `fstatat` flags Linux accepts.
const STAT_FLAGS: i32 = libc::AT_SYMLINK_NOFOLLOW | libc::AT_EMPTY_PATH | libc::AT_NO_AUTOMOUNT;

impl Emulated {
    pub(crate) fn do_fstat(&self, fd: Fd) -> Result<Stat, Errno> {
        let file = self.fds.file(fd)?;
        let attr = self.fs.getattr(file.loc.node().id())?;
        Ok(self.stat_of(&attr))
    }

    pub(crate) fn do_fstatat(&self, dirfd: Fd, path: &[u8], flags: i32) -> Result<Stat, Errno> {
        if flags & !STAT_FLAGS != 0 {
            return Err(Errno::EINVAL);
        }
        self.attr_at(&self.eff, dirfd, path, flags, |attr| self.stat_of(attr))
    }

    fn statvfs_of(&self, node: NodeId) -> Result<StatVfs, Errno> {
        let fs = self.fs.statfs(node)?;
        self.compat.emit(
            CompatEvent::SyntheticStatfsFlags,
            "statvfs flags synthesized",
        )?;
        let bsize = u64::from(fs.block_size);
        Ok(StatVfs {
            bsize,
            frsize: bsize,
            blocks: fs.blocks,
            bfree: fs.blocks_free,
            bavail: fs.blocks_available,
            files: fs.files,
            ffree: fs.files_free,
            favail: fs.files_free,
            flag: if fs.read_only { libc::ST_RDONLY } else { 0 },
            namemax: u64::from(fs.name_max),
        })
    }

    pub(crate) fn do_statvfs(&self, path: &[u8]) -> Result<StatVfs, Errno> {
        let found = self.held_at(&self.eff, vfsbox_api::AT_FDCWD, path, false, true)?;
        self.statvfs_of(found.id())
    }

    pub(crate) fn do_fstatvfs(&self, fd: Fd) -> Result<StatVfs, Errno> {
        let file = self.fds.file(fd)?;
        self.statvfs_of(file.loc.node().id())
    }

    pub(crate) fn do_fchmodat(
        &self,
        dirfd: Fd,
        path: &[u8],
        mode: u32,
        flags: i32,
    ) -> Result<(), Errno> {
        if flags & !(libc::AT_SYMLINK_NOFOLLOW | libc::AT_EMPTY_PATH) != 0 {
            return Err(Errno::EINVAL);
        }
        let found = self.lookup_at_flags(&self.eff, dirfd, path, flags)?;
        if found.attr.kind == FileKind::Symlink {
            return Err(Errno::EOPNOTSUPP);
        }
        self.chmod(found.node().id(), &found.attr, mode)
    }

    pub(crate) fn do_fchmod(&self, fd: Fd, mode: u32) -> Result<(), Errno> {
        let file = self.io_file(fd)?;
        let node = file.loc.node().id();
        let attr = self.fs.getattr(node)?;
        self.chmod(node, &attr, mode)
    }

    /// `chmod_common`: `EROFS`, then ownership (`EPERM`); a caller outside the file's group
    /// loses the set-group-id bit.
    fn chmod(&self, node: NodeId, attr: &Attr, mode: u32) -> Result<(), Errno> {
        if self.read_only {
            return Err(Errno::EROFS);
        }
        if !self.eff.owns(attr) {
            return Err(self.unless_ro(node, Errno::EPERM));
        }
        let mut perm = mode & 0o7777;
        if !self.eff.is_root() && !self.eff.in_group(attr.gid) {
            perm &= !S_ISGID;
        }
        self.check_setid_kept(perm)?;
        let change = SetAttr {
            perm: Some(perm),
            ..SetAttr::default()
        };
        self.fs.setattr(node, &change, None).map(drop)
    }

    pub(crate) fn do_fchownat(
        &self,
        dirfd: Fd,
        path: &[u8],
        uid: u32,
        gid: u32,
        flags: i32,
    ) -> Result<(), Errno> {
        if flags & !(libc::AT_SYMLINK_NOFOLLOW | libc::AT_EMPTY_PATH) != 0 {
            return Err(Errno::EINVAL);
        }
        let found = self.lookup_at_flags(&self.eff, dirfd, path, flags)?;
        self.chown(found.node().id(), &found.attr, uid, gid)
    }

    pub(crate) fn do_fchown(&self, fd: Fd, uid: u32, gid: u32) -> Result<(), Errno> {
        let file = self.io_file(fd)?;
        let node = file.loc.node().id();
        let attr = self.fs.getattr(node)?;
        self.chown(node, &attr, uid, gid)
    }

    /// `chown_common`: `EROFS`, then `chown_ok`/`chgrp_ok` (`EPERM`).
    fn chown(&self, node: NodeId, attr: &Attr, uid: u32, gid: u32) -> Result<(), Errno> {
        if self.read_only {
            return Err(Errno::EROFS);
        }
        let uid = (uid != u32::MAX).then_some(uid);
        let gid = (gid != u32::MAX).then_some(gid);
        if !self.eff.is_root() {
            let owner = self.eff.uid == attr.uid;
            let uid_ok = uid.is_none_or(|u| owner && u == attr.uid);
            let gid_ok = gid.is_none_or(|g| owner && (g == attr.gid || self.eff.in_group(g)));
            if !uid_ok || !gid_ok {
                return Err(self.unless_ro(node, Errno::EPERM));
            }
        }
        let change = SetAttr {
            uid,
            gid,
            ..SetAttr::default()
        };
        if change.is_empty() {
            return Ok(());
        }
        self.fs.setattr(node, &change, None).map(drop)
    }

    pub(crate) fn do_utimensat(
        &self,
        dirfd: Fd,
        path: &[u8],
        times: [TimeSpec; 2],
        flags: i32,
    ) -> Result<(), Errno> {
        // "Nothing to do, we must not even check the path."
        if times.iter().all(|t| t.nsec == libc::UTIME_OMIT) {
            return Ok(());
        }
        let sets = Self::time_sets(times)?;
        if flags & !(libc::AT_SYMLINK_NOFOLLOW | libc::AT_EMPTY_PATH) != 0 {
            return Err(Errno::EINVAL);
        }
        let found = self.lookup_at_flags(&self.eff, dirfd, path, flags)?;
        self.utimes(&found, sets)
    }

    pub(crate) fn do_futimens(&self, fd: Fd, times: [TimeSpec; 2]) -> Result<(), Errno> {
        if times.iter().all(|t| t.nsec == libc::UTIME_OMIT) {
            return Ok(());
        }
        let sets = Self::time_sets(times)?;
        let file = self.io_file(fd)?;
        let attr = self.fs.getattr(file.loc.node().id())?;
        let found = Found::at(file.loc.clone(), attr);
        self.utimes(&found, sets)
    }

    /// Validates the two times (`EINVAL` for a nanosecond value out of range).
    fn time_sets(times: [TimeSpec; 2]) -> Result<[Option<TimeSet>; 2], Errno> {
        let one = |t: TimeSpec| match t.nsec {
            libc::UTIME_OMIT => Ok(None),
            libc::UTIME_NOW => Ok(Some(TimeSet::Now)),
            n => u32::try_from(n)
                .ok()
                .and_then(|n| Timestamp::new(t.sec, n))
                .map(|ts| Some(TimeSet::At(ts)))
                .ok_or(Errno::EINVAL),
        };
        Ok([one(times[0])?, one(times[1])?])
    }

    /// `vfs_utimes`: `EROFS`; both times "now" needs ownership or write permission
    /// (`EACCES`); anything else (an explicit time, or one "now" and one omitted) needs
    /// ownership (`EPERM`), as the kernel answers.
    fn utimes(&self, found: &Found, sets: [Option<TimeSet>; 2]) -> Result<(), Errno> {
        if self.read_only {
            return Err(Errno::EROFS);
        }
        let touch = sets.iter().all(|s| *s == Some(TimeSet::Now));
        if !self.eff.owns(&found.attr) {
            let refused = if touch {
                self.eff.may(&found.attr, MAY_WRITE).err()
            } else {
                Some(Errno::EPERM)
            };
            if let Some(err) = refused {
                return Err(self.unless_ro(found.node().id(), err));
            }
        }
        let change = SetAttr {
            atime: sets[0],
            mtime: sets[1],
            ..SetAttr::default()
        };
        self.fs.setattr(found.node().id(), &change, None).map(drop)
    }

    pub(crate) fn do_faccessat(
        &self,
        dirfd: Fd,
        path: &[u8],
        mode: i32,
        flags: i32,
    ) -> Result<(), Errno> {
        if mode & !(libc::R_OK | libc::W_OK | libc::X_OK) != 0 {
            return Err(Errno::EINVAL);
        }
        if flags & !(libc::AT_EACCESS | libc::AT_SYMLINK_NOFOLLOW | libc::AT_EMPTY_PATH) != 0 {
            return Err(Errno::EINVAL);
        }
        let cred: &Cred = if flags & libc::AT_EACCESS != 0 {
            &self.eff
        } else {
            &self.real
        };
        let found = self.held_at(
            cred,
            dirfd,
            path,
            flags & libc::AT_EMPTY_PATH != 0,
            flags & libc::AT_SYMLINK_NOFOLLOW == 0,
        )?;
        if mode == libc::F_OK {
            return Ok(());
        }
        if mode & libc::W_OK != 0
            && matches!(
                found.attr.kind,
                FileKind::Regular | FileKind::Directory | FileKind::Symlink
            )
            && self.ro_at(found.id())
        {
            return Err(Errno::EROFS);
        }
        cred.may(&found.attr, mode as u32)
    }

    pub(crate) fn do_truncate(&self, path: &[u8], length: i64) -> Result<(), Errno> {
        let size = u64::try_from(length).map_err(|_| Errno::EINVAL)?;
        let found = self.lookup_at(&self.eff, vfsbox_api::AT_FDCWD, path, false, true)?;
        match found.attr.kind {
            FileKind::Directory => return Err(Errno::EISDIR),
            FileKind::Regular => {}
            _ => return Err(Errno::EINVAL),
        }
        let node = found.node().id();
        if self.read_only {
            return Err(Errno::EROFS);
        }
        self.eff
            .may(&found.attr, MAY_WRITE)
            .map_err(|e| self.unless_ro(node, e))?;
        self.kill_setid(&found.attr, node, None)?;
        let change = SetAttr {
            size: Some(size),
            ..SetAttr::default()
        };
        self.fs.setattr(node, &change, None).map(drop)
    }
}
