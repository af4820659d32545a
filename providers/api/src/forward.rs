//! `forward_filesystem!` and `delegate_filesystem!`: trait methods that only pass a call on,
//! generated from one copy of the trait's signatures.

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
///         getxattr, setxattr, listxattr, removexattr, backing_file);
/// }
/// ```
#[macro_export]
macro_rules! forward_filesystem {
    ($inner:ident: $($method:ident),* $(,)?) => {
        $($crate::__filesystem_method!((inner $inner) $method $method);)*
    };
}

/// Implements the named `FileSystem` methods by calling a method of the implementing type
/// itself, with the same arguments: `delegate_filesystem!(lookup => do_lookup, …)`. For a
/// provider that keeps each operation in the module that owns it, so the trait's signatures are
/// written once (here) rather than again in every provider.
#[macro_export]
macro_rules! delegate_filesystem {
    ($($method:ident => $target:ident),* $(,)?) => {
        $($crate::__filesystem_method!((own) $method $target);)*
    };
}

/// The call inside a generated method: to the wrapped provider, or to the type itself.
#[doc(hidden)]
#[macro_export]
macro_rules! __filesystem_call {
    ($self:ident (inner $inner:ident) $target:ident ($($arg:ident),*)) => {
        $self.$inner.$target($($arg),*)
    };
    ($self:ident (own) $target:ident ($($arg:ident),*)) => {
        $self.$target($($arg),*)
    };
}

/// One method of [`forward_filesystem!`] and [`delegate_filesystem!`]: the trait's signatures,
/// written once.
#[doc(hidden)]
#[macro_export]
macro_rules! __filesystem_method {
    ($to:tt capabilities $target:ident) => {
        fn capabilities(&self) -> $crate::Capabilities {
            $crate::__filesystem_call!(self $to $target ())
        }
    };
    ($to:tt root $target:ident) => {
        fn root(&self) -> $crate::NodeId {
            $crate::__filesystem_call!(self $to $target ())
        }
    };
    ($to:tt lookup $target:ident) => {
        fn lookup(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
        ) -> Result<$crate::Entry, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (dir, name))
        }
    };
    ($to:tt lookup_path $target:ident) => {
        fn lookup_path(
            &self,
            dir: $crate::NodeId,
            names: &[&$crate::Name],
            search: Option<$crate::SearchCheck<'_>>,
            hold: bool,
        ) -> Option<Result<$crate::Entry, $crate::Errno>> {
            $crate::__filesystem_call!(self $to $target (dir, names, search, hold))
        }
    };
    ($to:tt open_name $target:ident) => {
        fn open_name(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
            flags: $crate::OpenFlags,
            check: $crate::OpenCheck<'_>,
        ) -> Option<Result<($crate::Entry, $crate::HandleId), $crate::Errno>> {
            $crate::__filesystem_call!(self $to $target (dir, name, flags, check))
        }
    };
    ($to:tt forget $target:ident) => {
        fn forget(&self, node: $crate::NodeId, count: u64) {
            $crate::__filesystem_call!(self $to $target (node, count))
        }
    };
    ($to:tt getattr $target:ident) => {
        fn getattr(&self, node: $crate::NodeId) -> Result<$crate::Attr, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (node))
        }
    };
    ($to:tt setattr $target:ident) => {
        fn setattr(
            &self,
            node: $crate::NodeId,
            changes: &$crate::SetAttr,
            handle: Option<$crate::HandleId>,
        ) -> Result<$crate::Attr, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (node, changes, handle))
        }
    };
    ($to:tt readlink $target:ident) => {
        fn readlink(&self, node: $crate::NodeId) -> Result<Vec<u8>, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (node))
        }
    };
    ($to:tt mkdir $target:ident) => {
        fn mkdir(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
            perm: u32,
            owner: $crate::Owner,
        ) -> Result<$crate::Entry, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (dir, name, perm, owner))
        }
    };
    ($to:tt mknod $target:ident) => {
        fn mknod(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
            kind: $crate::FileKind,
            perm: u32,
            rdev: u64,
            owner: $crate::Owner,
        ) -> Result<$crate::Entry, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (dir, name, kind, perm, rdev, owner))
        }
    };
    ($to:tt create $target:ident) => {
        fn create(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
            perm: u32,
            flags: $crate::OpenFlags,
            owner: $crate::Owner,
        ) -> Result<($crate::Entry, $crate::HandleId), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (dir, name, perm, flags, owner))
        }
    };
    ($to:tt symlink $target:ident) => {
        fn symlink(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
            target: &[u8],
            owner: $crate::Owner,
        ) -> Result<$crate::Entry, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (dir, name, target, owner))
        }
    };
    ($to:tt link $target:ident) => {
        fn link(
            &self,
            node: $crate::NodeId,
            new_dir: $crate::NodeId,
            new_name: &$crate::Name,
        ) -> Result<$crate::Entry, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (node, new_dir, new_name))
        }
    };
    ($to:tt unlink $target:ident) => {
        fn unlink(&self, dir: $crate::NodeId, name: &$crate::Name) -> Result<(), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (dir, name))
        }
    };
    ($to:tt rmdir $target:ident) => {
        fn rmdir(&self, dir: $crate::NodeId, name: &$crate::Name) -> Result<(), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (dir, name))
        }
    };
    ($to:tt rename $target:ident) => {
        fn rename(
            &self,
            dir: $crate::NodeId,
            name: &$crate::Name,
            new_dir: $crate::NodeId,
            new_name: &$crate::Name,
            flags: $crate::RenameFlags,
        ) -> Result<(), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (dir, name, new_dir, new_name, flags))
        }
    };
    ($to:tt open $target:ident) => {
        fn open(
            &self,
            node: $crate::NodeId,
            flags: $crate::OpenFlags,
        ) -> Result<$crate::HandleId, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (node, flags))
        }
    };
    ($to:tt read $target:ident) => {
        fn read(
            &self,
            handle: $crate::HandleId,
            offset: u64,
            buf: &mut [u8],
        ) -> Result<usize, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (handle, offset, buf))
        }
    };
    ($to:tt write $target:ident) => {
        fn write(
            &self,
            handle: $crate::HandleId,
            offset: u64,
            data: &[u8],
        ) -> Result<usize, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (handle, offset, data))
        }
    };
    ($to:tt flush $target:ident) => {
        fn flush(&self, handle: $crate::HandleId) -> Result<(), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (handle))
        }
    };
    ($to:tt fsync $target:ident) => {
        fn fsync(&self, handle: $crate::HandleId, datasync: bool) -> Result<(), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (handle, datasync))
        }
    };
    ($to:tt release $target:ident) => {
        fn release(&self, handle: $crate::HandleId) -> Result<(), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (handle))
        }
    };
    ($to:tt seek $target:ident) => {
        fn seek(
            &self,
            handle: $crate::HandleId,
            offset: u64,
            what: $crate::SeekHole,
        ) -> Result<u64, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (handle, offset, what))
        }
    };
    ($to:tt opendir $target:ident) => {
        fn opendir(&self, node: $crate::NodeId) -> Result<$crate::HandleId, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (node))
        }
    };
    ($to:tt readdir $target:ident) => {
        fn readdir(
            &self,
            handle: $crate::HandleId,
            cookie: u64,
            sink: &mut dyn FnMut($crate::DirEntry<'_>) -> bool,
        ) -> Result<(), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (handle, cookie, sink))
        }
    };
    ($to:tt releasedir $target:ident) => {
        fn releasedir(&self, handle: $crate::HandleId) -> Result<(), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (handle))
        }
    };
    ($to:tt statfs $target:ident) => {
        fn statfs(&self, node: $crate::NodeId) -> Result<$crate::StatFs, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (node))
        }
    };
    ($to:tt fallocate $target:ident) => {
        fn fallocate(
            &self,
            handle: $crate::HandleId,
            mode: $crate::FallocateMode,
            offset: u64,
            len: u64,
        ) -> Result<(), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (handle, mode, offset, len))
        }
    };
    ($to:tt getxattr $target:ident) => {
        fn getxattr(&self, node: $crate::NodeId, name: &[u8]) -> Result<Vec<u8>, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (node, name))
        }
    };
    ($to:tt setxattr $target:ident) => {
        fn setxattr(
            &self,
            node: $crate::NodeId,
            name: &[u8],
            value: &[u8],
            how: $crate::XattrSet,
        ) -> Result<(), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (node, name, value, how))
        }
    };
    ($to:tt listxattr $target:ident) => {
        fn listxattr(&self, node: $crate::NodeId) -> Result<Vec<Vec<u8>>, $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (node))
        }
    };
    ($to:tt backing_file $target:ident) => {
        fn backing_file(&self, handle: $crate::HandleId) -> Option<::std::os::fd::OwnedFd> {
            $crate::__filesystem_call!(self $to $target (handle))
        }
    };
    ($to:tt removexattr $target:ident) => {
        fn removexattr(&self, node: $crate::NodeId, name: &[u8]) -> Result<(), $crate::Errno> {
            $crate::__filesystem_call!(self $to $target (node, name))
        }
    };
}
