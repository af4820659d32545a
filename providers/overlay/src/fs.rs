//! The `FileSystem` implementation: each method checks its ids and calls one helper.

use crate::Overlay;
use vfsbox_api::{
    Attr, Capabilities, Entry, Errno, FallocateMode, FileKind, FileSystem, HandleId, Name, NodeId,
    OpenFlags, Owner, RenameFlags, SeekHole, SetAttr, StatFs, XattrSet,
};

impl FileSystem for Overlay {
    // Each operation lives in the module that owns it.
    vfsbox_api::delegate_filesystem!(
        read => do_read, write => do_write, release => do_release, readdir => do_readdir,
        releasedir => do_releasedir, backing_file => do_backing_file,
    );

    fn capabilities(&self) -> Capabilities {
        self.caps
    }

    fn root(&self) -> NodeId {
        NodeId(Overlay::root_id())
    }

    fn lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
        self.do_lookup(dir.0, name)
    }

    fn forget(&self, node: NodeId, count: u64) {
        let freed = self.nodes.lock().forget(node.0, count);
        self.release_freed(freed);
    }

    fn getattr(&self, node: NodeId) -> Result<Attr, Errno> {
        let node = self.node(node.0)?;
        self.attr_of(&node)
    }

    fn setattr(
        &self,
        node: NodeId,
        changes: &SetAttr,
        handle: Option<HandleId>,
    ) -> Result<Attr, Errno> {
        self.do_setattr(node.0, changes, handle)
    }

    fn readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        let node = self.node(node.0)?;
        match (node.upper, node.lower) {
            (Some(u), _) => self.upper.readlink(u),
            (None, Some(l)) => self.lower.readlink(l),
            (None, None) => Err(Errno::ESTALE),
        }
    }

    fn mkdir(&self, dir: NodeId, name: &Name, perm: u32, owner: Owner) -> Result<Entry, Errno> {
        self.do_mkdir(dir.0, name, perm, owner)
    }

    fn mknod(
        &self,
        dir: NodeId,
        name: &Name,
        kind: FileKind,
        perm: u32,
        rdev: u64,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        self.do_mknod(dir.0, name, kind, perm, rdev, owner)
    }

    fn create(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno> {
        self.do_create(dir.0, name, perm, flags, owner)
    }

    fn symlink(
        &self,
        dir: NodeId,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno> {
        self.do_symlink(dir.0, name, target, owner)
    }

    fn link(&self, node: NodeId, new_dir: NodeId, new_name: &Name) -> Result<Entry, Errno> {
        self.do_link(node.0, new_dir.0, new_name)
    }

    fn unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        self.do_unlink(dir.0, name)
    }

    fn rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        self.do_rmdir(dir.0, name)
    }

    fn rename(
        &self,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        self.do_rename(dir.0, name, new_dir.0, new_name, flags)
    }

    fn open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno> {
        self.do_open(node.0, flags)
    }

    fn flush(&self, handle: HandleId) -> Result<(), Errno> {
        let (layer, h) = self.handles.file(handle)?;
        self.layer(layer).flush(h)
    }

    fn fsync(&self, handle: HandleId, datasync: bool) -> Result<(), Errno> {
        let (layer, h) = self.handles.file(handle)?;
        self.layer(layer).fsync(h, datasync)
    }

    fn seek(&self, handle: HandleId, offset: u64, what: SeekHole) -> Result<u64, Errno> {
        let (layer, h) = self.handles.file(handle)?;
        self.layer(layer).seek(h, offset, what)
    }

    fn opendir(&self, node: NodeId) -> Result<HandleId, Errno> {
        self.do_opendir(node.0)
    }

    fn statfs(&self, node: NodeId) -> Result<StatFs, Errno> {
        self.node(node.0)?;
        let mut stat = self.upper.statfs(self.upper.root())?;
        stat.read_only = false;
        Ok(stat)
    }

    fn fallocate(
        &self,
        handle: HandleId,
        mode: FallocateMode,
        offset: u64,
        len: u64,
    ) -> Result<(), Errno> {
        let (layer, h) = self.handles.file(handle)?;
        if !self.caps.fallocate {
            return Err(Errno::EOPNOTSUPP);
        }
        // Handles open for writing are upper handles (opening copied the file up); a lower
        // handle is read-only, which the lower layer answers as Linux does (EINVAL, EBADF).
        self.layer(layer).fallocate(h, mode, offset, len)
    }

    fn getxattr(&self, node: NodeId, name: &[u8]) -> Result<Vec<u8>, Errno> {
        self.do_getxattr(node.0, name)
    }

    fn setxattr(
        &self,
        node: NodeId,
        name: &[u8],
        value: &[u8],
        how: XattrSet,
    ) -> Result<(), Errno> {
        self.do_setxattr(node.0, name, value, how)
    }

    fn listxattr(&self, node: NodeId) -> Result<Vec<Vec<u8>>, Errno> {
        self.do_listxattr(node.0)
    }

    fn removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno> {
        self.do_removexattr(node.0, name)
    }
}
