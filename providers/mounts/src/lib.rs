//! Providers mounted at virtual paths.
