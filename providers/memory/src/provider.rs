//! The `FileSystem` implementation: each method delegates to the module that owns it.

use crate::fs::{MemoryFs, ROOT};
use vfsbox_api::{Capabilities, Errno, FileSystem, HandleId, NodeId};

impl FileSystem for MemoryFs {
    // Each operation lives in the module that owns it.
    vfsbox_api::delegate_filesystem!(
        lookup => do_lookup, lookup_path => do_lookup_path, open_name => do_open_name, forget => do_forget, getattr => do_getattr, setattr => do_setattr,
        readlink => do_readlink, mkdir => do_mkdir, mknod => do_mknod, create => do_create,
        symlink => do_symlink, link => do_link, unlink => do_unlink, rmdir => do_rmdir,
        rename => do_rename, open => do_open, read => do_read, write => do_write,
        flush => do_fsync, seek => do_seek, opendir => do_opendir, readdir => do_readdir,
        statfs => do_statfs, fallocate => do_fallocate, getxattr => do_getxattr,
        setxattr => do_setxattr, listxattr => do_listxattr, removexattr => do_removexattr,
    );

    fn capabilities(&self) -> Capabilities {
        Capabilities::FULL
    }

    fn root(&self) -> NodeId {
        NodeId(ROOT)
    }

    fn fsync(&self, handle: HandleId, _datasync: bool) -> Result<(), Errno> {
        self.do_fsync(handle)
    }

    fn release(&self, handle: HandleId) -> Result<(), Errno> {
        self.do_release(handle, false)
    }

    fn releasedir(&self, handle: HandleId) -> Result<(), Errno> {
        self.do_release(handle, true)
    }
}
