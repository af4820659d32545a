//! `rename` in the merged view. Lower directories are `EXDEV` (see the crate docs for why);
//! everything else is copied up and renamed in the upper layer, with a whiteout at the old
//! name when the lower layer has it.

use crate::names;
use crate::Overlay;
use vfsbox_api::{Errno, FileKind, Name, RenameFlags};

impl Overlay {
    /// True if `ancestor` is `id` or one of its parents.
    fn is_ancestor(&self, ancestor: u64, mut id: u64) -> bool {
        let table = self.nodes.lock();
        loop {
            if id == ancestor {
                return true;
            }
            match table.held(id).and_then(|n| n.parent.as_ref()) {
                Some((parent, _)) => id = *parent,
                None => return false,
            }
        }
    }

    /// The kind of `name` in the lower half of directory node `dir_id`, if it has one.
    fn lower_kind(&self, dir_id: u64, name: &Name) -> Result<Option<FileKind>, Errno> {
        let lower = self.nodes.lock().held(dir_id).and_then(|n| n.lower);
        let Some(l) = lower else { return Ok(None) };
        match self.lower.lookup(l, name) {
            Ok(e) => {
                self.lower.forget(e.node, 1);
                Ok(Some(e.attr.kind))
            }
            Err(Errno::ENOENT) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `rename`, in the contract's order of errors (with `EXDEV` before `ENOTEMPTY`).
    pub(crate) fn do_rename(
        &self,
        dir_id: u64,
        name: &Name,
        new_dir_id: u64,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        let _ns = self.ns.write();
        let dir = self.node(dir_id)?;
        let new_dir = self.node(new_dir_id)?;
        if dir.kind != FileKind::Directory || new_dir.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        match flags {
            RenameFlags::NoReplace if !self.caps.rename_noreplace => return Err(Errno::EINVAL),
            RenameFlags::Exchange if !self.caps.rename_exchange => return Err(Errno::EINVAL),
            _ => {}
        }
        let src = self.resolve(&dir, name)?.ok_or(Errno::ENOENT)?;
        let src_id = self.adopt(dir_id, name, src)?;
        let dst = if new_dir.dead {
            Err(Errno::ENOENT)
        } else {
            names::refuse_reserved(new_name).and_then(|()| self.resolve(&new_dir, new_name))
        };
        let dst_id = match dst {
            Ok(Some(found)) => self.adopt(new_dir_id, new_name, found).map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        let result = dst_id.and_then(|dst_id| {
            self.rename_nodes(dir_id, name, src_id, new_dir_id, new_name, dst_id, flags)
        });
        let mut freed = self.nodes.lock().forget(src_id, 1);
        if let Ok(Some(d)) = dst_id {
            freed.extend(self.nodes.lock().forget(d, 1));
        }
        self.release_freed(freed);
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn rename_nodes(
        &self,
        dir_id: u64,
        name: &Name,
        src_id: u64,
        new_dir_id: u64,
        new_name: &Name,
        dst_id: Option<u64>,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        match (flags, dst_id) {
            (RenameFlags::NoReplace, Some(_)) => return Err(Errno::EEXIST),
            (RenameFlags::Exchange, None) => return Err(Errno::ENOENT),
            _ => {}
        }
        if dst_id == Some(src_id) {
            return Ok(());
        }
        let src = self.node(src_id)?;
        let dst = match dst_id {
            Some(d) => Some(self.node(d)?),
            None => None,
        };
        let exchange = flags == RenameFlags::Exchange;
        if src.kind == FileKind::Directory && self.is_ancestor(src_id, new_dir_id) {
            return Err(Errno::EINVAL);
        }
        if let (Some(d), Some(dst)) = (dst_id, &dst) {
            if self.is_ancestor(d, dir_id) {
                return Err(if exchange {
                    Errno::EINVAL
                } else {
                    Errno::ENOTEMPTY
                });
            }
            if !exchange {
                match (
                    src.kind == FileKind::Directory,
                    dst.kind == FileKind::Directory,
                ) {
                    (true, false) => return Err(Errno::ENOTDIR),
                    (false, true) => return Err(Errno::EISDIR),
                    _ => {}
                }
            }
        }
        let lower_dir = |n: &crate::nodes::Node| n.kind == FileKind::Directory && n.lower.is_some();
        if lower_dir(&src) || (exchange && dst.as_ref().is_some_and(lower_dir)) {
            return Err(Errno::EXDEV);
        }
        if let Some(dst) = dst
            .as_ref()
            .filter(|d| !exchange && d.kind == FileKind::Directory)
        {
            if !self.merged_list(dst.upper, dst.lower)?.is_empty() {
                return Err(Errno::ENOTEMPTY);
            }
        }
        // Everything is checked: copy up and move in the upper layer.
        let src_upper = self.copy_up(src_id)?;
        let dst_upper = match dst_id {
            Some(d) if exchange => Some(self.copy_up(d)?),
            _ => dst.as_ref().and_then(|d| d.upper),
        };
        let dir_upper = self.copy_up(dir_id)?;
        let new_dir_upper = self.copy_up(new_dir_id)?;
        let dir_now = self
            .nodes
            .lock()
            .held(dir_id)
            .cloned()
            .ok_or(Errno::ESTALE)?;
        let below_new = self.lower_kind(new_dir_id, new_name)?;
        if src.kind == FileKind::Directory && below_new == Some(FileKind::Directory) {
            self.make_opaque(src_upper)?;
        }
        if exchange {
            if let (Some(d), Some(du)) = (&dst, dst_upper) {
                if d.kind == FileKind::Directory
                    && self.lower_kind(dir_id, name)? == Some(FileKind::Directory)
                {
                    self.make_opaque(du)?;
                }
            }
            self.upper
                .rename(dir_upper, name, new_dir_upper, new_name, flags)?;
            let mut table = self.nodes.lock();
            let mut freed = table.reparent(src_id, new_dir_id, new_name.to_owned());
            if let Some(d) = dst_id {
                freed.extend(table.reparent(d, dir_id, name.to_owned()));
            }
            drop(table);
            self.release_freed(freed);
            return Ok(());
        }
        let replaced = match dst_upper {
            Some(du) => {
                let attr = self.upper.getattr(du)?;
                if attr.kind == FileKind::Directory {
                    self.clear_reserved(du)?;
                }
                Some(attr)
            }
            None => None,
        };
        if self.lower_has(&dir_now, name)? {
            names::whiteout(name)?;
            self.make_whiteout(dir_upper, name)?;
        }
        self.upper.rename(
            dir_upper,
            name,
            new_dir_upper,
            new_name,
            RenameFlags::Replace,
        )?;
        if let Ok(wh) = names::whiteout(new_name) {
            let _ = self.upper.unlink(new_dir_upper, &wh);
        }
        if let Some(attr) = replaced {
            if attr.kind == FileKind::Directory || attr.nlink <= 1 {
                self.drop_origin(attr.ino);
            }
        }
        let mut table = self.nodes.lock();
        if let (Some(d), Some(dst)) = (dst_id, &dst) {
            if dst.kind == FileKind::Directory || dst.upper.is_none() {
                table.mark_dead(d);
            }
        }
        let freed = table.reparent(src_id, new_dir_id, new_name.to_owned());
        drop(table);
        self.release_freed(freed);
        Ok(())
    }
}
