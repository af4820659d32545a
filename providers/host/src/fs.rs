//! `impl FileSystem for HostFs`: each method hands over to the module that owns it.

use crate::HostFs;
use vfsbox_api::{Capabilities, Entry, Errno, FileKind, FileSystem, HandleId, Name, NodeId, Owner};

impl FileSystem for HostFs {
    // Each operation lives in the module that owns it.
    vfsbox_api::delegate_filesystem!(
        lookup => do_lookup, lookup_path => do_lookup_path, open_name => do_open_name, getattr => do_getattr, setattr => do_setattr,
        readlink => do_readlink, mkdir => do_mkdir, create => do_create, symlink => do_symlink,
        link => do_link, unlink => do_unlink, rmdir => do_rmdir, rename => do_rename,
        open => do_open, read => do_read, write => do_write, fsync => do_fsync, seek => do_seek,
        opendir => do_opendir, readdir => do_readdir, statfs => do_statfs,
        fallocate => do_fallocate, getxattr => do_getxattr, setxattr => do_setxattr,
        listxattr => do_listxattr, removexattr => do_removexattr,
        backing_file => do_backing_file,
    );

    fn capabilities(&self) -> Capabilities {
        self.caps
    }
    fn root(&self) -> NodeId {
        crate::table::ROOT
    }
    fn forget(&self, node: NodeId, count: u64) {
        self.table.forget(node, count)
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
        let _ = rdev; // devices are never made, so no device number is ever used
        self.do_mknod(dir, name, kind, perm, owner)
    }
    fn flush(&self, handle: HandleId) -> Result<(), Errno> {
        self.handles.file(handle).map(drop)
    }
    fn release(&self, handle: HandleId) -> Result<(), Errno> {
        self.handles.remove(handle, false)
    }
    fn releasedir(&self, handle: HandleId) -> Result<(), Errno> {
        self.handles.remove(handle, true)
    }
}
