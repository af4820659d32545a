//! `MemoryFs`: the node table, the helpers every operation shares, and the reference counting
//! that decides when a node's memory and quota are given back.
//!
//! Locking rules (they make deadlock impossible):
//! - No table guard (nodes or handles) is held while a node is locked: entries are cloned out.
//! - Nodes are locked parent before child, one level at a time; only `rename` holds more than
//!   a directory and one child, and it orders its directories by ancestry under `rename_lock`
//!   (as Linux does with `s_vfs_rename_mutex`), then children one at a time.

use crate::clock::Clock;
use crate::config::MemoryConfig;
use crate::handles::Handles;
use crate::idhash::IdMap;
use crate::inode::{symlink_pages, Content, Inode, State};
use crate::quota::Quota;
use parking_lot::Mutex;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use vfsbox_api::{Entry, Errno, FileKind, Name, NodeId, Owner, Timestamp, PERM_MASK, S_ISGID};

/// The node id of the root directory.
pub(crate) const ROOT: u64 = 1;

/// A tmpfs-like filesystem held entirely in memory. See the crate documentation.
pub struct MemoryFs {
    pub(crate) nodes: IdMap<Arc<Inode>>,
    /// The root, also in `nodes`: most walks start there, and this reaches it without the
    /// node table's shard lock and hashing.
    pub(crate) root: Arc<Inode>,
    pub(crate) handles: Handles,
    next_node: AtomicU64,
    pub(crate) quota: Quota,
    clock: Arc<dyn Clock>,
    /// Serializes renames between different directories, so directory ancestry cannot change
    /// while one is checked.
    pub(crate) rename_lock: Mutex<()>,
    entries: AtomicU64,
    name_bytes: AtomicU64,
}

/// Memory the filesystem holds, for sizing and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryUsage {
    /// Live nodes, the root and unlinked-but-open files included.
    pub inodes: u64,
    /// Directory entries (names).
    pub entries: u64,
    /// Bytes of all entry names.
    pub name_bytes: u64,
    /// Allocated 4 KiB data pages (file data and long symlink targets).
    pub data_pages: u64,
    /// An estimate of heap bytes held: data pages plus per-node and per-entry bookkeeping
    /// (structure sizes and typical map overhead; not measured from the allocator).
    pub estimated_bytes: u64,
}

impl Default for MemoryFs {
    fn default() -> Self {
        MemoryFs::new()
    }
}

impl std::fmt::Debug for MemoryFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryFs")
            .field("usage", &self.memory_usage())
            .finish_non_exhaustive()
    }
}

/// What `make` creates.
pub(crate) struct NewNode {
    pub(crate) kind: FileKind,
    pub(crate) perm: u32,
    pub(crate) rdev: u64,
    pub(crate) owner: Owner,
    pub(crate) content: Content,
    /// Open handles the node starts with (1 for `create`).
    pub(crate) opens: u64,
}

impl MemoryFs {
    /// An empty filesystem with no limits and the system clock. The root is `0755`, owned by
    /// uid 0 and gid 0.
    pub fn new() -> MemoryFs {
        MemoryFs::with_config(MemoryConfig::default())
    }

    /// An empty filesystem with the given limits and clock.
    pub fn with_config(config: MemoryConfig) -> MemoryFs {
        // The root always exists; it counts against the inode limit as it does in tmpfs.
        let quota = Quota::new(config.max_bytes, config.max_inodes);
        let _ = quota.take_inode();
        let now = config.clock.now();
        let state = State::new(0o755, 0, 0, 2, now, Content::Dir(Box::default()));
        let root = Arc::new(Inode::new(ROOT, FileKind::Directory, 0, state));
        let nodes = IdMap::default();
        nodes.insert(ROOT, Arc::clone(&root));
        MemoryFs {
            nodes,
            root,
            handles: Handles::default(),
            next_node: AtomicU64::new(ROOT + 1),
            quota,
            clock: config.clock,
            rename_lock: Mutex::new(()),
            entries: AtomicU64::new(0),
            name_bytes: AtomicU64::new(0),
        }
    }

    /// How much memory the filesystem holds now.
    pub fn memory_usage(&self) -> MemoryUsage {
        let inodes = self.quota.inodes();
        let entries = self.entries.load(Ordering::Relaxed);
        let name_bytes = self.name_bytes.load(Ordering::Relaxed);
        let data_pages = self.quota.pages();
        // Inode: the Arc allocation plus one node-table slot (key, Arc, control byte, spare
        // capacity). Entry: the name allocation (Arc header), one hash slot and one record
        // of the listing log.
        let per_inode = std::mem::size_of::<Inode>() as u64 + 16 + 32;
        let per_entry = 16 + 40 + crate::dir::LISTED_BYTES;
        MemoryUsage {
            inodes,
            entries,
            name_bytes,
            data_pages,
            estimated_bytes: inodes * per_inode
                + entries * per_entry
                + name_bytes
                + data_pages * crate::pages::PAGE_SIZE as u64,
        }
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The node behind a consumer's id.
    ///
    /// # Errors
    /// `ESTALE` if unknown, freed, or holding no lookups (the root always holds).
    pub(crate) fn node(&self, id: NodeId) -> Result<Arc<Inode>, Errno> {
        self.node_ref(id).map(Cow::into_owned)
    }

    /// [`node`](Self::node) without a reference count for the root (the most common
    /// start of a walk), which is borrowed from the filesystem.
    ///
    /// # Errors
    /// As [`node`](Self::node).
    pub(crate) fn node_ref(&self, id: NodeId) -> Result<Cow<'_, Arc<Inode>>, Errno> {
        if id.0 == ROOT {
            return Ok(Cow::Borrowed(&self.root));
        }
        let inode = self
            .nodes
            .get(&id.0)
            .map(|r| Arc::clone(&r))
            .ok_or(Errno::ESTALE)?;
        if inode.lookups() == 0 {
            return Err(Errno::ESTALE);
        }
        Ok(Cow::Owned(inode))
    }

    /// The node, which must be a directory.
    ///
    /// # Errors
    /// `ESTALE` as [`node`](Self::node); `ENOTDIR` if it is not a directory.
    pub(crate) fn dir_node(&self, id: NodeId) -> Result<Arc<Inode>, Errno> {
        let inode = self.node(id)?;
        if inode.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok(inode)
    }

    /// Adds an entry to a locked directory and counts it.
    pub(crate) fn add_entry(&self, dir: &mut State, name: &Name, node: Arc<Inode>) {
        if let Some(entries) = dir.dir_mut() {
            entries.insert(name, node);
            self.entries.fetch_add(1, Ordering::Relaxed);
            self.name_bytes
                .fetch_add(name.len() as u64, Ordering::Relaxed);
        }
    }

    /// Removes an entry from a locked directory and uncounts it.
    pub(crate) fn remove_entry(&self, dir: &mut State, name: &Name) -> Option<Arc<Inode>> {
        let node = dir.dir_mut()?.remove(name)?;
        self.entries.fetch_sub(1, Ordering::Relaxed);
        self.name_bytes
            .fetch_sub(name.len() as u64, Ordering::Relaxed);
        Some(node)
    }

    /// Makes a new node `name` in `dir` with one lookup, checking in the trait's order:
    /// `ENOTDIR`, `ENOENT` (directory removed), `EEXIST`, `EINVAL` for bad permission bits, `ENOSPC` for the quota. Sets the owner (the
    /// directory's group and set-group-id bit when it has one) and all times; the directory's
    /// mtime and ctime follow.
    pub(crate) fn make(
        &self,
        dir: NodeId,
        name: &Name,
        new: NewNode,
    ) -> Result<(Entry, Arc<Inode>), Errno> {
        let parent = self.dir_node(dir)?;
        let mut dir_state = parent.state.write();
        if dir_state.is_removed() {
            return Err(Errno::ENOENT);
        }
        if dir_state.dir().is_some_and(|d| d.get(name).is_some()) {
            return Err(Errno::EEXIST);
        }
        if new.perm & !PERM_MASK != 0 {
            return Err(Errno::EINVAL);
        }
        let pages = match &new.content {
            Content::Symlink(target) => symlink_pages(target),
            _ => 0,
        };
        if !self.quota.take_inode() {
            return Err(Errno::ENOSPC);
        }
        if !self.quota.take_pages(pages) {
            self.quota.give_inode();
            return Err(Errno::ENOSPC);
        }
        let is_dir = new.kind == FileKind::Directory;
        let mut perm = new.perm;
        let mut gid = new.owner.gid;
        if dir_state.perm & S_ISGID != 0 {
            gid = dir_state.gid;
            if is_dir {
                perm |= S_ISGID;
            }
        }
        let now = self.now();
        let mut state = State::new(
            perm,
            new.owner.uid,
            gid,
            if is_dir { 2 } else { 1 },
            now,
            new.content,
        );
        if matches!(new.kind, FileKind::CharDevice | FileKind::BlockDevice) {
            state.rdev = new.rdev;
        }
        state.opens = new.opens;
        let id = self.next_node.fetch_add(1, Ordering::Relaxed);
        let attr_parent = if is_dir { parent.id } else { 0 };
        let attr = state.attr_of(id, new.kind);
        let inode = Arc::new(Inode::new(id, new.kind, attr_parent, state));
        self.nodes.insert(id, Arc::clone(&inode));
        self.add_entry(&mut dir_state, name, Arc::clone(&inode));
        dir_state.modified(now);
        Ok((
            Entry {
                node: NodeId(id),
                attr,
            },
            inode,
        ))
    }

    /// Gives a node's memory and quota back once nothing refers to it: no links, no lookups,
    /// no open handles. Called with the node's write lock held after any of those dropped.
    pub(crate) fn release_if_unused(&self, inode: &Inode, state: &mut State) {
        if state.freed
            || inode.id == ROOT
            || state.nlink != 0
            || state.opens != 0
            || inode.lookups() != 0
        {
            return;
        }
        state.freed = true;
        match &mut state.content {
            Content::File(data) => data.clear(&self.quota),
            Content::Symlink(target) => {
                self.quota.give_pages(symlink_pages(target));
                *target = Box::default();
            }
            Content::Dir(_) | Content::Special => {}
        }
        state.content = Content::Special;
        state.xattrs = Default::default();
        self.quota.give_inode();
        self.nodes.remove(&inode.id);
    }

    /// Counts one lookup of a child found in a directory and returns its entry. The caller
    /// holds the directory's lock, so the child cannot be freed meanwhile.
    pub(crate) fn count_lookup(&self, child: &Inode) -> Entry {
        let state = child.state.read();
        child.lookups.fetch_add(1, Ordering::AcqRel);
        Entry {
            node: NodeId(child.id),
            attr: state.attr(child),
        }
    }
}
