//! Open files and directories: the handle table.

use crate::dir::DirStream;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use vfsbox_api::{Errno, HandleId};

/// An open non-directory: a real host descriptor opened with the caller's access mode.
#[derive(Debug)]
pub(crate) struct FileHandle {
    pub(crate) fd: OwnedFd,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    /// Regular files and block devices take offsets (`pread`/`pwrite`); FIFOs, sockets and
    /// character devices do not (`read`/`write`, as `pread` there is `ESPIPE`).
    pub(crate) positional: bool,
    /// A regular file: the only kind whose descriptor may become a FUSE backing file.
    pub(crate) regular: bool,
}

/// What a handle is.
pub(crate) enum Handle {
    File(FileHandle),
    Dir(Mutex<DirStream>),
}

/// Handle ids come from a counter and are never reused.
pub(crate) struct Handles {
    map: Mutex<HashMap<u64, Arc<Handle>, crate::table::FastBuild>>,
    next: AtomicU64,
}

impl Handles {
    pub(crate) fn new() -> Handles {
        Handles {
            map: Mutex::new(HashMap::default()),
            next: AtomicU64::new(1),
        }
    }

    pub(crate) fn insert(&self, handle: Handle) -> HandleId {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.map.lock().insert(id, Arc::new(handle));
        HandleId(id)
    }

    /// The handle behind `id`; `EBADF` if unknown or released.
    pub(crate) fn get(&self, id: HandleId) -> Result<Arc<Handle>, Errno> {
        self.map.lock().get(&id.0).cloned().ok_or(Errno::EBADF)
    }

    /// The file handle behind `id`; `EBADF` if unknown or a directory handle.
    pub(crate) fn file(&self, id: HandleId) -> Result<Arc<Handle>, Errno> {
        let handle = self.get(id)?;
        match *handle {
            Handle::File(_) => Ok(handle),
            Handle::Dir(_) => Err(Errno::EBADF),
        }
    }

    /// Removes `id` if `is_dir` matches its kind; `EBADF` otherwise. The descriptor closes
    /// when the last in-flight call on it finishes.
    pub(crate) fn remove(&self, id: HandleId, is_dir: bool) -> Result<(), Errno> {
        let mut map = self.map.lock();
        match map.get(&id.0).map(|h| matches!(**h, Handle::Dir(_))) {
            Some(kind) if kind == is_dir => {
                map.remove(&id.0);
                Ok(())
            }
            _ => Err(Errno::EBADF),
        }
    }
}

impl Handle {
    /// The file handle inside; callers got this handle from [`Handles::file`].
    pub(crate) fn as_file(&self) -> Result<&FileHandle, Errno> {
        match self {
            Handle::File(f) => Ok(f),
            Handle::Dir(_) => Err(Errno::EBADF),
        }
    }
}
