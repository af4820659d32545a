//! Operations on names: lookup, forget, and making and removing entries (rename aside).

use crate::fs::{MemoryFs, NewNode, ROOT};
use crate::handles::Handle;
use crate::inode::{Content, Inode};
use std::borrow::Cow;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use vfsbox_api::{
    Entry, Errno, FileKind, HandleId, Name, NodeId, OpenFlags, Owner, SearchCheck, SYMLINK_MAX,
};

impl MemoryFs {
    pub(crate) fn do_lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
        let parent = self.node_ref(dir)?;
        if parent.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        let state = parent.state.read();
        let slot = state.dir().and_then(|d| d.get(name)).ok_or(Errno::ENOENT)?;
        Ok(self.count_lookup(&slot.node))
    }

    /// [`FileSystem::lookup_path`](vfsbox_api::FileSystem::lookup_path): the directories on
    /// the way are held by their `Arc` for the step (each locked alone, parent before child),
    /// not by lookup counts, so a walk of N names counts at most one lookup and forgets none.
    pub(crate) fn do_lookup_path(
        &self,
        dir: NodeId,
        names: &[&Name],
        mut search: Option<SearchCheck<'_>>,
        hold: bool,
    ) -> Option<Result<Entry, Errno>> {
        let (last, walk) = names.split_last()?;
        let mut at = match self.node_ref(dir) {
            Ok(inode) => inode,
            Err(e) => return Some(Err(e)),
        };
        for name in walk {
            let next = {
                let state = at.state.read();
                if let Some(check) = search.as_deref_mut() {
                    if let Err(e) = check(&state.attr(&at)) {
                        return Some(Err(e));
                    }
                }
                let Some(entries) = state.dir() else {
                    return Some(Err(dir_error(&at)));
                };
                let Some(slot) = entries.get(name) else {
                    return Some(Err(Errno::ENOENT));
                };
                match slot.node.kind {
                    FileKind::Directory => Arc::clone(&slot.node),
                    // The resolver follows symlinks.
                    FileKind::Symlink => return None,
                    _ => return Some(Err(Errno::ENOTDIR)),
                }
            };
            at = Cow::Owned(next);
        }
        let state = at.state.read();
        if let Some(check) = search {
            if let Err(e) = check(&state.attr(&at)) {
                return Some(Err(e));
            }
        }
        let Some(entries) = state.dir() else {
            return Some(Err(dir_error(&at)));
        };
        let Some(slot) = entries.get(last) else {
            return Some(Err(Errno::ENOENT));
        };
        if hold {
            return Some(Ok(self.count_lookup(&slot.node)));
        }
        // Built in place of the answer: one copy of the attributes fewer.
        let child = slot.node.state.read();
        Some(Ok(Entry {
            node: NodeId(slot.node.id),
            attr: child.attr(&slot.node),
        }))
    }

    pub(crate) fn do_forget(&self, node: NodeId, count: u64) {
        if node.0 == ROOT || count == 0 {
            return;
        }
        // Lookups are counted down without the node's lock, and without cloning the node out
        // of the table (an atomic under the table guard takes no lock): only the forget that
        // reaches zero locks the node, to free it if nothing else holds it. Whoever drops the
        // last link, handle or lookup re-checks all three under the write lock, so one of
        // them frees it.
        let last = {
            let Some(inode) = self.nodes.get(&node.0) else {
                return;
            };
            let dropped = inode
                .lookups
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                    held.checked_sub(count)
                });
            (dropped == Ok(count)).then(|| Arc::clone(&inode))
        };
        if let Some(inode) = last {
            let mut state = inode.state.write();
            self.release_if_unused(&inode, &mut state);
        }
    }

    pub(crate) fn do_mkdir(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        let new = NewNode {
            kind: FileKind::Directory,
            perm,
            rdev: 0,
            owner,
            content: Content::Dir(Box::default()),
            opens: 0,
        };
        self.make(dir, name, new).map(|(entry, _)| entry)
    }

    pub(crate) fn do_mknod(
        &self,
        dir: NodeId,
        name: &Name,
        kind: FileKind,
        perm: u32,
        rdev: u64,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        // The kind is checked before anything else, as Linux's `may_mknod`.
        match kind {
            FileKind::Directory => return Err(Errno::EPERM),
            FileKind::Symlink => return Err(Errno::EINVAL),
            _ => {}
        }
        let content = match kind {
            FileKind::Regular => Content::File(Default::default()),
            _ => Content::Special,
        };
        let new = NewNode {
            kind,
            perm,
            rdev,
            owner,
            content,
            opens: 0,
        };
        self.make(dir, name, new).map(|(entry, _)| entry)
    }

    pub(crate) fn do_create(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno> {
        // An existing name is opened as `open` would; look for it under the directory lock so
        // it cannot be removed between the check and the open.
        {
            let parent = self.dir_node(dir)?;
            let state = parent.state.read();
            if let Some(slot) = state.dir().and_then(|d| d.get(name)) {
                if flags.contains(OpenFlags::EXCLUSIVE) {
                    return Err(Errno::EEXIST);
                }
                let node = Arc::clone(&slot.node);
                let handle = self.open_inode(&node, flags)?;
                return Ok((self.count_lookup(&node), handle));
            }
        }
        let new = NewNode {
            kind: FileKind::Regular,
            perm,
            rdev: 0,
            owner,
            content: Content::File(Default::default()),
            opens: 1,
        };
        match self.make(dir, name, new) {
            Ok((entry, node)) => {
                let handle = self.handles.insert(Handle {
                    node,
                    flags: Some(flags),
                });
                Ok((entry, handle))
            }
            // Someone made the name between the two locks: open what is there now.
            Err(Errno::EEXIST) if !flags.contains(OpenFlags::EXCLUSIVE) => {
                self.do_create(dir, name, perm, flags, owner)
            }
            Err(e) => Err(e),
        }
    }

    pub(crate) fn do_symlink(
        &self,
        dir: NodeId,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno> {
        // Linux copies the target in before it looks at the new name, so these come first.
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        if target.len() > SYMLINK_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let new = NewNode {
            kind: FileKind::Symlink,
            perm: 0o777,
            rdev: 0,
            owner,
            content: Content::Symlink(target.into()),
            opens: 0,
        };
        self.make(dir, name, new).map(|(entry, _)| entry)
    }

    pub(crate) fn do_link(
        &self,
        node: NodeId,
        new_dir: NodeId,
        new_name: &Name,
    ) -> Result<Entry, Errno> {
        let inode = self.node(node)?;
        let parent = self.dir_node(new_dir)?;
        let mut dir_state = parent.state.write();
        if dir_state.is_removed() {
            return Err(Errno::ENOENT);
        }
        if dir_state.dir().is_some_and(|d| d.get(new_name).is_some()) {
            return Err(Errno::EEXIST);
        }
        if inode.kind == FileKind::Directory {
            return Err(Errno::EPERM);
        }
        // A non-directory is never a parent, so locking it under the directory keeps order.
        let mut state = inode.state.write();
        if state.nlink == 0 {
            return Err(Errno::ENOENT);
        }
        if state.nlink == u32::MAX {
            return Err(Errno::EMLINK);
        }
        let now = self.now();
        state.nlink += 1;
        state.ctime = now;
        inode.lookups.fetch_add(1, Ordering::AcqRel);
        let attr = state.attr(&inode);
        drop(state);
        self.add_entry(&mut dir_state, new_name, Arc::clone(&inode));
        dir_state.modified(now);
        Ok(Entry { node, attr })
    }

    pub(crate) fn do_unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        let parent = self.dir_node(dir)?;
        let mut dir_state = parent.state.write();
        let child = dir_state
            .dir()
            .and_then(|d| d.get(name))
            .map(|slot| Arc::clone(&slot.node))
            .ok_or(Errno::ENOENT)?;
        if child.kind == FileKind::Directory {
            return Err(Errno::EISDIR);
        }
        self.remove_entry(&mut dir_state, name);
        let now = self.now();
        dir_state.modified(now);
        drop_link(self, &child, now);
        Ok(())
    }

    pub(crate) fn do_rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        let parent = self.dir_node(dir)?;
        let mut dir_state = parent.state.write();
        let child = dir_state
            .dir()
            .and_then(|d| d.get(name))
            .map(|slot| Arc::clone(&slot.node))
            .ok_or(Errno::ENOENT)?;
        if child.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        let mut child_state = child.state.write();
        if child_state.dir().is_some_and(|d| !d.is_empty()) {
            return Err(Errno::ENOTEMPTY);
        }
        self.remove_entry(&mut dir_state, name);
        let now = self.now();
        dir_state.modified(now);
        child_state.nlink = 0;
        child_state.ctime = now;
        self.release_if_unused(&child, &mut child_state);
        Ok(())
    }
}

/// One name of a non-directory is gone: one link less, ctime now, freed if unreferenced.
pub(crate) fn drop_link(fs: &MemoryFs, child: &Inode, now: vfsbox_api::Timestamp) {
    let mut state = child.state.write();
    state.nlink = state.nlink.saturating_sub(1);
    state.ctime = now;
    fs.release_if_unused(child, &mut state);
}

/// Why a node without directory contents cannot be looked up in: `ENOTDIR` for a
/// non-directory, `ENOENT` for a directory whose contents are gone (freed after removal).
fn dir_error(inode: &Inode) -> Errno {
    if inode.kind == FileKind::Directory {
        Errno::ENOENT
    } else {
        Errno::ENOTDIR
    }
}
