//! Providers mounted at virtual paths: [`MountTable`].
//!
//! # Layout
//! Built once with [`MountTable::builder`]. Every proper prefix of a mount path that is not
//! itself a mount point is a *synthesized directory*: read-only, mode 0555, owned by 0:0,
//! all four times the table's creation time, size 0, `nlink` 2 plus its entries (which are
//! all directories). It is synthesized even if the provider below has a directory of that
//! name: like a mount, it hides what is below (the layout is fixed, so a provider renaming
//! its own directories can never move a mount point). A mount point or synthesized
//! directory is listed exactly once in its parent, hiding a same-named entry of the parent's
//! provider, as the kernel hides what is under a mount.
//!
//! # Node ids and inode numbers
//! Skeleton directories (`/`, every mount root, synthesized directories) have fixed ids
//! `1..=n`. Every other node's id is *direct*: the top bit, the mount's index and the inner
//! id (below 2^48), so a call translates it with a shift and a mask, `forget` goes straight
//! to the provider, which counts lookups itself, and the same node always has the same id;
//! a forgotten id is as stale as the provider says (`ESTALE` for every provider that passes
//! the conformance suite). Open file handles are direct the same way; directory handles
//! always come from a handle table (they carry listing state). Inner ids of 2^48 or more (a
//! mount table mounted in a mount table) and mounts past the first 2^15 get an id from an
//! id table mapping (mount, inner id) both ways, counting lookups, stale once forgotten
//! until a lookup finds the same node again (the mapping is kept as a cache, swept past a
//! few thousand idle ones). Either way ids never collide across mounts and are never reused
//! for another node.
//!
//! Callers are trusted to pass only ids the table handed out, as every consumer here does
//! (the emulated layer and the policy guard use ids from lookups, the FUSE mount maps
//! inode numbers through its own table): a direct id is not checked against a list, so a
//! made-up one reaches the provider as the inner id it encodes (a mount root encoded that
//! way is refused, `ESTALE`, so nested mount points cannot be bypassed through it). `Attr::ino` is the inner inode number
//! in the low 48 bits with the mount's tag (its index + 1, in order of depth then path) in
//! the high 16; synthesized directories have tag 0. Inner inode numbers of 2^48 or more
//! would be folded; no Linux filesystem vfsbox targets hands those out.
//!
//! # Readdir cookies
//! A directory without mount points inside passes its provider's cookies through. One with
//! `k` of them lists them first with cookies `1..=k`, then the provider's entries (minus
//! the hidden names), each given the next cookie above `k` the first time this handle sees
//! its provider cookie; resuming from an outer cookie resumes the provider from the
//! provider cookie it stands for. Cookies are thus stable for the life of the handle.
//!
//! # Crossing mounts
//! `rename` and `link` between different mounts are `EXDEV` (in Linux's order: for `link`
//! after `EEXIST` and the target mount's `EROFS`, for `rename` before both). Removing or
//! renaming a mount point is `EBUSY` (`unlink` of one is `EISDIR`), as on a kernel mount.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod build;
mod ids;
mod skeleton;
mod table;

pub use build::{MountError, MountTableBuilder, MAX_MOUNTS};
pub use table::MountTable;

use std::sync::Arc;
use vfsbox_api::{FileSystem, NodeId};

/// One mounted provider.
pub(crate) struct Mount {
    /// The path it is mounted at, for messages.
    pub(crate) path: String,
    pub(crate) fs: Arc<dyn FileSystem>,
    /// Its root's inner id.
    pub(crate) root: NodeId,
    /// Its root's skeleton node.
    pub(crate) skel: usize,
}
