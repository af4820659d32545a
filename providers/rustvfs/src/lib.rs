//! Adapters between rust-vfs (`vfs` crate) filesystems and vfsbox providers.
