//! How a memory filesystem is set up: limits and clock.

use crate::clock::{Clock, SystemClock};
use std::sync::Arc;

/// Limits and clock of a [`MemoryFs`](crate::MemoryFs).
#[derive(Clone)]
pub struct MemoryConfig {
    /// Most bytes of file data, counted in whole 4 KiB pages as tmpfs `size=` does (rounded
    /// up to a page); `None` for no limit.
    pub max_bytes: Option<u64>,
    /// Most nodes, the root included, as tmpfs `nr_inodes=`; `None` for no limit.
    pub max_inodes: Option<u64>,
    /// Where timestamps come from.
    pub clock: Arc<dyn Clock>,
}

impl Default for MemoryConfig {
    /// No limits and the system clock.
    fn default() -> Self {
        MemoryConfig {
            max_bytes: None,
            max_inodes: None,
            clock: Arc::new(SystemClock),
        }
    }
}

impl std::fmt::Debug for MemoryConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryConfig")
            .field("max_bytes", &self.max_bytes)
            .field("max_inodes", &self.max_inodes)
            .finish_non_exhaustive()
    }
}
