//! Merged listings: upper entries first, then the lower entries the upper neither has nor
//! whites out; reserved names never appear. Cookie scheme in the [crate docs](crate).

use crate::handles::{DirHandle, DirState, Handle};
use crate::names;
use crate::Overlay;
use std::collections::HashSet;
use std::sync::Arc;
use vfsbox_api::{DirEntry, Errno, FileKind, FileSystem, HandleId, Name, NameBuf, NodeId};

/// Set on the cookies of lower-phase entries.
const LOWER_PHASE: u64 = 1 << 63;

/// Every entry of a layer directory, through a temporary handle.
pub(crate) fn list_layer(
    fs: &dyn FileSystem,
    dir: NodeId,
) -> Result<Vec<(NameBuf, FileKind, u64)>, Errno> {
    let h = fs.opendir(dir)?;
    let mut out = Vec::new();
    let r = fs.readdir(h, 0, &mut |e| {
        out.push((e.name.to_owned(), e.kind, e.ino));
        true
    });
    let _ = fs.releasedir(h);
    r.map(|()| out)
}

/// The names of upper directory `dir` that hide lower entries: its own names and the names
/// its whiteouts stand for.
fn hiding_names(upper: &dyn FileSystem, dir: NodeId) -> Result<HashSet<NameBuf>, Errno> {
    let mut hidden = HashSet::new();
    for (name, _, _) in list_layer(upper, dir)? {
        if let Some(target) = names::whited_out(name.as_bytes()) {
            if let Ok(target) = NameBuf::new(target) {
                hidden.insert(target);
            }
        }
        hidden.insert(name);
    }
    Ok(hidden)
}

impl Overlay {
    /// The merged entries (name, kind) of a directory with halves `upper` and `lower`.
    pub(crate) fn merged_list(
        &self,
        upper: Option<NodeId>,
        lower: Option<NodeId>,
    ) -> Result<Vec<(NameBuf, FileKind)>, Errno> {
        let mut out = Vec::new();
        if let Some(u) = upper {
            for (name, kind, _) in list_layer(self.upper.as_ref(), u)? {
                if !names::is_reserved(name.as_bytes()) {
                    out.push((name, kind));
                }
            }
        }
        if let Some(l) = lower {
            let hidden = match upper {
                Some(u) => hiding_names(self.upper.as_ref(), u)?,
                None => HashSet::new(),
            };
            for (name, kind, _) in list_layer(self.lower.as_ref(), l)? {
                if !names::is_reserved(name.as_bytes()) && !hidden.contains(&name) {
                    out.push((name, kind));
                }
            }
        }
        Ok(out)
    }

    /// The link count of a merged directory: 2 plus its subdirectories in the merged view.
    /// When the lower half has no subdirectories (`nlink` 2), that is the upper's own count.
    pub(crate) fn merged_nlink(
        &self,
        upper: NodeId,
        lower: NodeId,
        upper_nlink: u32,
    ) -> Result<u32, Errno> {
        if self.lower.getattr(lower)?.nlink <= 2 {
            return Ok(upper_nlink);
        }
        let subdirs = self
            .merged_list(Some(upper), Some(lower))?
            .iter()
            .filter(|(_, kind)| *kind == FileKind::Directory)
            .count();
        Ok(u32::try_from(subdirs).unwrap_or(u32::MAX - 2) + 2)
    }

    /// `opendir`: a handle that holds the directory node.
    pub(crate) fn do_opendir(&self, id: u64) -> Result<HandleId, Errno> {
        let mut table = self.nodes.lock();
        let node = table.get(id)?;
        if node.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        table.add_ref(id);
        drop(table);
        Ok(self.handles.insert(Handle::Dir(Arc::new(DirHandle {
            node: id,
            state: parking_lot::Mutex::new(DirState::default()),
        }))))
    }

    /// `releasedir`: closes the layer handles and drops the hold on the node.
    pub(crate) fn do_releasedir(&self, handle: HandleId) -> Result<(), Errno> {
        let dir = self.handles.remove_dir(handle)?;
        let state = std::mem::take(&mut *dir.state.lock());
        if let Some((_, h)) = state.upper {
            let _ = self.upper.releasedir(h);
        }
        if let Some((_, h)) = state.lower {
            let _ = self.lower.releasedir(h);
        }
        let freed = self.nodes.lock().drop_ref(dir.node);
        self.release_freed(freed);
        Ok(())
    }

    /// `readdir`: the upper phase, then the lower phase (see the crate docs).
    pub(crate) fn do_readdir(
        &self,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        let dir = self.handles.dir(handle)?;
        let _ns = self.ns.read();
        let node = self
            .nodes
            .lock()
            .held(dir.node)
            .cloned()
            .ok_or(Errno::ENOENT)?;
        if node.dead {
            return Err(Errno::ENOENT);
        }
        let mut state = dir.state.lock();
        if cookie == 0 {
            state.hidden = None;
        }
        let in_upper_phase = cookie & LOWER_PHASE == 0;
        if in_upper_phase {
            if let Some(u) = node.upper {
                let h = layer_handle(self.upper.as_ref(), &mut state.upper, u)?;
                let mut stopped = false;
                let mut overflow = false;
                self.upper.readdir(h, cookie, &mut |e| {
                    if names::is_reserved(e.name.as_bytes()) {
                        return true;
                    }
                    if e.cookie & LOWER_PHASE != 0 {
                        overflow = true;
                        return false;
                    }
                    let go = sink(DirEntry {
                        ino: self.upper_entry_ino(e.ino),
                        ..e
                    });
                    stopped = !go;
                    go
                })?;
                if overflow {
                    return Err(Errno::EOVERFLOW);
                }
                if stopped {
                    return Ok(());
                }
            }
            state.hidden = None;
        }
        let Some(l) = node.lower else {
            return Ok(());
        };
        if state.hidden.is_none() {
            state.hidden = Some(match node.upper {
                Some(u) => hiding_names(self.upper.as_ref(), u)?,
                None => HashSet::new(),
            });
        }
        let h = layer_handle(self.lower.as_ref(), &mut state.lower, l)?;
        let hidden = state.hidden.take().unwrap_or_default();
        let lower_cookie = if in_upper_phase {
            0
        } else {
            cookie & !LOWER_PHASE
        };
        let mut overflow = false;
        let result = self.lower.readdir(h, lower_cookie, &mut |e| {
            let name: &Name = e.name;
            if names::is_reserved(name.as_bytes()) || hidden.contains(name) {
                return true;
            }
            if e.cookie & LOWER_PHASE != 0 {
                overflow = true;
                return false;
            }
            sink(DirEntry {
                ino: crate::ino::from_lower(e.ino),
                cookie: e.cookie | LOWER_PHASE,
                ..e
            })
        });
        state.hidden = Some(hidden);
        result?;
        if overflow {
            return Err(Errno::EOVERFLOW);
        }
        Ok(())
    }
}

/// The layer handle cached in `slot` for directory `dir`, opening one if the slot is empty or
/// holds another directory (the node was copied up or made opaque since).
fn layer_handle(
    fs: &dyn FileSystem,
    slot: &mut Option<(NodeId, HandleId)>,
    dir: NodeId,
) -> Result<HandleId, Errno> {
    match *slot {
        Some((node, h)) if node == dir => Ok(h),
        old => {
            if let Some((_, h)) = old {
                let _ = fs.releasedir(h);
            }
            let h = fs.opendir(dir)?;
            *slot = Some((dir, h));
            Ok(h)
        }
    }
}
