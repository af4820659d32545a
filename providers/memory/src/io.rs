//! Operations on open handles: open, read, write, seek, fallocate, directory listings.

use crate::dir::Batch;
use crate::fs::MemoryFs;
use crate::handles::Handle;
use crate::inode::{Content, Inode};
use crate::pages::MAX_FILE_SIZE;
use std::sync::Arc;
use vfsbox_api::{DirEntry, Errno, FallocateMode, FileKind, HandleId, NodeId, OpenFlags, SeekHole};

/// How many entries `readdir` copies out per directory lock, so the sink runs unlocked (it
/// may call back into the filesystem) while the lock is taken rarely.
const READDIR_BATCH: usize = 128;

impl MemoryFs {
    /// Opens a node for I/O: kind checks, `O_TRUNC`, and one more open handle.
    pub(crate) fn open_inode(
        &self,
        inode: &Arc<Inode>,
        flags: OpenFlags,
    ) -> Result<HandleId, Errno> {
        match inode.kind {
            FileKind::Regular => {}
            FileKind::Directory => return Err(Errno::EISDIR),
            FileKind::Symlink => return Err(Errno::ELOOP),
            FileKind::Fifo | FileKind::Socket | FileKind::CharDevice | FileKind::BlockDevice => {
                return Err(Errno::ENXIO)
            }
        }
        let mut state = inode.state.write();
        if flags.contains(OpenFlags::TRUNCATE) {
            // tmpfs sets mtime and ctime on O_TRUNC even when the file was already empty.
            let now = self.now();
            if let Content::File(data) = &mut state.content {
                data.set_size(0, &self.quota);
            }
            state.modified(now);
        }
        state.opens += 1;
        drop(state);
        Ok(self.handles.insert(Handle {
            node: Arc::clone(inode),
            flags: Some(flags),
        }))
    }

    pub(crate) fn do_open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno> {
        let inode = self.node(node)?;
        self.open_inode(&inode, flags)
    }

    /// The handle, which must be a file handle.
    ///
    /// # Errors
    /// `EBADF` if unknown; `dir_errno` if it is a directory handle.
    fn file_handle(
        &self,
        handle: HandleId,
        dir_errno: Errno,
    ) -> Result<(Arc<Inode>, OpenFlags), Errno> {
        let Handle { node, flags } = self.handles.get(handle)?;
        match flags {
            Some(flags) => Ok((node, flags)),
            None => Err(dir_errno),
        }
    }

    pub(crate) fn do_read(
        &self,
        handle: HandleId,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, Errno> {
        let (inode, flags) = self.file_handle(handle, Errno::EISDIR)?;
        if !flags.readable() {
            return Err(Errno::EBADF);
        }
        let state = inode.state.read();
        let n = state.file().map_or(0, |data| data.read(offset, buf));
        let touch = !flags.contains(OpenFlags::NOATIME) && state.atime_due(self.now());
        drop(state);
        if touch {
            self.touch_atime(&inode);
        }
        Ok(n)
    }

    /// Sets `atime` to now if `relatime` still wants it once the write lock is held.
    fn touch_atime(&self, inode: &Inode) {
        let now = self.now();
        let mut state = inode.state.write();
        if state.atime_due(now) {
            state.atime = now;
        }
    }

    pub(crate) fn do_write(
        &self,
        handle: HandleId,
        offset: u64,
        data: &[u8],
    ) -> Result<usize, Errno> {
        let (inode, flags) = self.file_handle(handle, Errno::EBADF)?;
        if !flags.writable() {
            return Err(Errno::EBADF);
        }
        if data.is_empty() {
            return Ok(0);
        }
        let mut state = inode.state.write();
        let Content::File(file) = &mut state.content else {
            return Err(Errno::EBADF);
        };
        let offset = if flags.contains(OpenFlags::APPEND) {
            file.size()
        } else {
            offset
        };
        let written = file.write(offset, data, &self.quota)?;
        let now = self.now();
        state.modified(now);
        Ok(written)
    }

    pub(crate) fn do_fsync(&self, handle: HandleId) -> Result<(), Errno> {
        // Memory is as durable as it gets; only the handle is checked.
        self.handles.get(handle).map(drop)
    }

    pub(crate) fn do_release(&self, handle: HandleId, directory: bool) -> Result<(), Errno> {
        let Handle { node, .. } = self.handles.remove(handle, directory)?;
        let mut state = node.state.write();
        state.opens = state.opens.saturating_sub(1);
        self.release_if_unused(&node, &mut state);
        Ok(())
    }

    pub(crate) fn do_seek(
        &self,
        handle: HandleId,
        offset: u64,
        what: SeekHole,
    ) -> Result<u64, Errno> {
        let (inode, _) = self.file_handle(handle, Errno::EINVAL)?;
        let state = inode.state.read();
        match state.file() {
            Some(data) => data.seek(offset, what),
            None => Err(Errno::EINVAL),
        }
    }

    pub(crate) fn do_opendir(&self, node: NodeId) -> Result<HandleId, Errno> {
        let inode = self.dir_node(node)?;
        inode.state.write().opens += 1;
        Ok(self.handles.insert(Handle {
            node: inode,
            flags: None,
        }))
    }

    pub(crate) fn do_readdir(
        &self,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        let Handle { node, flags } = self.handles.get(handle)?;
        if flags.is_some() {
            return Err(Errno::EBADF);
        }
        let mut batch = Batch::with_capacity(READDIR_BATCH);
        let mut after = cookie;
        let mut first = true;
        loop {
            {
                let state = node.state.read();
                let Some(dir) = state.dir() else {
                    return Err(Errno::EBADF);
                };
                // Linux's `iterate_dir` answers ENOENT for a dead directory before the
                // filesystem sees the offset (getdents64 on a directory removed while open).
                if first && state.is_removed() {
                    return Err(Errno::ENOENT);
                }
                if first && !dir.issued(cookie) {
                    return Err(Errno::EINVAL);
                }
                dir.list_after(after, READDIR_BATCH, &mut batch);
            }
            if first {
                first = false;
                self.touch_dir_atime(&node);
            }
            for (entry_cookie, ino, kind, name) in batch.iter() {
                let entry = DirEntry {
                    name,
                    ino,
                    kind,
                    cookie: entry_cookie,
                };
                if !sink(entry) {
                    return Ok(());
                }
                after = entry_cookie;
            }
            if batch.len() < READDIR_BATCH {
                return Ok(());
            }
        }
    }

    /// A listing reads the directory: `atime` under `relatime`, as tmpfs.
    fn touch_dir_atime(&self, inode: &Inode) {
        let due = inode.state.read().atime_due(self.now());
        if due {
            self.touch_atime(inode);
        }
    }

    pub(crate) fn do_fallocate(
        &self,
        handle: HandleId,
        mode: FallocateMode,
        offset: u64,
        len: u64,
    ) -> Result<(), Errno> {
        let Handle { node, flags } = self.handles.get(handle)?;
        // Linux checks the range before the access mode.
        if len == 0 || offset > MAX_FILE_SIZE || len > MAX_FILE_SIZE {
            return Err(Errno::EINVAL);
        }
        if !flags.is_some_and(OpenFlags::writable) {
            return Err(Errno::EBADF);
        }
        if offset + len > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let mut state = node.state.write();
        let Content::File(data) = &mut state.content else {
            return Err(Errno::EBADF);
        };
        match mode {
            FallocateMode::Allocate => data.allocate(offset, len, false, &self.quota)?,
            FallocateMode::KeepSize => data.allocate(offset, len, true, &self.quota)?,
            FallocateMode::PunchHole => data.punch_hole(offset, len, &self.quota),
        }
        let now = self.now();
        state.modified(now);
        Ok(())
    }
}
