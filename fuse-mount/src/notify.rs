//! Kernel cache invalidation for changes made to a mounted provider in-process.
//!
//! The kernel caches entries, attributes and file pages for the timeouts of the mount. A
//! program that changes the same provider through the trait (the emulated POSIX layer, a test)
//! tells the kernel with an [`Invalidator`], or wraps the provider in [`Invalidating`], which
//! does it after every mutating call. Nodes the kernel does not hold need nothing.
//!
//! Do not call these from inside a handler of the same mount (a provider called by the
//! kernel): the kernel may hold the directory lock the invalidation needs.

use crate::inodes::Inodes;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::sync::Arc;
use vfsbox_api::{
    Attr, Entry, Errno, FallocateMode, FileKind, FileSystem, HandleId, Name, NodeId, OpenFlags,
    Owner, RenameFlags, SetAttr, XattrSet,
};

/// Tells the kernel to drop what it caches about provider nodes. Cheap to clone.
#[derive(Clone)]
pub struct Invalidator {
    notifier: Arc<fuser::Notifier>,
    inodes: Arc<Inodes>,
}

impl std::fmt::Debug for Invalidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Invalidator")
    }
}

impl Invalidator {
    pub(crate) fn new(notifier: fuser::Notifier, inodes: Arc<Inodes>) -> Invalidator {
        Invalidator {
            notifier: Arc::new(notifier),
            inodes,
        }
    }

    /// The node's attributes and all its cached data changed. Errors of the kernel (an inode
    /// it has just evicted, a mount going away) are ignored: there is then nothing cached.
    pub fn node(&self, node: NodeId) {
        if let Some(ino) = self.inodes.ino_of(node) {
            let _ = self.notifier.inval_inode(fuser::INodeNo(ino), 0, 0);
        }
    }

    /// The name `name` in directory `dir` was added, removed or now names another node.
    pub fn entry(&self, dir: NodeId, name: &Name) {
        if let Some(ino) = self.inodes.ino_of(dir) {
            let _ = self
                .notifier
                .inval_entry(fuser::INodeNo(ino), OsStr::from_bytes(name.as_bytes()));
        }
    }
}

/// A provider that invalidates the kernel's caches of a mount after each change made through
/// it, so the mount never shows stale data. Reads pass straight through.
pub struct Invalidating {
    inner: Arc<dyn FileSystem>,
    inval: Invalidator,
    /// The node of each open file handle, for writes and truncations through a handle.
    handles: Mutex<HashMap<HandleId, NodeId>>,
}

impl Invalidating {
    /// Wraps `inner`, which must be the provider mounted where `inval` comes from.
    pub fn new(inner: Arc<dyn FileSystem>, inval: Invalidator) -> Invalidating {
        Invalidating {
            inner,
            inval,
            handles: Mutex::new(HashMap::new()),
        }
    }

    /// A changed directory and one of its names.
    fn dir_changed(&self, dir: NodeId, name: &Name) {
        self.inval.entry(dir, name);
        self.inval.node(dir);
    }

    /// The node `name` in `dir` names now, if the kernel may cache it (its link count and
    /// ctime change when the name goes away).
    fn named(&self, dir: NodeId, name: &Name) -> Option<NodeId> {
        let entry = self.inner.lookup(dir, name).ok()?;
        self.inner.forget(entry.node, 1);
        Some(entry.node)
    }

    fn after<T>(&self, result: Result<T, Errno>, f: impl FnOnce(&T)) -> Result<T, Errno> {
        if let Ok(value) = &result {
            f(value);
        }
        result
    }
}

impl FileSystem for Invalidating {
    // Reads change nothing the kernel caches: they pass through. So does `backing_file`:
    // I/O through a backing file comes from the kernel, which keeps its own caches right
    // (it updates the size and drops the attributes after each passthrough write), and an
    // in-process write through this wrapper still invalidates as below.
    vfsbox_api::forward_filesystem!(inner: capabilities, root, lookup, forget, getattr, readlink,
        read, flush, fsync, seek, opendir, readdir, releasedir, statfs, getxattr, listxattr,
        backing_file);

    fn setattr(
        &self,
        node: NodeId,
        changes: &SetAttr,
        handle: Option<HandleId>,
    ) -> Result<Attr, Errno> {
        let r = self.inner.setattr(node, changes, handle);
        self.after(r, |_| self.inval.node(node))
    }
    fn mkdir(&self, dir: NodeId, name: &Name, perm: u32, owner: Owner) -> Result<Entry, Errno> {
        let r = self.inner.mkdir(dir, name, perm, owner);
        self.after(r, |_| self.dir_changed(dir, name))
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
        let r = self.inner.mknod(dir, name, kind, perm, rdev, owner);
        self.after(r, |_| self.dir_changed(dir, name))
    }
    fn create(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno> {
        let r = self.inner.create(dir, name, perm, flags, owner);
        self.after(r, |(entry, handle)| {
            self.handles.lock().insert(*handle, entry.node);
            self.dir_changed(dir, name);
            self.inval.node(entry.node);
        })
    }
    fn symlink(
        &self,
        dir: NodeId,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno> {
        let r = self.inner.symlink(dir, name, target, owner);
        self.after(r, |_| self.dir_changed(dir, name))
    }
    fn link(&self, node: NodeId, new_dir: NodeId, new_name: &Name) -> Result<Entry, Errno> {
        let r = self.inner.link(node, new_dir, new_name);
        self.after(r, |_| {
            self.dir_changed(new_dir, new_name);
            self.inval.node(node);
        })
    }
    fn unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        let node = self.named(dir, name);
        let r = self.inner.unlink(dir, name);
        self.after(r, |_| {
            self.dir_changed(dir, name);
            if let Some(node) = node {
                self.inval.node(node);
            }
        })
    }
    fn rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        let r = self.inner.rmdir(dir, name);
        self.after(r, |_| self.dir_changed(dir, name))
    }
    fn rename(
        &self,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        let replaced = self.named(new_dir, new_name);
        let r = self.inner.rename(dir, name, new_dir, new_name, flags);
        self.after(r, |_| {
            self.dir_changed(dir, name);
            self.dir_changed(new_dir, new_name);
            if let Some(node) = replaced {
                self.inval.node(node);
            }
        })
    }
    fn open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno> {
        let r = self.inner.open(node, flags);
        self.after(r, |handle| {
            self.handles.lock().insert(*handle, node);
            if flags.contains(OpenFlags::TRUNCATE) {
                self.inval.node(node);
            }
        })
    }
    fn write(&self, handle: HandleId, offset: u64, data: &[u8]) -> Result<usize, Errno> {
        let r = self.inner.write(handle, offset, data);
        self.after(r, |_| {
            if let Some(&node) = self.handles.lock().get(&handle) {
                self.inval.node(node);
            }
        })
    }
    fn release(&self, handle: HandleId) -> Result<(), Errno> {
        self.handles.lock().remove(&handle);
        self.inner.release(handle)
    }
    fn fallocate(
        &self,
        handle: HandleId,
        mode: FallocateMode,
        offset: u64,
        len: u64,
    ) -> Result<(), Errno> {
        let r = self.inner.fallocate(handle, mode, offset, len);
        self.after(r, |_| {
            if let Some(&node) = self.handles.lock().get(&handle) {
                self.inval.node(node);
            }
        })
    }
    fn setxattr(
        &self,
        node: NodeId,
        name: &[u8],
        value: &[u8],
        how: XattrSet,
    ) -> Result<(), Errno> {
        let r = self.inner.setxattr(node, name, value, how);
        self.after(r, |_| self.inval.node(node))
    }
    fn removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno> {
        let r = self.inner.removexattr(node, name);
        self.after(r, |_| self.inval.node(node))
    }
}
