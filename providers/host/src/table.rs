//! The node table: which host inode each `NodeId` stands for, how many lookups it holds, and
//! the names through which its inode was last seen.
//!
//! Every node holds a descriptor of its inode (`O_PATH|O_NOFOLLOW|O_CLOEXEC`, or the root's
//! directory descriptor), so its identity is stable: `getattr` and the attribute changes act
//! on the descriptor and keep working after the inode is renamed or unlinked, and while the
//! descriptor is held the kernel cannot reuse the inode number, which makes the host
//! (device, inode) pair a correct key for "is this inode already a node?".
//!
//! Non-directories also remember the (parent directory, name) pairs they were found or made
//! under, for the few operations the kernel only offers by name (opening for I/O, linking
//! without privilege). A location keeps its parent's node alive (an `Arc`), so its directory
//! descriptor outlives the parent's own lookups. Directories need no location: every
//! operation on one goes through its own descriptor.

use crate::convert::HostId;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use vfsbox_api::{Errno, FileKind, Name, NameBuf, NodeId};

/// One host inode the provider holds.
#[derive(Debug)]
pub(crate) struct Node {
    /// The inode's descriptor: dirfd for `*at` calls, target of `AT_EMPTY_PATH` calls.
    pub(crate) fd: OwnedFd,
    /// Its kind (an inode never changes kind).
    pub(crate) kind: FileKind,
    /// Its host (device, inode).
    pub(crate) host: HostId,
}

/// A name under which a non-directory node was last seen.
#[derive(Clone, Debug)]
pub(crate) struct Location {
    /// The directory holding the name.
    pub(crate) parent: Arc<Node>,
    /// The name.
    pub(crate) name: Arc<NameBuf>,
}

/// At most this many names are remembered per node (hard links beyond are found by lookup).
const MAX_LOCATIONS: usize = 8;

struct Slot {
    node: Arc<Node>,
    lookups: u64,
    locations: Vec<Location>,
}

/// A hasher for small integer keys and short names (the std SipHash costs more than the
/// table lookups it guards; keys here are not attacker-chosen in a way that matters, as
/// names within one directory are bounded by the host filesystem).
#[derive(Default)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

pub(crate) type FastBuild = BuildHasherDefault<FastHasher>;
type Fast = FastBuild;

#[derive(Default)]
struct Inner {
    nodes: HashMap<u64, Slot, Fast>,
    by_host: HashMap<HostId, u64, Fast>,
    /// parent directory inode → name → node, for every remembered location.
    names: HashMap<HostId, HashMap<NameBuf, u64, Fast>, Fast>,
}

/// The table of nodes. One lock guards it; it is held for map updates only, never across a
/// system call.
pub(crate) struct Table {
    inner: Mutex<Inner>,
    next: AtomicU64,
}

/// The root's node id.
pub(crate) const ROOT: NodeId = NodeId(1);

impl Table {
    /// A table holding only the root.
    pub(crate) fn new(root: Node) -> Table {
        let mut inner = Inner::default();
        inner.by_host.insert(root.host, ROOT.0);
        inner.nodes.insert(
            ROOT.0,
            Slot {
                node: Arc::new(root),
                lookups: 1,
                locations: Vec::new(),
            },
        );
        Table {
            inner: Mutex::new(inner),
            next: AtomicU64::new(ROOT.0 + 1),
        }
    }

    /// The node behind `id`; `ESTALE` if unknown or forgotten.
    pub(crate) fn get(&self, id: NodeId) -> Result<Arc<Node>, Errno> {
        match self.inner.lock().nodes.get(&id.0) {
            Some(slot) => Ok(slot.node.clone()),
            None => Err(Errno::ESTALE),
        }
    }

    /// The node behind `id` and its remembered names.
    pub(crate) fn get_with_locations(
        &self,
        id: NodeId,
    ) -> Result<(Arc<Node>, Vec<Location>), Errno> {
        match self.inner.lock().nodes.get(&id.0) {
            Some(slot) => Ok((slot.node.clone(), slot.locations.clone())),
            None => Err(Errno::ESTALE),
        }
    }

    /// If the inode `host` is already a node, counts one lookup of it, remembers that it was
    /// seen as `name` in `parent`, and returns its id.
    pub(crate) fn hit(&self, host: HostId, parent: &Arc<Node>, name: &Name) -> Option<NodeId> {
        let mut inner = self.inner.lock();
        let id = *inner.by_host.get(&host)?;
        inner.count_and_locate(id, parent, name);
        Some(NodeId(id))
    }

    /// Adds `node`, found or made as `name` in `parent`, with one lookup. If its inode became
    /// a node meanwhile (a concurrent lookup), that node is counted instead and `node`
    /// (its descriptor) is dropped.
    pub(crate) fn insert(&self, node: Node, parent: &Arc<Node>, name: &Name) -> NodeId {
        let mut inner = self.inner.lock();
        if let Some(&id) = inner.by_host.get(&node.host) {
            inner.count_and_locate(id, parent, name);
            return NodeId(id);
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        inner.by_host.insert(node.host, id);
        inner.nodes.insert(
            id,
            Slot {
                node: Arc::new(node),
                lookups: 0,
                locations: Vec::new(),
            },
        );
        inner.count_and_locate(id, parent, name);
        NodeId(id)
    }

    /// Gives back `count` lookups of `id`; at zero the node (and its descriptor) goes.
    /// Unknown ids, the root, and counts larger than held are ignored.
    pub(crate) fn forget(&self, id: NodeId, count: u64) {
        if id == ROOT {
            return;
        }
        let mut inner = self.inner.lock();
        let Some(slot) = inner.nodes.get_mut(&id.0) else {
            return;
        };
        if count > slot.lookups {
            return;
        }
        slot.lookups -= count;
        if slot.lookups > 0 {
            return;
        }
        if let Some(slot) = inner.nodes.remove(&id.0) {
            inner.by_host.remove(&slot.node.host);
            for loc in &slot.locations {
                inner.drop_name(loc.parent.host, &loc.name, id.0);
            }
        }
    }

    /// Records that `name` in directory `parent` was removed.
    pub(crate) fn unlinked(&self, parent: HostId, name: &Name) {
        let mut inner = self.inner.lock();
        inner.forget_name(parent, name);
    }

    /// Records a successful rename of `from` to `to` (both `(directory, name)`), swapping the
    /// two names' nodes for an exchange.
    pub(crate) fn renamed(
        &self,
        from: (&Arc<Node>, &Name),
        to: (&Arc<Node>, &Name),
        exchange: bool,
    ) {
        let mut inner = self.inner.lock();
        let src = inner.name_of(from.0.host, from.1);
        let dst = inner.name_of(to.0.host, to.1);
        if src.is_some() && src == dst {
            return; // two names of one inode: the kernel changed nothing
        }
        inner.forget_name(from.0.host, from.1);
        inner.forget_name(to.0.host, to.1);
        if let Some(id) = src {
            inner.locate(id, to.0, to.1);
        }
        if let (true, Some(id)) = (exchange, dst) {
            inner.locate(id, from.0, from.1);
        }
    }

    /// How many nodes the table holds (root included); for tests and diagnostics.
    pub(crate) fn len(&self) -> usize {
        self.inner.lock().nodes.len()
    }
}

impl Inner {
    fn count_and_locate(&mut self, id: u64, parent: &Arc<Node>, name: &Name) {
        if let Some(slot) = self.nodes.get_mut(&id) {
            if id != ROOT.0 {
                slot.lookups += 1;
            }
        }
        self.locate(id, parent, name);
    }

    /// Remembers `name` in `parent` as a location of non-directory `id` (if not already).
    fn locate(&mut self, id: u64, parent: &Arc<Node>, name: &Name) {
        let Some(slot) = self.nodes.get_mut(&id) else {
            return;
        };
        if slot.node.kind == FileKind::Directory {
            return;
        }
        let known = slot
            .locations
            .iter()
            .any(|l| l.parent.host == parent.host && l.name.as_bytes() == name.as_bytes());
        if known {
            return;
        }
        if slot.locations.len() >= MAX_LOCATIONS {
            let old = slot.locations.remove(0);
            self.drop_name(old.parent.host, &old.name, id);
        }
        let name = Arc::new(name.to_owned());
        let Some(slot) = self.nodes.get_mut(&id) else {
            return;
        };
        slot.locations.push(Location {
            parent: parent.clone(),
            name: name.clone(),
        });
        // A name names one inode: a stale entry for another node under it is replaced.
        if let Some(prev) = self
            .names
            .entry(parent.host)
            .or_default()
            .insert((*name).clone(), id)
        {
            if prev != id {
                self.drop_location(prev, parent.host, &name);
            }
        }
    }

    fn name_of(&self, parent: HostId, name: &Name) -> Option<u64> {
        self.names.get(&parent)?.get(name).copied()
    }

    /// Forgets whatever node was remembered under `name` in `parent`.
    fn forget_name(&mut self, parent: HostId, name: &Name) {
        let Some(dir) = self.names.get_mut(&parent) else {
            return;
        };
        let Some(id) = dir.remove(name) else {
            return;
        };
        if dir.is_empty() {
            self.names.remove(&parent);
        }
        self.drop_location(id, parent, name);
    }

    /// Removes the `names` entry `parent`/`name` if it points at `id`.
    fn drop_name(&mut self, parent: HostId, name: &Name, id: u64) {
        if let Some(dir) = self.names.get_mut(&parent) {
            if dir.get(name) == Some(&id) {
                dir.remove(name);
                if dir.is_empty() {
                    self.names.remove(&parent);
                }
            }
        }
    }

    /// Removes the location `parent`/`name` from node `id`'s list.
    fn drop_location(&mut self, id: u64, parent: HostId, name: &Name) {
        if let Some(slot) = self.nodes.get_mut(&id) {
            slot.locations
                .retain(|l| !(l.parent.host == parent && l.name.as_bytes() == name.as_bytes()));
        }
    }
}
