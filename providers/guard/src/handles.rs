//! The handle table: for each open handle, the path it was opened by (for audit lines), the
//! node and its verdicts (for `ftruncate` after a forget), and what the limits need.

use crate::audit::Bytes;
use crate::idhash::IdMap;
use crate::paths::PathBuf;
use crate::verdicts::Verdicts;
use std::sync::atomic::{AtomicU64, Ordering};
use vfsbox_api::{HandleId, NodeId};

/// What the wrapper keeps per open handle.
#[derive(Debug)]
pub(crate) struct HandleInfo {
    pub(crate) node: NodeId,
    pub(crate) path: Option<PathBuf>,
    pub(crate) verdicts: Verdicts,
    /// It holds an open-files slot.
    pub(crate) counted: bool,
    /// Opened for writing (else the inner provider answers `EBADF` to writes, before limits).
    pub(crate) writable: bool,
    /// `O_APPEND`: writes land at the end, whatever offset is passed.
    pub(crate) append: bool,
    /// Bytes read and written through the handle, counted only when there is an audit log
    /// (its `release` line reports them).
    pub(crate) read: AtomicU64,
    pub(crate) written: AtomicU64,
}

impl HandleInfo {
    /// The totals so far.
    pub(crate) fn bytes(&self) -> Bytes {
        Bytes {
            read: self.read.load(Ordering::Relaxed),
            written: self.written.load(Ordering::Relaxed),
        }
    }
}

/// Open handles, keyed by the inner provider's handle id (passed through unchanged).
#[derive(Debug, Default)]
pub(crate) struct HandleTable {
    handles: IdMap<HandleId, HandleInfo>,
}

impl HandleTable {
    pub(crate) fn insert(&self, handle: HandleId, info: HandleInfo) {
        self.handles.insert(handle, info);
    }

    pub(crate) fn remove(&self, handle: HandleId) -> Option<HandleInfo> {
        self.handles.remove(&handle).map(|(_, info)| info)
    }

    /// The path the handle was opened by (an `Arc` clone, no allocation).
    pub(crate) fn path(&self, handle: HandleId) -> Option<PathBuf> {
        self.handles.get(&handle).and_then(|h| h.path.clone())
    }

    /// Runs `f` on the handle's entry, if it is open.
    pub(crate) fn with<T>(&self, handle: HandleId, f: impl FnOnce(&HandleInfo) -> T) -> Option<T> {
        self.handles.get(&handle).map(|h| f(&h))
    }
}
