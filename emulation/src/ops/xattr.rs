//! Extended attributes: Linux's argument checks (`EINVAL` flags, `ERANGE` names, `E2BIG`
//! values) before the path, then `EROFS`, then `xattr_permission`, then the provider.

use crate::emulated::Emulated;
use crate::fdtable::OpenFile;
use crate::identity::{MAY_READ, MAY_WRITE};
use crate::resolver::{FoundIn, Held};
use std::sync::Arc;
use vfsbox_api::{Attr, Errno, Fd, FileKind, NodeId, XattrSet, AT_FDCWD, S_ISVTX};

/// Longest attribute name (`XATTR_NAME_MAX`).
const NAME_MAX: usize = 255;
/// Largest attribute value (`XATTR_SIZE_MAX`).
const SIZE_MAX: usize = 65536;

fn check_name(name: &[u8]) -> Result<(), Errno> {
    if name.is_empty() || name.len() > NAME_MAX {
        return Err(Errno::ERANGE);
    }
    Ok(())
}

impl Emulated {
    /// `xattr_permission`.
    fn xattr_permission(&self, attr: &Attr, name: &[u8], mask: u32) -> Result<(), Errno> {
        let write = mask & MAY_WRITE != 0;
        if name.starts_with(b"security.") || name.starts_with(b"system.") {
            return Ok(());
        }
        if name.starts_with(b"trusted.") {
            if self.eff.is_root() {
                return Ok(());
            }
            return Err(if write { Errno::EPERM } else { Errno::ENODATA });
        }
        if name.starts_with(b"user.") {
            if !matches!(attr.kind, FileKind::Regular | FileKind::Directory) {
                return Err(if write { Errno::EPERM } else { Errno::ENODATA });
            }
            if attr.kind == FileKind::Directory
                && attr.perm & S_ISVTX != 0
                && write
                && !self.eff.owns(attr)
            {
                return Err(Errno::EPERM);
            }
        }
        if write {
            self.check_writable_fs(attr.kind)?;
        }
        self.eff.may(attr, mask)
    }

    /// The object `path` names; the returned `FoundIn` holds its node while it is used.
    fn xattr_node(&self, path: &[u8], flags: i32) -> Result<FoundIn<Held>, Errno> {
        let follow = flags & libc::AT_SYMLINK_NOFOLLOW == 0;
        self.held_at(&self.eff, AT_FDCWD, path, false, follow)
    }

    /// The object behind `fd` (not `O_PATH`); the description holds its node.
    fn fd_node(&self, fd: Fd) -> Result<(Arc<OpenFile>, Attr), Errno> {
        let file = self.io_file(fd)?;
        let attr = self.fs.getattr(file.loc.node().id())?;
        Ok((file, attr))
    }

    fn get_on(&self, node: NodeId, attr: &Attr, name: &[u8]) -> Result<Vec<u8>, Errno> {
        self.xattr_permission(attr, name, MAY_READ)?;
        self.fs.getxattr(node, name)
    }

    fn set_on(
        &self,
        node: NodeId,
        attr: &Attr,
        name: &[u8],
        value: &[u8],
        how: i32,
    ) -> Result<(), Errno> {
        if self.read_only {
            return Err(Errno::EROFS);
        }
        self.xattr_permission(attr, name, MAY_WRITE)
            .map_err(|e| self.unless_ro(node, e))?;
        let how = match how {
            0 => XattrSet::Either,
            libc::XATTR_CREATE => XattrSet::Create,
            libc::XATTR_REPLACE => XattrSet::Replace,
            _ => {
                // Both: an existing attribute fails the create, a missing one the replace.
                return match self.fs.getxattr(node, name) {
                    Ok(_) => Err(Errno::EEXIST),
                    Err(e) => Err(e),
                };
            }
        };
        self.fs.setxattr(node, name, value, how)
    }

    fn remove_on(&self, node: NodeId, attr: &Attr, name: &[u8]) -> Result<(), Errno> {
        if self.read_only {
            return Err(Errno::EROFS);
        }
        self.xattr_permission(attr, name, MAY_WRITE)
            .map_err(|e| self.unless_ro(node, e))?;
        self.fs.removexattr(node, name)
    }

    fn check_set_args(name: &[u8], value: &[u8], how: i32) -> Result<(), Errno> {
        if how & !(libc::XATTR_CREATE | libc::XATTR_REPLACE) != 0 {
            return Err(Errno::EINVAL);
        }
        check_name(name)?;
        if value.len() > SIZE_MAX {
            return Err(Errno::E2BIG);
        }
        Ok(())
    }

    pub(crate) fn do_getxattr(
        &self,
        path: &[u8],
        name: &[u8],
        flags: i32,
    ) -> Result<Vec<u8>, Errno> {
        check_name(name)?;
        let found = self.xattr_node(path, flags)?;
        self.get_on(found.id(), &found.attr, name)
    }

    pub(crate) fn do_setxattr(
        &self,
        path: &[u8],
        name: &[u8],
        value: &[u8],
        how: i32,
        flags: i32,
    ) -> Result<(), Errno> {
        Self::check_set_args(name, value, how)?;
        let found = self.xattr_node(path, flags)?;
        self.set_on(found.id(), &found.attr, name, value, how)
    }

    pub(crate) fn do_listxattr(&self, path: &[u8], flags: i32) -> Result<Vec<Vec<u8>>, Errno> {
        let found = self.xattr_node(path, flags)?;
        self.fs.listxattr(found.id())
    }

    pub(crate) fn do_removexattr(&self, path: &[u8], name: &[u8], flags: i32) -> Result<(), Errno> {
        check_name(name)?;
        let found = self.xattr_node(path, flags)?;
        self.remove_on(found.id(), &found.attr, name)
    }

    pub(crate) fn do_fgetxattr(&self, fd: Fd, name: &[u8]) -> Result<Vec<u8>, Errno> {
        check_name(name)?;
        let (file, attr) = self.fd_node(fd)?;
        self.get_on(file.loc.node().id(), &attr, name)
    }

    pub(crate) fn do_fsetxattr(
        &self,
        fd: Fd,
        name: &[u8],
        value: &[u8],
        how: i32,
    ) -> Result<(), Errno> {
        Self::check_set_args(name, value, how)?;
        let (file, attr) = self.fd_node(fd)?;
        self.set_on(file.loc.node().id(), &attr, name, value, how)
    }

    pub(crate) fn do_flistxattr(&self, fd: Fd) -> Result<Vec<Vec<u8>>, Errno> {
        let (file, _) = self.fd_node(fd)?;
        self.fs.listxattr(file.loc.node().id())
    }

    pub(crate) fn do_fremovexattr(&self, fd: Fd, name: &[u8]) -> Result<(), Errno> {
        check_name(name)?;
        let (file, attr) = self.fd_node(fd)?;
        self.remove_on(file.loc.node().id(), &attr, name)
    }
}
