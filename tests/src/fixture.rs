//! A fresh provider for one case, plus whatever must stay alive while it runs.

use std::any::Any;
use std::sync::Arc;
use vfsbox_api::{
    Attr, Capabilities, DirEntry, Entry, Errno, FallocateMode, FileKind, FileSystem, HandleId,
    Name, NodeId, OpenFlags, Owner, RenameFlags, SeekHole, SetAttr, StatFs, XattrSet,
};

/// One provider instance for one case, and an optional guard that lives exactly as long as it.
///
/// The guard is for resources the provider stands on but does not own, such as the temporary
/// directory a host provider is opened on: it is dropped after the provider, so the directory
/// is removed only once the provider has closed its handles.
pub struct Fixture {
    // Field order is drop order: the provider goes first, then its guard.
    fs: Arc<dyn FileSystem>,
    guard: Option<Box<dyn Any + Send>>,
}

impl Fixture {
    /// A fixture for a provider that needs nothing kept alive beside it.
    pub fn new(fs: impl FileSystem + 'static) -> Fixture {
        Fixture::from_arc(Arc::new(fs))
    }

    /// A fixture for a provider that is already shared.
    pub fn from_arc(fs: Arc<dyn FileSystem>) -> Fixture {
        Fixture { fs, guard: None }
    }

    /// Keeps `guard` alive until after the provider is dropped (e.g. a `tempfile::TempDir`).
    #[must_use]
    pub fn with_guard(mut self, guard: impl Any + Send) -> Fixture {
        self.guard = Some(Box::new(guard));
        self
    }

    /// The provider under test.
    pub fn fs(&self) -> &Arc<dyn FileSystem> {
        &self.fs
    }
}

impl std::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixture")
            .field("capabilities", &self.fs.capabilities())
            .field("guarded", &self.guard.is_some())
            .finish()
    }
}

/// Makes a fresh [`Fixture`] for each case. Any `Fn() -> Fixture + Sync` closure is one.
pub trait Factory: Sync {
    /// A new, empty provider.
    fn make(&self) -> Fixture;
}

impl<F: Fn() -> Fixture + Sync> Factory for F {
    fn make(&self) -> Fixture {
        self()
    }
}

impl Fixture {
    /// The same provider seen from the directory at `path` (names looked up from its root),
    /// keeping this fixture's guard. For providers whose root is not an empty writable
    /// directory, such as a mount table whose root lists its mount points: the suite then runs
    /// inside one of them, and every call still goes through the whole provider.
    ///
    /// # Errors
    /// The errno of a failed lookup, or `ENOTDIR` if `path` does not end at a directory.
    pub fn rooted_at(self, path: &[&str]) -> Result<Fixture, Errno> {
        let mut root = self.fs.root();
        for part in path {
            let name = Name::new(part.as_bytes())?;
            root = self.fs.lookup(root, name)?.node;
        }
        if self.fs.getattr(root)?.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        let fs = Arc::new(Subtree { fs: self.fs, root });
        Ok(Fixture {
            fs,
            guard: self.guard,
        })
    }
}

/// A provider whose root is a directory node of another; everything else passes through.
/// Its lookups of `root` are kept for its whole life, so `root` never goes stale.
struct Subtree {
    fs: Arc<dyn FileSystem>,
    root: NodeId,
}

/// Forwards trait methods unchanged to `self.fs`.
macro_rules! forward {
    ($($name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(fn $name(&self $(, $arg: $ty)*) -> $ret { self.fs.$name($($arg),*) })*
    };
}

#[rustfmt::skip]
impl FileSystem for Subtree {
    fn root(&self) -> NodeId {
        self.root
    }

    fn forget(&self, node: NodeId, count: u64) {
        if node != self.root {
            self.fs.forget(node, count);
        }
    }

    fn readdir(
        &self,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        self.fs.readdir(handle, cookie, sink)
    }

    forward! {
        capabilities(&self) -> Capabilities;
        lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno>;
        getattr(&self, node: NodeId) -> Result<Attr, Errno>;
        setattr(&self, node: NodeId, changes: &SetAttr, handle: Option<HandleId>) -> Result<Attr, Errno>;
        readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno>;
        mkdir(&self, dir: NodeId, name: &Name, perm: u32, owner: Owner) -> Result<Entry, Errno>;
        mknod(&self, dir: NodeId, name: &Name, kind: FileKind, perm: u32, rdev: u64, owner: Owner) -> Result<Entry, Errno>;
        create(&self, dir: NodeId, name: &Name, perm: u32, flags: OpenFlags, owner: Owner) -> Result<(Entry, HandleId), Errno>;
        symlink(&self, dir: NodeId, name: &Name, target: &[u8], owner: Owner) -> Result<Entry, Errno>;
        link(&self, node: NodeId, new_dir: NodeId, new_name: &Name) -> Result<Entry, Errno>;
        unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno>;
        rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno>;
        rename(&self, dir: NodeId, name: &Name, new_dir: NodeId, new_name: &Name, flags: RenameFlags) -> Result<(), Errno>;
        open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno>;
        read(&self, handle: HandleId, offset: u64, buf: &mut [u8]) -> Result<usize, Errno>;
        write(&self, handle: HandleId, offset: u64, data: &[u8]) -> Result<usize, Errno>;
        flush(&self, handle: HandleId) -> Result<(), Errno>;
        fsync(&self, handle: HandleId, datasync: bool) -> Result<(), Errno>;
        release(&self, handle: HandleId) -> Result<(), Errno>;
        seek(&self, handle: HandleId, offset: u64, what: SeekHole) -> Result<u64, Errno>;
        opendir(&self, node: NodeId) -> Result<HandleId, Errno>;
        releasedir(&self, handle: HandleId) -> Result<(), Errno>;
        statfs(&self, node: NodeId) -> Result<StatFs, Errno>;
        fallocate(&self, handle: HandleId, mode: FallocateMode, offset: u64, len: u64) -> Result<(), Errno>;
        getxattr(&self, node: NodeId, name: &[u8]) -> Result<Vec<u8>, Errno>;
        setxattr(&self, node: NodeId, name: &[u8], value: &[u8], how: XattrSet) -> Result<(), Errno>;
        listxattr(&self, node: NodeId) -> Result<Vec<Vec<u8>>, Errno>;
        removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno>;
    }
}
