//! Finding a name in the merged view, and the attributes of merged nodes.
//!
//! In a directory, an upper entry wins; a whiteout `.wh.NAME` hides the lower entry; an upper
//! directory merges with a lower directory of the same name unless it holds the opaque marker.
//! Reserved names are never found.

use crate::names;
use crate::nodes::Node;
use crate::{ino, Overlay};
use vfsbox_api::{Attr, Entry, Errno, FileKind, FileSystem, Name, NodeId};

/// Layer entries found for one name, each holding one layer lookup until adopted or released.
pub(crate) struct Found {
    pub upper: Option<Entry>,
    pub lower: Option<Entry>,
}

impl Found {
    /// The kind of the merged entry (the upper's if any).
    pub fn kind(&self) -> FileKind {
        match (&self.upper, &self.lower) {
            (Some(u), _) => u.attr.kind,
            (None, Some(l)) => l.attr.kind,
            (None, None) => FileKind::Regular,
        }
    }
}

/// True if `name` exists in `dir` of `fs` (the lookup is given back at once).
pub(crate) fn exists(fs: &dyn FileSystem, dir: NodeId, name: &Name) -> Result<bool, Errno> {
    match fs.lookup(dir, name) {
        Ok(e) => {
            fs.forget(e.node, 1);
            Ok(true)
        }
        Err(Errno::ENOENT) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Looks `name` up in one layer: `None` if absent.
fn find(fs: &dyn FileSystem, dir: NodeId, name: &Name) -> Result<Option<Entry>, Errno> {
    match fs.lookup(dir, name) {
        Ok(e) => Ok(Some(e)),
        Err(Errno::ENOENT) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Overlay {
    /// Gives back the layer lookups of `found`.
    pub(crate) fn release_found(&self, found: Found) {
        if let Some(u) = found.upper {
            self.upper.forget(u.node, 1);
        }
        if let Some(l) = found.lower {
            self.lower.forget(l.node, 1);
        }
    }

    /// True if the lower half of directory node `dir` has `name` (any kind).
    pub(crate) fn lower_has(&self, dir: &Node, name: &Name) -> Result<bool, Errno> {
        match dir.lower {
            Some(l) => exists(self.lower.as_ref(), l, name),
            None => Ok(false),
        }
    }

    /// True if the upper half of directory node `dir` whites `name` out.
    pub(crate) fn whited(&self, dir: &Node, name: &Name) -> Result<bool, Errno> {
        let (Some(u), Ok(wh)) = (dir.upper, names::whiteout(name)) else {
            return Ok(false);
        };
        exists(self.upper.as_ref(), u, &wh)
    }

    /// The merged entry `name` of directory node `dir`, or `None`. Checks `ENOTDIR` and, for
    /// a removed directory, `ENOENT`.
    pub(crate) fn resolve(&self, dir: &Node, name: &Name) -> Result<Option<Found>, Errno> {
        if dir.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        if dir.dead || names::is_reserved(name.as_bytes()) {
            return Ok(None);
        }
        let upper = match dir.upper {
            Some(u) => find(self.upper.as_ref(), u, name)?,
            None => None,
        };
        if let Some(ue) = upper {
            let mut lower = None;
            if ue.attr.kind == FileKind::Directory {
                if let Some(l) = dir.lower {
                    let opaque = exists(self.upper.as_ref(), ue.node, names::opaque());
                    let opaque = match opaque {
                        Ok(o) => o,
                        Err(e) => {
                            self.upper.forget(ue.node, 1);
                            return Err(e);
                        }
                    };
                    if !opaque {
                        match find(self.lower.as_ref(), l, name) {
                            Ok(Some(le)) if le.attr.kind == FileKind::Directory => lower = Some(le),
                            Ok(Some(le)) => self.lower.forget(le.node, 1),
                            Ok(None) => {}
                            Err(e) => {
                                self.upper.forget(ue.node, 1);
                                return Err(e);
                            }
                        }
                    }
                }
            }
            return Ok(Some(Found {
                upper: Some(ue),
                lower,
            }));
        }
        let Some(l) = dir.lower else {
            return Ok(None);
        };
        if self.whited(dir, name)? {
            return Ok(None);
        }
        Ok(find(self.lower.as_ref(), l, name)?.map(|le| Found {
            upper: None,
            lower: Some(le),
        }))
    }

    /// Makes (or finds) the overlay node for `found`, named `name` in `dir_id`, with one more
    /// caller lookup. The layer lookups of `found` are kept by a new node or given back.
    pub(crate) fn adopt(&self, dir_id: u64, name: &Name, found: Found) -> Result<u64, Errno> {
        let (u, l) = (found.upper.map(|e| e.node), found.lower.map(|e| e.node));
        let existing = self.nodes.lock().find(u, l);
        if let Some(id) = existing {
            self.nodes.lock().add_lookup(id);
            self.release_found(found);
            return Ok(id);
        }
        let ino = match (&found.upper, &found.lower) {
            (Some(ue), _) => self.upper_entry_ino(ue.attr.ino),
            (None, Some(le)) => ino::from_lower(le.attr.ino),
            (None, None) => return Err(Errno::ENOENT),
        };
        let node = Node {
            upper: u,
            lower: l,
            kind: found.kind(),
            ino,
            parent: Some((dir_id, name.to_owned())),
            lookups: 1,
            refs: 0,
            dead: false,
        };
        let mut table = self.nodes.lock();
        // Another thread may have adopted the same layer nodes meanwhile.
        if let Some(id) = table.find(u, l) {
            table.add_lookup(id);
            drop(table);
            self.release_found(found);
            return Ok(id);
        }
        Ok(table.insert(node))
    }

    /// `lookup`: the merged entry as an overlay node.
    pub(crate) fn do_lookup(&self, dir_id: u64, name: &Name) -> Result<Entry, Errno> {
        let _ns = self.ns.read();
        let dir = self.node(dir_id)?;
        let found = self.resolve(&dir, name)?.ok_or(Errno::ENOENT)?;
        let id = self.adopt(dir_id, name, found)?;
        self.entry(id)
    }

    /// The entry of node `id`, which the caller already holds a lookup of.
    pub(crate) fn entry(&self, id: u64) -> Result<Entry, Errno> {
        let node = self.nodes.lock().held(id).cloned();
        let attr = match node {
            Some(node) => self.attr_of(&node),
            None => Err(Errno::ESTALE),
        };
        match attr {
            Ok(attr) => Ok(Entry {
                node: NodeId(id),
                attr,
            }),
            Err(e) => {
                self.release_freed(self.nodes.lock().forget(id, 1));
                Err(e)
            }
        }
    }

    /// The attributes of a node: its upper (else lower) node's, with the overlay's inode number
    /// and the merged view's link count.
    pub(crate) fn attr_of(&self, node: &Node) -> Result<Attr, Errno> {
        let mut attr = match (node.upper, node.lower) {
            (Some(u), _) => self.upper.getattr(u)?,
            (None, Some(l)) => self.lower.getattr(l)?,
            (None, None) => return Err(Errno::ESTALE),
        };
        attr.ino = node.ino;
        if node.dead {
            attr.nlink = 0;
        } else if node.kind == FileKind::Directory {
            if let (Some(u), Some(l)) = (node.upper, node.lower) {
                attr.nlink = self.merged_nlink(u, l, attr.nlink)?;
            }
        }
        Ok(attr)
    }
}
