//! [`FileSystem::open_name`](vfsbox_api::FileSystem::open_name): a regular file found,
//! counted, checked and opened in one call, with one look at the node table (for `dir`)
//! instead of one for the lookup and one more for the open.

use crate::fs::MemoryFs;
use std::sync::Arc;
use vfsbox_api::{Entry, Errno, FileKind, HandleId, Name, NodeId, OpenCheck, OpenFlags};

impl MemoryFs {
    /// The name is found and its lookup counted under the directory's lock, as `lookup`
    /// does it (a node is only counted while reachable); the check then runs without any
    /// lock held, and a refusal gives the lookup back. `None` for anything but a regular
    /// file: nothing is counted then.
    pub(crate) fn do_open_name(
        &self,
        dir: NodeId,
        name: &Name,
        flags: OpenFlags,
        check: OpenCheck<'_>,
    ) -> Option<Result<(Entry, HandleId), Errno>> {
        let parent = match self.node(dir) {
            Ok(parent) => parent,
            Err(e) => return Some(Err(e)),
        };
        if parent.kind != FileKind::Directory {
            return Some(Err(Errno::ENOTDIR));
        }
        let (node, mut entry) = {
            let state = parent.state.read();
            let Some(slot) = state.dir().and_then(|d| d.get(name)) else {
                return Some(Err(Errno::ENOENT));
            };
            if slot.node.kind != FileKind::Regular {
                return None;
            }
            let node = Arc::clone(&slot.node);
            let entry = self.count_lookup(&node);
            (node, entry)
        };
        let opened = check(&entry.attr).and_then(|()| self.open_inode(&node, flags));
        let handle = match opened {
            Ok(handle) => handle,
            Err(e) => {
                self.do_forget(entry.node, 1);
                return Some(Err(e));
            }
        };
        if flags.contains(OpenFlags::TRUNCATE) {
            entry.attr = node.state.read().attr(&node);
        }
        Some(Ok((entry, handle)))
    }
}
