//! The native passthrough: `Posix` as raw Linux syscalls.
