//! Resolving a rust-vfs path to a node, one `lookup` per name from the root, without
//! following symbolic links; every node looked up is forgotten when its `Held` is dropped.

use crate::errors::{vfs_from_errno, Existing};
use vfs::{VfsError, VfsResult};
use vfsbox_api::{Attr, Entry, Errno, FileKind, FileSystem, Name, NameBuf, NodeId};

/// A node with one lookup held, given back on drop (the root holds none).
pub(super) struct Held<'a> {
    fs: &'a dyn FileSystem,
    pub(super) id: NodeId,
    pub(super) attr: Attr,
    counted: bool,
}

impl<'a> Held<'a> {
    /// Takes over the lookup an `Entry` counts.
    pub(super) fn adopt(fs: &'a dyn FileSystem, entry: Entry) -> Held<'a> {
        Held {
            fs,
            id: entry.node,
            attr: entry.attr,
            counted: true,
        }
    }

    /// The node id and whether a lookup is to be forgotten, for a holder outliving `self`.
    pub(super) fn keep(mut self) -> (NodeId, bool) {
        let kept = (self.id, self.counted);
        self.counted = false;
        kept
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if self.counted {
            self.fs.forget(self.id, 1);
        }
    }
}

/// The path walker of one call.
pub(super) struct Walk<'a> {
    fs: &'a dyn FileSystem,
}

/// The names of a rust-vfs path (`""` is the root, else `/a/b`); `.`, `..`, empty names and
/// invalid names are refused as rust-vfs's own `InvalidPath`.
fn names(path: &str) -> Result<Vec<&Name>, Errno> {
    path.split('/')
        .enumerate()
        .filter(|&(i, part)| !(i == 0 && part.is_empty()))
        .map(|(_, part)| Name::new(part.as_bytes()))
        .collect()
}

fn invalid(errno: Errno) -> VfsError {
    // ENAMETOOLONG keeps its errno; every other name error is rust-vfs's InvalidPath.
    vfs_from_errno(errno, Existing::Unknown, errno != Errno::ENAMETOOLONG)
}

impl<'a> Walk<'a> {
    pub(super) fn new(fs: &'a dyn FileSystem) -> Walk<'a> {
        Walk { fs }
    }

    fn root(&self) -> Result<Held<'a>, Errno> {
        let id = self.fs.root();
        Ok(Held {
            fs: self.fs,
            id,
            attr: self.fs.getattr(id)?,
            counted: false,
        })
    }

    /// The node at the end of `names`: `ELOOP` for a symbolic link anywhere on the way,
    /// `ENOTDIR` for a non-directory before the end.
    fn walk(&self, names: &[&Name]) -> Result<Held<'a>, Errno> {
        let mut node = self.root()?;
        for name in names {
            if node.attr.kind != FileKind::Directory {
                return Err(Errno::ENOTDIR);
            }
            let next = Held::adopt(self.fs, self.fs.lookup(node.id, name)?);
            if next.attr.kind == FileKind::Symlink {
                return Err(Errno::ELOOP);
            }
            node = next; // the parent's lookup is forgotten here
        }
        Ok(node)
    }

    /// The node at `path`, with errno for the caller to interpret.
    pub(super) fn resolve(&self, path: &str) -> Result<Held<'a>, Errno> {
        self.walk(&names(path)?)
    }

    /// The node at `path`.
    pub(super) fn node(&self, path: &str) -> VfsResult<Held<'a>> {
        let names = names(path).map_err(invalid)?;
        self.walk(&names)
            .map_err(|e| vfs_from_errno(e, Existing::Unknown, false))
    }

    /// The directory holding the last name of `path`, and that name (`EINVAL` → rust-vfs
    /// `InvalidPath` for the root, which has no name).
    pub(super) fn parent(&self, path: &str) -> VfsResult<(Held<'a>, NameBuf)> {
        let names = names(path).map_err(invalid)?;
        let Some((last, dirs)) = names.split_last() else {
            return Err(invalid(Errno::EINVAL));
        };
        let dir = self
            .walk(dirs)
            .map_err(|e| vfs_from_errno(e, Existing::Unknown, false))?;
        if dir.attr.kind != FileKind::Directory {
            return Err(vfs_from_errno(Errno::ENOTDIR, Existing::Unknown, false));
        }
        Ok((dir, (*last).to_owned()))
    }
}
