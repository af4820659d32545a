//! FUSE passthrough (backing files, Linux 6.9+): which open files the kernel serves from a
//! host file directly, and the kernel's rules for mixing them with ordinary open files.
//!
//! When the provider gives a handle's host file ([`FileSystem::backing_file`]), the adapter
//! registers it with the kernel (`FUSE_DEV_IOC_BACKING_OPEN`, which needs `CAP_SYS_ADMIN`)
//! and answers the open with `FOPEN_PASSTHROUGH` and the backing id: the kernel then reads,
//! writes and maps the file itself, and those requests never reach the adapter. The kernel
//! (fs/fuse/iomode.c) allows, per inode, either open files without passthrough (cached io)
//! or passthrough files that all share one backing file, never both at once; an open that
//! breaks this fails with `EIO` in the opening process. So this module tracks, per FUSE
//! inode, which kind is open:
//! - an inode with cached open files gets more cached ones, backing file or not;
//! - an inode with passthrough files gets more with the same registered backing id if the
//!   provider gives the same host file (device and inode), and is a conflict otherwise
//!   (the adapter answers `EIO`, as the kernel would; no built-in provider does this);
//! - an idle inode gets a passthrough file if the provider gives a backing file and the
//!   kernel registers it, else a cached one. A refused registration is logged once and the
//!   open goes on as a cached one: passthrough never fails an open.
//!
//! The registered id is kept while the kernel knows the inode, not only while it has open
//! files: registering costs a `dup`, an ioctl and a close per open, which doubled the time of
//! an open+close. It is closed when the kernel forgets the inode, or replaced when the
//! provider gives another host file for an inode with no open files (the kernel's rule is
//! about open files, so an idle registration constrains nothing).
//!
//! Writes through a passthrough file bypass the page cache of the FUSE inode. The kernel
//! updates the inode's size and invalidates its attributes itself after each one, so `stat`
//! asks the provider again; but pages cached by an earlier cached open may be stale, so the
//! first cached open after passthrough files does not keep the page cache.
//!
//! [`FileSystem::backing_file`]: vfsbox_api::FileSystem::backing_file

use fuser::BackingId;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A host file's identity: (device, inode).
type FileId = (u64, u64);

/// How the kernel is told to serve one open.
pub(crate) enum OpenMode {
    /// Through the adapter; `keep_cache`: the page cache may be kept (`FOPEN_KEEP_CACHE`).
    Cached { keep_cache: bool },
    /// From this backing file.
    Passthrough(Arc<BackingId>),
}

/// The provider gave a different host file (or none) for an inode whose open files already
/// use a backing file: the kernel would fail the open with `EIO`.
#[derive(Debug)]
pub(crate) struct Conflict;

/// The open files of one FUSE inode.
#[derive(Default)]
struct InodeIo {
    /// Open files without passthrough.
    cached: usize,
    /// The registered backing file, its host file and how many open files use it (0: kept
    /// for the next open).
    passthrough: Option<(Arc<BackingId>, FileId, usize)>,
    /// Passthrough files were open since the last cached open: pages cached before may be
    /// stale.
    stale_cache: bool,
}

impl InodeIo {
    /// No open files (a registration may be kept).
    fn idle(&self) -> bool {
        self.cached == 0
            && self
                .passthrough
                .as_ref()
                .is_none_or(|(_, _, opens)| *opens == 0)
    }
}

#[derive(Default)]
struct State {
    inodes: HashMap<u64, InodeIo>,
    /// Open file handle → (inode, uses passthrough).
    handles: HashMap<u64, (u64, bool)>,
}

/// The passthrough bookkeeping of one mount.
#[derive(Default)]
pub(crate) struct Passthrough {
    state: Mutex<State>,
    refusal_logged: AtomicBool,
}

impl Passthrough {
    /// Decides how file handle `fh` of inode `ino` is opened. `backing` is the provider's
    /// host file for it, if any; `register` registers a host file with the kernel.
    pub(crate) fn open(
        &self,
        ino: u64,
        fh: u64,
        backing: Option<OwnedFd>,
        register: impl FnOnce(&File) -> std::io::Result<BackingId>,
    ) -> Result<OpenMode, Conflict> {
        let file = backing.map(File::from);
        let id = file
            .as_ref()
            .and_then(|f| f.metadata().ok())
            .map(|m| (m.dev(), m.ino()));
        let mut state = self.state.lock();
        let io = state.inodes.entry(ino).or_default();
        if let Some((_, file_id, 0)) = &io.passthrough {
            if id != Some(*file_id) {
                // Another host file (or none) for an inode with no open files: the kept
                // registration is of no use now.
                io.passthrough = None;
            }
        }
        let mode = if io.cached > 0 {
            None
        } else if let Some((backing, file_id, opens)) = &mut io.passthrough {
            if id != Some(*file_id) {
                return Err(Conflict);
            }
            *opens += 1;
            Some(backing.clone())
        } else if let (Some(file), Some(id)) = (file, id) {
            match register(&file) {
                Ok(backing) => {
                    let backing = Arc::new(backing);
                    io.passthrough = Some((backing.clone(), id, 1));
                    Some(backing)
                }
                Err(e) => {
                    self.log_refusal(&e);
                    None
                }
            }
        } else {
            None
        };
        let mode = match mode {
            Some(backing) => {
                io.stale_cache = true;
                OpenMode::Passthrough(backing)
            }
            None => {
                io.cached += 1;
                let keep_cache = !std::mem::take(&mut io.stale_cache);
                OpenMode::Cached { keep_cache }
            }
        };
        let passthrough = matches!(mode, OpenMode::Passthrough(_));
        state.handles.insert(fh, (ino, passthrough));
        Ok(mode)
    }

    /// File handle `fh` was released. A backing id stays registered for the inode's next
    /// open (until [`Passthrough::forget`]).
    pub(crate) fn release(&self, fh: u64) {
        let mut state = self.state.lock();
        let Some((ino, passthrough)) = state.handles.remove(&fh) else {
            return;
        };
        let Some(io) = state.inodes.get_mut(&ino) else {
            return;
        };
        if passthrough {
            if let Some((_, _, opens)) = &mut io.passthrough {
                *opens = opens.saturating_sub(1);
            }
        } else {
            io.cached = io.cached.saturating_sub(1);
        }
        if io.idle() && io.passthrough.is_none() && !io.stale_cache {
            state.inodes.remove(&ino);
        }
    }

    /// The kernel forgot inode `ino` (its number may be reused for another node): its kept
    /// registration is closed.
    pub(crate) fn forget(&self, ino: u64) {
        let mut state = self.state.lock();
        if state.inodes.get(&ino).is_some_and(InodeIo::idle) {
            state.inodes.remove(&ino);
        }
    }

    fn log_refusal(&self, e: &std::io::Error) {
        if !self.refusal_logged.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                target: "vfsbox::fuse",
                error = %e,
                "the kernel refused a FUSE passthrough backing file; reads and writes of such \
                 files go through the adapter (logged once)"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Registering needs a FUSE connection; these cases cover the decisions without one
    // (a refused registration, and inodes without backing files). The kernel tests cover
    // real backing files.
    fn refuse(_: &File) -> std::io::Result<BackingId> {
        Err(std::io::Error::from_raw_os_error(libc::EPERM))
    }

    fn dup_of(path: &str) -> Option<OwnedFd> {
        Some(File::open(path).unwrap().into())
    }

    #[test]
    fn a_refused_registration_falls_back_to_a_cached_open() {
        let p = Passthrough::default();
        let mode = p.open(2, 10, dup_of("/dev/null"), refuse).unwrap();
        assert!(matches!(mode, OpenMode::Cached { keep_cache: true }));
        // The inode is in cached mode now: a second open does not even try.
        let mode = p
            .open(2, 11, dup_of("/dev/null"), |_| panic!("must not register"))
            .unwrap();
        assert!(matches!(mode, OpenMode::Cached { keep_cache: true }));
        p.release(10);
        p.release(11);
        assert!(p.state.lock().inodes.is_empty());
        assert!(p.state.lock().handles.is_empty());
    }

    #[test]
    fn handles_without_backing_files_are_cached_and_forgotten() {
        let p = Passthrough::default();
        assert!(matches!(
            p.open(3, 20, None, refuse).unwrap(),
            OpenMode::Cached { keep_cache: true }
        ));
        p.forget(3); // still open: kept
        assert_eq!(p.state.lock().inodes.len(), 1);
        p.release(20);
        p.release(20); // a second release of the same handle changes nothing
        assert!(p.state.lock().inodes.is_empty());
    }
}
