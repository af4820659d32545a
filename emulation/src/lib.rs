//! The emulated POSIX layer: [`vfsbox_api::Posix`] over any [`vfsbox_api::FileSystem`]
//! provider, with no kernel involvement and no way out of the provider's tree.
//!
//! An [`Emulated`] is one process: its own descriptor table, current directory, umask and
//! [`Identity`]. It answers as the Linux syscalls do, errno for errno, and the differential
//! tests hold it to the kernel. The parts, one responsibility each:
//!
//! - `resolver`: the one path resolver (`.`/`..` from its own stack of parents, symlinks from
//!   a work list, 40 at most, absolute targets restart at the sandbox root, trailing slashes,
//!   `PATH_MAX`, search permission on every directory walked);
//! - `fdtable`: lowest-free descriptors pointing to shared open file descriptions,
//!   close-on-exec per descriptor, `EMFILE` at the limit;
//! - `identity`: the virtual identity and Linux's permission rules;
//! - `locks`: `fcntl` record locks and `flock` locks shared by the processes over one provider;
//! - `node`: held provider nodes (every lookup is given back with `forget`);
//! - [`compat`]: typed compatibility events where emulation knowingly differs from Linux;
//! - `ops`: the operations, one family per file.
//!
//! ```
//! use std::sync::Arc;
//! use vfsbox_api::Posix;
//! use vfsbox_emulation::{Emulated, Identity};
//!
//! let fs = Arc::new(vfsbox_memory::MemoryFs::new());
//! let p = Emulated::builder(fs).identity(Identity::user(65534, 65534)).umask(0o027).build();
//! assert_eq!(p.umask(0o022), 0o027);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod compat;
mod emulated;
mod fdtable;
mod identity;
mod locks;
mod node;
mod ops;
mod resolver;

pub use compat::CompatEvent;
pub use emulated::{Builder, Emulated, DEFAULT_FD_LIMIT};
pub use identity::Identity;
