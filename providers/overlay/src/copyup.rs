//! Copy-up: making a lower node (and its parent directories) exist in the upper layer before
//! it changes, atomically as seen from outside.
//!
//! The copy is built under a staging name in the target upper directory (data, then owner,
//! mode, `user.*` xattrs and times, in that order so a chown cannot clear restored bits and
//! nothing after the times moves them), then renamed onto the real name. On any error the
//! staging entry is removed, and the lower node stays what callers see.

use crate::names;
use crate::nodes::Node;
use crate::Overlay;
use std::sync::atomic::Ordering;
use vfsbox_api::{
    Attr, Entry, Errno, FileKind, Name, NodeId, OpenFlags, Owner, RenameFlags, SetAttr, TimeSet,
};

/// Size of the chunks data is copied in.
const CHUNK: usize = 128 * 1024;

impl Overlay {
    /// The upper node of node `id`, copying it (and its parents) up first if it has none.
    /// Needs the namespace lock held for writing.
    pub(crate) fn copy_up(&self, id: u64) -> Result<NodeId, Errno> {
        let node = self.nodes.lock().held(id).cloned().ok_or(Errno::ESTALE)?;
        if let Some(u) = node.upper {
            return Ok(u);
        }
        if node.dead {
            return Err(Errno::ENOENT);
        }
        let (Some((parent_id, name)), Some(lower)) = (node.parent.clone(), node.lower) else {
            return Err(Errno::ESTALE);
        };
        let parent_upper = self.copy_up(parent_id)?;
        let parent_times = self.upper.getattr(parent_upper)?;
        let made = self.copy_node(&node, lower, parent_upper, &name)?;
        let dropped = self.nodes.lock().attach_upper(id, made.node);
        if let Some(l) = dropped {
            self.lower.forget(l, 1);
        }
        self.record_origin(made.attr.ino, node.ino);
        // The parent did not change in the merged view: keep its times.
        let _ = self
            .upper
            .setattr(parent_upper, &restore_times(&parent_times), None);
        Ok(made.node)
    }

    /// Copies lower node `lower` to `name` in upper directory `parent` via a staging name.
    fn copy_node(
        &self,
        node: &Node,
        lower: NodeId,
        parent: NodeId,
        name: &Name,
    ) -> Result<Entry, Errno> {
        let attr = self.lower.getattr(lower)?;
        let staging = names::staging(self.staging.fetch_add(1, Ordering::Relaxed));
        let owner = Owner {
            uid: attr.uid,
            gid: attr.gid,
        };
        let made = self.make_copy(node.kind, lower, &attr, parent, &staging, owner)?;
        let finish = self
            .restore_metadata(node.kind, lower, &attr, made.node)
            .and_then(|()| {
                self.upper
                    .rename(parent, &staging, parent, name, RenameFlags::Replace)
            });
        match finish {
            Ok(()) => Ok(Entry {
                node: made.node,
                attr: self.upper.getattr(made.node).unwrap_or(made.attr),
            }),
            Err(e) => {
                let _ = if node.kind == FileKind::Directory {
                    self.upper.rmdir(parent, &staging)
                } else {
                    self.upper.unlink(parent, &staging)
                };
                self.upper.forget(made.node, 1);
                Err(e)
            }
        }
    }

    /// Makes the staged copy: the node and its data.
    fn make_copy(
        &self,
        kind: FileKind,
        lower: NodeId,
        attr: &Attr,
        parent: NodeId,
        staging: &Name,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        let perm = attr.perm;
        match kind {
            FileKind::Directory => self.upper.mkdir(parent, staging, perm, owner),
            FileKind::Symlink => {
                let target = self.lower.readlink(lower)?;
                self.upper.symlink(parent, staging, &target, owner)
            }
            FileKind::Regular => {
                let flags = OpenFlags::WRITE | OpenFlags::EXCLUSIVE;
                let (entry, out) = self.upper.create(parent, staging, perm, flags, owner)?;
                let copied = self.copy_data(lower, out);
                let _ = self.upper.release(out);
                if let Err(e) = copied {
                    let _ = self.upper.unlink(parent, staging);
                    self.upper.forget(entry.node, 1);
                    return Err(e);
                }
                Ok(entry)
            }
            other => self
                .upper
                .mknod(parent, staging, other, perm, attr.rdev, owner),
        }
    }

    /// Copies the data of lower file `lower` into the upper handle `out`.
    fn copy_data(&self, lower: NodeId, out: vfsbox_api::HandleId) -> Result<(), Errno> {
        let input = self.lower.open(lower, OpenFlags::READ)?;
        let mut buf = vec![0u8; CHUNK];
        let mut offset = 0u64;
        let result = loop {
            let got = match self.lower.read(input, offset, &mut buf) {
                Ok(0) => break Ok(()),
                Ok(got) => got,
                Err(e) => break Err(e),
            };
            let mut done = 0;
            while done < got {
                match self.upper.write(out, offset + done as u64, &buf[done..got]) {
                    Ok(0) => return Err(Errno::ENOSPC),
                    Ok(n) => done += n,
                    Err(e) => return Err(e),
                }
            }
            offset += got as u64;
        };
        let _ = self.lower.release(input);
        result
    }

    /// Gives the staged copy the lower node's owner, mode, `user.*` xattrs and times.
    fn restore_metadata(
        &self,
        kind: FileKind,
        lower: NodeId,
        attr: &Attr,
        copy: NodeId,
    ) -> Result<(), Errno> {
        let now = self.upper.getattr(copy)?;
        if self.caps.ownership && (now.uid != attr.uid || now.gid != attr.gid) {
            let chown = SetAttr {
                uid: Some(attr.uid),
                gid: Some(attr.gid),
                ..SetAttr::default()
            };
            self.upper.setattr(copy, &chown, None)?;
        }
        if kind != FileKind::Symlink && self.upper.getattr(copy)?.perm != attr.perm {
            let chmod = SetAttr {
                perm: Some(attr.perm),
                ..SetAttr::default()
            };
            self.upper.setattr(copy, &chmod, None)?;
        }
        if matches!(kind, FileKind::Regular | FileKind::Directory)
            && self.caps.xattrs
            && self.lower.capabilities().xattrs
        {
            for name in self.lower.listxattr(lower)? {
                if !name.starts_with(b"user.") {
                    continue;
                }
                let value = self.lower.getxattr(lower, &name)?;
                self.upper
                    .setxattr(copy, &name, &value, vfsbox_api::XattrSet::Either)?;
            }
        }
        let times = restore_times(attr);
        match self.upper.setattr(copy, &times, None) {
            // Some layers cannot set a symlink's times (no lutimes); the link still copies.
            Err(_) if kind == FileKind::Symlink => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

/// A `setattr` putting back the atime and mtime of `attr`.
fn restore_times(attr: &Attr) -> SetAttr {
    SetAttr {
        atime: Some(TimeSet::At(attr.atime)),
        mtime: Some(TimeSet::At(attr.mtime)),
        ..SetAttr::default()
    }
}
