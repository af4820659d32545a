//! Serves any vfsbox provider through the kernel with FUSE.
//!
//! [`mount`] checks the mountpoint, mounts a provider with `fuser` (pinned to 0.18.0, its
//! `&self` API with typed ids) and serves it on worker threads until [`Mount::unmount`] or
//! drop. The kernel resolves paths and checks permissions (`default_permissions`); the
//! adapter maps provider nodes to FUSE inode numbers with the kernel's lookup counts
//! ([`inodes`]), adds `.` and `..` to listings, and keeps directory offsets stable.
//!
//! What a mount shows differently from a kernel filesystem, because of FUSE (the kernel tests
//! compare everything else with a plain directory: `tests/posix.rs`, and `tests/scenarios.rs`,
//! which runs the differential suite's POSIX scenarios through a mount of each provider; the
//! machine-readable form of this list, with how each item is kept out of their records, is
//! `vfsbox_conformance::posix::FUSE_IMPOSED`):
//! - `st_ino` is the FUSE inode number (fuser sends one number for both), stable while the
//!   kernel holds the node, not the provider's `Attr::ino`; `st_dev` is the mount's.
//! - `d_ino` in a plain `readdir` reply is the provider's inode number; the adapter asks for
//!   `readdirplus` on every listing, where it is the FUSE number, as `stat` shows.
//! - Locks (`fcntl`, `flock`) live in the kernel, per mount: the adapter does not ask for
//!   `FUSE_POSIX_LOCKS`/`FUSE_FLOCK_LOCKS`, so they work fully among processes using the
//!   mount but are not seen by in-process users of the provider (it has no lock operations).
//! - A change made behind the adapter's back (on a host directory directly, or in-process
//!   without [`Invalidating`]) shows after the entry/attribute timeouts, not at once.
//! - Set-id bits are cleared on unprivileged writes by the adapter, which knows the caller's
//!   primary group only (FUSE does not send supplementary groups).
//!
//! Host files are served with FUSE passthrough (backing files, Linux 6.9+) when the kernel
//! offers it and the mount runs as root ([`MountOptions::passthrough`], on by default): the
//! kernel reads and writes them itself, without a round trip to the adapter. Only handles
//! whose provider stack answers [`FileSystem::backing_file`] qualify (the host provider, and
//! the read-only view, mount table, overlay upper layer and [`Invalidating`] over it);
//! wrappers that must see every read and write keep the default and are served as before.
//! See [`passthrough`] for the kernel's rules and how the adapter keeps
//! to them. [`Mount::io_stats`] tells how many opens used it.
#![forbid(unsafe_code)]

mod adapter;
mod checks;
mod convert;
pub mod demo;
mod dirs;
pub mod inodes;
mod notify;
mod passthrough;
mod unmount;

pub use checks::is_mount_point;
pub use notify::{Invalidating, Invalidator};
pub use unmount::{unmount_path, UnmountError};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vfsbox_api::FileSystem;

/// How a provider is mounted.
#[derive(Clone, Debug)]
pub struct MountOptions {
    /// How long the kernel may cache a name → node answer.
    pub entry_timeout: Duration,
    /// How long the kernel may cache attributes.
    pub attr_timeout: Duration,
    /// Worker threads reading requests from the kernel.
    pub threads: usize,
    /// Mount read-only (`ro`): the kernel refuses every change with `EROFS` itself.
    pub read_only: bool,
    /// Let other users in (`allow_other`); `default_permissions` makes the kernel check their
    /// permissions against the provider's modes and owners. Needs root or
    /// `user_allow_other` in `/etc/fuse.conf`.
    pub allow_other: bool,
    /// Keep the page cache of a file across opens (`FOPEN_KEEP_CACHE`).
    pub keep_cache: bool,
    /// Let the kernel buffer writes (`FUSE_WRITEBACK_CACHE`): faster small writes, but a
    /// change made in-process is seen only after the kernel flushes. The kernel does not
    /// combine it with passthrough: with it on, passthrough is not used.
    pub writeback_cache: bool,
    /// Serve files whose provider gives a host backing file (the host provider's regular
    /// files) with FUSE passthrough: the kernel reads, writes and maps the host file itself.
    /// Used only as root and where the kernel offers it (6.9+); otherwise, and whenever the
    /// kernel refuses a file, I/O goes through the adapter as usual. Off, to compare.
    pub passthrough: bool,
    /// The largest write request, and the read-ahead window (bytes).
    pub max_write: u32,
    /// The source shown in `/proc/mounts` (`fsname`).
    pub fsname: String,
    /// Host directories the provider exports: a mountpoint inside one is refused (the mount
    /// would show itself inside itself).
    pub host_dirs: Vec<PathBuf>,
    /// How long [`Mount::unmount`] waits for open files to be closed after a lazy unmount
    /// before it cuts the connection.
    pub unmount_grace: Duration,
}

impl Default for MountOptions {
    /// The defaults: passthrough on, no writeback cache, keep the page cache, 1 s timeouts.
    fn default() -> Self {
        MountOptions {
            entry_timeout: Duration::from_secs(1),
            attr_timeout: Duration::from_secs(1),
            threads: DEFAULT_THREADS,
            read_only: false,
            allow_other: false,
            keep_cache: true,
            writeback_cache: false,
            passthrough: true,
            max_write: 1 << 20,
            fsname: "vfsbox".to_string(),
            host_dirs: Vec::new(),
            unmount_grace: Duration::from_secs(2),
        }
    }
}

/// The default number of worker threads. Measured on 2 cores (memory provider, machine
/// shared with other jobs): one client's cold 4 KiB random reads ran at 25-28k IOPS with one
/// worker and 10-22k with two, and creating/statting/unlinking small files ran 20-40% faster
/// with one (every extra worker adds a wake-up per request); four parallel clients gained
/// about 20% from a second worker (38-43k vs 47-53k IOPS). Interactive use is mostly one
/// client at a time, so one worker is the default; `--threads 2` suits parallel builds.
pub const DEFAULT_THREADS: usize = 1;

/// What went through the adapter and what the kernel served itself, counted since the mount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoStats {
    /// `read` requests the adapter served.
    pub reads: u64,
    /// `write` requests the adapter served.
    pub writes: u64,
    /// Opens answered with a passthrough backing file (their reads and writes never reach
    /// the adapter).
    pub passthrough_opens: u64,
    /// Host files registered with the kernel as backing files (a registration is kept for
    /// the inode's later opens).
    pub backing_registrations: u64,
}

/// The counters behind [`IoStats`]: relaxed atomics, one increment per request.
#[derive(Default)]
pub(crate) struct IoCounters {
    reads: AtomicU64,
    writes: AtomicU64,
    passthrough_opens: AtomicU64,
    backing_registrations: AtomicU64,
}

impl IoCounters {
    pub(crate) fn count_read(&self) {
        self.reads.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn count_write(&self) {
        self.writes.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn count_passthrough_open(&self) {
        self.passthrough_opens.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn count_backing_registration(&self) {
        self.backing_registrations.fetch_add(1, Ordering::Relaxed);
    }
    fn snapshot(&self) -> IoStats {
        IoStats {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            passthrough_opens: self.passthrough_opens.load(Ordering::Relaxed),
            backing_registrations: self.backing_registrations.load(Ordering::Relaxed),
        }
    }
}

/// Why a mount failed. Nothing is left mounted after any of these.
#[derive(Debug, thiserror::Error)]
pub enum MountError {
    /// `/dev/fuse` is missing or cannot be opened.
    #[error("cannot open /dev/fuse ({0}); load the module with `modprobe fuse`, or in a container pass --device /dev/fuse")]
    NoFuseDevice(#[source] std::io::Error),
    /// The mountpoint does not exist.
    #[error("mountpoint {0:?} does not exist; create it first (mkdir -p {dir})", dir = .0.display())]
    MountpointMissing(PathBuf),
    /// The mountpoint is not a directory.
    #[error("mountpoint {0:?} is not a directory")]
    NotADirectory(PathBuf),
    /// The mountpoint has entries.
    #[error("mountpoint {0:?} is not empty; mount on an empty directory")]
    NotEmpty(PathBuf),
    /// Something is mounted there already (or a dead mount is left behind).
    #[error("{0:?} is already a mount point; if a vfsbox daemon died there, run `vfsbox umount {dir}`", dir = .0.display())]
    AlreadyMounted(PathBuf),
    /// The caller may not mount there (or may not use /dev/fuse).
    #[error("permission denied on {0:?}; run as root, or (with fusermount3 from the fuse3 package and access to /dev/fuse) mount on a directory you own")]
    PermissionDenied(PathBuf),
    /// The mountpoint is inside a host directory the provider exports.
    #[error("mountpoint {mountpoint:?} is inside host directory {host_dir:?} that the provider exports; the mount would contain itself, choose a mountpoint outside it")]
    Recursive {
        /// The mountpoint asked for.
        mountpoint: PathBuf,
        /// The exported directory containing it.
        host_dir: PathBuf,
    },
    /// Another I/O error about a path.
    #[error("{0:?}: {1}")]
    Io(PathBuf, #[source] std::io::Error),
    /// The mount itself failed.
    #[error("mounting at {0:?} failed: {1}")]
    Mount(PathBuf, #[source] std::io::Error),
}

/// A mounted provider. Dropping it unmounts (lazily if files are still open).
pub struct Mount {
    session: Option<fuser::BackgroundSession>,
    mountpoint: PathBuf,
    inodes: Arc<Inodes>,
    invalidator: Invalidator,
    grace: Duration,
    counters: Arc<IoCounters>,
}

use inodes::Inodes;

impl std::fmt::Debug for Mount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mount")
            .field("mountpoint", &self.mountpoint)
            .finish_non_exhaustive()
    }
}

/// Mounts `fs` at `mountpoint` and serves it on background threads.
///
/// # Errors
/// [`MountError`]: the checks of the mountpoint fail, or the kernel refuses the mount.
pub fn mount(
    fs: Arc<dyn FileSystem>,
    mountpoint: &Path,
    options: &MountOptions,
) -> Result<Mount, MountError> {
    let canonical = checks::preflight(mountpoint, &options.host_dirs)?;
    let inodes = Arc::new(Inodes::new(fs.root()));
    let counters = Arc::new(IoCounters::default());
    let adapter = adapter::Adapter::new(fs, inodes.clone(), options, counters.clone());
    let mut mount_options = vec![
        fuser::MountOption::FSName(options.fsname.clone()),
        fuser::MountOption::Subtype("vfsbox".to_string()),
        fuser::MountOption::DefaultPermissions,
        fuser::MountOption::NoSuid,
        fuser::MountOption::NoDev,
    ];
    mount_options.push(if options.read_only {
        fuser::MountOption::RO
    } else {
        fuser::MountOption::RW
    });
    let mut config = fuser::Config::default();
    config.mount_options = mount_options;
    config.acl = if options.allow_other {
        fuser::SessionACL::All
    } else {
        fuser::SessionACL::Owner
    };
    config.n_threads = Some(options.threads.max(1));
    // Each worker reads its own cloned /dev/fuse descriptor, so they do not contend on one.
    config.clone_fd = options.threads > 1;
    let session = fuser::Session::new(adapter, &canonical, &config)
        .map_err(|e| MountError::Mount(mountpoint.to_path_buf(), e))?;
    let invalidator = Invalidator::new(session.notifier(), inodes.clone());
    let session = session
        .spawn()
        .map_err(|e| MountError::Mount(mountpoint.to_path_buf(), e))?;
    Ok(Mount {
        session: Some(session),
        mountpoint: canonical,
        inodes,
        invalidator,
        grace: options.unmount_grace,
        counters,
    })
}

impl Mount {
    /// Where it is mounted (canonical).
    pub fn mountpoint(&self) -> &Path {
        &self.mountpoint
    }

    /// The handle that invalidates the kernel's caches after in-process changes.
    pub fn invalidator(&self) -> Invalidator {
        self.invalidator.clone()
    }

    /// Requests the adapter served and opens the kernel served itself (passthrough).
    pub fn io_stats(&self) -> IoStats {
        self.counters.snapshot()
    }

    /// How many inodes (besides the root) the kernel holds now.
    pub fn inodes_held(&self) -> usize {
        self.inodes.held()
    }

    /// True once the session has ended (unmounted from outside, or the connection aborted).
    pub fn has_ended(&self) -> bool {
        self.session.as_ref().is_none_or(|s| s.guard.is_finished())
    }

    /// Flushes the kernel's dirty data, unmounts, and waits for the session to end. A mount
    /// still in use (open files, a process's working directory) is detached lazily and given
    /// the grace period to drain; then the connection is cut so the daemon can exit.
    ///
    /// # Errors
    /// [`UnmountError`] if the kernel refuses the unmount.
    pub fn unmount(mut self) -> Result<(), UnmountError> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<(), UnmountError> {
        let Some(session) = self.session.take() else {
            return Ok(());
        };
        let result = if session.guard.is_finished() {
            Ok(())
        } else {
            unmount::sync(&self.mountpoint);
            let connection = unmount::connection_of(&self.mountpoint);
            let result = unmount_path(&self.mountpoint);
            let deadline = Instant::now() + self.grace;
            while !session.guard.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if !session.guard.is_finished() && connection.is_some_and(unmount::abort) {
                let deadline = Instant::now() + Duration::from_secs(2);
                while !session.guard.is_finished() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
            result
        };
        if session.guard.is_finished() {
            let _ = session.join();
        }
        result
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}
