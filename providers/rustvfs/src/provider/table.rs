//! The node table: rust-vfs paths ↔ vfsbox node ids, lookup counts, and the metadata rust-vfs
//! has no place for (permission bits, ctime).
//!
//! A path keeps its id for as long as it exists as far as the adapter knows (renames through
//! the adapter move the id with the entry), so `st_ino` is stable across `forget` and a later
//! `lookup`. A node whose lookup count is 0 is nevertheless `ESTALE` for every call that
//! takes a node id, as FUSE expects. Removing a path detaches its node: a held node keeps
//! answering `getattr` (with `nlink` 0) until forgotten, and open handles keep their data.

use std::collections::HashMap;
use vfsbox_api::{Attr, Errno, FileKind, NodeId, Timestamp};

/// The root's node id.
pub(crate) const ROOT: u64 = 1;

/// The data of a regular file while handles are open on it, shared by all of them.
#[derive(Debug, Default)]
pub(crate) struct OpenData {
    pub(crate) data: Vec<u8>,
    /// Changed since the last write-back.
    pub(crate) dirty: bool,
    /// When the data last changed through the adapter (the mtime to report and write back).
    pub(crate) mtime: Option<Timestamp>,
    /// Open handles.
    pub(crate) handles: usize,
}

/// One node.
#[derive(Debug)]
pub(crate) struct Node {
    /// The rust-vfs path (`""` for the root, else `/a/b`); `None` once removed.
    pub(crate) path: Option<String>,
    pub(crate) kind: FileKind,
    pub(crate) lookups: u64,
    pub(crate) perm: u32,
    /// Last change of the node through the adapter; rust-vfs records no ctime.
    pub(crate) ctime: Option<Timestamp>,
    /// Times the rust-vfs filesystem could not store (its setters answered `NotSupported`).
    pub(crate) atime: Option<Timestamp>,
    pub(crate) mtime: Option<Timestamp>,
    /// The attributes at removal, reported (with `nlink` 0) while the node is held.
    pub(crate) removed_attr: Option<Attr>,
    pub(crate) open: Option<OpenData>,
}

/// Every node the adapter has handed out or listed.
#[derive(Debug)]
pub(crate) struct Table {
    nodes: HashMap<u64, Node>,
    by_path: HashMap<String, u64>,
    next: u64,
}

/// The child path of `dir` named `name` (rust-vfs paths are `/`-separated, root `""`).
pub(crate) fn child_path(dir: &str, name: &str) -> String {
    let mut path = String::with_capacity(dir.len() + 1 + name.len());
    path.push_str(dir);
    path.push('/');
    path.push_str(name);
    path
}

impl Table {
    pub(crate) fn new(root_perm: u32) -> Table {
        let mut nodes = HashMap::new();
        nodes.insert(
            ROOT,
            Node {
                path: Some(String::new()),
                kind: FileKind::Directory,
                lookups: 1,
                perm: root_perm,
                ctime: None,
                atime: None,
                mtime: None,
                removed_attr: None,
                open: None,
            },
        );
        let mut by_path = HashMap::new();
        by_path.insert(String::new(), ROOT);
        Table {
            nodes,
            by_path,
            next: ROOT + 1,
        }
    }

    /// The node, if it is held (root always is): else `ESTALE`.
    pub(crate) fn held(&self, id: NodeId) -> Result<&Node, Errno> {
        match self.nodes.get(&id.0) {
            Some(node) if node.lookups > 0 || id.0 == ROOT => Ok(node),
            _ => Err(Errno::ESTALE),
        }
    }

    /// The node whatever its lookup count (for open handles).
    pub(crate) fn get(&self, id: u64) -> Option<&Node> {
        self.nodes.get(&id)
    }

    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut Node> {
        self.nodes.get_mut(&id)
    }

    /// The id of `path`, made (with `kind` and `perm`) if the path has none or if its node
    /// has another kind (the entry was replaced behind the adapter's back).
    pub(crate) fn id_for(&mut self, path: &str, kind: FileKind, perm: u32) -> u64 {
        if let Some(&id) = self.by_path.get(path) {
            if self.nodes.get(&id).is_some_and(|n| n.kind == kind) {
                return id;
            }
            self.detach(path, None);
        }
        let id = self.next;
        self.next += 1;
        self.nodes.insert(
            id,
            Node {
                path: Some(path.to_string()),
                kind,
                lookups: 0,
                perm,
                ctime: None,
                atime: None,
                mtime: None,
                removed_attr: None,
                open: None,
            },
        );
        self.by_path.insert(path.to_string(), id);
        id
    }

    /// The id already given to `path`, if any.
    pub(crate) fn known(&self, path: &str) -> Option<u64> {
        self.by_path.get(path).copied()
    }

    /// Forgets the path's node: it becomes removed (kept while held or open, with `attr`).
    pub(crate) fn detach(&mut self, path: &str, attr: Option<Attr>) {
        let Some(id) = self.by_path.remove(path) else {
            return;
        };
        if let Some(node) = self.nodes.get_mut(&id) {
            node.path = None;
            node.removed_attr = attr.map(|a| Attr { nlink: 0, ..a });
        }
        self.drop_if_unused(id);
    }

    /// Drops a removed node nobody holds or has open.
    pub(crate) fn drop_if_unused(&mut self, id: u64) {
        if let Some(node) = self.nodes.get(&id) {
            if node.path.is_none() && node.lookups == 0 && node.open.is_none() {
                self.nodes.remove(&id);
            }
        }
    }

    /// Moves every path at or under `from` to the same place under `to`.
    pub(crate) fn rename(&mut self, from: &str, to: &str) {
        let prefix = format!("{from}/");
        let moved: Vec<String> = self
            .by_path
            .keys()
            .filter(|p| p.as_str() == from || p.starts_with(&prefix))
            .cloned()
            .collect();
        for old in moved {
            if let Some(id) = self.by_path.remove(&old) {
                let new = format!("{to}{}", &old[from.len()..]);
                if let Some(node) = self.nodes.get_mut(&id) {
                    node.path = Some(new.clone());
                }
                self.by_path.insert(new, id);
            }
        }
    }

    /// Gives back `count` lookups (root and unknown ids ignored).
    pub(crate) fn forget(&mut self, id: u64, count: u64) {
        if id == ROOT {
            return;
        }
        if let Some(node) = self.nodes.get_mut(&id) {
            node.lookups = node.lookups.saturating_sub(count);
        }
        self.drop_if_unused(id);
    }
}
