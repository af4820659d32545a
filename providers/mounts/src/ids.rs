//! The outer node-id table: maps (mount, inner node id) to the id the table hands out and
//! back, counting lookups so each inner node is forgotten exactly as often as it was found.

use std::collections::HashMap;
use vfsbox_api::NodeId;

struct Slot {
    mount: usize,
    inner: NodeId,
    lookups: u64,
}

/// Dynamic node ids (everything but the skeleton's fixed ones), never reused.
pub(crate) struct Ids {
    next: u64,
    by_outer: HashMap<u64, Slot>,
    by_inner: HashMap<(usize, NodeId), u64>,
}

impl Ids {
    /// A table whose ids start at `first` (above the skeleton's).
    pub(crate) fn new(first: u64) -> Ids {
        Ids {
            next: first,
            by_outer: HashMap::new(),
            by_inner: HashMap::new(),
        }
    }

    /// The outer id of `inner` in `mount`, made if new, with one more lookup counted.
    pub(crate) fn adopt(&mut self, mount: usize, inner: NodeId) -> u64 {
        if let Some(&outer) = self.by_inner.get(&(mount, inner)) {
            if let Some(slot) = self.by_outer.get_mut(&outer) {
                slot.lookups += 1;
            }
            return outer;
        }
        let outer = self.next;
        self.next += 1;
        self.by_inner.insert((mount, inner), outer);
        self.by_outer.insert(
            outer,
            Slot {
                mount,
                inner,
                lookups: 1,
            },
        );
        outer
    }

    /// The (mount, inner id) behind an outer id.
    pub(crate) fn get(&self, outer: u64) -> Option<(usize, NodeId)> {
        self.by_outer.get(&outer).map(|s| (s.mount, s.inner))
    }

    /// Gives back up to `count` lookups of `outer`; returns what to forward to the inner
    /// provider (mount, inner id, lookups given back). The id dies with its last lookup.
    pub(crate) fn forget(&mut self, outer: u64, count: u64) -> Option<(usize, NodeId, u64)> {
        let slot = self.by_outer.get_mut(&outer)?;
        let given = count.min(slot.lookups);
        slot.lookups -= given;
        let found = (slot.mount, slot.inner, given);
        if slot.lookups == 0 {
            self.by_outer.remove(&outer);
            self.by_inner.remove(&(found.0, found.1));
        }
        Some(found)
    }
}
