//! Held nodes and locations: the lookup counts the emulated layer owes its provider.
//!
//! Every `Entry` a provider returns counts one lookup. A [`NodeRef`] owns exactly one of them
//! and gives it back with `forget` when dropped, so no code path can leak a lookup or forget
//! one twice.

use std::sync::Arc;
use vfsbox_api::{FileSystem, NodeId};

/// One lookup of one provider node, given back on drop.
pub(crate) struct NodeRef {
    fs: Arc<dyn FileSystem>,
    id: NodeId,
    /// The root needs no `forget`.
    owned: bool,
}

impl NodeRef {
    /// Takes over one lookup of `id` (from an `Entry`).
    pub(crate) fn adopt(fs: &Arc<dyn FileSystem>, id: NodeId) -> NodeRef {
        NodeRef {
            fs: Arc::clone(fs),
            id,
            owned: true,
        }
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

/// A component name kept by the layer (in a chain link, or as the last component of a walk):
/// inline when short (most are), so keeping one allocates nothing and a step down is one
/// allocation.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum LinkName {
    Inline { len: u8, bytes: [u8; INLINE_NAME] },
    Heap(Box<[u8]>),
}

/// Names up to this long are kept inline.
const INLINE_NAME: usize = 30;

impl LinkName {
    pub(crate) fn new(name: &[u8]) -> LinkName {
        if name.len() <= INLINE_NAME {
            let mut bytes = [0u8; INLINE_NAME];
            copy_short(&mut bytes, name);
            LinkName::Inline {
                len: name.len() as u8,
                bytes,
            }
        } else {
            LinkName::Heap(name.into())
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            LinkName::Inline { len, bytes } => &bytes[..usize::from(*len)],
            LinkName::Heap(bytes) => bytes,
        }
    }
}

/// Copies `src` (at most [`INLINE_NAME`] bytes) to the start of `dst` with at most two
/// fixed-size copies, which overlap in the middle, instead of a call to `memcpy` with a
/// variable length (a name is copied at every step a walk keeps).
#[inline]
fn copy_short(dst: &mut [u8; INLINE_NAME], src: &[u8]) {
    let n = src.len();
    if n >= 16 {
        dst[..16].copy_from_slice(&src[..16]);
        dst[n - 16..n].copy_from_slice(&src[n - 16..]);
    } else if n >= 8 {
        dst[..8].copy_from_slice(&src[..8]);
        dst[n - 8..n].copy_from_slice(&src[n - 8..]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&src[..4]);
        dst[n - 4..n].copy_from_slice(&src[n - 4..]);
    } else {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = *s;
        }
    }
}

impl std::ops::Deref for LinkName {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::fmt::Debug for LinkName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_bytes().escape_ascii().to_string())
    }
}

/// One step of a chain: a held directory (or object), its name, the chain above it.
struct Link {
    node: NodeRef,
    /// Empty for the root.
    name: LinkName,
    parent: Option<Location>,
}

impl Drop for Link {
    /// Unlinks the chain iteratively, so dropping a very deep chain cannot overflow the stack.
    fn drop(&mut self) {
        if let Some(parent) = self.parent.take() {
            // A parent others hold (the usual case: a descriptor's directory, the cwd, the
            // root) is let go here with one decrement; should it become the last reference
            // meanwhile, its own drop unlinks it.
            if Arc::strong_count(&parent.0) == 1 {
                unlink(parent);
            }
        }
    }
}

/// Drops the links of a chain this link held last, one after the other (out of line: the
/// common drop of a link whose parent is shared stays small).
#[inline(never)]
fn unlink(parent: Location) {
    let mut next = Some(parent);
    while let Some(Location(arc)) = next {
        match Arc::try_unwrap(arc) {
            Ok(mut link) => next = link.parent.take(),
            Err(_) => break,
        }
    }
}

/// Where a directory (or the object of a resolution) is: a persistent chain of held nodes
/// up to the sandbox root, each with the name it was reached by.
///
/// The chain is the resolver's stack of parents: `..` steps to the parent link and never asks
/// a provider, so `..` cannot climb above the root. Cloning is one reference count; a step
/// down allocates one link; the path (for `getcwd`) is spelled only when asked for.
#[derive(Clone)]
pub(crate) struct Location(Arc<Link>);

impl Location {
    /// The provider's root alone.
    pub(crate) fn root(fs: &Arc<dyn FileSystem>) -> Location {
        Location(Arc::new(Link {
            node: NodeRef {
                fs: Arc::clone(fs),
                id: fs.root(),
                owned: false,
            },
            name: LinkName::new(b""),
            parent: None,
        }))
    }

    /// The node at the end of the chain.
    pub(crate) fn node(&self) -> &NodeRef {
        &self.0.node
    }

    /// The node above it (the root for the root itself).
    pub(crate) fn parent(&self) -> &NodeRef {
        match &self.0.parent {
            Some(parent) => parent.node(),
            None => self.node(),
        }
    }

    /// True if this is the root alone.
    pub(crate) fn is_root(&self) -> bool {
        self.0.parent.is_none()
    }

    /// This chain extended by `name`, held as `node`.
    pub(crate) fn child(&self, node: NodeRef, name: &[u8]) -> Location {
        self.child_named(node, LinkName::new(name))
    }

    /// This chain extended by a name already kept, held as `node`.
    pub(crate) fn child_named(&self, node: NodeRef, name: LinkName) -> Location {
        Location(Arc::new(Link {
            node,
            name,
            parent: Some(self.clone()),
        }))
    }

    /// Steps into `name`, held as `node`.
    pub(crate) fn push(&mut self, node: NodeRef, name: &[u8]) {
        *self = self.child(node, name);
    }

    /// Steps to the parent (`..`); the root's parent is the root.
    pub(crate) fn pop(&mut self) {
        if let Some(parent) = self.0.parent.clone() {
            *self = parent;
        }
    }

    /// The absolute path (`/` for the root).
    pub(crate) fn path(&self) -> Vec<u8> {
        let mut names = Vec::new();
        let mut at = Some(self);
        while let Some(loc) = at {
            if loc.0.parent.is_some() {
                names.push(loc.0.name.as_bytes());
            }
            at = loc.0.parent.as_ref();
        }
        if names.is_empty() {
            return b"/".to_vec();
        }
        let mut path = Vec::with_capacity(names.iter().map(|n| n.len() + 1).sum());
        for name in names.iter().rev() {
            path.push(b'/');
            path.extend_from_slice(name);
        }
        path
    }

    /// Each step of the chain from the end up, as `(parent, name, node)`; the root is not
    /// a step.
    pub(crate) fn steps(&self) -> impl Iterator<Item = (&NodeRef, &[u8], &NodeRef)> {
        let mut at = Some(self);
        std::iter::from_fn(move || {
            let loc = at?;
            let parent = loc.0.parent.as_ref()?;
            at = Some(parent);
            Some((parent.node(), loc.0.name.as_bytes(), loc.node()))
        })
    }

    /// True if `id` is one of the nodes of the chain (the end or one of its ancestors).
    pub(crate) fn contains(&self, id: NodeId) -> bool {
        let mut at = Some(self);
        while let Some(loc) = at {
            if loc.node().id() == id {
                return true;
            }
            at = loc.0.parent.as_ref();
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::{LinkName, INLINE_NAME};

    #[test]
    fn names_of_every_length_are_kept_as_given() {
        for len in 0..=INLINE_NAME + 2 {
            let name: Vec<u8> = (0..len).map(|i| b'a' + i as u8).collect();
            let kept = LinkName::new(&name);
            assert_eq!(kept.as_bytes(), &name[..], "{len}");
            assert_eq!(kept, LinkName::new(&name));
        }
    }
}
