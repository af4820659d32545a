//! Held nodes and locations: the lookup counts the emulated layer owes its provider.
//!
//! Every `Entry` a provider returns counts one lookup. A [`NodeRef`] owns exactly one of them
//! and gives it back with `forget` when dropped, so no code path can leak a lookup or forget
//! one twice. Nodes are shared as `Arc<NodeRef>` (a [`Node`]): cloning a `Node` does not call
//! the provider.

use std::sync::Arc;
use vfsbox_api::{FileSystem, NodeId};

/// One lookup of one provider node, given back on drop.
pub(crate) struct NodeRef {
    fs: Arc<dyn FileSystem>,
    id: NodeId,
    /// The root needs no `forget`.
    owned: bool,
}

/// A shared, held provider node.
pub(crate) type Node = Arc<NodeRef>;

impl NodeRef {
    /// Takes over one lookup of `id` (from an `Entry`).
    pub(crate) fn adopt(fs: &Arc<dyn FileSystem>, id: NodeId) -> Node {
        Arc::new(NodeRef {
            fs: Arc::clone(fs),
            id,
            owned: true,
        })
    }

    /// The provider's root, which is never forgotten.
    pub(crate) fn root(fs: &Arc<dyn FileSystem>) -> Node {
        Arc::new(NodeRef {
            fs: Arc::clone(fs),
            id: fs.root(),
            owned: false,
        })
    }

    /// The provider's id of this node.
    pub(crate) fn id(&self) -> NodeId {
        self.id
    }
}

impl Drop for NodeRef {
    fn drop(&mut self) {
        if self.owned {
            self.fs.forget(self.id, 1);
        }
    }
}

/// Where a directory (or the object of a resolution) is: the chain of held nodes from the
/// sandbox root down to it, and the absolute path that chain spells.
///
/// The chain is the resolver's stack of parents: `..` pops it and never asks a provider,
/// so `..` cannot climb above the root. The path is what `getcwd` reports.
#[derive(Clone)]
pub(crate) struct Location {
    /// `(node, length of path before this node's name was appended)`, root first.
    stack: Vec<(Node, usize)>,
    /// `/a/b` for the stack root, a, b; empty for the root alone.
    path: Vec<u8>,
}

impl Location {
    /// The root alone.
    pub(crate) fn root(root: Node) -> Location {
        Location {
            stack: vec![(root, 0)],
            path: Vec::new(),
        }
    }

    /// The node at the top of the chain.
    pub(crate) fn node(&self) -> &Node {
        &self.stack[self.stack.len() - 1].0
    }

    /// The node below the top (the parent), or the root for the root itself.
    pub(crate) fn parent(&self) -> &Node {
        let n = self.stack.len();
        &self.stack[n.saturating_sub(2)].0
    }

    /// True if this is the root alone.
    pub(crate) fn is_root(&self) -> bool {
        self.stack.len() == 1
    }

    /// Steps into `name`, held as `node`.
    pub(crate) fn push(&mut self, node: Node, name: &[u8]) {
        let before = self.path.len();
        self.path.push(b'/');
        self.path.extend_from_slice(name);
        self.stack.push((node, before));
    }

    /// Steps to the parent (`..`); the root's parent is the root.
    pub(crate) fn pop(&mut self) {
        if self.stack.len() > 1 {
            if let Some((_, before)) = self.stack.pop() {
                self.path.truncate(before);
            }
        }
    }

    /// Back to the root (an absolute path or symlink target).
    pub(crate) fn reset(&mut self) {
        self.stack.truncate(1);
        self.path.clear();
    }

    /// The absolute path (`/` for the root).
    pub(crate) fn path(&self) -> Vec<u8> {
        if self.path.is_empty() {
            b"/".to_vec()
        } else {
            self.path.clone()
        }
    }

    /// True if `id` is one of the nodes of the chain (an ancestor of the top, or the top).
    pub(crate) fn contains(&self, id: NodeId) -> bool {
        self.stack.iter().any(|(n, _)| n.id() == id)
    }
}
