//! The overlay's own node ids, each mapping to an (upper node?, lower node?) pair.
//!
//! A node holds exactly one lookup of each layer node it maps to, taken when the node is made
//! (or the layer node attached by copy-up) and given back when the node is freed, so the
//! layers' lookup counts follow the overlay's. A node is freed when callers have forgotten all
//! their lookups (`lookups`) and nothing inside the overlay holds it (`refs`: each live child
//! holds its parent, so copy-up can always find the path to re-create; each open directory
//! handle holds its directory). A node whose callers forgot it is `ESTALE` to them even if it
//! is still held inside.

use std::collections::HashMap;
use vfsbox_api::{Errno, FileKind, NameBuf, NodeId};

/// The root's overlay id.
pub(crate) const ROOT: u64 = 1;

/// What the overlay knows about one node.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    /// The upper layer's node, once the node exists there.
    pub upper: Option<NodeId>,
    /// The lower layer's node: the data source of a lower-only non-directory, or the lower half
    /// of a merged directory. `None` for opaque and upper-only directories and for
    /// non-directories once copied up.
    pub lower: Option<NodeId>,
    /// Its kind (a name never changes kind; a replaced name gets a new node).
    pub kind: FileKind,
    /// The inode number reported for it, fixed for the node's life (see `ino.rs`).
    pub ino: u64,
    /// The directory and name it was last found under (none for the root).
    pub parent: Option<(u64, NameBuf)>,
    /// Lookups callers hold.
    pub lookups: u64,
    /// Holds from inside the overlay (children, open directory handles).
    pub refs: u64,
    /// A removed directory (Linux `IS_DEADDIR`), or a lower-only file whose name was whited
    /// out: it reports `nlink` 0 and can no longer be copied up (`ENOENT`).
    pub dead: bool,
}

/// A node freed by [`NodeTable::release`]: the layer lookups to give back.
pub(crate) struct Freed {
    pub upper: Option<NodeId>,
    pub lower: Option<NodeId>,
}

/// All live nodes, plus indexes from layer nodes so a file found again gets the same id.
pub(crate) struct NodeTable {
    nodes: HashMap<u64, Node>,
    by_upper: HashMap<NodeId, u64>,
    /// Only lower-only nodes: a copied-up file leaves this index, so another lower hard link
    /// of it (a separate file once one name is copied up, as in overlayfs without `index`)
    /// gets a node of its own.
    by_lower: HashMap<NodeId, u64>,
    next: u64,
}

impl NodeTable {
    /// A table holding the root.
    pub fn new(root: Node) -> NodeTable {
        let mut table = NodeTable {
            nodes: HashMap::new(),
            by_upper: HashMap::new(),
            by_lower: HashMap::new(),
            next: ROOT + 1,
        };
        table.index(ROOT, &root);
        table.nodes.insert(ROOT, root);
        table
    }

    fn index(&mut self, id: u64, node: &Node) {
        if let Some(upper) = node.upper {
            self.by_upper.insert(upper, id);
        } else if let Some(lower) = node.lower {
            self.by_lower.insert(lower, id);
        }
    }

    /// A node callers may use: `ESTALE` if unknown or forgotten by them.
    pub fn get(&self, id: u64) -> Result<&Node, Errno> {
        match self.nodes.get(&id) {
            Some(node) if node.lookups > 0 || id == ROOT => Ok(node),
            _ => Err(Errno::ESTALE),
        }
    }

    /// A node the overlay holds, whether or not callers still do.
    pub fn held(&self, id: u64) -> Option<&Node> {
        self.nodes.get(&id)
    }

    /// The existing node for these layer nodes, if any: by upper node first, then (for a
    /// lower-only find) by lower node.
    pub fn find(&self, upper: Option<NodeId>, lower: Option<NodeId>) -> Option<u64> {
        match (upper, lower) {
            (Some(u), _) => self.by_upper.get(&u).copied(),
            (None, Some(l)) => self.by_lower.get(&l).copied(),
            (None, None) => None,
        }
    }

    /// Adds a node (which holds one lookup of each of its layer nodes) and one ref on its
    /// parent. Returns its id.
    pub fn insert(&mut self, node: Node) -> u64 {
        let id = self.next;
        self.next += 1;
        if let Some((parent, _)) = &node.parent {
            if let Some(p) = self.nodes.get_mut(parent) {
                p.refs += 1;
            }
        }
        self.index(id, &node);
        self.nodes.insert(id, node);
        id
    }

    /// Records that a lower-only node now has `upper` (after copy-up). For a non-directory the
    /// lower node is dropped and returned, for the caller to forget.
    pub fn attach_upper(&mut self, id: u64, upper: NodeId) -> Option<NodeId> {
        let node = self.nodes.get_mut(&id)?;
        node.upper = Some(upper);
        let dropped = if node.kind == FileKind::Directory {
            None
        } else {
            node.lower.take()
        };
        if let Some(lower) = node.lower.or(dropped) {
            if self.by_lower.get(&lower) == Some(&id) {
                self.by_lower.remove(&lower);
            }
        }
        self.by_upper.insert(upper, id);
        dropped
    }

    /// Moves a node under a new parent and name (rename), moving its parent ref.
    pub fn reparent(&mut self, id: u64, parent: u64, name: NameBuf) -> Vec<Freed> {
        let old = match self.nodes.get_mut(&id) {
            Some(node) => node.parent.replace((parent, name)),
            None => return Vec::new(),
        };
        if let Some(p) = self.nodes.get_mut(&parent) {
            p.refs += 1;
        }
        let mut freed = Vec::new();
        if let Some((old_parent, _)) = old {
            self.unref(old_parent, &mut freed);
        }
        freed
    }

    /// Takes `count` caller lookups (ignored if more than held) and frees what that releases.
    pub fn forget(&mut self, id: u64, count: u64) -> Vec<Freed> {
        let mut freed = Vec::new();
        if id == ROOT {
            return freed;
        }
        let Some(node) = self.nodes.get_mut(&id) else {
            return freed;
        };
        if count > node.lookups {
            return freed;
        }
        node.lookups -= count;
        self.free_if_unused(id, &mut freed);
        freed
    }

    /// Marks a node removed. A dead lower-only node leaves the lower index, so another lower
    /// hard link of its file gets a node of its own.
    pub fn mark_dead(&mut self, id: u64) {
        let Some(node) = self.nodes.get_mut(&id) else {
            return;
        };
        node.dead = true;
        if node.upper.is_none() {
            if let Some(lower) = node.lower {
                if self.by_lower.get(&lower) == Some(&id) {
                    self.by_lower.remove(&lower);
                }
            }
        }
    }

    /// Adds one caller lookup.
    pub fn add_lookup(&mut self, id: u64) {
        if let Some(node) = self.nodes.get_mut(&id) {
            node.lookups += 1;
        }
    }

    /// Adds one internal hold (an open directory handle).
    pub fn add_ref(&mut self, id: u64) {
        if let Some(node) = self.nodes.get_mut(&id) {
            node.refs += 1;
        }
    }

    /// Drops one internal hold and frees what that releases.
    pub fn drop_ref(&mut self, id: u64) -> Vec<Freed> {
        let mut freed = Vec::new();
        self.unref(id, &mut freed);
        freed
    }

    fn unref(&mut self, id: u64, freed: &mut Vec<Freed>) {
        if let Some(node) = self.nodes.get_mut(&id) {
            node.refs = node.refs.saturating_sub(1);
            self.free_if_unused(id, freed);
        }
    }

    fn free_if_unused(&mut self, id: u64, freed: &mut Vec<Freed>) {
        let unused = id != ROOT
            && self
                .nodes
                .get(&id)
                .is_some_and(|n| n.lookups == 0 && n.refs == 0);
        if !unused {
            return;
        }
        let Some(node) = self.nodes.remove(&id) else {
            return;
        };
        if let Some(upper) = node.upper {
            if self.by_upper.get(&upper) == Some(&id) {
                self.by_upper.remove(&upper);
            }
        }
        if let Some(lower) = node.lower {
            if self.by_lower.get(&lower) == Some(&id) {
                self.by_lower.remove(&lower);
            }
        }
        freed.push(Freed {
            upper: node.upper,
            lower: node.lower,
        });
        if let Some((parent, _)) = node.parent {
            self.unref(parent, freed);
        }
    }
}
