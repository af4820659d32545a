//! Open files and directories: the shared per-file buffer, its write-back, and listings.

use super::store::{self, kind_of, stat};
use super::table::{child_path, OpenData};
use super::{default_perm, RustVfsProvider, State};
use crate::errors::errno_from_vfs;
use vfs::FileSystem as VfsFileSystem;
use vfsbox_api::{
    DirEntry, Errno, FileKind, HandleId, Name, NameBuf, NodeId, OpenFlags, SeekHole, Timestamp,
};

/// One open handle.
#[derive(Debug)]
pub(super) enum Handle {
    /// A regular file; its data is the node's shared [`OpenData`].
    File { node: u64, flags: OpenFlags },
    /// A directory; `listing` is the snapshot taken by the last `readdir` from cookie 0.
    Dir {
        node: u64,
        listing: Option<Vec<(NameBuf, u64, FileKind)>>,
    },
}

impl<F: VfsFileSystem> RustVfsProvider<F> {
    fn add_handle(st: &mut State, handle: Handle) -> HandleId {
        let id = st.next_handle;
        st.next_handle += 1;
        st.handles.insert(id, handle);
        HandleId(id)
    }

    fn file_handle(st: &State, handle: HandleId) -> Result<(u64, OpenFlags), Errno> {
        match st.handles.get(&handle.0) {
            Some(Handle::File { node, flags }) => Ok((*node, *flags)),
            _ => Err(Errno::EBADF),
        }
    }

    pub(super) fn do_open(
        &self,
        st: &mut State,
        node: NodeId,
        flags: OpenFlags,
    ) -> Result<HandleId, Errno> {
        match st.table.held(node)?.kind {
            FileKind::Directory => return Err(Errno::EISDIR),
            FileKind::Symlink => return Err(Errno::ELOOP),
            _ => {}
        }
        self.open_node(st, node.0, flags)
    }

    /// Opens file `id`, loading its data into the shared buffer if no handle has it yet;
    /// `O_TRUNC` empties it and writes the empty file back at once.
    pub(super) fn open_node(
        &self,
        st: &mut State,
        id: u64,
        flags: OpenFlags,
    ) -> Result<HandleId, Errno> {
        let node = st.table.get_mut(id).ok_or(Errno::ESTALE)?;
        if node.open.is_none() {
            let path = node.path.clone().ok_or(Errno::ENOENT)?;
            let size = stat(&self.fs, &path)?.ok_or(Errno::ENOENT)?.len;
            if size > self.max_file_size {
                return Err(Errno::EFBIG);
            }
            node.open = Some(OpenData {
                data: store::load(&self.fs, &path)?,
                ..OpenData::default()
            });
        }
        let Some(open) = &mut node.open else {
            return Err(Errno::EIO);
        };
        open.handles += 1;
        let handle = Self::add_handle(st, Handle::File { node: id, flags });
        if flags.contains(OpenFlags::TRUNCATE) {
            let now = Timestamp::now();
            if let Some(node) = st.table.get_mut(id) {
                node.ctime = Some(now);
                if let Some(open) = &mut node.open {
                    open.data.clear();
                    open.dirty = true;
                    open.mtime = Some(now);
                }
            }
            if let Err(e) = self.write_back(st, id) {
                let _ = self.do_release(st, handle);
                return Err(e);
            }
        }
        Ok(handle)
    }

    /// Writes node `id`'s buffer back to rust-vfs if it changed and the file still has a name.
    pub(super) fn write_back(&self, st: &mut State, id: u64) -> Result<(), Errno> {
        let Some(node) = st.table.get_mut(id) else {
            return Ok(());
        };
        let (Some(path), Some(open)) = (&node.path, &mut node.open) else {
            return Ok(());
        };
        if !open.dirty {
            return Ok(());
        }
        store::store(&self.fs, path, &open.data, open.mtime)?;
        open.dirty = false;
        Ok(())
    }

    pub(super) fn do_read(
        &self,
        st: &State,
        handle: HandleId,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, Errno> {
        let (id, flags) = Self::file_handle(st, handle)?;
        if !flags.readable() {
            return Err(Errno::EBADF);
        }
        let open = st
            .table
            .get(id)
            .and_then(|n| n.open.as_ref())
            .ok_or(Errno::EBADF)?;
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let Some(available) = open.data.get(start..) else {
            return Ok(0);
        };
        let count = available.len().min(buf.len());
        buf[..count].copy_from_slice(&available[..count]);
        Ok(count)
    }

    pub(super) fn do_write(
        &self,
        st: &mut State,
        handle: HandleId,
        offset: u64,
        data: &[u8],
    ) -> Result<usize, Errno> {
        let (id, flags) = Self::file_handle(st, handle)?;
        if !flags.writable() {
            return Err(Errno::EBADF);
        }
        let max = self.max_file_size;
        let node = st.table.get_mut(id).ok_or(Errno::EBADF)?;
        let open = node.open.as_mut().ok_or(Errno::EBADF)?;
        if data.is_empty() {
            return Ok(0);
        }
        let offset = if flags.contains(OpenFlags::APPEND) {
            open.data.len() as u64
        } else {
            offset
        };
        if offset >= max {
            return Err(Errno::EFBIG);
        }
        // A write crossing the limit is cut short at it, as Linux does at RLIMIT_FSIZE.
        let count = (data.len() as u64).min(max - offset) as usize;
        let start = usize::try_from(offset).map_err(|_| Errno::EFBIG)?;
        let end = start + count;
        if open.data.len() < end {
            open.data.resize(end, 0);
        }
        open.data[start..end].copy_from_slice(&data[..count]);
        open.dirty = true;
        let now = Timestamp::now();
        open.mtime = Some(now);
        node.ctime = Some(now);
        Ok(count)
    }

    pub(super) fn do_sync(&self, st: &mut State, handle: HandleId) -> Result<(), Errno> {
        let (id, _) = Self::file_handle(st, handle)?;
        self.write_back(st, id)
    }

    pub(super) fn do_release(&self, st: &mut State, handle: HandleId) -> Result<(), Errno> {
        let (id, _) = Self::file_handle(st, handle)?;
        let written = self.write_back(st, id);
        st.handles.remove(&handle.0);
        if let Some(node) = st.table.get_mut(id) {
            if let Some(open) = &mut node.open {
                open.handles = open.handles.saturating_sub(1);
                if open.handles == 0 {
                    node.open = None;
                }
            }
        }
        st.table.drop_if_unused(id);
        written
    }

    pub(super) fn do_seek(
        &self,
        st: &State,
        handle: HandleId,
        offset: u64,
        what: SeekHole,
    ) -> Result<u64, Errno> {
        let (id, _) = Self::file_handle(st, handle)?;
        let size = st
            .table
            .get(id)
            .and_then(|n| n.open.as_ref())
            .map_or(0, |o| o.data.len() as u64);
        if offset >= size {
            return Err(Errno::ENXIO);
        }
        // rust-vfs files have no holes: the file is one data extent.
        Ok(match what {
            SeekHole::Data => offset,
            SeekHole::Hole => size,
        })
    }

    pub(super) fn do_opendir(&self, st: &mut State, node: NodeId) -> Result<HandleId, Errno> {
        if st.table.held(node)?.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok(Self::add_handle(
            st,
            Handle::Dir {
                node: node.0,
                listing: None,
            },
        ))
    }

    /// The sorted entries of directory `path`, each with its node id as inode number. Names
    /// that are not valid vfsbox names are left out.
    fn snapshot(&self, st: &mut State, path: &str) -> Result<Vec<(NameBuf, u64, FileKind)>, Errno> {
        let mut names: Vec<String> = self
            .fs
            .read_dir(path)
            .map_err(|e| errno_from_vfs(&e))?
            .collect();
        names.sort();
        let mut listing = Vec::with_capacity(names.len());
        for text in names {
            let Ok(name) = Name::new(text.as_bytes()) else {
                continue;
            };
            let child = child_path(path, &text);
            let Some(meta) = stat(&self.fs, &child)? else {
                continue; // removed between read_dir and metadata
            };
            let kind = kind_of(&meta);
            let ino = st.table.id_for(&child, kind, default_perm(kind));
            listing.push((name.to_owned(), ino, kind));
        }
        Ok(listing)
    }

    pub(super) fn do_readdir(
        &self,
        st: &mut State,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        let (node, fresh) = match st.handles.get(&handle.0) {
            Some(Handle::Dir { node, listing }) => (*node, cookie == 0 || listing.is_none()),
            _ => return Err(Errno::EBADF),
        };
        let path = st
            .table
            .get(node)
            .and_then(|n| n.path.clone())
            .ok_or(Errno::ENOENT)?;
        if fresh {
            let listing = self.snapshot(st, &path)?;
            if let Some(Handle::Dir { listing: slot, .. }) = st.handles.get_mut(&handle.0) {
                *slot = Some(listing);
            }
        }
        let Some(Handle::Dir {
            listing: Some(listing),
            ..
        }) = st.handles.get(&handle.0)
        else {
            return Err(Errno::EBADF);
        };
        let start = usize::try_from(cookie).map_err(|_| Errno::EINVAL)?;
        if start > listing.len() {
            return Err(Errno::EINVAL);
        }
        for (index, (name, ino, kind)) in listing.iter().enumerate().skip(start) {
            let entry = DirEntry {
                name,
                ino: *ino,
                kind: *kind,
                cookie: index as u64 + 1,
            };
            if !sink(entry) {
                break;
            }
        }
        Ok(())
    }

    pub(super) fn do_releasedir(&self, st: &mut State, handle: HandleId) -> Result<(), Errno> {
        match st.handles.get(&handle.0) {
            Some(Handle::Dir { .. }) => {
                st.handles.remove(&handle.0);
                Ok(())
            }
            _ => Err(Errno::EBADF),
        }
    }
}
