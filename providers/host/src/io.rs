//! I/O: opening non-directories, reading, writing and the other calls on open handles, and
//! directory listings.

use crate::convert::host_id;
use crate::dir::DirStream;
use crate::handles::{FileHandle, Handle};
use crate::sys;
use crate::table::{Location, Node};
use crate::HostFs;
use parking_lot::Mutex;
use std::os::fd::{AsFd, OwnedFd};
use vfsbox_api::{
    DirEntry, Errno, FallocateMode, FileKind, HandleId, NodeId, OpenFlags, SeekHole, StatFs,
};

/// The host `open` flags a provider acts on (see `OpenFlags`): the access mode, append and
/// the I/O behaviour flags. Creation and resolution flags are the provider's own business.
pub(crate) fn io_flags(flags: OpenFlags) -> libc::c_int {
    let keep = libc::O_ACCMODE
        | libc::O_APPEND
        | libc::O_SYNC
        | libc::O_DSYNC
        | libc::O_DIRECT
        | libc::O_NOATIME
        | libc::O_NONBLOCK;
    flags.raw() & keep
}

/// An offset as the kernel's signed `off_t`, or `err` if it does not fit.
fn offset(value: u64, err: Errno) -> Result<i64, Errno> {
    i64::try_from(value).map_err(|_| err)
}

impl HostFs {
    /// Opens the non-directory `node` with host flags `oflags` through one of the names it
    /// was seen under: `openat(parent, name, oflags|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC)`, kept
    /// only if the result is the node's own inode. `ESTALE` when no remembered name still
    /// names it (a host process moved or removed it; a new lookup finds it again).
    pub(crate) fn reopen(
        &self,
        node: &Node,
        locations: &[Location],
        oflags: libc::c_int,
    ) -> Result<OwnedFd, Errno> {
        for loc in locations {
            let fd = match sys::openat(loc.parent.fd.as_fd(), &loc.name, oflags, 0) {
                Ok(fd) => fd,
                // The name is gone or now names a symlink or directory: not our inode.
                Err(Errno::ENOENT | Errno::ELOOP | Errno::EISDIR | Errno::ENOTDIR) => continue,
                Err(e) => return Err(e),
            };
            if host_id(&sys::statx_fd(fd.as_fd())?) == node.host {
                return Ok(fd);
            }
        }
        Err(Errno::ESTALE)
    }

    pub(crate) fn do_open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno> {
        let (node, locations) = self.table.get_with_locations(node)?;
        match node.kind {
            FileKind::Directory => return Err(Errno::EISDIR),
            FileKind::Symlink => return Err(Errno::ELOOP),
            _ => {}
        }
        let truncate = flags.contains(OpenFlags::TRUNCATE);
        if self.caps.read_only && (flags.writable() || truncate) {
            return Err(Errno::EROFS);
        }
        // O_NONBLOCK always: whatever the name names by now, opening it must not block.
        let fd = self.reopen(&node, &locations, io_flags(flags) | libc::O_NONBLOCK)?;
        if node.kind == FileKind::Regular && truncate {
            if flags.writable() {
                sys::ftruncate(fd.as_fd(), 0)?;
            } else {
                // O_RDONLY|O_TRUNC truncates on Linux, given write permission: ask for it.
                let w = self.reopen(&node, &locations, libc::O_WRONLY | libc::O_NONBLOCK)?;
                sys::ftruncate(w.as_fd(), 0)?;
            }
        }
        if node.kind != FileKind::Regular && !flags.contains(OpenFlags::NONBLOCK) {
            sys::clear_nonblock(fd.as_fd())?;
        }
        Ok(self.handles.insert(Handle::File(FileHandle {
            fd,
            readable: flags.readable(),
            writable: flags.writable(),
            positional: matches!(node.kind, FileKind::Regular | FileKind::BlockDevice),
            regular: node.kind == FileKind::Regular,
        })))
    }

    pub(crate) fn do_read(
        &self,
        handle: HandleId,
        at: u64,
        buf: &mut [u8],
    ) -> Result<usize, Errno> {
        let handle = self.handles.file(handle)?;
        let file = handle.as_file()?;
        if !file.readable {
            return Err(Errno::EBADF);
        }
        if file.positional {
            sys::pread(file.fd.as_fd(), buf, offset(at, Errno::EINVAL)?)
        } else {
            sys::read(file.fd.as_fd(), buf)
        }
    }

    pub(crate) fn do_write(&self, handle: HandleId, at: u64, data: &[u8]) -> Result<usize, Errno> {
        let handle = self.handles.file(handle)?;
        let file = handle.as_file()?;
        if !file.writable {
            return Err(Errno::EBADF);
        }
        if file.positional {
            // On an O_APPEND descriptor Linux's pwrite appends whatever the offset.
            sys::pwrite(file.fd.as_fd(), data, offset(at, Errno::EFBIG)?)
        } else {
            sys::write(file.fd.as_fd(), data)
        }
    }

    /// `backing_file`: a duplicate of the handle's descriptor, for regular files only (never
    /// a directory: directory handles are `Handle::Dir` and answer `None`; nor a FIFO, socket
    /// or device).
    ///
    /// This is the only place a host descriptor leaves the provider. Its one consumer is the
    /// FUSE mount, which registers it with the kernel as the backing file of the open FUSE
    /// file and closes it: the descriptor never reaches sandboxed code, and the kernel only
    /// ever reaches the inode the handle already has open (it reopens that dentry, never a
    /// name), so nothing outside the provider's root becomes reachable. The handle's access
    /// mode is the FUSE open's (the adapter passes the kernel's flags to `open`), so the
    /// kernel's reopening with those flags grants nothing the provider did not.
    pub(crate) fn do_backing_file(&self, handle: HandleId) -> Option<OwnedFd> {
        let handle = self.handles.file(handle).ok()?;
        let file = handle.as_file().ok()?;
        if !file.regular {
            return None;
        }
        // F_DUPFD_CLOEXEC; fails only when the process is out of descriptors: then no
        // backing file, and I/O comes to the provider as usual.
        file.fd.try_clone().ok()
    }

    pub(crate) fn do_fsync(&self, handle: HandleId, datasync: bool) -> Result<(), Errno> {
        let handle = self.handles.file(handle)?;
        sys::fsync(handle.as_file()?.fd.as_fd(), datasync)
    }

    pub(crate) fn do_seek(&self, handle: HandleId, at: u64, what: SeekHole) -> Result<u64, Errno> {
        let handle = self.handles.file(handle)?;
        let whence = match what {
            SeekHole::Data => libc::SEEK_DATA,
            SeekHole::Hole => libc::SEEK_HOLE,
        };
        sys::lseek(
            handle.as_file()?.fd.as_fd(),
            offset(at, Errno::ENXIO)?,
            whence,
        )
    }

    pub(crate) fn do_fallocate(
        &self,
        handle: HandleId,
        mode: FallocateMode,
        at: u64,
        len: u64,
    ) -> Result<(), Errno> {
        let handle = self.handles.file(handle)?;
        let mode = match mode {
            FallocateMode::Allocate => 0,
            FallocateMode::KeepSize => libc::FALLOC_FL_KEEP_SIZE,
            FallocateMode::PunchHole => libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE,
        };
        sys::fallocate(
            handle.as_file()?.fd.as_fd(),
            mode,
            offset(at, Errno::EFBIG)?,
            offset(len, Errno::EFBIG)?,
        )
    }

    pub(crate) fn do_opendir(&self, node: NodeId) -> Result<HandleId, Errno> {
        let node = self.table.get(node)?;
        if node.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        let fd = sys::open_dot(node.fd.as_fd())?;
        Ok(self
            .handles
            .insert(Handle::Dir(Mutex::new(DirStream::new(fd)))))
    }

    pub(crate) fn do_readdir(
        &self,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        let handle = self.handles.get(handle)?;
        match &*handle {
            Handle::Dir(stream) => stream.lock().list(cookie, sink),
            Handle::File(_) => Err(Errno::EBADF),
        }
    }

    pub(crate) fn do_statfs(&self, node: NodeId) -> Result<StatFs, Errno> {
        let node = self.table.get(node)?;
        Ok(crate::convert::statfs(&sys::fstatvfs(node.fd.as_fd())?))
    }
}
