//! The vfsbox memory provider: a tmpfs-like [`FileSystem`](vfsbox_api::FileSystem) held in
//! memory.
//!
//! - Nodes live in a concurrent table (dashmap) with one lock each; every directory keeps its
//!   own name map, so no operation slows down as the tree grows.
//! - Listings use cookies issued in insertion order and never reused, so they are stable while
//!   the directory changes.
//! - File data lives in 4 KiB pages allocated on write: holes cost nothing and read as zeros.
//! - Nodes are reference counted like FUSE inodes: links, lookups and open handles. A node id
//!   without lookups is stale (`ESTALE`); a node's memory and quota are given back once none of
//!   the three remains, so unlinked files stay usable through open handles.
//! - Quotas follow tmpfs: whole pages, short writes at the limit, then `ENOSPC`.
//! - Timestamps come from an injectable [`Clock`] with nanosecond resolution and follow what
//!   tmpfs does for each operation (`relatime` for access times).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod attrs;
mod clock;
mod config;
mod dir;
mod fs;
mod handles;
mod idhash;
mod inode;
mod io;
mod namehash;
mod namespace;
mod open_name;
mod pages;
mod provider;
mod quota;
mod rename;
mod xattr;

#[cfg(test)]
mod tests;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::MemoryConfig;
pub use fs::{MemoryFs, MemoryUsage};
