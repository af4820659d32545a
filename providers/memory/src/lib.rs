//! vfsbox memory provider
