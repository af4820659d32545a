//! `HostError`: why a host directory could not be opened as a provider.

use std::path::PathBuf;
use vfsbox_api::Errno;

/// Why [`HostFs::open`](crate::HostFs::open) failed. Each variant names the root path and
/// carries the host's `errno`.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The root path does not exist.
    #[error("host root {path:?} does not exist")]
    NotFound {
        /// The root path given.
        path: PathBuf,
    },
    /// The root path exists but is not a directory.
    #[error("host root {path:?} is not a directory")]
    NotADirectory {
        /// The root path given.
        path: PathBuf,
    },
    /// The process may not open the root path.
    #[error("permission denied opening host root {path:?}")]
    PermissionDenied {
        /// The root path given.
        path: PathBuf,
    },
    /// Any other failure while opening or probing the root.
    #[error("cannot open host root {path:?}: {errno}")]
    Other {
        /// The root path given.
        path: PathBuf,
        /// What the host answered.
        errno: Errno,
    },
}

impl HostError {
    /// Classifies a host `errno` met while opening `path`.
    pub(crate) fn from_errno(path: PathBuf, errno: Errno) -> HostError {
        match errno {
            Errno::ENOENT => HostError::NotFound { path },
            Errno::ENOTDIR => HostError::NotADirectory { path },
            Errno::EACCES | Errno::EPERM => HostError::PermissionDenied { path },
            errno => HostError::Other { path, errno },
        }
    }

    /// The host `errno` behind this error.
    pub fn errno(&self) -> Errno {
        match self {
            HostError::NotFound { .. } => Errno::ENOENT,
            HostError::NotADirectory { .. } => Errno::ENOTDIR,
            HostError::PermissionDenied { .. } => Errno::EACCES,
            HostError::Other { errno, .. } => *errno,
        }
    }
}
