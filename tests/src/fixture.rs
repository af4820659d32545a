//! A fresh provider for one case, plus whatever must stay alive while it runs.

use std::any::Any;
use std::sync::Arc;
use vfsbox_api::{Errno, FileKind, FileSystem, Name, NodeId};

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

impl FileSystem for Subtree {
    fn root(&self) -> NodeId {
        self.root
    }

    fn forget(&self, node: NodeId, count: u64) {
        if node != self.root {
            self.fs.forget(node, count);
        }
    }

    vfsbox_api::forward_filesystem!(fs: capabilities, lookup, getattr, setattr, readlink, mkdir,
        mknod, create, symlink, link, unlink, rmdir, rename, open, read, write, flush, fsync,
        release, seek, opendir, readdir, releasedir, statfs, fallocate, getxattr, setxattr,
        listxattr, removexattr);
}
