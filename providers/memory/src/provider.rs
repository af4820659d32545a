//! The `FileSystem` implementation: each method delegates to the module that owns it.

use crate::fs::{MemoryFs, ROOT};
use vfsbox_api::{
    Attr, Capabilities, DirEntry, Entry, Errno, FallocateMode, FileKind, FileSystem, HandleId,
    Name, NodeId, OpenFlags, Owner, RenameFlags, SeekHole, SetAttr, StatFs, XattrSet,
};

impl FileSystem for MemoryFs {
    fn capabilities(&self) -> Capabilities {
        Capabilities::FULL
    }

    fn root(&self) -> NodeId {
        NodeId(ROOT)
    }

    fn lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
        self.do_lookup(dir, name)
    }

    fn forget(&self, node: NodeId, count: u64) {
        self.do_forget(node, count)
    }

    fn getattr(&self, node: NodeId) -> Result<Attr, Errno> {
        self.do_getattr(node)
    }

    fn setattr(
        &self,
        node: NodeId,
        changes: &SetAttr,
        handle: Option<HandleId>,
    ) -> Result<Attr, Errno> {
        self.do_setattr(node, changes, handle)
    }

    fn readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        self.do_readlink(node)
    }

    fn mkdir(&self, dir: NodeId, name: &Name, perm: u32, owner: Owner) -> Result<Entry, Errno> {
        self.do_mkdir(dir, name, perm, owner)
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
        self.do_mknod(dir, name, kind, perm, rdev, owner)
    }

    fn create(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno> {
        self.do_create(dir, name, perm, flags, owner)
    }

    fn symlink(
        &self,
        dir: NodeId,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno> {
        self.do_symlink(dir, name, target, owner)
    }

    fn link(&self, node: NodeId, new_dir: NodeId, new_name: &Name) -> Result<Entry, Errno> {
        self.do_link(node, new_dir, new_name)
    }

    fn unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        self.do_unlink(dir, name)
    }

    fn rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        self.do_rmdir(dir, name)
    }

    fn rename(
        &self,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        self.do_rename(dir, name, new_dir, new_name, flags)
    }

    fn open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno> {
        self.do_open(node, flags)
    }

    fn read(&self, handle: HandleId, offset: u64, buf: &mut [u8]) -> Result<usize, Errno> {
        self.do_read(handle, offset, buf)
    }

    fn write(&self, handle: HandleId, offset: u64, data: &[u8]) -> Result<usize, Errno> {
        self.do_write(handle, offset, data)
    }

    fn flush(&self, handle: HandleId) -> Result<(), Errno> {
        self.do_fsync(handle)
    }

    fn fsync(&self, handle: HandleId, _datasync: bool) -> Result<(), Errno> {
        self.do_fsync(handle)
    }

    fn release(&self, handle: HandleId) -> Result<(), Errno> {
        self.do_release(handle, false)
    }

    fn seek(&self, handle: HandleId, offset: u64, what: SeekHole) -> Result<u64, Errno> {
        self.do_seek(handle, offset, what)
    }

    fn opendir(&self, node: NodeId) -> Result<HandleId, Errno> {
        self.do_opendir(node)
    }

    fn readdir(
        &self,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        self.do_readdir(handle, cookie, sink)
    }

    fn releasedir(&self, handle: HandleId) -> Result<(), Errno> {
        self.do_release(handle, true)
    }

    fn statfs(&self, node: NodeId) -> Result<StatFs, Errno> {
        self.do_statfs(node)
    }

    fn fallocate(
        &self,
        handle: HandleId,
        mode: FallocateMode,
        offset: u64,
        len: u64,
    ) -> Result<(), Errno> {
        self.do_fallocate(handle, mode, offset, len)
    }

    fn getxattr(&self, node: NodeId, name: &[u8]) -> Result<Vec<u8>, Errno> {
        self.do_getxattr(node, name)
    }

    fn setxattr(
        &self,
        node: NodeId,
        name: &[u8],
        value: &[u8],
        how: XattrSet,
    ) -> Result<(), Errno> {
        self.do_setxattr(node, name, value, how)
    }

    fn listxattr(&self, node: NodeId) -> Result<Vec<Vec<u8>>, Errno> {
        self.do_listxattr(node)
    }

    fn removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno> {
        self.do_removexattr(node, name)
    }
}
