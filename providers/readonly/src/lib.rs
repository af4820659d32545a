//! A read-only view of any provider.
