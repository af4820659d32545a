//! `forward_filesystem!`: the pass-through methods of a provider that wraps another.

/// Implements the named `FileSystem` methods of a wrapper by calling the same method of the
/// provider in field `$inner` (anything that derefs to a `FileSystem`), unchanged. Inside an
/// `impl FileSystem for Wrapper` block, list what passes through and write the rest:
///
/// ```
/// use std::sync::Arc;
/// use vfsbox_api::*;
///
/// /// Hides nothing, changes nothing: a wrapper that only counts lookups.
/// struct Counting {
///     inner: Arc<dyn FileSystem>,
///     lookups: std::sync::atomic::AtomicU64,
/// }
///
/// impl FileSystem for Counting {
///     fn lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
///         self.lookups.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///         self.inner.lookup(dir, name)
///     }
///
///     forward_filesystem!(inner: capabilities, root, forget, getattr, setattr, readlink,
///         mkdir, mknod, create, symlink, link, unlink, rmdir, rename, open, read, write,
///         flush, fsync, release, seek, opendir, readdir, releasedir, statfs, fallocate,
///         getxattr, setxattr, listxattr, removexattr);
/// }
/// ```
#[macro_export]
macro_rules! forward_filesystem {
    ($inner:ident: $($method:ident),* $(,)?) => {
        $($crate::__forward_filesystem_method!($inner, $method);)*
    };
}

/// One method of [`forward_filesystem!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __forward_filesystem_method {
    ($inner:ident, capabilities) => {
        fn capabilities(&self) -> $crate::Capabilities {
            self.$inner.capabilities()
        }
    };
    ($inner:ident, root) => {
        fn root(&self) -> $crate::NodeId {
            self.$inner.root()
        }
    };
    ($inner:ident, lookup) => {
        fn lookup(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
        ) -> Result<$crate::Entry, $crate::Errno> {
            self.$inner.lookup(dir, name)
        }
    };
    ($inner:ident, forget) => {
        fn forget(&self, node: $crate::NodeId, count: u64) {
            self.$inner.forget(node, count)
        }
    };
    ($inner:ident, getattr) => {
        fn getattr(&self, node: $crate::NodeId) -> Result<$crate::Attr, $crate::Errno> {
            self.$inner.getattr(node)
        }
    };
    ($inner:ident, setattr) => {
        fn setattr(
            &self,
            node: $crate::NodeId,
            changes: &$crate::SetAttr,
            handle: Option<$crate::HandleId>,
        ) -> Result<$crate::Attr, $crate::Errno> {
            self.$inner.setattr(node, changes, handle)
        }
    };
    ($inner:ident, readlink) => {
        fn readlink(&self, node: $crate::NodeId) -> Result<Vec<u8>, $crate::Errno> {
            self.$inner.readlink(node)
        }
    };
    ($inner:ident, mkdir) => {
        fn mkdir(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
            perm: u32,
            owner: $crate::Owner,
        ) -> Result<$crate::Entry, $crate::Errno> {
            self.$inner.mkdir(dir, name, perm, owner)
        }
    };
    ($inner:ident, mknod) => {
        fn mknod(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
            kind: $crate::FileKind,
            perm: u32,
            rdev: u64,
            owner: $crate::Owner,
        ) -> Result<$crate::Entry, $crate::Errno> {
            self.$inner.mknod(dir, name, kind, perm, rdev, owner)
        }
    };
    ($inner:ident, create) => {
        fn create(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
            perm: u32,
            flags: $crate::OpenFlags,
            owner: $crate::Owner,
        ) -> Result<($crate::Entry, $crate::HandleId), $crate::Errno> {
            self.$inner.create(dir, name, perm, flags, owner)
        }
    };
    ($inner:ident, symlink) => {
        fn symlink(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
            target: &[u8],
            owner: $crate::Owner,
        ) -> Result<$crate::Entry, $crate::Errno> {
            self.$inner.symlink(dir, name, target, owner)
        }
    };
    ($inner:ident, link) => {
        fn link(
            &self,
            node: $crate::NodeId,
            new_dir: $crate::NodeId,
            new_name: &$crate::Name,
        ) -> Result<$crate::Entry, $crate::Errno> {
            self.$inner.link(node, new_dir, new_name)
        }
    };
    ($inner:ident, unlink) => {
        fn unlink(&self, dir: $crate::NodeId, name: &$crate::Name) -> Result<(), $crate::Errno> {
            self.$inner.unlink(dir, name)
        }
    };
    ($inner:ident, rmdir) => {
        fn rmdir(&self, dir: $crate::NodeId, name: &$crate::Name) -> Result<(), $crate::Errno> {
            self.$inner.rmdir(dir, name)
        }
    };
    ($inner:ident, rename) => {
        fn rename(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
            new_dir: $crate::NodeId,
            new_name: &$crate::Name,
            flags: $crate::RenameFlags,
        ) -> Result<(), $crate::Errno> {
            self.$inner.rename(dir, name, new_dir, new_name, flags)
        }
    };
    ($inner:ident, open) => {
        fn open(
            &self,
            node: $crate::NodeId,
            flags: $crate::OpenFlags,
        ) -> Result<$crate::HandleId, $crate::Errno> {
            self.$inner.open(node, flags)
        }
    };
    ($inner:ident, read) => {
        fn read(
            &self,
            handle: $crate::HandleId,
            offset: u64,
            buf: &mut [u8],
        ) -> Result<usize, $crate::Errno> {
            self.$inner.read(handle, offset, buf)
        }
    };
    ($inner:ident, write) => {
        fn write(
            &self,
            handle: $crate::HandleId,
            offset: u64,
            data: &[u8],
        ) -> Result<usize, $crate::Errno> {
            self.$inner.write(handle, offset, data)
        }
    };
    ($inner:ident, flush) => {
        fn flush(&self, handle: $crate::HandleId) -> Result<(), $crate::Errno> {
            self.$inner.flush(handle)
        }
    };
    ($inner:ident, fsync) => {
        fn fsync(&self, handle: $crate::HandleId, datasync: bool) -> Result<(), $crate::Errno> {
            self.$inner.fsync(handle, datasync)
        }
    };
    ($inner:ident, release) => {
        fn release(&self, handle: $crate::HandleId) -> Result<(), $crate::Errno> {
            self.$inner.release(handle)
        }
    };
    ($inner:ident, seek) => {
        fn seek(
            &self,
            handle: $crate::HandleId,
            offset: u64,
            what: $crate::SeekHole,
        ) -> Result<u64, $crate::Errno> {
            self.$inner.seek(handle, offset, what)
        }
    };
    ($inner:ident, opendir) => {
        fn opendir(&self, node: $crate::NodeId) -> Result<$crate::HandleId, $crate::Errno> {
            self.$inner.opendir(node)
        }
    };
    ($inner:ident, readdir) => {
        fn readdir(
            &self,
            handle: $crate::HandleId,
            cookie: u64,
            sink: &mut dyn FnMut($crate::DirEntry<'_>) -> bool,
        ) -> Result<(), $crate::Errno> {
            self.$inner.readdir(handle, cookie, sink)
        }
    };
    ($inner:ident, releasedir) => {
        fn releasedir(&self, handle: $crate::HandleId) -> Result<(), $crate::Errno> {
            self.$inner.releasedir(handle)
        }
    };
    ($inner:ident, statfs) => {
        fn statfs(&self, node: $crate::NodeId) -> Result<$crate::StatFs, $crate::Errno> {
            self.$inner.statfs(node)
        }
    };
    ($inner:ident, fallocate) => {
        fn fallocate(
            &self,
            handle: $crate::HandleId,
            mode: $crate::FallocateMode,
            offset: u64,
            len: u64,
        ) -> Result<(), $crate::Errno> {
            self.$inner.fallocate(handle, mode, offset, len)
        }
    };
    ($inner:ident, getxattr) => {
        fn getxattr(&self, node: $crate::NodeId, name: &[u8]) -> Result<Vec<u8>, $crate::Errno> {
            self.$inner.getxattr(node, name)
        }
    };
    ($inner:ident, setxattr) => {
        fn setxattr(
            &self,
            node: $crate::NodeId,
            name: &[u8],
            value: &[u8],
            how: $crate::XattrSet,
        ) -> Result<(), $crate::Errno> {
            self.$inner.setxattr(node, name, value, how)
        }
    };
    ($inner:ident, listxattr) => {
        fn listxattr(&self, node: $crate::NodeId) -> Result<Vec<Vec<u8>>, $crate::Errno> {
            self.$inner.listxattr(node)
        }
    };
    ($inner:ident, removexattr) => {
        fn removexattr(&self, node: $crate::NodeId, name: &[u8]) -> Result<(), $crate::Errno> {
            self.$inner.removexattr(node, name)
        }
    };
}
