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
//! descriptor outlives the parent's own lookups. Directories remember their one (last seen)
//! name too, only so that a node this provider removed is known (see below); every operation
//! on a directory goes through its own descriptor.
//!
//! A node whose last lookup is forgotten stays as a cached slot without a public id, names
//! and descriptor kept, unless this provider removed one of its names meanwhile (it is
//! probably deleted: caching it would only pin its space). A lookup that finds a cached inode
//! revives it under a fresh id; the least recently cached go first ([`Lru`]).

use crate::cache::Lru;
use crate::convert::HostId;
use parking_lot::Mutex;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
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

/// At most this many names are remembered per non-directory node (hard links beyond are
/// found by lookup); a directory has one name.
const MAX_LOCATIONS: usize = 8;

/// A node's state. Slots are keyed by an internal key (the id the node was first issued);
/// a live slot also has its current public id, a cached one has none.
struct Slot {
    node: Arc<Node>,
    /// The public id while live (looked up and not forgotten); `None` while cached.
    id: Option<u64>,
    lookups: u64,
    locations: Vec<Location>,
    /// This provider removed (unlinked, or renamed over) one of its names: not cached when
    /// forgotten.
    removed: bool,
    /// When it was cached (see [`Lru`]).
    stamp: u64,
}

impl Slot {
    /// Whether `name` in the directory `parent` is one of the remembered locations.
    fn knows(&self, parent: HostId, name: &Name) -> bool {
        self.locations
            .iter()
            .any(|l| l.parent.host == parent && l.name.as_bytes() == name.as_bytes())
    }

    fn new(node: Arc<Node>, id: u64) -> Slot {
        Slot {
            node,
            id: Some(id),
            lookups: 0,
            locations: Vec::new(),
            removed: false,
            stamp: 0,
        }
    }
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
        // Whole words are loaded as such and the short tail is shifted in byte by byte (the
        // same little-endian, zero-padded words as copying each chunk into a zeroed buffer,
        // without a `memcpy` call per chunk for the short names most lookups hash).
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.write_u64(u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
        }
        let tail = words.remainder();
        if !tail.is_empty() {
            let word = tail
                .iter()
                .enumerate()
                .fold(0u64, |w, (i, &b)| w | u64::from(b) << (8 * i));
            self.write_u64(word);
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

/// A remembered name as a key of `Inner::names`, sharing its bytes with the [`Location`]
/// that holds the same name (one allocation per remembered name, not two). It hashes and
/// compares as the [`Name`] it borrows as, so the maps are searched by `&Name`.
#[derive(Clone, PartialEq, Eq)]
struct NameKey(Arc<NameBuf>);

impl Borrow<Name> for NameKey {
    fn borrow(&self) -> &Name {
        (*self.0).borrow()
    }
}

impl Hash for NameKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let name: &Name = self.borrow();
        name.hash(state);
    }
}
type Fast = FastBuild;

struct Inner {
    /// Every live or cached node, by slot key.
    slots: HashMap<u64, Slot, Fast>,
    /// Public id of every live node → its slot key.
    live: HashMap<u64, u64, Fast>,
    /// Host inode → slot key, for every live or cached node.
    by_host: HashMap<HostId, u64, Fast>,
    /// parent directory inode → name → slot key, for every remembered location.
    names: HashMap<HostId, HashMap<NameKey, u64, Fast>, Fast>,
    /// Which cached slot goes first.
    lru: Lru,
}

/// The table of nodes. One lock guards it; it is held for map updates only, never across a
/// system call (descriptors of dropped nodes close after it is released).
pub(crate) struct Table {
    inner: Mutex<Inner>,
    next: AtomicU64,
    /// The root's node, also in `inner`: the root is never forgotten nor replaced, so the
    /// directory most calls start from is reached without the lock and two map lookups.
    root: Arc<Node>,
}

/// The root's node id (and slot key).
pub(crate) const ROOT: NodeId = NodeId(1);

impl Table {
    /// A table holding only the root, caching up to `cache` forgotten nodes.
    pub(crate) fn new(root: Node, cache: usize) -> Table {
        let mut inner = Inner {
            slots: HashMap::default(),
            live: HashMap::default(),
            by_host: HashMap::default(),
            names: HashMap::default(),
            lru: Lru::new(cache),
        };
        inner.by_host.insert(root.host, ROOT.0);
        let root = Arc::new(root);
        let mut slot = Slot::new(root.clone(), ROOT.0);
        slot.lookups = 1;
        inner.slots.insert(ROOT.0, slot);
        inner.live.insert(ROOT.0, ROOT.0);
        Table {
            inner: Mutex::new(inner),
            next: AtomicU64::new(ROOT.0 + 1),
            root,
        }
    }

    /// The root's node, borrowed.
    pub(crate) fn root(&self) -> &Node {
        &self.root
    }

    /// The node behind `id`; `ESTALE` if unknown or forgotten.
    pub(crate) fn get(&self, id: NodeId) -> Result<Arc<Node>, Errno> {
        if id == ROOT {
            return Ok(self.root.clone());
        }
        let inner = self.inner.lock();
        match inner.live_slot(id) {
            Some(slot) => Ok(slot.node.clone()),
            None => Err(Errno::ESTALE),
        }
    }

    /// The node behind `id` and its remembered names.
    pub(crate) fn get_with_locations(
        &self,
        id: NodeId,
    ) -> Result<(Arc<Node>, Vec<Location>), Errno> {
        let inner = self.inner.lock();
        match inner.live_slot(id) {
            Some(slot) => Ok((slot.node.clone(), slot.locations.clone())),
            None => Err(Errno::ESTALE),
        }
    }

    /// If the inode `host` is already a node, or cached, counts one lookup of it (reviving
    /// a cached one under a fresh id), remembers that it was seen as `name` in `parent`, and
    /// returns its id.
    pub(crate) fn hit(&self, host: HostId, parent: &Arc<Node>, name: &Name) -> Option<NodeId> {
        let mut inner = self.inner.lock();
        let key = *inner.by_host.get(&host)?;
        Some(self.count(&mut inner, key, parent, name))
    }

    /// The kind of the node remembered under `name` in directory `parent`, if one is: what
    /// the name named when this provider last saw it (a host process may have changed it
    /// since, so this only decides what to try, never what is true).
    pub(crate) fn remembered_kind(&self, parent: HostId, name: &Name) -> Option<FileKind> {
        let inner = self.inner.lock();
        let key = inner.name_of(parent, name)?;
        inner.slots.get(&key).map(|slot| slot.node.kind)
    }

    /// Adds `node`, found or made as `name` in `parent`, with one lookup. If its inode is a
    /// node or cached meanwhile (a concurrent lookup), that node is counted (or revived)
    /// instead and `node` (its descriptor) is dropped.
    pub(crate) fn insert(&self, node: Node, parent: &Arc<Node>, name: &Name) -> NodeId {
        let mut inner = self.inner.lock();
        let key = match inner.by_host.get(&node.host) {
            Some(&key) => key,
            None => {
                let key = self.next.fetch_add(1, Ordering::Relaxed);
                inner.by_host.insert(node.host, key);
                inner.slots.insert(key, Slot::new(Arc::new(node), key));
                inner.live.insert(key, key);
                key
            }
        };
        self.count(&mut inner, key, parent, name)
    }

    /// Counts a lookup of slot `key` seen as `name` in `parent`, reviving it under a fresh
    /// id if cached; returns its id.
    fn count(&self, inner: &mut Inner, key: u64, parent: &Arc<Node>, name: &Name) -> NodeId {
        // One look at the slot for the common case (a name already remembered): revive,
        // count and find the name there; only a new name goes on to `locate`.
        let Some(slot) = inner.slots.get_mut(&key) else {
            return NodeId(key); // by_host and slots agree; not reached
        };
        let id = match slot.id {
            Some(id) => id,
            None => {
                let id = self.next.fetch_add(1, Ordering::Relaxed);
                slot.id = Some(id);
                inner.live.insert(id, key);
                inner.lru.left();
                id
            }
        };
        if key == ROOT.0 {
            return NodeId(id); // the root's count is fixed, and it has no name of ours
        }
        slot.lookups += 1;
        if !slot.knows(parent.host, name) {
            inner.locate(key, parent, name);
        }
        NodeId(id)
    }

    /// Gives back `count` lookups of `id`; at zero the node is cached (or, if this provider
    /// removed one of its names, dropped with its descriptor). Unknown ids, the root, and
    /// counts larger than held are ignored.
    pub(crate) fn forget(&self, id: NodeId, count: u64) {
        if id == ROOT {
            return;
        }
        let mut guard = self.inner.lock();
        let inner = &mut *guard;
        let Some(&key) = inner.live.get(&id.0) else {
            return;
        };
        let Some(slot) = inner.slots.get_mut(&key) else {
            return;
        };
        if count > slot.lookups {
            return;
        }
        slot.lookups -= count;
        if slot.lookups > 0 {
            return;
        }
        slot.id = None;
        let removed = slot.removed;
        inner.live.remove(&id.0);
        let mut gone = Vec::new();
        if removed || inner.lru.capacity() == 0 {
            gone.extend(inner.remove_slot(key));
        } else {
            let stamp = inner.lru.push(key);
            if let Some(slot) = inner.slots.get_mut(&key) {
                slot.stamp = stamp;
            }
            let slots = &inner.slots;
            let current = |k: u64, s: u64| {
                slots
                    .get(&k)
                    .is_some_and(|x| x.id.is_none() && x.stamp == s)
            };
            let mut evict = Vec::new();
            while let Some(old) = inner.lru.overflow(current) {
                evict.push(old);
            }
            for old in evict {
                gone.extend(inner.remove_slot(old));
            }
        }
        // Descriptors (and the parents' the locations hold) close after the lock is released.
        drop(guard);
        drop(gone);
    }

    /// Records that this provider removed `name` in directory `parent` (unlink, rmdir): a
    /// live node under it is not cached when forgotten, a cached one is evicted.
    pub(crate) fn unlinked(&self, parent: HostId, name: &Name) {
        let mut inner = self.inner.lock();
        let gone = inner.forget_name(parent, name, true);
        drop(inner);
        drop(gone);
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
        let a = inner.forget_name(from.0.host, from.1, false);
        // Replaced (unless exchanged): the target lost this name, maybe its last.
        let b = inner.forget_name(to.0.host, to.1, !exchange);
        if let Some(key) = src {
            inner.locate(key, to.0, to.1);
        }
        if let (true, Some(key)) = (exchange, dst) {
            inner.locate(key, from.0, from.1);
        }
        drop(inner);
        drop((a, b));
    }

    /// How many live nodes the table holds (root included); for tests and diagnostics.
    pub(crate) fn len(&self) -> usize {
        self.inner.lock().live.len()
    }

    /// How many forgotten nodes are cached, and how many may be.
    pub(crate) fn cached(&self) -> (usize, usize) {
        let inner = self.inner.lock();
        (inner.lru.len(), inner.lru.capacity())
    }
}

impl Inner {
    fn live_slot(&self, id: NodeId) -> Option<&Slot> {
        self.slots.get(self.live.get(&id.0)?)
    }

    /// Drops slot `key` (a node leaving the table for good) and everything pointing at it;
    /// returns it so that its descriptors close after the lock is released.
    fn remove_slot(&mut self, key: u64) -> Option<Slot> {
        let slot = self.slots.remove(&key)?;
        if self.by_host.get(&slot.node.host) == Some(&key) {
            self.by_host.remove(&slot.node.host);
        }
        if let Some(id) = slot.id {
            self.live.remove(&id);
        }
        for loc in &slot.locations {
            self.drop_name(loc.parent.host, &loc.name, key);
        }
        Some(slot)
    }

    /// Remembers `name` in `parent` as a location of `id` (if not already); a directory
    /// keeps only its latest.
    fn locate(&mut self, id: u64, parent: &Arc<Node>, name: &Name) {
        if id == ROOT.0 {
            return; // the root is never removed nor cached, and has no name of ours
        }
        let Some(slot) = self.slots.get_mut(&id) else {
            return;
        };
        let max = if slot.node.kind == FileKind::Directory {
            1
        } else {
            MAX_LOCATIONS
        };
        if slot.knows(parent.host, name) {
            return;
        }
        if slot.locations.len() >= max {
            let old = slot.locations.remove(0);
            self.drop_name(old.parent.host, &old.name, id);
        }
        let name = Arc::new(name.to_owned());
        let Some(slot) = self.slots.get_mut(&id) else {
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
            .insert(NameKey(name.clone()), id)
        {
            if prev != id {
                self.drop_location(prev, parent.host, &name);
            }
        }
    }

    fn name_of(&self, parent: HostId, name: &Name) -> Option<u64> {
        self.names.get(&parent)?.get(name).copied()
    }

    /// Forgets whatever node was remembered under `name` in `parent`; `removed`: because
    /// this provider removed the name, so a live node is marked and a cached one evicted
    /// (returned, to be dropped after the lock is released).
    fn forget_name(&mut self, parent: HostId, name: &Name, removed: bool) -> Option<Slot> {
        let dir = self.names.get_mut(&parent)?;
        let id = dir.remove(name)?;
        if dir.is_empty() {
            self.names.remove(&parent);
        }
        self.drop_location(id, parent, name);
        if !removed {
            return None;
        }
        let slot = self.slots.get_mut(&id)?;
        if slot.id.is_some() {
            slot.removed = true;
            return None;
        }
        self.lru.left();
        self.remove_slot(id)
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
        if let Some(slot) = self.slots.get_mut(&id) {
            slot.locations
                .retain(|l| !(l.parent.host == parent && l.name.as_bytes() == name.as_bytes()));
        }
    }
}
