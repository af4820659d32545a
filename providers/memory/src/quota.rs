//! Space and inode accounting with tmpfs semantics: data counts in whole pages, holes are free,
//! and whatever is freed is available again at once.

use crate::pages::PAGE_SIZE;
use std::sync::atomic::{AtomicU64, Ordering};

/// The filesystem-wide counters and their limits.
#[derive(Debug)]
pub(crate) struct Quota {
    max_pages: Option<u64>,
    max_inodes: Option<u64>,
    pages: AtomicU64,
    inodes: AtomicU64,
}

impl Quota {
    pub(crate) fn new(max_bytes: Option<u64>, max_inodes: Option<u64>) -> Quota {
        Quota {
            max_pages: max_bytes.map(|b| b.div_ceil(PAGE_SIZE as u64)),
            max_inodes,
            pages: AtomicU64::new(0),
            inodes: AtomicU64::new(0),
        }
    }

    /// Reserves `n` pages; false (nothing reserved) if that would pass the limit.
    pub(crate) fn take_pages(&self, n: u64) -> bool {
        take(&self.pages, self.max_pages, n)
    }

    pub(crate) fn give_pages(&self, n: u64) {
        if n > 0 {
            self.pages.fetch_sub(n, Ordering::Relaxed);
        }
    }

    /// Reserves one inode; false if the limit is reached.
    pub(crate) fn take_inode(&self) -> bool {
        take(&self.inodes, self.max_inodes, 1)
    }

    pub(crate) fn give_inode(&self) {
        self.inodes.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn pages(&self) -> u64 {
        self.pages.load(Ordering::Relaxed)
    }

    pub(crate) fn inodes(&self) -> u64 {
        self.inodes.load(Ordering::Relaxed)
    }

    pub(crate) fn max_pages(&self) -> Option<u64> {
        self.max_pages
    }

    pub(crate) fn max_inodes(&self) -> Option<u64> {
        self.max_inodes
    }
}

fn take(counter: &AtomicU64, limit: Option<u64>, n: u64) -> bool {
    match limit {
        None => {
            counter.fetch_add(n, Ordering::Relaxed);
            true
        }
        Some(max) => counter
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(n).filter(|&total| total <= max)
            })
            .is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_round_up_to_pages_and_refuse_without_partial_reservation() {
        let quota = Quota::new(Some(PAGE_SIZE as u64 * 2 + 1), Some(1));
        assert_eq!(quota.max_pages(), Some(3));
        assert!(quota.take_pages(2));
        assert!(!quota.take_pages(2));
        assert_eq!(quota.pages(), 2);
        assert!(quota.take_pages(1));
        quota.give_pages(3);
        assert_eq!(quota.pages(), 0);
        assert!(quota.take_inode());
        assert!(!quota.take_inode());
        quota.give_inode();
        assert!(quota.take_inode());
    }
}
