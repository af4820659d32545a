//! vfsbox host provider
