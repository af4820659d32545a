//! Adapters between rust-vfs (the [`vfs`] crate) filesystems and vfsbox providers.
//!
//! * [`RustVfsProvider`] turns any [`vfs::FileSystem`] (`MemoryFS`, `PhysicalFS`,
//!   `EmbeddedFS`, `OverlayFS`, …) into a vfsbox [`FileSystem`](vfsbox_api::FileSystem)
//!   provider, with stable node ids, buffered random-access I/O and capabilities that say
//!   what rust-vfs cannot do.
//! * [`ProviderAsVfs`] serves any vfsbox provider as a [`vfs::FileSystem`], so code written
//!   for rust-vfs (`VfsPath` and friends) can use vfsbox providers.
//!
//! Errors cross the boundary through one conversion each way, in [`errors`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod errors;
mod provider;
mod served;

pub use provider::RustVfsProvider;
pub use served::ProviderAsVfs;
