//! Making and removing names in the merged view: new names go to the upper layer (replacing a
//! whiteout, making an opaque directory over a deleted lower one); removed lower names leave
//! whiteouts.

use crate::dir::list_layer;
use crate::handles::{Handle, Layer};
use crate::lookup::Found;
use crate::names;
use crate::nodes::Node;
use crate::Overlay;
use std::sync::atomic::Ordering;
use vfsbox_api::{Entry, Errno, FileKind, HandleId, Name, NodeId, OpenFlags, Owner, RenameFlags};

/// A checked new name: its directory (copied up) and what the upper and lower hold there.
pub(crate) struct NewName {
    pub upper_dir: NodeId,
    /// The upper directory whites the name out.
    pub whiteout: bool,
    /// The lower layer has a directory under the name (a new directory must be opaque).
    pub lower_dir_below: bool,
}

impl Overlay {
    /// Checks that `name` can be made in `dir_id` (in this order: `ENOTDIR`, `EINVAL` for a
    /// reserved name, `ENOENT` for a removed directory, `EEXIST`) and copies the directory up.
    pub(crate) fn prepare_new(&self, dir_id: u64, name: &Name) -> Result<NewName, Errno> {
        let dir = self.node(dir_id)?;
        if dir.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        names::refuse_reserved(name)?;
        if dir.dead {
            return Err(Errno::ENOENT);
        }
        if let Some(found) = self.resolve(&dir, name)? {
            self.release_found(found);
            return Err(Errno::EEXIST);
        }
        let upper_dir = self.copy_up(dir_id)?;
        let dir = self
            .nodes
            .lock()
            .held(dir_id)
            .cloned()
            .ok_or(Errno::ESTALE)?;
        let whiteout = self.whited(&dir, name)?;
        let lower_dir_below = match dir.lower {
            Some(l) if whiteout => match self.lower.lookup(l, name) {
                Ok(e) => {
                    self.lower.forget(e.node, 1);
                    e.attr.kind == FileKind::Directory
                }
                Err(Errno::ENOENT) => false,
                Err(e) => return Err(e),
            },
            _ => false,
        };
        Ok(NewName {
            upper_dir,
            whiteout,
            lower_dir_below,
        })
    }

    /// After a new upper entry `name` is made: the whiteout it replaces is no longer needed.
    pub(crate) fn finish_new(&self, new: &NewName, name: &Name) {
        if new.whiteout {
            if let Ok(wh) = names::whiteout(name) {
                let _ = self.upper.unlink(new.upper_dir, &wh);
            }
        }
    }

    /// Adopts a freshly made upper entry as an overlay node.
    fn adopt_new(&self, dir_id: u64, name: &Name, entry: Entry) -> Result<Entry, Errno> {
        let id = self.adopt(
            dir_id,
            name,
            Found {
                upper: Some(entry),
                lower: None,
            },
        )?;
        self.entry(id)
    }

    /// Puts the whiteout `.wh.NAME` in upper directory `upper_dir` (an existing one is fine).
    pub(crate) fn make_whiteout(&self, upper_dir: NodeId, name: &Name) -> Result<(), Errno> {
        let wh = names::whiteout(name)?;
        let dir = self.upper.getattr(upper_dir)?;
        let owner = Owner {
            uid: dir.uid,
            gid: dir.gid,
        };
        match self
            .upper
            .mknod(upper_dir, &wh, FileKind::Regular, 0o600, 0, owner)
        {
            Ok(e) => {
                self.upper.forget(e.node, 1);
                Ok(())
            }
            Err(Errno::EEXIST) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Puts the opaque marker in upper directory `dir`.
    pub(crate) fn make_opaque(&self, dir: NodeId) -> Result<(), Errno> {
        let attr = self.upper.getattr(dir)?;
        let owner = Owner {
            uid: attr.uid,
            gid: attr.gid,
        };
        match self
            .upper
            .mknod(dir, names::opaque(), FileKind::Regular, 0o600, 0, owner)
        {
            Ok(e) => {
                self.upper.forget(e.node, 1);
                Ok(())
            }
            Err(Errno::EEXIST) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `mkdir`. Over a deleted lower directory the new directory is opaque, made under a
    /// staging name with its marker and renamed into place.
    pub(crate) fn do_mkdir(
        &self,
        dir_id: u64,
        name: &Name,
        perm: u32,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        let _ns = self.ns.write();
        let new = self.prepare_new(dir_id, name)?;
        let entry = if new.lower_dir_below {
            let staging = names::staging(self.staging.fetch_add(1, Ordering::Relaxed));
            let entry = self.upper.mkdir(new.upper_dir, &staging, perm, owner)?;
            let placed = self.make_opaque(entry.node).and_then(|()| {
                self.upper.rename(
                    new.upper_dir,
                    &staging,
                    new.upper_dir,
                    name,
                    RenameFlags::NoReplace,
                )
            });
            if let Err(e) = placed {
                let _ = self.upper.unlink(entry.node, names::opaque());
                let _ = self.upper.rmdir(new.upper_dir, &staging);
                self.upper.forget(entry.node, 1);
                return Err(e);
            }
            Entry {
                node: entry.node,
                attr: self.upper.getattr(entry.node)?,
            }
        } else {
            self.upper.mkdir(new.upper_dir, name, perm, owner)?
        };
        self.finish_new(&new, name);
        self.adopt_new(dir_id, name, entry)
    }

    /// `mknod`: the kind is checked first, as Linux does.
    pub(crate) fn do_mknod(
        &self,
        dir_id: u64,
        name: &Name,
        kind: FileKind,
        perm: u32,
        rdev: u64,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        match kind {
            FileKind::Directory => return Err(Errno::EPERM),
            FileKind::Symlink => return Err(Errno::EINVAL),
            _ => {}
        }
        let _ns = self.ns.write();
        let new = self.prepare_new(dir_id, name)?;
        let entry = self
            .upper
            .mknod(new.upper_dir, name, kind, perm, rdev, owner)?;
        self.finish_new(&new, name);
        self.adopt_new(dir_id, name, entry)
    }

    /// `symlink`: the target is checked first, as Linux does.
    pub(crate) fn do_symlink(
        &self,
        dir_id: u64,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno> {
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        if target.len() > vfsbox_api::SYMLINK_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let _ns = self.ns.write();
        let new = self.prepare_new(dir_id, name)?;
        let entry = self.upper.symlink(new.upper_dir, name, target, owner)?;
        self.finish_new(&new, name);
        self.adopt_new(dir_id, name, entry)
    }

    /// `create`: an existing name is opened as by `open` (copying it up for writing).
    pub(crate) fn do_create(
        &self,
        dir_id: u64,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno> {
        let _ns = self.ns.write();
        let dir = self.node(dir_id)?;
        if dir.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        if let Some(found) = self.resolve(&dir, name)? {
            if flags.contains(OpenFlags::EXCLUSIVE) {
                self.release_found(found);
                return Err(Errno::EEXIST);
            }
            let id = self.adopt(dir_id, name, found)?;
            let opened = self.open_locked(id, flags);
            return match opened.and_then(|h| self.entry(id).map(|e| (e, h))) {
                Ok(done) => Ok(done),
                Err(e) => {
                    self.release_freed(self.nodes.lock().forget(id, 1));
                    Err(e)
                }
            };
        }
        let new = self.prepare_new(dir_id, name)?;
        let (entry, h) = self.upper.create(new.upper_dir, name, perm, flags, owner)?;
        self.finish_new(&new, name);
        let handle = self.handles.insert(Handle::File(Layer::Upper, h));
        match self.adopt_new(dir_id, name, entry) {
            Ok(entry) => Ok((entry, handle)),
            Err(e) => {
                let _ = self.do_release(handle);
                Err(e)
            }
        }
    }

    /// `link`: the file is copied up, then linked in the upper layer.
    pub(crate) fn do_link(&self, id: u64, dir_id: u64, name: &Name) -> Result<Entry, Errno> {
        let _ns = self.ns.write();
        let node = self.node(id)?;
        let dir = self.node(dir_id)?;
        if dir.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        names::refuse_reserved(name)?;
        if dir.dead {
            return Err(Errno::ENOENT);
        }
        if let Some(found) = self.resolve(&dir, name)? {
            self.release_found(found);
            return Err(Errno::EEXIST);
        }
        if node.kind == FileKind::Directory || !self.caps.hard_links {
            return Err(Errno::EPERM);
        }
        let upper = self.copy_up(id)?;
        let new = self.prepare_new(dir_id, name)?;
        let entry = self.upper.link(upper, new.upper_dir, name)?;
        self.finish_new(&new, name);
        self.adopt_new(dir_id, name, entry)
    }

    /// `unlink`: removes the upper entry and whites out a lower one.
    pub(crate) fn do_unlink(&self, dir_id: u64, name: &Name) -> Result<(), Errno> {
        let _ns = self.ns.write();
        let dir = self.node(dir_id)?;
        let found = self.resolve(&dir, name)?.ok_or(Errno::ENOENT)?;
        if found.kind() == FileKind::Directory {
            self.release_found(found);
            return Err(Errno::EISDIR);
        }
        let result = self.remove_entry(dir_id, &dir, name, &found);
        self.release_found(found);
        result
    }

    /// `rmdir`: the directory must be empty in the merged view; its whiteouts go with it.
    pub(crate) fn do_rmdir(&self, dir_id: u64, name: &Name) -> Result<(), Errno> {
        let _ns = self.ns.write();
        let dir = self.node(dir_id)?;
        let found = self.resolve(&dir, name)?.ok_or(Errno::ENOENT)?;
        let checked = if found.kind() != FileKind::Directory {
            Err(Errno::ENOTDIR)
        } else {
            self.merged_list(found.upper.map(|e| e.node), found.lower.map(|e| e.node))
                .and_then(|list| {
                    if list.is_empty() {
                        Ok(())
                    } else {
                        Err(Errno::ENOTEMPTY)
                    }
                })
        };
        let result = checked.and_then(|()| self.remove_entry(dir_id, &dir, name, &found));
        self.release_found(found);
        result
    }

    /// Removes the merged entry `found` (named `name` in `dir`): the whiteout first when the
    /// lower layer has the name (so a crash leaves the entry, not a resurrected lower one),
    /// then the upper entry. Marks its node dead when it has no name left.
    pub(crate) fn remove_entry(
        &self,
        dir_id: u64,
        dir: &Node,
        name: &Name,
        found: &Found,
    ) -> Result<(), Errno> {
        let lower_named = found.upper.is_none() || self.lower_has(dir, name)?;
        let is_dir = found.kind() == FileKind::Directory;
        if lower_named {
            names::whiteout(name)?;
            let upper_dir = self.copy_up(dir_id)?;
            self.make_whiteout(upper_dir, name)?;
        }
        if let Some(ue) = &found.upper {
            let upper_dir = dir.upper.ok_or(Errno::ESTALE)?;
            let attr = self.upper.getattr(ue.node)?;
            if is_dir {
                self.clear_reserved(ue.node)?;
                self.upper.rmdir(upper_dir, name)?;
            } else {
                self.upper.unlink(upper_dir, name)?;
            }
            if is_dir || attr.nlink <= 1 {
                self.drop_origin(attr.ino);
            }
        }
        let id = self
            .nodes
            .lock()
            .find(found.upper.map(|e| e.node), found.lower.map(|e| e.node));
        if let Some(id) = id {
            let mut table = self.nodes.lock();
            let upper_file = table.held(id).is_some_and(|n| n.upper.is_some()) && !is_dir;
            if !upper_file {
                table.mark_dead(id);
            }
        }
        Ok(())
    }

    /// Removes the whiteouts, opaque marker and staging leftovers of upper directory `dir`,
    /// which is about to be removed (it holds nothing else: the caller checked it is empty).
    pub(crate) fn clear_reserved(&self, dir: NodeId) -> Result<(), Errno> {
        for (entry, kind, _) in list_layer(self.upper.as_ref(), dir)? {
            if !names::is_reserved(entry.as_bytes()) {
                continue;
            }
            if kind == FileKind::Directory {
                self.upper.rmdir(dir, &entry)?;
            } else {
                self.upper.unlink(dir, &entry)?;
            }
        }
        Ok(())
    }
}
