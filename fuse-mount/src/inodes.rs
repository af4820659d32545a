//! The inode table: which FUSE inode number stands for which provider node, and how many
//! lookups the kernel holds on it.
//!
//! The kernel names nodes by 64-bit inode numbers it got from us (`lookup`, `mkdir`,
//! `readdirplus`, …) and gives each reference back with `forget`. Provider [`NodeId`]s are
//! arbitrary `u64`s (a mount table or overlay may use any bits), so they are mapped, not used
//! as they are: the root is always inode 1, other nodes get numbers from a counter. A number
//! is freed only when the kernel has forgotten every lookup of it, and a freed number comes back
//! with the next generation, so the pair (inode, generation) is never reused, as the FUSE
//! protocol asks (it matters for NFS export and for a kernel that raced a forget).
//!
//! Every `Entry` the provider returns counts one provider lookup, and every inode reply to the
//! kernel counts one kernel lookup; the table keeps them equal, so a kernel `forget(ino, n)`
//! becomes exactly one provider `forget(node, n)`.

use parking_lot::Mutex;
use std::collections::HashMap;
use vfsbox_api::NodeId;

/// The inode number of the root directory (`FUSE_ROOT_ID`).
pub const ROOT_INO: u64 = 1;

/// One mapped node.
#[derive(Debug)]
struct Slot {
    node: NodeId,
    generation: u64,
    /// Lookups the kernel holds (not counted for the root, which is never forgotten).
    lookups: u64,
}

#[derive(Debug, Default)]
struct Table {
    by_ino: HashMap<u64, Slot>,
    by_node: HashMap<NodeId, u64>,
    /// Freed inode numbers with the generation they had, reused first-in first-out so a
    /// number rests as long as possible before it comes back.
    free: std::collections::VecDeque<(u64, u64)>,
    next: u64,
}

/// The shared inode table of one mount.
#[derive(Debug)]
pub struct Inodes {
    table: Mutex<Table>,
}

/// What `forget` leaves to do: the provider lookups to give back.
#[derive(Debug, PartialEq, Eq)]
pub struct Forgotten {
    /// The provider node the lookups were on.
    pub node: NodeId,
    /// How many to give back.
    pub count: u64,
}

impl Inodes {
    /// A table holding only the root, mapped to the provider's `root`.
    pub fn new(root: NodeId) -> Inodes {
        let mut table = Table {
            next: ROOT_INO + 1,
            ..Table::default()
        };
        table.by_ino.insert(
            ROOT_INO,
            Slot {
                node: root,
                generation: 0,
                lookups: 0,
            },
        );
        table.by_node.insert(root, ROOT_INO);
        Inodes {
            table: Mutex::new(table),
        }
    }

    /// The provider node of inode `ino`, if the kernel may still hold it.
    pub fn node(&self, ino: u64) -> Option<NodeId> {
        self.table.lock().by_ino.get(&ino).map(|slot| slot.node)
    }

    /// The inode currently standing for `node`, if any (used by invalidation: a node the
    /// kernel does not hold needs none).
    pub fn ino_of(&self, node: NodeId) -> Option<u64> {
        self.table.lock().by_node.get(&node).copied()
    }

    /// Records one kernel lookup of `node` (the provider has counted one too) and returns its
    /// inode number and generation. The root keeps inode 1 and is not counted (providers
    /// ignore `forget` of their root, and the kernel never forgets inode 1).
    pub fn remember(&self, node: NodeId) -> (u64, u64) {
        let mut table = self.table.lock();
        if let Some(&ino) = table.by_node.get(&node) {
            let slot = table.by_ino.get_mut(&ino).expect("both maps agree");
            if ino != ROOT_INO {
                slot.lookups += 1;
            }
            return (ino, slot.generation);
        }
        let (ino, generation) = match table.free.pop_front() {
            Some((ino, last)) => (ino, last + 1),
            None => {
                let ino = table.next;
                table.next += 1;
                (ino, 0)
            }
        };
        table.by_ino.insert(
            ino,
            Slot {
                node,
                generation,
                lookups: 1,
            },
        );
        table.by_node.insert(node, ino);
        (ino, generation)
    }

    /// Drops `count` kernel lookups of `ino`; frees the number when none remain. Returns the
    /// provider lookups to give back (none for the root, unknown inodes or a zero count).
    /// A count larger than held is clamped, so the provider never gets more back than it gave.
    pub fn forget(&self, ino: u64, count: u64) -> Option<Forgotten> {
        if ino == ROOT_INO || count == 0 {
            return None;
        }
        let mut table = self.table.lock();
        let slot = table.by_ino.get_mut(&ino)?;
        let count = count.min(slot.lookups);
        slot.lookups -= count;
        let node = slot.node;
        if slot.lookups == 0 {
            let generation = slot.generation;
            table.by_ino.remove(&ino);
            table.by_node.remove(&node);
            table.free.push_back((ino, generation));
        }
        Some(Forgotten { node, count })
    }

    /// How many inodes besides the root the kernel holds (for tests and diagnostics).
    pub fn held(&self) -> usize {
        self.table.lock().by_ino.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_one_and_never_counted() {
        let inodes = Inodes::new(NodeId(77));
        assert_eq!(inodes.node(ROOT_INO), Some(NodeId(77)));
        assert_eq!(inodes.remember(NodeId(77)), (ROOT_INO, 0));
        assert_eq!(inodes.forget(ROOT_INO, 5), None);
        assert_eq!(inodes.node(ROOT_INO), Some(NodeId(77)));
        assert_eq!(inodes.held(), 0);
    }

    #[test]
    fn counts_lookups_and_frees_at_zero() {
        let inodes = Inodes::new(NodeId(0));
        let (ino, generation) = inodes.remember(NodeId(1));
        assert_eq!((ino, generation), (2, 0));
        assert_eq!(inodes.remember(NodeId(1)), (2, 0));
        assert_eq!(
            inodes.forget(ino, 1),
            Some(Forgotten {
                node: NodeId(1),
                count: 1
            })
        );
        assert_eq!(inodes.node(ino), Some(NodeId(1)));
        // More than held is clamped to what is held.
        assert_eq!(
            inodes.forget(ino, 9),
            Some(Forgotten {
                node: NodeId(1),
                count: 1
            })
        );
        assert_eq!(inodes.node(ino), None);
        assert_eq!(inodes.ino_of(NodeId(1)), None);
        assert_eq!(inodes.forget(ino, 1), None);
    }

    #[test]
    fn freed_numbers_come_back_with_the_next_generation() {
        let inodes = Inodes::new(NodeId(0));
        let (a, _) = inodes.remember(NodeId(10));
        let (b, _) = inodes.remember(NodeId(11));
        inodes.forget(a, 1);
        inodes.forget(b, 1);
        assert_eq!(inodes.remember(NodeId(12)), (a, 1));
        assert_eq!(inodes.remember(NodeId(13)), (b, 1));
        assert_eq!(inodes.remember(NodeId(14)), (4, 0));
        inodes.forget(a, 1);
        assert_eq!(inodes.remember(NodeId(15)), (a, 2));
    }
}
