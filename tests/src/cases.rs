//! The cases, one module per topic. Each module starts with `use` lines and then one
//! `cases! { ... }` block; the list in `list.rs` names every case once.

pub(crate) mod attr;
pub(crate) mod concurrency;
pub(crate) mod create;
pub(crate) mod data;
pub(crate) mod fallocate;
pub(crate) mod handles;
pub(crate) mod lifecycle;
pub(crate) mod link;
pub(crate) mod lookup;
pub(crate) mod names;
pub(crate) mod open_name;
pub(crate) mod readdir;
pub(crate) mod readonly;
pub(crate) mod remove;
pub(crate) mod rename;
pub(crate) mod stale;
pub(crate) mod symlink;
pub(crate) mod times;
pub(crate) mod xattr;
