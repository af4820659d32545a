//! Checks made before mounting, so each refusal has a clear cause and nothing is left mounted.

use crate::MountError;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Checks `/dev/fuse`, the mountpoint and recursion, in that order, and returns the
/// mountpoint's canonical path.
///
/// # Errors
/// [`MountError::NoFuseDevice`], [`MountError::MountpointMissing`],
/// [`MountError::AlreadyMounted`] (also for a dead FUSE mount, whose `stat` is `ENOTCONN`),
/// [`MountError::NotADirectory`], [`MountError::PermissionDenied`], [`MountError::NotEmpty`],
/// [`MountError::Recursive`].
pub fn preflight(mountpoint: &Path, host_dirs: &[PathBuf]) -> Result<PathBuf, MountError> {
    fuse_device()?;
    let meta = match std::fs::metadata(mountpoint) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(MountError::MountpointMissing(mountpoint.to_path_buf()))
        }
        Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => {
            return Err(MountError::AlreadyMounted(mountpoint.to_path_buf()))
        }
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            return Err(MountError::PermissionDenied(mountpoint.to_path_buf()))
        }
        Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => {
            return Err(MountError::MountpointMissing(mountpoint.to_path_buf()))
        }
        Err(e) => return Err(MountError::Io(mountpoint.to_path_buf(), e)),
    };
    if !meta.is_dir() {
        return Err(MountError::NotADirectory(mountpoint.to_path_buf()));
    }
    let canonical = mountpoint
        .canonicalize()
        .map_err(|e| MountError::Io(mountpoint.to_path_buf(), e))?;
    if is_mount_point(&canonical) {
        return Err(MountError::AlreadyMounted(mountpoint.to_path_buf()));
    }
    if nix::unistd::access(&canonical, nix::unistd::AccessFlags::W_OK).is_err() {
        return Err(MountError::PermissionDenied(mountpoint.to_path_buf()));
    }
    let mut entries = std::fs::read_dir(&canonical).map_err(|e| match e.kind() {
        ErrorKind::PermissionDenied => MountError::PermissionDenied(mountpoint.to_path_buf()),
        _ => MountError::Io(mountpoint.to_path_buf(), e),
    })?;
    if entries.next().is_some() {
        return Err(MountError::NotEmpty(mountpoint.to_path_buf()));
    }
    for dir in host_dirs {
        // A host directory that cannot be resolved cannot contain the mountpoint either; the
        // provider reports its own error about it.
        if let Ok(host) = dir.canonicalize() {
            if canonical.starts_with(&host) {
                return Err(MountError::Recursive {
                    mountpoint: mountpoint.to_path_buf(),
                    host_dir: dir.clone(),
                });
            }
        }
    }
    Ok(canonical)
}

/// `/dev/fuse` exists and can be opened for reading and writing.
fn fuse_device() -> Result<(), MountError> {
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/fuse")
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            Err(MountError::PermissionDenied(PathBuf::from("/dev/fuse")))
        }
        Err(e) => Err(MountError::NoFuseDevice(e)),
    }
}

/// True if `canonical` is the mount point of a mount in this process's namespace.
pub fn is_mount_point(canonical: &Path) -> bool {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    info.lines().any(|line| {
        line.split(' ')
            .nth(4)
            .is_some_and(|field| unescape(field) == canonical.as_os_str().as_encoded_bytes())
    })
}

/// A mountinfo path field with its octal escapes (`\040` for a space, …) decoded.
fn unescape(field: &str) -> Vec<u8> {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 4 <= bytes.len() {
            let digits = &field[i + 1..i + 4];
            if let Ok(value) = u8::from_str_radix(digits, 8) {
                out.push(value);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes_are_decoded() {
        assert_eq!(unescape("/tmp/a\\040b"), b"/tmp/a b");
        assert_eq!(unescape("/plain"), b"/plain");
        assert_eq!(unescape("/end\\"), b"/end\\");
    }

    #[test]
    fn the_root_is_a_mount_point_and_a_fresh_dir_is_not() {
        assert!(is_mount_point(Path::new("/")));
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_mount_point(&dir.path().canonicalize().unwrap()));
    }
}
