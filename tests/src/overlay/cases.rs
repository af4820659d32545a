//! The overlay cases, one module per topic.

pub(crate) mod copyup;
pub(crate) mod ino;
pub(crate) mod merge;
pub(crate) mod rename;
pub(crate) mod whiteout;

use crate::helpers::*;
use crate::outcome::Stop;
use vfsbox_api::NodeId;

/// The node at `path` (names separated by `/`) from `t`'s root.
pub(crate) fn walk(t: &Ctx, path: &str) -> Result<NodeId, Stop> {
    let mut node = t.root;
    for part in path.split('/').filter(|p| !p.is_empty()) {
        node = t.lookup(node, part)?.node;
    }
    Ok(node)
}

/// The sorted names of directory `path` of `t`, reserved ones included (on a raw layer).
pub(crate) fn names_at(t: &Ctx, path: &str) -> Result<Vec<String>, Stop> {
    let dir = walk(t, path)?;
    t.names(dir)
}

/// The contents of file `path` of `t`.
pub(crate) fn read_path(t: &Ctx, path: &str) -> Result<Vec<u8>, Stop> {
    let node = walk(t, path)?;
    t.contents(node)
}
