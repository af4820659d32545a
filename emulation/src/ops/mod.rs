//! The operations of [`crate::Emulated`], one family per file; `posix.rs` maps the `Posix`
//! trait onto them.

mod attrs;
mod dirs;
mod io;
mod locking;
mod namespace;
mod open;
mod posix;
mod xattr;
