//! `rename` with replace, no-replace and exchange, checked in the trait's errno order.

use crate::fs::{MemoryFs, ROOT};
use crate::inode::{Inode, State};
use crate::namespace::drop_link;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use vfsbox_api::{Errno, FileKind, Name, NodeId, RenameFlags};

/// The two locked parent directories, which may be one.
struct Parents<'a> {
    old: &'a mut State,
    new: Option<&'a mut State>,
}

impl Parents<'_> {
    fn source(&mut self) -> &mut State {
        self.old
    }

    fn target(&mut self) -> &mut State {
        match &mut self.new {
            Some(new) => new,
            None => self.old,
        }
    }

    fn cross(&self) -> bool {
        self.new.is_some()
    }
}

impl MemoryFs {
    pub(crate) fn do_rename(
        &self,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        let old_parent = self.node(dir)?;
        let new_parent = self.node(new_dir)?;
        if old_parent.kind != FileKind::Directory || new_parent.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        if old_parent.id == new_parent.id {
            let mut state = old_parent.state.write();
            let parents = Parents {
                old: &mut state,
                new: None,
            };
            return self.rename_locked(&old_parent, &new_parent, parents, name, new_name, flags);
        }
        // Directory ancestry changes only under this lock, so it cannot change while the two
        // parents are ordered (ancestor first, else by id) and the move is checked.
        let _rename = self.rename_lock.lock();
        let old_first = if self.is_ancestor(&new_parent, old_parent.id) {
            false
        } else if self.is_ancestor(&old_parent, new_parent.id) {
            true
        } else {
            old_parent.id < new_parent.id
        };
        let (mut old_state, mut new_state) = if old_first {
            let old = old_parent.state.write();
            (old, new_parent.state.write())
        } else {
            let new = new_parent.state.write();
            (old_parent.state.write(), new)
        };
        let parents = Parents {
            old: &mut old_state,
            new: Some(&mut new_state),
        };
        self.rename_locked(&old_parent, &new_parent, parents, name, new_name, flags)
    }

    /// True if `ancestor` is the directory `id` or one of its ancestors. Call with the rename
    /// lock held (or for directories whose parents cannot change).
    fn is_ancestor(&self, ancestor: &Inode, mut id: u64) -> bool {
        loop {
            if id == ancestor.id {
                return true;
            }
            if id == ROOT || id == 0 {
                return false;
            }
            match self.nodes.get(&id) {
                Some(node) => id = node.parent.load(Ordering::Acquire),
                None => return false,
            }
        }
    }

    fn rename_locked(
        &self,
        old_parent: &Inode,
        new_parent: &Inode,
        mut parents: Parents<'_>,
        name: &Name,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        let src = parents
            .source()
            .dir()
            .and_then(|d| d.get(name))
            .map(|slot| Arc::clone(&slot.node))
            .ok_or(Errno::ENOENT)?;
        if parents.target().is_removed() {
            return Err(Errno::ENOENT);
        }
        let dst = parents
            .target()
            .dir()
            .and_then(|d| d.get(new_name))
            .map(|slot| Arc::clone(&slot.node));
        match (flags, &dst) {
            (RenameFlags::NoReplace, Some(_)) => return Err(Errno::EEXIST),
            (RenameFlags::Exchange, None) => return Err(Errno::ENOENT),
            _ => {}
        }
        if parents.cross() {
            if src.kind == FileKind::Directory && self.is_ancestor(&src, new_parent.id) {
                return Err(Errno::EINVAL);
            }
            if let Some(dst) = &dst {
                if dst.kind == FileKind::Directory && self.is_ancestor(dst, old_parent.id) {
                    return Err(if flags == RenameFlags::Exchange {
                        Errno::EINVAL
                    } else {
                        Errno::ENOTEMPTY
                    });
                }
            }
        }
        if dst.as_ref().is_some_and(|dst| dst.id == src.id) {
            return Ok(());
        }
        let now = self.now();
        match dst {
            Some(dst) if flags == RenameFlags::Exchange => {
                self.exchange(
                    old_parent,
                    new_parent,
                    &mut parents,
                    name,
                    new_name,
                    &src,
                    &dst,
                );
                set_ctime(&dst, now);
            }
            Some(dst) => {
                self.replace(&mut parents, new_name, &src, &dst, now)?;
                self.move_entry(new_parent, &mut parents, name, new_name, &src);
            }
            None => self.move_entry(new_parent, &mut parents, name, new_name, &src),
        }
        set_ctime(&src, now);
        parents.source().modified(now);
        parents.target().modified(now);
        Ok(())
    }

    /// Removes the victim `dst` at `new_name` so `src` can take its place, after the rules
    /// for replacing: `ENOTDIR`, `EISDIR`, `ENOTEMPTY`.
    fn replace(
        &self,
        parents: &mut Parents<'_>,
        new_name: &Name,
        src: &Inode,
        dst: &Inode,
        now: vfsbox_api::Timestamp,
    ) -> Result<(), Errno> {
        match (
            src.kind == FileKind::Directory,
            dst.kind == FileKind::Directory,
        ) {
            (true, false) => Err(Errno::ENOTDIR),
            (false, true) => Err(Errno::EISDIR),
            (true, true) => {
                // The victim's lock is held from the emptiness check until it is marked
                // removed, so nothing can be created in it in between.
                let mut state = dst.state.write();
                if state.dir().is_some_and(|d| !d.is_empty()) {
                    return Err(Errno::ENOTEMPTY);
                }
                self.remove_entry(parents.target(), new_name);
                state.nlink = 0;
                state.ctime = now;
                self.release_if_unused(dst, &mut state);
                Ok(())
            }
            (false, false) => {
                self.remove_entry(parents.target(), new_name);
                drop_link(self, dst, now);
                Ok(())
            }
        }
    }

    /// Moves `src` from `name` in the old parent to the free `new_name` in the new one.
    fn move_entry(
        &self,
        new_parent: &Inode,
        parents: &mut Parents<'_>,
        name: &Name,
        new_name: &Name,
        src: &Arc<Inode>,
    ) {
        self.remove_entry(parents.source(), name);
        self.add_entry(parents.target(), new_name, Arc::clone(src));
        if src.kind == FileKind::Directory && parents.cross() {
            src.parent.store(new_parent.id, Ordering::Release);
        }
    }

    /// Swaps the nodes behind two existing names; both names keep their cookies.
    #[allow(clippy::too_many_arguments)]
    fn exchange(
        &self,
        old_parent: &Inode,
        new_parent: &Inode,
        parents: &mut Parents<'_>,
        name: &Name,
        new_name: &Name,
        src: &Arc<Inode>,
        dst: &Arc<Inode>,
    ) {
        if let Some(d) = parents.source().dir_mut() {
            d.replace(name, Arc::clone(dst));
        }
        if let Some(d) = parents.target().dir_mut() {
            d.replace(new_name, Arc::clone(src));
        }
        if !parents.cross() {
            return;
        }
        let (src_dir, dst_dir) = (
            src.kind == FileKind::Directory,
            dst.kind == FileKind::Directory,
        );
        if src_dir {
            src.parent.store(new_parent.id, Ordering::Release);
        }
        if dst_dir {
            dst.parent.store(old_parent.id, Ordering::Release);
        }
    }
}

fn set_ctime(inode: &Inode, now: vfsbox_api::Timestamp) {
    inode.state.write().ctime = now;
}
