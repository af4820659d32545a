//! The contracts of vfsbox and their shared vocabulary.
//!
//! [`FileSystem`] is the node-based contract every provider implements (memory, host,
//! read-only, overlay, mount table, …). [`Posix`] is the path-and-descriptor contract that
//! the emulated layer and the native passthrough both implement. [`Errno`] is the error of
//! every method, [`Name`] the only kind of path a provider sees. The emulated POSIX layer, the
//! native passthrough and the FUSE mount all build on this crate and on nothing of each
//! other.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod attr;
mod capabilities;
mod errno;
mod filesystem;
mod flags;
mod forward;
mod name;
mod posix;

pub use attr::{
    Attr, FileKind, SetAttr, StatFs, TimeSet, Timestamp, PERM_MASK, S_ISGID, S_ISUID, S_ISVTX,
};
pub use capabilities::Capabilities;
pub use errno::Errno;
pub use filesystem::{
    DirEntry, Entry, FileSystem, HandleId, NodeId, OpenCheck, Owner, SearchCheck, SeekHole,
};
pub use flags::{AccessMode, FallocateMode, OpenFlags, RenameFlags, XattrSet};
pub use name::{Name, NameBuf, NAME_MAX};
pub use posix::{
    DirBatch, DirRecord, DirRef, DirStream, Fd, Flock, Posix, Stat, StatVfs, TimeSpec, AT_FDCWD,
};

/// The longest symbolic-link target Linux stores (`PATH_MAX - 1`).
pub const SYMLINK_MAX: usize = 4095;
