//! Outer node and handle ids.
//!
//! Most are *direct*: the top bit set, the mount index in the next 15 bits and the inner id
//! in the low 48, so translating costs a shift and a mask, no lock and no table, and lookup
//! counting is the inner provider's own (`forget` goes straight through). Inner ids of 2^48
//! or more (a mount table inside a mount table hands those out) and mounts past the first
//! 2^15 use the id table below instead.
//!
//! The id table maps (mount, inner node id) to the id the table hands out and
//! back, counting lookups so each inner node is forgotten exactly as often as it was found.
//!
//! An id whose last lookup is forgotten is invalid to callers (`ESTALE`), but its mapping is
//! kept as a cache: a later lookup that finds the same inner node gets the same outer id
//! back, with no new entries made. Path walks give back every lookup right after it, so
//! without the cache every walk would allocate ids and, above this table, every wrapper
//! keyed by node id (the policy guard) would see a new node and redo its work. Inner ids are
//! never reused for another node (the `NodeId` contract), so a kept mapping names the same
//! node for ever; ids are still never given to a different node. Idle mappings are swept
//! when more than [`IDLE_MAX`] pile up.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use vfsbox_api::NodeId;

/// The flag of a direct id.
const DIRECT: u64 = 1 << 63;
/// Where the mount index starts in a direct id.
const MOUNT_SHIFT: u32 = 48;
/// The mount indexes a direct id can name.
const MOUNT_MASK: u64 = (1 << 15) - 1;
/// The inner ids a direct id can carry.
const INNER_MASK: u64 = (1 << MOUNT_SHIFT) - 1;

/// The direct id of inner id `inner` of mount `mount`, if both fit.
pub(crate) fn direct(mount: usize, inner: u64) -> Option<u64> {
    let m = u64::try_from(mount).ok().filter(|&m| m <= MOUNT_MASK)?;
    (inner <= INNER_MASK).then_some(DIRECT | (m << MOUNT_SHIFT) | inner)
}

/// The (mount, inner id) of a direct id; `None` for an id of the table or the skeleton.
pub(crate) fn split_direct(outer: u64) -> Option<(usize, u64)> {
    (outer & DIRECT != 0).then_some((
        ((outer >> MOUNT_SHIFT) & MOUNT_MASK) as usize,
        outer & INNER_MASK,
    ))
}

/// How many forgotten mappings are kept before a sweep drops them.
pub(crate) const IDLE_MAX: usize = 4096;

/// A multiply hasher for ids: they are issued by providers, not chosen by sandboxed code
/// (no flooding concern), and SipHash costs tens of nanoseconds on every call.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = (self.0.rotate_left(5) ^ id).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A `HashMap` keyed by ids, hashed with [`IdHasher`].
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

struct Slot {
    mount: usize,
    inner: NodeId,
    lookups: u64,
}

/// Dynamic node ids (everything but the skeleton's fixed ones), never reused for another node.
pub(crate) struct Ids {
    next: u64,
    by_outer: IdMap<u64, Slot>,
    by_inner: IdMap<(usize, NodeId), u64>,
    /// Mappings whose lookups are all forgotten.
    idle: usize,
}

impl Ids {
    /// A table whose ids start at `first` (above the skeleton's).
    pub(crate) fn new(first: u64) -> Ids {
        Ids {
            next: first,
            by_outer: IdMap::default(),
            by_inner: IdMap::default(),
            idle: 0,
        }
    }

    /// The outer id of `inner` in `mount`, made if new (or revived if idle), with one more
    /// lookup counted.
    pub(crate) fn adopt(&mut self, mount: usize, inner: NodeId) -> u64 {
        if let Some(&outer) = self.by_inner.get(&(mount, inner)) {
            if let Some(slot) = self.by_outer.get_mut(&outer) {
                if slot.lookups == 0 {
                    self.idle -= 1;
                }
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

    /// The (mount, inner id) behind a live outer id.
    pub(crate) fn get(&self, outer: u64) -> Option<(usize, NodeId)> {
        self.by_outer
            .get(&outer)
            .filter(|s| s.lookups > 0)
            .map(|s| (s.mount, s.inner))
    }

    /// Gives back up to `count` lookups of `outer`; returns what to forward to the inner
    /// provider (mount, inner id, lookups given back). The id is invalid after its last
    /// lookup; its mapping stays as a cache until a sweep.
    pub(crate) fn forget(&mut self, outer: u64, count: u64) -> Option<(usize, NodeId, u64)> {
        let slot = self.by_outer.get_mut(&outer).filter(|s| s.lookups > 0)?;
        let given = count.min(slot.lookups);
        slot.lookups -= given;
        let found = (slot.mount, slot.inner, given);
        if slot.lookups == 0 {
            self.idle += 1;
            if self.idle > IDLE_MAX {
                self.sweep();
            }
        }
        Some(found)
    }

    /// Drops every idle mapping.
    fn sweep(&mut self) {
        let by_inner = &mut self.by_inner;
        self.by_outer.retain(|_, slot| {
            let keep = slot.lookups > 0;
            if !keep {
                by_inner.remove(&(slot.mount, slot.inner));
            }
            keep
        });
        self.idle = 0;
    }

    /// Mappings kept, live or idle (tests check the sweep).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_outer.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_ids_round_trip_and_refuse_what_does_not_fit() {
        let id = direct(3, 77).expect("fits");
        assert_eq!(split_direct(id), Some((3, 77)));
        assert_eq!(
            split_direct(direct(0, INNER_MASK).expect("fits")),
            Some((0, INNER_MASK))
        );
        assert_eq!(direct(0, INNER_MASK + 1), None, "an inner id of 2^48");
        assert_eq!(direct(MOUNT_MASK as usize + 1, 1), None, "mount 2^15");
        assert_eq!(split_direct(42), None, "a table id");
        assert_ne!(direct(1, 5), direct(2, 5), "two mounts, two ids");
    }

    #[test]
    fn forgotten_ids_are_stale_then_revived_for_the_same_node() {
        let mut ids = Ids::new(10);
        let a = ids.adopt(0, NodeId(5));
        assert_eq!(ids.adopt(0, NodeId(5)), a);
        assert_eq!(ids.forget(a, 5), Some((0, NodeId(5), 2)));
        assert_eq!(ids.get(a), None);
        assert_eq!(ids.forget(a, 1), None, "nothing left to give back");
        assert_eq!(ids.adopt(0, NodeId(5)), a, "the same node, the same id");
        assert_eq!(ids.get(a), Some((0, NodeId(5))));
        let b = ids.adopt(1, NodeId(5));
        assert_ne!(a, b, "another mount's node is another node");
    }

    #[test]
    fn idle_mappings_are_swept() {
        let mut ids = Ids::new(10);
        let live = ids.adopt(0, NodeId(1));
        for i in 0..(IDLE_MAX as u64 + 10) {
            let id = ids.adopt(0, NodeId(100 + i));
            ids.forget(id, 1);
        }
        assert!(ids.len() <= IDLE_MAX + 1, "{}", ids.len());
        assert_eq!(ids.get(live), Some((0, NodeId(1))));
        let fresh = ids.adopt(0, NodeId(100));
        assert!(fresh >= 10 + IDLE_MAX as u64, "a swept node gets a new id");
    }
}
