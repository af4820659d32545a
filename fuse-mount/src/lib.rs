//! Serves any vfsbox provider through the kernel with FUSE.
