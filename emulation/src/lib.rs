//! The emulated POSIX layer: `Posix` over any `FileSystem` provider.
