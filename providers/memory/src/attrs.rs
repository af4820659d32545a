//! Operations on a node's attributes: getattr, setattr, readlink, statfs and xattrs.

use crate::fs::MemoryFs;
use crate::inode::{Content, Inode};
use crate::pages::{MAX_FILE_SIZE, PAGE_SIZE};
use crate::xattr;
use std::sync::Arc;
use vfsbox_api::{
    Attr, Errno, FileKind, HandleId, NodeId, SetAttr, StatFs, TimeSet, XattrSet, NAME_MAX,
    PERM_MASK, S_ISGID, S_ISUID,
};

impl MemoryFs {
    pub(crate) fn do_getattr(&self, node: NodeId) -> Result<Attr, Errno> {
        let inode = self.node(node)?;
        let state = inode.state.read();
        Ok(state.attr(&inode))
    }

    pub(crate) fn do_setattr(
        &self,
        node: NodeId,
        changes: &SetAttr,
        handle: Option<HandleId>,
    ) -> Result<Attr, Errno> {
        // Through a handle (ftruncate, fchmod) the node need not hold lookups any more.
        let inode: Arc<Inode> = match handle {
            Some(h) => self.handles.get(h)?.node,
            None => self.node(node)?,
        };
        if changes.perm.is_some_and(|p| p & !PERM_MASK != 0) {
            return Err(Errno::EINVAL);
        }
        if let Some(size) = changes.size {
            match inode.kind {
                FileKind::Regular => {}
                FileKind::Directory => return Err(Errno::EISDIR),
                _ => return Err(Errno::EINVAL),
            }
            if size > MAX_FILE_SIZE {
                return Err(Errno::EFBIG);
            }
        }
        let mut state = inode.state.write();
        let now = self.now();
        // A size change to the same size changes nothing at all on tmpfs, times included.
        let mut changed = false;
        if let Some(size) = changes.size {
            if let Content::File(data) = &mut state.content {
                if data.size() != size {
                    data.set_size(size, &self.quota);
                    state.mtime = now;
                    changed = true;
                }
            }
        }
        if let Some(perm) = changes.perm {
            state.perm = perm;
            changed = true;
        }
        if changes.uid.is_some() || changes.gid.is_some() {
            if let Some(uid) = changes.uid {
                state.uid = uid;
            }
            if let Some(gid) = changes.gid {
                state.gid = gid;
            }
            // chown kills set-user-id, and set-group-id when it marks an executable (without
            // group-execute it means mandatory locking and stays), unless the mode is set too.
            if inode.kind != FileKind::Directory && changes.perm.is_none() {
                state.perm &= !S_ISUID;
                if state.perm & 0o010 != 0 {
                    state.perm &= !S_ISGID;
                }
            }
            changed = true;
        }
        let resolve = |t: TimeSet| match t {
            TimeSet::Now => now,
            TimeSet::At(at) => at,
        };
        if let Some(atime) = changes.atime {
            state.atime = resolve(atime);
            changed = true;
        }
        if let Some(mtime) = changes.mtime {
            state.mtime = resolve(mtime);
            changed = true;
        }
        if changed {
            state.ctime = now;
        }
        Ok(state.attr(&inode))
    }

    pub(crate) fn do_readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        let inode = self.node(node)?;
        let state = inode.state.read();
        match &state.content {
            Content::Symlink(target) => Ok(target.to_vec()),
            _ => Err(Errno::EINVAL),
        }
    }

    pub(crate) fn do_statfs(&self, node: NodeId) -> Result<StatFs, Errno> {
        self.node(node)?;
        // Like tmpfs: an unlimited resource reports 0 total and 0 free.
        let (blocks, blocks_free) = match self.quota.max_pages() {
            Some(max) => (max, max.saturating_sub(self.quota.pages())),
            None => (0, 0),
        };
        let (files, files_free) = match self.quota.max_inodes() {
            Some(max) => (max, max.saturating_sub(self.quota.inodes())),
            None => (0, 0),
        };
        Ok(StatFs {
            block_size: PAGE_SIZE as u32,
            blocks,
            blocks_free,
            blocks_available: blocks_free,
            files,
            files_free,
            name_max: NAME_MAX as u32,
            read_only: false,
        })
    }

    pub(crate) fn do_getxattr(&self, node: NodeId, name: &[u8]) -> Result<Vec<u8>, Errno> {
        let inode = self.node(node)?;
        xattr::check_name(name)?;
        if !xattr::kind_allows_user(inode.kind) {
            return Err(Errno::ENODATA);
        }
        xattr::check_suffix(name)?;
        let state = inode.state.read();
        state
            .xattrs
            .get(name)
            .map(<[u8]>::to_vec)
            .ok_or(Errno::ENODATA)
    }

    pub(crate) fn do_setxattr(
        &self,
        node: NodeId,
        name: &[u8],
        value: &[u8],
        how: XattrSet,
    ) -> Result<(), Errno> {
        let inode = self.node(node)?;
        xattr::check_name(name)?;
        xattr::check_value(value)?;
        if !xattr::kind_allows_user(inode.kind) {
            return Err(Errno::EPERM);
        }
        xattr::check_suffix(name)?;
        let mut state = inode.state.write();
        state.xattrs.set(name, value, how)?;
        state.ctime = self.now();
        Ok(())
    }

    pub(crate) fn do_listxattr(&self, node: NodeId) -> Result<Vec<Vec<u8>>, Errno> {
        let inode = self.node(node)?;
        let state = inode.state.read();
        Ok(state.xattrs.names())
    }

    pub(crate) fn do_removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno> {
        let inode = self.node(node)?;
        xattr::check_name(name)?;
        if !xattr::kind_allows_user(inode.kind) {
            return Err(Errno::EPERM);
        }
        xattr::check_suffix(name)?;
        let mut state = inode.state.write();
        state.xattrs.remove(name)?;
        state.ctime = self.now();
        Ok(())
    }
}
