//! A union of a writable upper provider over a read-only lower one, with the semantics of
//! Linux overlayfs, over any pair of [`FileSystem`] providers.
//!
//! ```
//! use std::sync::Arc;
//! use vfsbox_api::FileSystem;
//! use vfsbox_overlay::Overlay;
//!
//! let lower = Arc::new(vfsbox_readonly::ReadOnly::wrap(vfsbox_memory::MemoryFs::new()));
//! let upper = Arc::new(vfsbox_memory::MemoryFs::new());
//! let overlay = Overlay::new(upper, lower).expect("a writable upper over a read-only lower");
//! assert!(!overlay.capabilities().read_only);
//! ```
//!
//! # The upper layer is an OCI image layer
//!
//! Everything the overlay writes goes to the upper layer in the OCI image layer format, so a
//! host-backed upper directory can be shipped with `tar` as a layer:
//!
//! - **Copy-up.** Before any change to a lower file (open for writing or with `O_TRUNC`,
//!   `setattr` of any field, `link`, `setxattr`/`removexattr`, and so `fallocate` and writes),
//!   the file is copied to the upper layer with its data, mode, owner, times and `user.*`
//!   xattrs, after its parent directories (copied the same way, as needed). The copy is made
//!   under a reserved staging name (`.wh..wh..copyup.N`) in the target directory and renamed
//!   into place, so an error or crash never leaves a half copy under the real name (a crash
//!   may leave the staging entry, which is never listed). The parent's times are restored.
//!   A handle opened before the copy-up keeps reading the lower data; one opened after sees
//!   the upper copy. Holes are not preserved (the copy writes zeros).
//! - **Whiteouts.** Deleting a lower entry (`unlink`, `rmdir`, renaming it away or replacing
//!   it) leaves an empty regular file `.wh.NAME` beside it. A lower entry whose name is longer
//!   than 251 bytes cannot be whited out: deleting it is `ENAMETOOLONG`.
//! - **Opaque directories.** `mkdir` over a deleted lower directory makes an upper directory
//!   holding the marker `.wh..wh..opq`, so the lower contents do not reappear (made under a
//!   staging name, then renamed into place).
//! - **Reserved names.** Names starting with `.wh.` are never listed and never found, and
//!   making one (`create`, `mknod`, `mkdir`, `symlink`, `link`, `rename` to it) is `EINVAL`:
//!   the name is what is wrong, as on a filesystem that cannot store it, not the caller's
//!   rights (`EPERM`). The check comes right after `ENOTDIR`. An upper layer that already
//!   holds whiteouts and opaque markers (an existing layer) is honoured.
//!
//! # Listings
//!
//! Upper entries come first (reserved names skipped), then lower entries that the upper
//! neither has nor whites out (none for an opaque directory). A cookie says which phase it
//! belongs to: an upper entry's cookie is the upper layer's own, a lower entry's is the lower
//! layer's with bit 63 set. Both layers' cookies are stable, so the merged ones are; layer
//! cookies must fit in 63 bits (Linux `d_off` values are non-negative `off_t`), else the
//! listing fails with `EOVERFLOW`. The set of upper names a lower entry is checked against is
//! taken when a handle enters the lower phase, so an entry copied up during a listing is
//! listed once, not twice and not never.
//!
//! # Inode numbers and link counts
//!
//! The scheme is overlayfs's `xino` with one bit: `2 * lower_ino + 1` for nodes from the lower
//! layer, `2 * upper_ino` for upper-only nodes, so the two never collide (layer inode numbers
//! must stay below 2^63). Copy-up keeps the number: the overlay records, per upper inode
//! number, the number its file had before (overlayfs keeps this *origin* in an xattr), and
//! lookups and listings of upper entries consult it. `nlink` is the upper's for upper files,
//! the lower's for lower files (0 once whited out); a merged directory's is 2 plus its
//! subdirectories in the merged view (counted by listing both layers when the lower half has
//! subdirectories). A lower file with several hard links becomes separate
//! files when one name is copied up, as in overlayfs without the `index` feature.
//!
//! # Renaming a lower directory: `EXDEV`
//!
//! Renaming a directory that exists in the lower layer (a lower-only or merged directory) is
//! `EXDEV`, what overlayfs answers without `redirect_dir`. Programs already handle it: `mv`
//! and every rename-or-copy fallback copy the tree and delete the source. Full support would
//! need redirect records (overlayfs keeps them in `trusted.overlay.redirect` xattrs), which the
//! OCI layer format has no way to express: a tar of the upper layer would lose the move. The
//! refusal comes after the checks of the merged view (`ENOENT`, `EEXIST`, `EINVAL` for a
//! directory into its own subtree, `ENOTDIR`/`EISDIR`) and before `ENOTEMPTY`, in overlayfs's
//! order. Upper-only entries rename as in the upper layer; a lower non-directory is copied up,
//! renamed, and its old name whited out. A directory moved onto a name where the lower layer
//! has a directory is made opaque.
//!
//! # Node ids
//!
//! The overlay issues its own node ids, each standing for an (upper node?, lower node?) pair;
//! a node holds one lookup of each layer node it maps to and gives it back when forgotten.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod attrs;
mod copyup;
mod dir;
mod error;
mod fs;
mod handles;
mod ino;
mod io;
mod lookup;
mod names;
mod namespace;
mod nodes;
mod rename;

pub use error::OverlayError;

use handles::HandleTable;
use nodes::{Freed, Node, NodeTable, ROOT};
use parking_lot::{Mutex, RecursiveRwLock};
use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use vfsbox_api::{Capabilities, FileKind, FileSystem};

/// A writable upper provider over a read-only lower one (see the [crate docs](crate)).
pub struct Overlay {
    upper: Arc<dyn FileSystem>,
    lower: Arc<dyn FileSystem>,
    caps: Capabilities,
    nodes: Mutex<NodeTable>,
    /// Upper inode number → overlay inode number, for copied-up nodes (see `ino.rs`).
    origins: Mutex<HashMap<u64, u64>>,
    handles: HandleTable,
    /// Namespace changes (and copy-up) take it for writing, lookups and listings for reading
    /// (recursively: a listing's sink may look names up), so a lookup never sees a copy-up or
    /// whiteout half made.
    ns: RecursiveRwLock<()>,
    /// Serial numbers of staging names.
    staging: AtomicU64,
}

impl Overlay {
    /// An overlay of `upper` over `lower`.
    ///
    /// # Errors
    /// [`OverlayError::LowerWritable`] if `lower` does not declare itself read-only,
    /// [`OverlayError::UpperReadOnly`] if `upper` does.
    pub fn new(
        upper: Arc<dyn FileSystem>,
        lower: Arc<dyn FileSystem>,
    ) -> Result<Overlay, OverlayError> {
        let (u, l) = (upper.capabilities(), lower.capabilities());
        if !l.read_only {
            return Err(OverlayError::LowerWritable);
        }
        if u.read_only {
            return Err(OverlayError::UpperReadOnly);
        }
        let caps = Capabilities {
            case_sensitive: u.case_sensitive && l.case_sensitive,
            time_resolution_ns: u.time_resolution_ns.max(l.time_resolution_ns),
            byte_names: u.byte_names && l.byte_names,
            read_only: false,
            ..u
        };
        let (upper_root, lower_root) = (upper.root(), lower.root());
        let opaque = lookup::exists(upper.as_ref(), upper_root, names::opaque()).unwrap_or(false);
        let ino = upper
            .getattr(upper_root)
            .map(|a| ino::from_upper(a.ino))
            .unwrap_or(ino::from_upper(1));
        let root = Node {
            upper: Some(upper_root),
            lower: (!opaque).then_some(lower_root),
            kind: FileKind::Directory,
            ino,
            parent: None,
            lookups: 1,
            refs: 0,
            dead: false,
        };
        Ok(Overlay {
            upper,
            lower,
            caps,
            nodes: Mutex::new(NodeTable::new(root)),
            origins: Mutex::new(HashMap::new()),
            handles: HandleTable::default(),
            ns: RecursiveRwLock::new(()),
            staging: AtomicU64::new(1),
        })
    }

    /// The upper (writable) layer.
    pub fn upper(&self) -> &Arc<dyn FileSystem> {
        &self.upper
    }

    /// The lower (read-only) layer.
    pub fn lower(&self) -> &Arc<dyn FileSystem> {
        &self.lower
    }

    /// Gives back the layer lookups of freed nodes.
    fn release_freed(&self, freed: Vec<Freed>) {
        for f in freed {
            if let Some(u) = f.upper {
                self.upper.forget(u, 1);
            }
            if let Some(l) = f.lower {
                self.lower.forget(l, 1);
            }
        }
    }

    /// A copy of a node callers may use (`ESTALE` otherwise).
    fn node(&self, id: u64) -> Result<Node, vfsbox_api::Errno> {
        self.nodes.lock().get(id).cloned()
    }

    /// The id of the root.
    const fn root_id() -> u64 {
        ROOT
    }
}

impl std::fmt::Debug for Overlay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Overlay")
            .field("capabilities", &self.caps)
            .finish_non_exhaustive()
    }
}
