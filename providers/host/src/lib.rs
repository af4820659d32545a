//! The host provider: a [`FileSystem`](vfsbox_api::FileSystem) over one host directory, confined by construction.
//!
//! [`HostFs::open`] opens the root once through cap-std's `open_ambient_dir`, the provider's
//! only use of ambient authority. Everything after works from descriptors:
//!
//! - every node holds a descriptor of its inode (`O_PATH|O_NOFOLLOW|O_CLOEXEC`), its host
//!   (device, inode) pair, and for non-directories the names it was last seen under
//!   (the `table` module);
//! - namespace operations are single-name `*at` calls relative to a directory node's
//!   descriptor, with `O_NOFOLLOW`/`AT_SYMLINK_NOFOLLOW` and `O_CLOEXEC` (the `sys` module is the only
//!   module that makes system calls);
//! - attribute operations act on the node's own descriptor (`statx`, `fchmodat2`,
//!   `fchownat`, `utimensat` with `AT_EMPTY_PATH`), so they reach exactly that inode, even
//!   after it was renamed or unlinked, and never follow a symlink;
//! - the few operations the kernel offers only by name (opening a non-directory for I/O,
//!   truncating without a handle, xattrs of a regular file) open the remembered name in the
//!   remembered parent with `O_NOFOLLOW|O_NONBLOCK` and check that the result is the node's
//!   inode, else answer `ESTALE` (a host process renamed it; a new lookup finds it again);
//! - `open_name` opens a regular file by name in one `openat` and describes the descriptor it
//!   got with one `statx`, so the consumer's permission check and the node it returns are
//!   about the inode actually opened and no identity check is needed (the `open_name`
//!   module; anything but a regular file is left to lookup + open).
//!
//! No operation ever passes more than one name to the kernel, so the provider needs no
//! `openat2(RESOLVE_BENEATH)`: a directory swapped for a symlink to outside is met as a
//! symlink (`O_NOFOLLOW` → the link itself or `ELOOP`), never walked through. No host
//! path or `/proc` entry is used or handed out, and no host descriptor reaches sandboxed
//! code: the one descriptor that leaves the provider is a duplicate of an open regular
//! file's, from `backing_file`, which only the FUSE mount calls, to give it to the kernel as
//! a passthrough backing file (see `io.rs`). The one limit of any
//! descriptor-based confinement remains: a host process that *moves* a directory the provider
//! holds out of the root takes the provider's descriptor with it.
//!
//! Semantics worth knowing:
//! - Modes given to creating calls are final: where the process umask (or a default ACL)
//!   changed them, the provider sets them again with `fchmodat2`; the umask itself is never
//!   touched (it is process-wide and would race with other threads).
//! - Set-user-id and set-group-id bits are stripped on every create and chmod, directories
//!   included (`Capabilities::setid_bits` is false): a sandbox never plants a set-id binary
//!   on the host, and a set-gid directory the kernel would give a new subdirectory of a
//!   set-gid host directory is stripped too, which is the simple safe choice.
//! - Ownership: run as root, new nodes get the given `Owner` (the group of a set-gid parent
//!   directory instead, as the kernel assigns it) and `setattr` changes uid/gid freely.
//!   Otherwise `Capabilities::ownership` is false, new nodes belong to the process, and uid/gid
//!   changes get the kernel's answer for an unprivileged owner: keeping the same ids or
//!   choosing one of the process's groups succeeds, anything else is `EPERM`.
//! - Device nodes are never made (`mknod` of a device is `EPERM`), so a sandbox cannot plant
//!   one on the host. FIFOs, sockets and devices that exist are opened with `O_NONBLOCK`
//!   (a FIFO without reader answers `ENXIO`, a socket `ENXIO`), which is cleared again
//!   unless the caller asked for it.
//! - `readdir` lists through `getdents64` with the kernel's `d_off` as cookies; a read-ahead
//!   batch may still deliver an entry removed after it was read (as ext4 and the C library
//!   do). A removed directory answers `ENOENT`, as `getdents64` does. The `sink` must not
//!   call `readdir` on the same handle (the handle's buffer is locked while it runs).
//! - xattrs of a regular file go through a descriptor opened by name (`O_RDONLY`), so they
//!   need read permission and answer `ESTALE` like `open` when a host process moved the
//!   file; symlinks and special files hold no `user.*` attributes (get `ENODATA`, set and
//!   remove `EPERM`, as Linux answers), and `listxattr` shows only `user.*` names.
//! - `HostFs::open` raises the soft `RLIMIT_NOFILE` to the hard limit, as every node holds a
//!   descriptor until it is forgotten.
//! - Forgotten nodes are cached ([`cache`]): a path walk's lookup + forget of the same names
//!   costs one `statx` per name. A cached descriptor keeps its inode alive: inodes this
//!   provider deletes are evicted at once, but a file or directory deleted by another host
//!   process keeps its space until its entry is evicted (the cache holds at most 4096, and
//!   at most an eighth of `RLIMIT_NOFILE`).
#![deny(unsafe_code)]

mod attrs;
mod cache;
mod convert;
mod dir;
mod error;
mod fs;
mod handles;
mod io;
mod namespace;
mod open_name;
mod sys;
mod table;

pub use error::HostError;

use handles::Handles;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use table::{Node, Table};
use vfsbox_api::{Capabilities, Errno, FileKind};

/// The `f_type` of vfat/msdos filesystems (2-second times, case-insensitive names).
const MSDOS_SUPER_MAGIC: i64 = 0x4d44;

/// A host directory as a vfsbox provider. See the [crate documentation](crate).
pub struct HostFs {
    table: Table,
    handles: Handles,
    caps: Capabilities,
}

impl HostFs {
    /// Opens the host directory `root` as a provider.
    ///
    /// # Errors
    /// [`HostError::NotFound`] if `root` does not exist, [`HostError::NotADirectory`] if it is
    /// not a directory, [`HostError::PermissionDenied`] if the process may not open it, and
    /// [`HostError::Other`] for anything else the host answers.
    pub fn open(root: impl AsRef<Path>) -> Result<HostFs, HostError> {
        let path = root.as_ref();
        let fail = |errno: Errno| HostError::from_errno(path.to_path_buf(), errno);
        let dir = cap_std::fs::Dir::open_ambient_dir(path, cap_std::ambient_authority())
            .map_err(|e| fail(Errno::from_io(&e)))?;
        let fd = OwnedFd::from(dir);
        let st = sys::statx_fd(fd.as_fd()).map_err(fail)?;
        let attr = convert::attr(&st).map_err(fail)?;
        if attr.kind != FileKind::Directory {
            return Err(fail(Errno::ENOTDIR));
        }
        let nofile = sys::raise_nofile_limit();
        let caps = probe_capabilities(&fd).map_err(fail)?;
        let root = Node {
            fd,
            kind: FileKind::Directory,
            host: convert::host_id(&st),
        };
        // A small share of the descriptors the process may hold: live nodes need the rest.
        let cache = usize::try_from(nofile / 8).unwrap_or(usize::MAX);
        Ok(HostFs {
            table: Table::new(root, cache),
            handles: Handles::new(),
            caps,
        })
    }

    /// How many nodes the provider currently holds (root included): looked up and not yet
    /// forgotten. Cached forgotten nodes are not counted (see [`HostFs::cached_count`]).
    pub fn node_count(&self) -> usize {
        self.table.len()
    }

    /// How many forgotten nodes the provider keeps a descriptor of, for a later lookup of
    /// the same inode, and the most it keeps (a share of `RLIMIT_NOFILE`, at most 4096).
    pub fn cached_count(&self) -> (usize, usize) {
        self.table.cached()
    }
}

/// What the filesystem under `root` supports, asked of the host without changing anything.
fn probe_capabilities(root: &OwnedFd) -> Result<Capabilities, Errno> {
    let st = sys::fstatfs(root.as_fd())?;
    let fs = convert::statfs(&sys::fstatvfs(root.as_fd())?);
    let vfat = st.f_type == MSDOS_SUPER_MAGIC;
    // A user.* attribute nobody set: ENODATA means the filesystem takes user xattrs.
    let dot = sys::open_dot(root.as_fd())?;
    let xattrs = match sys::fgetxattr(dot.as_fd(), b"user.vfsbox.probe") {
        Ok(_) => true,
        Err(e) => e == Errno::ENODATA,
    };
    Ok(Capabilities {
        symlinks: !vfat,
        hard_links: !vfat,
        // Every local Linux filesystem vfsbox targets (ext4, xfs, btrfs, tmpfs) has both;
        // elsewhere the kernel's EINVAL comes through, as the capability documents.
        rename_noreplace: true,
        rename_exchange: true,
        xattrs,
        ownership: sys::geteuid() == 0,
        setid_bits: false,
        fifos: !vfat,
        fallocate: true,
        unlinked_open_files: true,
        read_only: fs.read_only,
        case_sensitive: !vfat,
        time_resolution_ns: if vfat { 2_000_000_000 } else { 1 },
        // The host filesystem's own limit answers EFBIG where it is lower.
        max_file_size: i64::MAX as u64,
        byte_names: !vfat,
    })
}
