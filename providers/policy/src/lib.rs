//! Sandbox policy files (TOML): parsed with exact line and column errors, and compiled into
//! one provider stack that the emulated layer and the FUSE mount both consume.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
