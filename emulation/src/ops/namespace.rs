//! Namespace operations: making, removing, renaming and linking names, in Linux's errno
//! order (`filename_create`, `may_create`, `may_delete`, `do_renameat2`, `may_linkat`).

use crate::emulated::Emulated;
use crate::identity::{MAY_EXEC, MAY_READ, MAY_WRITE};
use crate::node::{Location, NodeRef};
use crate::resolver::{is_dead_dir, Last, LastKind};
use vfsbox_api::{
    Attr, Entry, Errno, Fd, FileKind, Name, RenameFlags, SYMLINK_MAX, S_ISGID, S_ISUID, S_ISVTX,
};

/// A check Linux makes besides `may_create`, and on which side of it.
enum Extra<F> {
    /// Before `may_create` (`may_linkat`).
    Before(F),
    /// After `may_create` (`CAP_MKNOD` for devices).
    After(F),
}

/// No extra check.
fn none() -> Extra<fn() -> Result<(), Errno>> {
    Extra::After(|| Ok(()))
}

impl Emulated {
    /// `may_create` on `dir`: a dead directory is `ENOENT`, then write and search permission.
    pub(crate) fn may_create_in(&self, dir: &Location) -> Result<(), Errno> {
        if self.eff.is_root() {
            return Ok(());
        }
        let attr = self.fs.getattr(dir.node().id())?;
        if is_dead_dir(&attr) {
            return Err(Errno::ENOENT);
        }
        self.eff.may(&attr, MAY_WRITE | MAY_EXEC)
    }

    /// Whether `dir` was removed (`IS_DEADDIR`): Linux's lookup of a new name there is
    /// `ENOENT` before any check that would follow it.
    fn removed_dir(&self, dir: &Location) -> bool {
        self.fs
            .getattr(dir.node().id())
            .is_ok_and(|a| is_dead_dir(&a))
    }

    /// `filename_create` then `may_create` (and `extra`, a check Linux makes before the
    /// filesystem is called): `EEXIST` for `.`, `..`, `/` or an existing name, `ENOENT` in a
    /// removed directory or for a trailing slash on a name that is not to be a directory,
    /// `EROFS`, then the permission errors. The provider is called directly when nothing can fail here, so a name is
    /// looked up only to choose between errors.
    fn create_name<'l>(
        &self,
        loc: &Location,
        last: &'l Last,
        want_dir: bool,
        extra: Extra<impl FnOnce() -> Result<(), Errno>>,
    ) -> Result<&'l Name, Errno> {
        let Some(name) = last.name(&self.fs, loc)? else {
            return Err(Errno::EEXIST);
        };
        let trailing_bad = last.trailing_slash && !want_dir;
        let allowed = match extra {
            Extra::Before(check) => check().and_then(|()| self.may_create_in(loc)),
            Extra::After(check) => self.may_create_in(loc).and_then(|()| check()),
        };
        if trailing_bad || self.read_only || allowed.is_err() {
            match self.fs.lookup(loc.node().id(), name) {
                Ok(entry) => {
                    drop(NodeRef::adopt(&self.fs, entry.node));
                    return Err(Errno::EEXIST);
                }
                // No name can be made in a removed directory: its lookup fails first.
                Err(e) if e == Errno::ENOENT && (trailing_bad || self.removed_dir(loc)) => {
                    return Err(Errno::ENOENT)
                }
                Err(e) if e == Errno::ENOENT => {}
                Err(e) => return Err(e),
            }
            if self.ro_at(loc.node().id()) {
                return Err(Errno::EROFS);
            }
            allowed?;
        }
        Ok(name)
    }

    /// `may_delete`: permission on the directory, the sticky bit, then the victim's kind.
    fn may_delete(&self, dir: &Location, victim: &Attr, is_dir: bool) -> Result<(), Errno> {
        if !self.eff.is_root() {
            let dir_attr = self.fs.getattr(dir.node().id())?;
            self.eff.may(&dir_attr, MAY_WRITE | MAY_EXEC)?;
            if self.eff.sticky_forbids(&dir_attr, victim) {
                return Err(Errno::EPERM);
            }
        }
        match (is_dir, victim.kind == FileKind::Directory) {
            (true, false) => Err(Errno::ENOTDIR),
            (false, true) => Err(Errno::EISDIR),
            _ => Ok(()),
        }
    }

    pub(crate) fn do_mkdirat(&self, dirfd: Fd, path: &[u8], mode: u32) -> Result<(), Errno> {
        let (loc, last) = self.parent_at(&self.eff, dirfd, path)?;
        let name = self.create_name(&loc, &last, true, none())?;
        let perm = mode & 0o1777 & !self.umask_bits();
        let entry = self.fs.mkdir(loc.node().id(), name, perm, self.owner())?;
        drop(NodeRef::adopt(&self.fs, entry.node));
        Ok(())
    }

    pub(crate) fn do_mknodat(
        &self,
        dirfd: Fd,
        path: &[u8],
        mode: u32,
        dev: u64,
    ) -> Result<(), Errno> {
        // may_mknod, before the path is looked at.
        let kind = match mode & libc::S_IFMT {
            0 | libc::S_IFREG => FileKind::Regular,
            libc::S_IFIFO => FileKind::Fifo,
            libc::S_IFSOCK => FileKind::Socket,
            libc::S_IFCHR => FileKind::CharDevice,
            libc::S_IFBLK => FileKind::BlockDevice,
            libc::S_IFDIR => return Err(Errno::EPERM),
            _ => return Err(Errno::EINVAL),
        };
        let (loc, last) = self.parent_at(&self.eff, dirfd, path)?;
        let device = matches!(kind, FileKind::CharDevice | FileKind::BlockDevice);
        let name = self.create_name(
            &loc,
            &last,
            false,
            Extra::After(|| {
                if device && !self.eff.is_root() {
                    Err(Errno::EPERM)
                } else {
                    Ok(())
                }
            }),
        )?;
        let perm = mode & 0o7777 & !self.umask_bits();
        self.check_setid_kept(perm)?;
        let rdev = if device { dev } else { 0 };
        let entry = self
            .fs
            .mknod(loc.node().id(), name, kind, perm, rdev, self.owner())?;
        drop(NodeRef::adopt(&self.fs, entry.node));
        Ok(())
    }

    pub(crate) fn do_symlinkat(&self, target: &[u8], dirfd: Fd, path: &[u8]) -> Result<(), Errno> {
        // The target is copied in (getname) before the new name is resolved.
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        if target.contains(&0) {
            return Err(Errno::EINVAL);
        }
        if target.len() > SYMLINK_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let (loc, last) = self.parent_at(&self.eff, dirfd, path)?;
        let name = self.create_name(&loc, &last, false, none())?;
        let entry = self
            .fs
            .symlink(loc.node().id(), name, target, self.owner())?;
        drop(NodeRef::adopt(&self.fs, entry.node));
        Ok(())
    }

    pub(crate) fn do_linkat(
        &self,
        old_dirfd: Fd,
        old: &[u8],
        new_dirfd: Fd,
        new: &[u8],
        flags: i32,
    ) -> Result<(), Errno> {
        if flags & !(libc::AT_SYMLINK_FOLLOW | libc::AT_EMPTY_PATH) != 0 {
            return Err(Errno::EINVAL);
        }
        // AT_EMPTY_PATH is allowed for descriptors the caller opened itself (Linux 6.10+),
        // which every descriptor of an emulated process is.
        let empty_ok = flags & libc::AT_EMPTY_PATH != 0;
        let source = self.lookup_at(
            &self.eff,
            old_dirfd,
            old,
            empty_ok,
            flags & libc::AT_SYMLINK_FOLLOW != 0,
        )?;
        let (loc, last) = self.parent_at(&self.eff, new_dirfd, new)?;
        let name = self.create_name(
            &loc,
            &last,
            false,
            Extra::Before(|| self.may_link(&source.attr)),
        )?;
        let entry = self.fs.link(source.node().id(), loc.node().id(), name)?;
        drop(NodeRef::adopt(&self.fs, entry.node));
        Ok(())
    }

    /// `may_linkat` with `fs.protected_hardlinks = 1` (the default): a non-owner may link
    /// only a regular, non-set-id file it can read and write.
    fn may_link(&self, source: &Attr) -> Result<(), Errno> {
        if self.eff.owns(source) {
            return Ok(());
        }
        let setid =
            source.perm & S_ISUID != 0 || source.perm & (S_ISGID | 0o010) == S_ISGID | 0o010;
        if source.kind == FileKind::Regular
            && !setid
            && self.eff.may(source, MAY_READ | MAY_WRITE).is_ok()
        {
            return Ok(());
        }
        Err(Errno::EPERM)
    }

    pub(crate) fn do_readlinkat(&self, dirfd: Fd, path: &[u8]) -> Result<Vec<u8>, Errno> {
        let empty = path.is_empty();
        let found = self.lookup_at(&self.eff, dirfd, path, true, false)?;
        if found.attr.kind != FileKind::Symlink {
            return Err(if empty { Errno::ENOENT } else { Errno::EINVAL });
        }
        self.fs.readlink(found.node().id())
    }

    pub(crate) fn do_unlinkat(&self, dirfd: Fd, path: &[u8], flags: i32) -> Result<(), Errno> {
        if flags & !libc::AT_REMOVEDIR != 0 {
            return Err(Errno::EINVAL);
        }
        let is_dir = flags & libc::AT_REMOVEDIR != 0;
        let (loc, last) = self.parent_at(&self.eff, dirfd, path)?;
        match (&last.kind, is_dir) {
            (LastKind::Name(_), _) => {}
            (_, false) => return Err(Errno::EISDIR),
            (LastKind::DotDot, true) => return Err(Errno::ENOTEMPTY),
            (LastKind::Dot, true) => return Err(Errno::EINVAL),
            (LastKind::Root, true) => return Err(Errno::EBUSY),
        }
        if self.read_only {
            return Err(Errno::EROFS);
        }
        let Some(name) = last.name(&self.fs, &loc)? else {
            return Err(Errno::EINVAL);
        };
        let dir = loc.node().id();
        // The provider's answer to removing the name, once asked: a removal reaches the
        // provider at most once (a policy's audit log counts it; a second attempt could
        // also succeed where the first was refused).
        let mut refused = None;
        if self.eff.is_root() && !last.trailing_slash {
            // Root passes `may_delete` but for the victim's kind, which the provider checks
            // too (`EISDIR`, `ENOTDIR`): if it removes the name, the lookup below would have
            // let it. If it refuses, nothing happened, and the lookup orders the errors;
            // when the lookup finds none of its own, the refusal is the answer.
            let removed = if is_dir {
                self.fs.rmdir(dir, name)
            } else {
                self.fs.unlink(dir, name)
            };
            match removed {
                Ok(()) => return Ok(()),
                Err(e) => refused = Some(e),
            }
        }
        let entry = self
            .fs
            .lookup(dir, name)
            .map_err(|e| self.unless_ro(dir, e))?;
        drop(NodeRef::adopt(&self.fs, entry.node));
        if !is_dir && last.trailing_slash {
            let err = if entry.attr.kind == FileKind::Directory {
                Errno::EISDIR
            } else {
                Errno::ENOTDIR
            };
            return Err(self.unless_ro(dir, err));
        }
        self.may_delete(&loc, &entry.attr, is_dir)
            .map_err(|e| self.unless_ro(dir, e))?;
        if let Some(e) = refused {
            return Err(e);
        }
        if is_dir {
            self.fs.rmdir(loc.node().id(), name)
        } else {
            self.fs.unlink(loc.node().id(), name)
        }
    }

    pub(crate) fn do_renameat2(
        &self,
        old_dirfd: Fd,
        old: &[u8],
        new_dirfd: Fd,
        new: &[u8],
        flags: u32,
    ) -> Result<(), Errno> {
        let mode = RenameFlags::from_raw(flags).ok_or(Errno::EINVAL)?;
        // Each name is copied in and walked in turn (the old one fully first), as
        // do_renameat2 does: a walk error of the old path beats an empty new path.
        let (old_loc, old_last) = self.parent_at(&self.eff, old_dirfd, old)?;
        let (new_loc, new_last) = self.parent_at(&self.eff, new_dirfd, new)?;
        if !matches!(old_last.kind, LastKind::Name(_)) {
            return Err(Errno::EBUSY);
        }
        if !matches!(new_last.kind, LastKind::Name(_)) {
            return Err(if mode == RenameFlags::NoReplace {
                Errno::EEXIST
            } else {
                Errno::EBUSY
            });
        }
        if self.read_only {
            return Err(Errno::EROFS);
        }
        if let Some((old_name, new_name)) =
            self.rename_unchecked(&old_loc, &old_last, &new_loc, &new_last, mode)
        {
            let dir = old_loc.node().id();
            return self.fs.rename(dir, old_name, dir, new_name, mode);
        }
        // Everything checked from here on comes after mnt_want_write in Linux: on a
        // read-only mount of a mount table it is EROFS instead.
        let checked = || -> Result<Option<(&Name, &Name)>, Errno> {
            // Each name is checked where its lookup happens: the old one first.
            let Some(old_name) = old_last.name(&self.fs, &old_loc)? else {
                return Err(Errno::EBUSY);
            };
            let source = self.fs.lookup(old_loc.node().id(), old_name)?;
            drop(NodeRef::adopt(&self.fs, source.node));
            let Some(new_name) = new_last.name(&self.fs, &new_loc)? else {
                return Err(Errno::EBUSY);
            };
            let target = match self.fs.lookup(new_loc.node().id(), new_name) {
                Ok(entry) => {
                    drop(NodeRef::adopt(&self.fs, entry.node));
                    Some(entry)
                }
                Err(e) if e == Errno::ENOENT => None,
                Err(e) => return Err(e),
            };
            // A new name in a removed directory fails at its lookup, before every check
            // below; asked only on the way out with an error, so a rename pays nothing.
            let new_in_removed_dir = |e: Errno| {
                if target.is_none() && self.removed_dir(&new_loc) {
                    Errno::ENOENT
                } else {
                    e
                }
            };
            let checks = self.rename_checks(
                (&old_loc, &old_last, &source),
                (&new_loc, &new_last, target.as_ref()),
                mode,
            );
            if !checks.map_err(new_in_removed_dir)? {
                return Ok(None);
            }
            Ok(Some((old_name, new_name)))
        };
        let (old_name, new_name) = match checked() {
            Ok(Some(names)) => names,
            Ok(None) => return Ok(()),
            Err(e) => return Err(self.unless_ro(old_loc.node().id(), e)),
        };
        self.fs.rename(
            old_loc.node().id(),
            old_name,
            new_loc.node().id(),
            new_name,
            mode,
        )
    }

    /// The names of a rename none of whose checks can fail, so the provider may be called
    /// without looking either name up (its own errors are Linux's for that case): a plain
    /// rename within one directory, no trailing slash, valid names, and a caller who may
    /// write and search the directory and is not restrained by a sticky bit. `None` when
    /// some check could fail: the lookups then decide, in Linux's order.
    fn rename_unchecked<'l>(
        &self,
        old_loc: &Location,
        old_last: &'l Last,
        new_loc: &Location,
        new_last: &'l Last,
        mode: RenameFlags,
    ) -> Option<(&'l Name, &'l Name)> {
        if mode != RenameFlags::Replace
            || old_last.trailing_slash
            || new_last.trailing_slash
            || old_loc.node().id() != new_loc.node().id()
        {
            return None;
        }
        if !self.eff.is_root() {
            let dir = self.fs.getattr(old_loc.node().id()).ok()?;
            if dir.perm & S_ISVTX != 0 || self.eff.may(&dir, MAY_WRITE | MAY_EXEC).is_err() {
                return None;
            }
        }
        let old_name = old_last.name(&self.fs, old_loc).ok()??;
        let new_name = new_last.name(&self.fs, new_loc).ok()??;
        Some((old_name, new_name))
    }

    /// Linux's checks between a rename's lookups and the filesystem call, in its order;
    /// `false` when both names are one inode (nothing to do).
    fn rename_checks(
        &self,
        (old_loc, old_last, source): (&Location, &Last, &Entry),
        (new_loc, new_last, target): (&Location, &Last, Option<&Entry>),
        mode: RenameFlags,
    ) -> Result<bool, Errno> {
        let exchange = mode == RenameFlags::Exchange;
        match (target, mode) {
            (Some(_), RenameFlags::NoReplace) => return Err(Errno::EEXIST),
            (None, RenameFlags::Exchange) => return Err(Errno::ENOENT),
            _ => {}
        }
        let is_dir = source.attr.kind == FileKind::Directory;
        let target_is_dir = target.is_some_and(|t| t.attr.kind == FileKind::Directory);
        if exchange && target.is_some() && !target_is_dir && new_last.trailing_slash {
            return Err(Errno::ENOTDIR);
        }
        if !is_dir && (old_last.trailing_slash || (!exchange && new_last.trailing_slash)) {
            return Err(Errno::ENOTDIR);
        }
        // The source may not be an ancestor of the target.
        if new_loc.contains(source.node) {
            return Err(Errno::EINVAL);
        }
        // The target may not be an ancestor of the source.
        if let Some(t) = target {
            if old_loc.contains(t.node) {
                return Err(if exchange {
                    Errno::EINVAL
                } else {
                    Errno::ENOTEMPTY
                });
            }
            if t.node == source.node {
                return Ok(false);
            }
        }
        self.may_delete(old_loc, &source.attr, is_dir)?;
        match target {
            None => self.may_create_in(new_loc)?,
            Some(t) => {
                let as_dir = if exchange { target_is_dir } else { is_dir };
                self.may_delete(new_loc, &t.attr, as_dir)?;
            }
        }
        if old_loc.node().id() != new_loc.node().id() {
            if is_dir {
                self.eff.may(&source.attr, MAY_WRITE)?;
            }
            if let (true, Some(t)) = (exchange && target_is_dir, target) {
                self.eff.may(&t.attr, MAY_WRITE)?;
            }
        }
        Ok(true)
    }
}
