//! Unmounting, also of mounts left behind by a daemon that died (`vfsbox umount`).

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why an unmount failed.
#[derive(Debug, thiserror::Error)]
pub enum UnmountError {
    /// Nothing is mounted there.
    #[error("{0:?} is not a mount point")]
    NotMounted(PathBuf),
    /// The path does not exist.
    #[error("{0:?} does not exist")]
    Missing(PathBuf),
    /// The kernel (and fusermount, for non-root users) refused.
    #[error("cannot unmount {0:?}: {1}")]
    Refused(PathBuf, #[source] std::io::Error),
}

/// Unmounts whatever is mounted at `path`: a plain unmount first, a lazy one (detached now,
/// gone when the last user leaves) if the mount is busy, and `fusermount3 -u -z` (then
/// `fusermount`) for users the kernel refuses. Works on dead FUSE mounts (`ENOTCONN`).
///
/// # Errors
/// [`UnmountError`] as described on its variants.
pub fn unmount_path(path: &Path) -> Result<(), UnmountError> {
    use nix::errno::Errno as E;
    use nix::mount::{umount2, MntFlags};
    match umount2(path, MntFlags::empty()) {
        Ok(()) => Ok(()),
        Err(E::EBUSY) => umount2(path, MntFlags::MNT_DETACH)
            .map_err(|e| UnmountError::Refused(path.to_path_buf(), e.into())),
        Err(E::EINVAL) => Err(UnmountError::NotMounted(path.to_path_buf())),
        Err(E::ENOENT) => Err(UnmountError::Missing(path.to_path_buf())),
        Err(E::EPERM) => fusermount(path),
        Err(e) => Err(UnmountError::Refused(path.to_path_buf(), e.into())),
    }
}

/// The set-uid helper unmounts FUSE mounts of the calling user.
fn fusermount(path: &Path) -> Result<(), UnmountError> {
    let mut last = std::io::Error::from_raw_os_error(libc::EPERM);
    for helper in ["fusermount3", "fusermount"] {
        match Command::new(helper)
            .arg("-u")
            .arg("-z")
            .arg("--")
            .arg(path)
            .output()
        {
            Ok(out) if out.status.success() => return Ok(()),
            Ok(out) => {
                last =
                    std::io::Error::other(String::from_utf8_lossy(&out.stderr).trim().to_string())
            }
            Err(e) => last = e,
        }
    }
    Err(UnmountError::Refused(path.to_path_buf(), last))
}

/// Flushes what the kernel buffers for the filesystem at `path` (`syncfs`), so nothing is lost
/// by the unmount. Best effort: a dead or busy mount has nothing more to flush.
pub fn sync(path: &Path) {
    if let Ok(dir) = std::fs::File::open(path) {
        let _ = nix::unistd::syncfs(&dir);
    }
}

/// The FUSE connection number of the mount at `path` (its anonymous device's minor).
pub fn connection_of(path: &Path) -> Option<u64> {
    let dev = std::fs::metadata(path).ok()?.dev();
    (libc::major(dev) == 0).then(|| u64::from(libc::minor(dev)))
}

/// Cuts a FUSE connection through the fusectl filesystem, so a detached mount still held by
/// open files stops waiting for the daemon. Best effort: without fusectl mounted at
/// `/sys/fs/fuse/connections`, the connection ends when the daemon's process exits. Returns
/// whether the connection was cut.
pub fn abort(connection: u64) -> bool {
    std::fs::write(format!("/sys/fs/fuse/connections/{connection}/abort"), "1").is_ok()
}
