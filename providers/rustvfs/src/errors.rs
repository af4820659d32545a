//! The two error conversions between rust-vfs and vfsbox, each one exhaustive `match`.

use std::io;
use vfs::error::VfsErrorKind;
use vfs::VfsError;
use vfsbox_api::Errno;

/// The errno closest to a rust-vfs error.
///
/// An I/O error keeps its raw OS errno (so `PhysicalFS` answers exactly what the kernel
/// said), else its `io::ErrorKind` decides ([`Errno::from_io`]). The rust-vfs kinds map to
/// the errno a POSIX filesystem gives for the same condition; `Other` carries only a message
/// (rust-vfs's `MemoryFS` uses it for "parent path does not exist" and "directory not
/// empty"), so callers check those conditions themselves before calling rust-vfs and an
/// `Other` that still arrives is `EIO`.
pub fn errno_from_vfs(err: &VfsError) -> Errno {
    match err.kind() {
        VfsErrorKind::IoError(io) => Errno::from_io(io),
        VfsErrorKind::FileNotFound => Errno::ENOENT,
        VfsErrorKind::InvalidPath => Errno::EINVAL,
        VfsErrorKind::DirectoryExists | VfsErrorKind::FileExists => Errno::EEXIST,
        VfsErrorKind::NotSupported => Errno::EOPNOTSUPP,
        VfsErrorKind::Other(_) => Errno::EIO,
    }
}

/// What the rust-vfs side of an error is about, so `EEXIST` can say which kind exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Nothing known about an existing entry.
    Unknown,
    /// The existing entry is a directory (`EEXIST` becomes `DirectoryExists`).
    Directory,
    /// The existing entry is not a directory (`EEXIST` becomes `FileExists`).
    File,
}

/// The rust-vfs error for a vfsbox errno.
///
/// `ENOENT`, `EEXIST`, `EOPNOTSUPP`/`ENOSYS` and an invalid name (`EINVAL` from name
/// validation, passed as `invalid_path`) become the rust-vfs kinds code written for rust-vfs
/// matches on (`FileNotFound`, `DirectoryExists`/`FileExists`, `NotSupported`,
/// `InvalidPath`); every other errno becomes `IoError` holding the raw errno, so
/// `io::Error::raw_os_error` gives it back. rust-vfs kinds other than `IoError` cannot hold
/// an errno, so those errors get a cause whose message names it (`"... (ENOENT)"`): rust-vfs
/// replaces an error's context with its own, but keeps the cause ([`std::error::Error::source`]).
pub fn vfs_from_errno(errno: Errno, existing: Existing, invalid_path: bool) -> VfsError {
    let kind = if invalid_path {
        VfsErrorKind::InvalidPath
    } else {
        match errno {
            Errno::ENOENT => VfsErrorKind::FileNotFound,
            Errno::EEXIST => match existing {
                Existing::Directory => VfsErrorKind::DirectoryExists,
                Existing::File | Existing::Unknown => VfsErrorKind::FileExists,
            },
            Errno::EOPNOTSUPP | Errno::ENOSYS => VfsErrorKind::NotSupported,
            other => return VfsError::from(io::Error::from_raw_os_error(other.raw())),
        }
    };
    VfsError::from(kind).with_cause(VfsError::from(VfsErrorKind::Other(errno.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_keep_their_raw_errno() {
        let err = VfsError::from(io::Error::from_raw_os_error(libc_enotempty()));
        assert_eq!(errno_from_vfs(&err), Errno::ENOTEMPTY);
    }

    fn libc_enotempty() -> i32 {
        Errno::ENOTEMPTY.raw()
    }

    #[test]
    fn rust_vfs_kinds_map_to_posix_errnos() {
        let cases = [
            (VfsErrorKind::FileNotFound, Errno::ENOENT),
            (VfsErrorKind::InvalidPath, Errno::EINVAL),
            (VfsErrorKind::DirectoryExists, Errno::EEXIST),
            (VfsErrorKind::FileExists, Errno::EEXIST),
            (VfsErrorKind::NotSupported, Errno::EOPNOTSUPP),
            (VfsErrorKind::Other("x".into()), Errno::EIO),
        ];
        for (kind, want) in cases {
            assert_eq!(errno_from_vfs(&VfsError::from(kind)), want);
        }
    }

    #[test]
    fn errnos_round_trip_through_rust_vfs() {
        for errno in [
            Errno::ENOENT,
            Errno::EEXIST,
            Errno::ENOTDIR,
            Errno::ENOTEMPTY,
            Errno::EISDIR,
            Errno::ELOOP,
            Errno::EROFS,
        ] {
            let err = vfs_from_errno(errno, Existing::Unknown, false);
            assert_eq!(errno_from_vfs(&err), errno, "{errno:?}");
        }
        let dir = vfs_from_errno(Errno::EEXIST, Existing::Directory, false);
        assert!(matches!(dir.kind(), VfsErrorKind::DirectoryExists));
        let cause = std::error::Error::source(&dir).map(ToString::to_string);
        assert!(cause.unwrap_or_default().contains("EEXIST"));
        let bad = vfs_from_errno(Errno::EINVAL, Existing::Unknown, true);
        assert!(matches!(bad.kind(), VfsErrorKind::InvalidPath));
    }
}
