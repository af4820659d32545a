//! The order in which forgotten nodes were cached, and the cache's bound.
//!
//! A path walk looks each name up and forgets it again soon after. Without a cache every
//! such lookup of a name that is not a node costs `statx` + `openat(O_PATH)` + `statx` and
//! the forget a `close`; with it, a lookup whose `statx` finds a cached inode revives the
//! node's descriptor under a fresh node id (ids are never reused: a forgotten id stays
//! `ESTALE`). The table ([`crate::table`]) keeps cached nodes as slots without an id; this
//! module only decides which of them goes first when the cache is full: the least recently
//! cached.
//!
//! While a descriptor is cached the kernel cannot reuse its inode number, so a cached
//! (device, inode) pair still names exactly that inode, as for live nodes. The price is that
//! a cached descriptor keeps its inode (and, once deleted, its space) alive:
//! - an inode this provider removes a remembered name of (`unlink`, `rmdir`, or a rename
//!   over it) is evicted at once, or not cached at all if it was live then;
//! - one deleted by another host process stays pinned until it is evicted as the least
//!   recently cached entry, so at most [`Lru::capacity`] inodes.
//!
//! The capacity is bounded (at most [`MAX_CAPACITY`], and a small share of `RLIMIT_NOFILE`),
//! as every entry holds a descriptor (and its remembered names hold their parent
//! directories' descriptors, so at most twice as many in all).

use std::collections::VecDeque;

/// The most entries a cache ever holds.
pub(crate) const MAX_CAPACITY: usize = 4096;

/// Cached slots in caching order: (slot key, stamp) records. A record is current while the
/// slot is still cached with that stamp; others (revived or evicted since) are skipped when
/// met and compacted away when they pile up.
pub(crate) struct Lru {
    order: VecDeque<(u64, u64)>,
    stamp: u64,
    capacity: usize,
    len: usize,
}

impl Lru {
    /// An empty cache order for at most `capacity` entries (0 disables caching).
    pub(crate) fn new(capacity: usize) -> Lru {
        Lru {
            order: VecDeque::new(),
            stamp: 0,
            capacity: capacity.min(MAX_CAPACITY),
            len: 0,
        }
    }

    /// How many entries the cache may hold.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many entries it holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Records that slot `key` was cached; returns its stamp.
    pub(crate) fn push(&mut self, key: u64) -> u64 {
        self.stamp += 1;
        self.len += 1;
        self.order.push_back((key, self.stamp));
        self.stamp
    }

    /// Records that a cached slot left the cache (revived or evicted by name).
    pub(crate) fn left(&mut self) {
        self.len = self.len.saturating_sub(1);
    }

    /// While the cache holds more than its capacity, the oldest cached slot, to be evicted
    /// (and counted out here). `current(key, stamp)` tells whether a record is current.
    pub(crate) fn overflow(&mut self, current: impl Fn(u64, u64) -> bool) -> Option<u64> {
        while self.len > self.capacity {
            let (key, stamp) = self.order.pop_front()?;
            if current(key, stamp) {
                self.len -= 1;
                return Some(key);
            }
        }
        if self.order.len() > 2 * self.capacity + 64 {
            self.order.retain(|&(key, stamp)| current(key, stamp));
        }
        None
    }
}
