//! Open files and directories of the overlay, each mapped to a handle of one layer.
//!
//! A file handle belongs to the layer the file was in when it was opened: a read-only handle
//! opened before a copy-up keeps reading the lower data. A directory handle holds its node and
//! opens layer directory handles lazily, for whatever halves the directory has when listed.

use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use vfsbox_api::{Errno, HandleId, NameBuf, NodeId};

/// Which layer a file handle is open in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layer {
    Upper,
    Lower,
}

/// The listing state of one directory handle.
#[derive(Default)]
pub(crate) struct DirState {
    /// The upper directory and the upper handle open on it.
    pub upper: Option<(NodeId, HandleId)>,
    /// The lower directory and the lower handle open on it.
    pub lower: Option<(NodeId, HandleId)>,
    /// Names lower entries are hidden by (upper names and whited-out names), taken when the
    /// listing entered the lower phase.
    pub hidden: Option<HashSet<NameBuf>>,
}

/// An open directory: its node (held by the handle) and listing state.
pub(crate) struct DirHandle {
    pub node: u64,
    pub state: Mutex<DirState>,
}

/// One open handle.
#[derive(Clone)]
pub(crate) enum Handle {
    File(Layer, HandleId),
    Dir(Arc<DirHandle>),
}

/// Handle ids → handles. Ids are never reused.
pub(crate) struct HandleTable {
    map: Mutex<HashMap<u64, Handle>>,
    next: AtomicU64,
}

impl Default for HandleTable {
    fn default() -> Self {
        HandleTable {
            map: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
        }
    }
}

impl HandleTable {
    /// Registers a handle and returns its id.
    pub fn insert(&self, handle: Handle) -> HandleId {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.map.lock().insert(id, handle);
        HandleId(id)
    }

    /// The handle, `EBADF` if unknown.
    pub fn get(&self, id: HandleId) -> Result<Handle, Errno> {
        self.map.lock().get(&id.0).cloned().ok_or(Errno::EBADF)
    }

    /// The file handle, `EBADF` if unknown or a directory handle.
    pub fn file(&self, id: HandleId) -> Result<(Layer, HandleId), Errno> {
        match self.get(id)? {
            Handle::File(layer, h) => Ok((layer, h)),
            Handle::Dir(_) => Err(Errno::EBADF),
        }
    }

    /// The directory handle, `EBADF` if unknown or a file handle.
    pub fn dir(&self, id: HandleId) -> Result<Arc<DirHandle>, Errno> {
        match self.get(id)? {
            Handle::Dir(d) => Ok(d),
            Handle::File(..) => Err(Errno::EBADF),
        }
    }

    /// Removes a file handle; `EBADF` if unknown or a directory handle.
    pub fn remove_file(&self, id: HandleId) -> Result<(Layer, HandleId), Errno> {
        let mut map = self.map.lock();
        match map.get(&id.0) {
            Some(Handle::File(layer, h)) => {
                let found = (*layer, *h);
                map.remove(&id.0);
                Ok(found)
            }
            _ => Err(Errno::EBADF),
        }
    }

    /// Removes a directory handle; `EBADF` if unknown or a file handle.
    pub fn remove_dir(&self, id: HandleId) -> Result<Arc<DirHandle>, Errno> {
        let mut map = self.map.lock();
        match map.get(&id.0) {
            Some(Handle::Dir(d)) => {
                let d = d.clone();
                map.remove(&id.0);
                Ok(d)
            }
            _ => Err(Errno::EBADF),
        }
    }
}
