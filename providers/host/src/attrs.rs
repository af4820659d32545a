//! Attributes: getattr, setattr, readlink and `user.*` extended attributes. Everything that
//! can act on the node's own descriptor does, so it reaches exactly that inode.

use crate::convert::attr;
use crate::sys;
use crate::table::{Location, Node};
use crate::HostFs;
use std::os::fd::{AsFd, OwnedFd};
use vfsbox_api::{
    Attr, Errno, FileKind, HandleId, NodeId, SetAttr, TimeSet, XattrSet, PERM_MASK, S_ISGID,
    S_ISUID,
};

/// The largest xattr value Linux takes (`XATTR_SIZE_MAX`).
const XATTR_SIZE_MAX: usize = 65536;

fn timespec(time: Option<TimeSet>) -> libc::timespec {
    match time {
        None => libc::timespec {
            tv_sec: 0,
            tv_nsec: libc::UTIME_OMIT,
        },
        Some(TimeSet::Now) => libc::timespec {
            tv_sec: 0,
            tv_nsec: libc::UTIME_NOW,
        },
        Some(TimeSet::At(t)) => libc::timespec {
            tv_sec: t.sec,
            tv_nsec: i64::from(t.nsec),
        },
    }
}

impl HostFs {
    /// The checks of an xattr name, in Linux's order: `ERANGE` for an empty or over-long
    /// name; then `EOPNOTSUPP` without xattr support or outside the `user.` namespace (the
    /// provider's own rule: other namespaces are the host's).
    fn user_name(&self, name: &[u8]) -> Result<(), Errno> {
        if name.is_empty() || name.len() > 255 {
            return Err(Errno::ERANGE);
        }
        if !self.caps.xattrs || !name.starts_with(b"user.") {
            return Err(Errno::EOPNOTSUPP);
        }
        Ok(())
    }

    pub(crate) fn do_getattr(&self, node: NodeId) -> Result<Attr, Errno> {
        let node = self.table.get(node)?;
        sys::statx_fd_with(node.fd.as_fd(), attr)?
    }

    pub(crate) fn do_readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        let node = self.table.get(node)?;
        if node.kind != FileKind::Symlink {
            return Err(Errno::EINVAL);
        }
        sys::readlink_fd(node.fd.as_fd())
    }

    pub(crate) fn do_setattr(
        &self,
        node: NodeId,
        changes: &SetAttr,
        handle: Option<HandleId>,
    ) -> Result<Attr, Errno> {
        let (node, locations) = self.table.get_with_locations(node)?;
        if changes.is_empty() {
            return attr(&sys::statx_fd(node.fd.as_fd())?);
        }
        if self.caps.read_only {
            return Err(Errno::EROFS);
        }
        if changes.perm.is_some_and(|p| p & !PERM_MASK != 0) {
            return Err(Errno::EINVAL);
        }
        if changes.size.is_some() {
            match node.kind {
                FileKind::Directory => return Err(Errno::EISDIR),
                FileKind::Regular => {}
                _ => return Err(Errno::EINVAL),
            }
        }
        let fd = node.fd.as_fd();
        // Owner first: it is the change most likely refused (EPERM), and nothing else has
        // happened yet when it is.
        if changes.uid.is_some() || changes.gid.is_some() {
            sys::chown_fd(
                fd,
                changes.uid.unwrap_or(u32::MAX),
                changes.gid.unwrap_or(u32::MAX),
            )?;
        }
        if let Some(size) = changes.size {
            let size = i64::try_from(size).map_err(|_| Errno::EFBIG)?;
            match handle {
                Some(h) => {
                    let h = self.handles.file(h)?;
                    sys::ftruncate(h.as_file()?.fd.as_fd(), size)?;
                }
                None => {
                    let w = self.reopen(&node, &locations, libc::O_WRONLY | libc::O_NONBLOCK)?;
                    sys::ftruncate(w.as_fd(), size)?;
                }
            }
        }
        if let Some(perm) = changes.perm {
            sys::chmod_fd(fd, perm & !(S_ISUID | S_ISGID))?;
        }
        if changes.atime.is_some() || changes.mtime.is_some() {
            sys::utimens_fd(fd, &[timespec(changes.atime), timespec(changes.mtime)])?;
        }
        attr(&sys::statx_fd(fd)?)
    }

    /// A descriptor to read or change the xattrs of `node` through, or `None` for kinds that
    /// cannot hold `user.*` attributes (symlinks and special files, as Linux rules).
    fn xattr_fd(&self, node: &Node, locations: &[Location]) -> Result<Option<OwnedFd>, Errno> {
        match node.kind {
            FileKind::Directory => sys::open_dot(node.fd.as_fd()).map(Some),
            FileKind::Regular => self
                .reopen(node, locations, libc::O_RDONLY | libc::O_NONBLOCK)
                .map(Some),
            _ => Ok(None),
        }
    }

    pub(crate) fn do_getxattr(&self, node: NodeId, name: &[u8]) -> Result<Vec<u8>, Errno> {
        let (node, locations) = self.table.get_with_locations(node)?;
        self.user_name(name)?;
        match self.xattr_fd(&node, &locations)? {
            Some(fd) => sys::fgetxattr(fd.as_fd(), name),
            None => Err(Errno::ENODATA),
        }
    }

    pub(crate) fn do_setxattr(
        &self,
        node: NodeId,
        name: &[u8],
        value: &[u8],
        how: XattrSet,
    ) -> Result<(), Errno> {
        let (node, locations) = self.table.get_with_locations(node)?;
        if name.is_empty() || name.len() > 255 {
            return Err(Errno::ERANGE);
        }
        if value.len() > XATTR_SIZE_MAX {
            return Err(Errno::E2BIG);
        }
        if self.caps.read_only {
            return Err(Errno::EROFS);
        }
        self.user_name(name)?;
        let flags = match how {
            XattrSet::Either => 0,
            XattrSet::Create => libc::XATTR_CREATE,
            XattrSet::Replace => libc::XATTR_REPLACE,
        };
        match self.xattr_fd(&node, &locations)? {
            Some(fd) => sys::fsetxattr(fd.as_fd(), name, value, flags),
            None => Err(Errno::EPERM),
        }
    }

    pub(crate) fn do_listxattr(&self, node: NodeId) -> Result<Vec<Vec<u8>>, Errno> {
        let (node, locations) = self.table.get_with_locations(node)?;
        if !self.caps.xattrs {
            return Err(Errno::EOPNOTSUPP);
        }
        let Some(fd) = self.xattr_fd(&node, &locations)? else {
            return Ok(Vec::new());
        };
        let raw = sys::flistxattr(fd.as_fd())?;
        // Only the user namespace is the sandbox's: host security.* or trusted.* names stay
        // out of view.
        Ok(raw
            .split(|&b| b == 0)
            .filter(|n| n.starts_with(b"user."))
            .map(<[u8]>::to_vec)
            .collect())
    }

    pub(crate) fn do_removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno> {
        let (node, locations) = self.table.get_with_locations(node)?;
        if name.is_empty() || name.len() > 255 {
            return Err(Errno::ERANGE);
        }
        if self.caps.read_only {
            return Err(Errno::EROFS);
        }
        self.user_name(name)?;
        match self.xattr_fd(&node, &locations)? {
            Some(fd) => sys::fremovexattr(fd.as_fd(), name),
            None => Err(Errno::EPERM),
        }
    }
}
