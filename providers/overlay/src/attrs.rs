//! Changing attributes and extended attributes: checked first, so a refused change copies
//! nothing up, then copied up and done in the upper layer.

use crate::handles::Layer;
use crate::Overlay;
use vfsbox_api::{Attr, Errno, FileKind, HandleId, SetAttr, XattrSet, PERM_MASK};

/// The longest xattr value Linux accepts.
const XATTR_SIZE_MAX: usize = 65_536;

/// `ERANGE` for an xattr name Linux refuses before anything else.
fn check_xattr_name(name: &[u8]) -> Result<(), Errno> {
    if name.is_empty() || name.len() > 255 {
        Err(Errno::ERANGE)
    } else {
        Ok(())
    }
}

impl Overlay {
    /// `setattr`.
    pub(crate) fn do_setattr(
        &self,
        id: u64,
        changes: &SetAttr,
        handle: Option<HandleId>,
    ) -> Result<Attr, Errno> {
        let _ns = self.ns.write();
        let node = self.node(id)?;
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
        if (changes.uid.is_some() || changes.gid.is_some()) && !self.caps.ownership {
            return Err(Errno::EPERM);
        }
        if changes.is_empty() {
            return self.attr_of(&node);
        }
        let upper = self.copy_up(id)?;
        let layer_handle = match handle.map(|h| self.handles.file(h)) {
            Some(Ok((Layer::Upper, h))) => Some(h),
            Some(Err(e)) => return Err(e),
            _ => None,
        };
        self.upper.setattr(upper, changes, layer_handle)?;
        let node = self.nodes.lock().held(id).cloned().ok_or(Errno::ESTALE)?;
        self.attr_of(&node)
    }

    /// `getxattr`: from the upper node, else the lower one.
    pub(crate) fn do_getxattr(&self, id: u64, name: &[u8]) -> Result<Vec<u8>, Errno> {
        let node = self.node(id)?;
        match (node.upper, node.lower) {
            (Some(u), _) => self.upper.getxattr(u, name),
            (None, Some(l)) => match self.lower.getxattr(l, name) {
                // A lower layer without xattrs has none to show through an upper that has them.
                Err(Errno::EOPNOTSUPP) if self.caps.xattrs && name.starts_with(b"user.") => {
                    check_xattr_name(name)?;
                    Err(Errno::ENODATA)
                }
                other => other,
            },
            (None, None) => Err(Errno::ESTALE),
        }
    }

    /// `listxattr`.
    pub(crate) fn do_listxattr(&self, id: u64) -> Result<Vec<Vec<u8>>, Errno> {
        let node = self.node(id)?;
        match (node.upper, node.lower) {
            (Some(u), _) => self.upper.listxattr(u),
            (None, Some(l)) => match self.lower.listxattr(l) {
                Err(Errno::EOPNOTSUPP) if self.caps.xattrs => Ok(Vec::new()),
                other => other,
            },
            (None, None) => Err(Errno::ESTALE),
        }
    }

    /// The checks Linux makes before an xattr change, in its order, without copying up.
    fn check_xattr_change(
        &self,
        kind: FileKind,
        name: &[u8],
        value: Option<&[u8]>,
    ) -> Result<(), Errno> {
        check_xattr_name(name)?;
        if value.is_some_and(|v| v.len() > XATTR_SIZE_MAX) {
            return Err(Errno::E2BIG);
        }
        if !self.caps.xattrs || !name.starts_with(b"user.") {
            return Err(Errno::EOPNOTSUPP);
        }
        if !matches!(kind, FileKind::Regular | FileKind::Directory) {
            return Err(Errno::EPERM);
        }
        if name == b"user." {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }

    /// `setxattr`.
    pub(crate) fn do_setxattr(
        &self,
        id: u64,
        name: &[u8],
        value: &[u8],
        how: XattrSet,
    ) -> Result<(), Errno> {
        let _ns = self.ns.write();
        let node = self.node(id)?;
        self.check_xattr_change(node.kind, name, Some(value))?;
        if node.upper.is_none() && how != XattrSet::Either {
            // Refusals that depend only on the lower value copy nothing up.
            match (how, self.do_getxattr(id, name)) {
                (XattrSet::Create, Ok(_)) => return Err(Errno::EEXIST),
                (XattrSet::Replace, Err(Errno::ENODATA)) => return Err(Errno::ENODATA),
                _ => {}
            }
        }
        let upper = self.copy_up(id)?;
        self.upper.setxattr(upper, name, value, how)
    }

    /// `removexattr`.
    pub(crate) fn do_removexattr(&self, id: u64, name: &[u8]) -> Result<(), Errno> {
        let _ns = self.ns.write();
        let node = self.node(id)?;
        self.check_xattr_change(node.kind, name, None)?;
        if node.upper.is_none() {
            self.do_getxattr(id, name)?;
        }
        let upper = self.copy_up(id)?;
        self.upper.removexattr(upper, name)
    }
}
