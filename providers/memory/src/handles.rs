//! Open files and directories: a concurrent table from handle id to the node and how it was
//! opened. A handle holds its node alive, so I/O keeps working after the last name is gone.

use crate::idhash::IdMap;
use crate::inode::Inode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use vfsbox_api::{Errno, HandleId, OpenFlags};

/// What a handle refers to.
#[derive(Clone)]
pub(crate) struct Handle {
    pub(crate) node: Arc<Inode>,
    /// `None` for a directory handle.
    pub(crate) flags: Option<OpenFlags>,
}

#[derive(Default)]
pub(crate) struct Handles {
    map: IdMap<Handle>,
    next: AtomicU64,
}

impl Handles {
    pub(crate) fn insert(&self, handle: Handle) -> HandleId {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        self.map.insert(id, handle);
        HandleId(id)
    }

    /// The handle, cloned out so no table lock is held while its node is locked.
    ///
    /// # Errors
    /// `EBADF` if unknown or released.
    pub(crate) fn get(&self, id: HandleId) -> Result<Handle, Errno> {
        self.map.get(&id.0).map(|h| h.clone()).ok_or(Errno::EBADF)
    }

    /// Removes a handle of the wanted sort (file or directory).
    ///
    /// # Errors
    /// `EBADF` if unknown, released, or of the other sort.
    pub(crate) fn remove(&self, id: HandleId, directory: bool) -> Result<Handle, Errno> {
        self.map
            .remove_if(&id.0, |_, h| h.flags.is_none() == directory)
            .map(|(_, h)| h)
            .ok_or(Errno::EBADF)
    }
}
