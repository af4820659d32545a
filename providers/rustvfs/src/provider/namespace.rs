//! Namespace operations: making, removing and renaming entries, and `setattr`.

use super::store::{self, kind_of, stat, Which};
use super::table::{child_path, OpenData};
use super::{default_perm, kept_perm, utf8, RustVfsProvider, State};
use crate::errors::errno_from_vfs;
use vfs::FileSystem as VfsFileSystem;
use vfsbox_api::{
    Attr, Entry, Errno, FileKind, HandleId, Name, NodeId, OpenFlags, RenameFlags, SetAttr, TimeSet,
    Timestamp, PERM_MASK,
};

fn check_perm(perm: u32) -> Result<(), Errno> {
    if perm & !PERM_MASK != 0 {
        Err(Errno::EINVAL)
    } else {
        Ok(())
    }
}

impl<F: VfsFileSystem> RustVfsProvider<F> {
    /// The path for a new entry `name` in `dir`, after `ENOTDIR`/`ENOENT` for the directory
    /// and `EEXIST` for the name; `EINVAL` for a name rust-vfs cannot hold (not UTF-8).
    fn new_entry_path(&self, st: &State, dir: NodeId, name: &Name) -> Result<String, Errno> {
        let parent = Self::dir_path(st, dir)?;
        let Some(text) = utf8(name) else {
            return Err(Errno::EINVAL);
        };
        let path = child_path(&parent, text);
        if stat(&self.fs, &path)?.is_some() {
            return Err(Errno::EEXIST);
        }
        Ok(path)
    }

    /// `symlink` and `link`: refused with `EPERM` once the directory and name checks pass.
    pub(super) fn refuse_new_name(
        &self,
        st: &mut State,
        dir: NodeId,
        name: &Name,
    ) -> Result<Entry, Errno> {
        self.new_entry_path(st, dir, name)?;
        Err(Errno::EPERM)
    }

    pub(super) fn do_mkdir(
        &self,
        st: &mut State,
        dir: NodeId,
        name: &Name,
        perm: u32,
    ) -> Result<Entry, Errno> {
        let path = self.new_entry_path(st, dir, name)?;
        check_perm(perm)?;
        self.fs.create_dir(&path).map_err(|e| errno_from_vfs(&e))?;
        let id = st.table.id_for(&path, FileKind::Directory, kept_perm(perm));
        self.touch_dir(st, dir.0)?;
        self.entry(st, id)
    }

    /// Makes an empty regular file at `path` and its node.
    fn make_file(&self, st: &mut State, path: &str, perm: u32) -> Result<u64, Errno> {
        store::store(&self.fs, path, &[], None)?;
        Ok(st.table.id_for(path, FileKind::Regular, kept_perm(perm)))
    }

    pub(super) fn do_mknod(
        &self,
        st: &mut State,
        dir: NodeId,
        name: &Name,
        kind: FileKind,
        perm: u32,
    ) -> Result<Entry, Errno> {
        match kind {
            FileKind::Directory => return Err(Errno::EPERM),
            FileKind::Symlink => return Err(Errno::EINVAL),
            _ => {}
        }
        let path = self.new_entry_path(st, dir, name)?;
        check_perm(perm)?;
        if kind != FileKind::Regular {
            return Err(Errno::EPERM);
        }
        let id = self.make_file(st, &path, perm)?;
        self.touch_dir(st, dir.0)?;
        self.entry(st, id)
    }

    pub(super) fn do_create(
        &self,
        st: &mut State,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
    ) -> Result<(Entry, HandleId), Errno> {
        let parent = Self::dir_path(st, dir)?;
        let text = utf8(name).ok_or(Errno::EINVAL)?;
        let path = child_path(&parent, text);
        if let Some(meta) = stat(&self.fs, &path)? {
            if flags.contains(OpenFlags::EXCLUSIVE) {
                return Err(Errno::EEXIST);
            }
            let kind = kind_of(&meta);
            if kind == FileKind::Directory {
                return Err(Errno::EISDIR);
            }
            let id = st.table.id_for(&path, kind, default_perm(kind));
            let handle = self.open_node(st, id, flags)?;
            return Ok((self.entry(st, id)?, handle));
        }
        check_perm(perm)?;
        let id = self.make_file(st, &path, perm)?;
        self.touch_dir(st, dir.0)?;
        if let Some(node) = st.table.get_mut(id) {
            // The file is known to be empty: no need to read it back.
            node.open = Some(OpenData::default());
        }
        let handle = self.open_node(st, id, flags)?;
        Ok((self.entry(st, id)?, handle))
    }

    /// `unlink` (`dir_wanted` false) and `rmdir` (true).
    pub(super) fn do_remove(
        &self,
        st: &mut State,
        dir: NodeId,
        name: &Name,
        dir_wanted: bool,
    ) -> Result<(), Errno> {
        let parent = Self::dir_path(st, dir)?;
        let text = utf8(name).ok_or(Errno::ENOENT)?;
        let path = child_path(&parent, text);
        let meta = stat(&self.fs, &path)?.ok_or(Errno::ENOENT)?;
        let is_dir = kind_of(&meta) == FileKind::Directory;
        match (dir_wanted, is_dir) {
            (false, true) => return Err(Errno::EISDIR),
            (true, false) => return Err(Errno::ENOTDIR),
            _ => {}
        }
        if is_dir && self.has_entries(&path)? {
            return Err(Errno::ENOTEMPTY);
        }
        self.remove_path(st, &path, is_dir)?;
        self.touch_dir(st, dir.0)
    }

    fn has_entries(&self, path: &str) -> Result<bool, Errno> {
        Ok(self
            .fs
            .read_dir(path)
            .map_err(|e| errno_from_vfs(&e))?
            .next()
            .is_some())
    }

    /// Removes `path` from rust-vfs and detaches its node, keeping its attributes for holders.
    fn remove_path(&self, st: &mut State, path: &str, is_dir: bool) -> Result<(), Errno> {
        let attr: Option<Attr> = match st.table.known(path) {
            Some(id) => Some(self.attr_of(st, id)?),
            None => None,
        };
        let removed = if is_dir {
            self.fs.remove_dir(path)
        } else {
            self.fs.remove_file(path)
        };
        removed.map_err(|e| errno_from_vfs(&e))?;
        let now = Timestamp::now();
        st.table
            .detach(path, attr.map(|a| Attr { ctime: now, ..a }));
        Ok(())
    }

    pub(super) fn do_rename(
        &self,
        st: &mut State,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        let from_parent = Self::dir_path(st, dir)?;
        let to_parent = Self::dir_path(st, new_dir)?;
        if flags != RenameFlags::Replace {
            return Err(Errno::EINVAL);
        }
        let from = child_path(&from_parent, utf8(name).ok_or(Errno::ENOENT)?);
        let from_meta = stat(&self.fs, &from)?.ok_or(Errno::ENOENT)?;
        let to = child_path(&to_parent, utf8(new_name).ok_or(Errno::EINVAL)?);
        if from == to {
            return Ok(());
        }
        let kind = kind_of(&from_meta);
        if kind == FileKind::Directory && to.starts_with(&format!("{from}/")) {
            return Err(Errno::EINVAL);
        }
        if let Some(to_meta) = stat(&self.fs, &to)? {
            let to_is_dir = kind_of(&to_meta) == FileKind::Directory;
            if from.starts_with(&format!("{to}/")) {
                return Err(Errno::ENOTEMPTY);
            }
            match (kind == FileKind::Directory, to_is_dir) {
                (true, false) => return Err(Errno::ENOTDIR),
                (false, true) => return Err(Errno::EISDIR),
                _ => {}
            }
            if to_is_dir && self.has_entries(&to)? {
                return Err(Errno::ENOTEMPTY);
            }
            self.remove_path(st, &to, to_is_dir)?;
        }
        let moved = st.table.known(&from);
        if let Some(id) = moved {
            self.write_back(st, id)?;
        }
        store::move_entry(&self.fs, &from, &to, kind)?;
        st.table.rename(&from, &to);
        if let Some(node) = moved.and_then(|id| st.table.get_mut(id)) {
            node.ctime = Some(Timestamp::now());
        }
        self.touch_dir(st, dir.0)?;
        if new_dir != dir {
            self.touch_dir(st, new_dir.0)?;
        }
        Ok(())
    }

    pub(super) fn do_setattr(
        &self,
        st: &mut State,
        node: NodeId,
        changes: &SetAttr,
    ) -> Result<Attr, Errno> {
        let kind = st.table.held(node)?.kind;
        let id = node.0;
        if let Some(perm) = changes.perm {
            check_perm(perm)?;
        }
        if changes.size.is_some() && kind == FileKind::Directory {
            return Err(Errno::EISDIR);
        }
        if changes.uid.is_some_and(|uid| uid != self.owner.uid)
            || changes.gid.is_some_and(|gid| gid != self.owner.gid)
        {
            return Err(Errno::EPERM);
        }
        if changes.size.is_some_and(|size| size > self.max_file_size) {
            return Err(Errno::EFBIG);
        }
        if changes.is_empty() {
            return self.attr_of(st, id);
        }
        let now = Timestamp::now();
        if let Some(size) = changes.size {
            self.truncate(st, id, size, now)?;
        }
        if let Some(perm) = changes.perm {
            if let Some(n) = st.table.get_mut(id) {
                n.perm = kept_perm(perm);
            }
        }
        let at = |set: TimeSet| match set {
            TimeSet::Now => now,
            TimeSet::At(t) => t,
        };
        if let Some(atime) = changes.atime {
            self.set_node_time(st, id, Which::Access, at(atime))?;
        }
        if let Some(mtime) = changes.mtime {
            self.set_node_time(st, id, Which::Modification, at(mtime))?;
        }
        if let Some(n) = st.table.get_mut(id) {
            n.ctime = Some(now);
        }
        self.attr_of(st, id)
    }

    /// Sets the size of file `id`: in its open buffer if it has one, else by rewriting it;
    /// written back at once either way.
    fn truncate(&self, st: &mut State, id: u64, size: u64, now: Timestamp) -> Result<(), Errno> {
        let len = usize::try_from(size).map_err(|_| Errno::EFBIG)?;
        let node = st.table.get_mut(id).ok_or(Errno::ESTALE)?;
        if let Some(open) = &mut node.open {
            open.data.resize(len, 0);
            open.dirty = true;
            open.mtime = Some(now);
            return self.write_back(st, id);
        }
        let Some(path) = node.path.clone() else {
            if let Some(attr) = &mut node.removed_attr {
                attr.size = size;
                attr.mtime = now;
            }
            return Ok(());
        };
        let mut data = store::load(&self.fs, &path)?;
        data.resize(len, 0);
        store::store(&self.fs, &path, &data, Some(now))?;
        node.mtime = None;
        Ok(())
    }
}
