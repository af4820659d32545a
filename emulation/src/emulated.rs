//! `Emulated`: one emulated process (descriptor table, cwd, umask, identity) over one
//! provider, and the helpers its operations share.

use crate::compat::{Compat, CompatEvent};
use crate::fdtable::{FdTable, OpenFile};
use crate::identity::{Cred, Identity};
use crate::locks;
use crate::node::Location;
use crate::resolver::{check_path, Found, FoundIn, Held, Last, Resolver};
use parking_lot::{Mutex, MutexGuard};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};
use std::sync::Arc;
use vfsbox_api::{Attr, Errno, Fd, FileKind, FileSystem, Owner, Stat, AT_FDCWD};

/// The default descriptor limit, Linux's usual soft `RLIMIT_NOFILE`.
pub const DEFAULT_FD_LIMIT: usize = 1024;

static NEXT_PID: AtomicI32 = AtomicI32::new(1_000_000);

/// One emulated process over a provider: its own descriptor table, current directory,
/// umask and identity, with no kernel involvement and no path out of the provider's tree.
///
/// Safe to share between threads: the table and the cwd are behind locks, as in a
/// multi-threaded process. Record locks (`fcntl`) belong to the instance, as to a process;
/// two instances over the same `Arc<dyn FileSystem>` contend for locks as two processes do.
pub struct Emulated {
    pub(crate) fs: Arc<dyn FileSystem>,
    pub(crate) root: Location,
    pub(crate) dev: u64,
    pub(crate) read_only: bool,
    /// The provider keeps set-id bits (`Capabilities::setid_bits`).
    pub(crate) setid_bits: bool,
    pub(crate) identity: Identity,
    pub(crate) eff: Cred,
    pub(crate) real: Cred,
    pub(crate) umask: AtomicU32,
    pub(crate) cwd: Cwd,
    pub(crate) fds: FdTable,
    pub(crate) dirs: Mutex<std::collections::HashMap<u64, Fd, StreamIds>>,
    pub(crate) next_dir: std::sync::atomic::AtomicU64,
    pub(crate) compat: Compat,
    /// The virtual process id: owner of record locks, reported by `F_GETLK`.
    pub(crate) pid: i32,
    /// The files this process holds record locks on, counted: a close asks the lock
    /// registry only when there may be some to drop.
    pub(crate) record_files: locks::Held,
}

/// The current directory, and whether it is the sandbox root: a relative path from the
/// root (the common case) starts there without the lock and the reference count a copy of
/// the cwd takes.
pub(crate) struct Cwd {
    loc: Mutex<Location>,
    /// The cwd is the root; kept by [`CwdGuard`] whenever the cwd changes.
    at_root: AtomicBool,
}

impl Cwd {
    fn new(loc: Location) -> Cwd {
        Cwd {
            at_root: AtomicBool::new(loc.is_root()),
            loc: Mutex::new(loc),
        }
    }

    /// The cwd, locked; a change through the guard is seen by [`Cwd::at_root`] once the
    /// guard is dropped.
    pub(crate) fn lock(&self) -> CwdGuard<'_> {
        CwdGuard {
            loc: self.loc.lock(),
            at_root: &self.at_root,
        }
    }

    /// True when the cwd is the root. A cwd changed by another thread at the same time
    /// may be seen either way, as a concurrent `chdir` may happen before or after.
    fn at_root(&self) -> bool {
        self.at_root.load(Ordering::Acquire)
    }
}

/// The locked cwd (see [`Cwd::lock`]).
pub(crate) struct CwdGuard<'a> {
    loc: MutexGuard<'a, Location>,
    at_root: &'a AtomicBool,
}

impl std::ops::Deref for CwdGuard<'_> {
    type Target = Location;

    fn deref(&self) -> &Location {
        &self.loc
    }
}

impl std::ops::DerefMut for CwdGuard<'_> {
    fn deref_mut(&mut self) -> &mut Location {
        &mut self.loc
    }
}

impl Drop for CwdGuard<'_> {
    fn drop(&mut self) {
        // Still under the lock: writers store in the order they change the cwd.
        self.at_root.store(self.loc.is_root(), Ordering::Release);
    }
}

/// Where a walk starts: the root borrowed from the process, or a directory held for it.
pub(crate) enum Start<'a> {
    Root(&'a Location),
    Held(Location),
}

impl std::ops::Deref for Start<'_> {
    type Target = Location;

    fn deref(&self) -> &Location {
        match self {
            Start::Root(root) => root,
            Start::Held(loc) => loc,
        }
    }
}

/// Hashing of directory stream ids, which are handed out in sequence by this process (not
/// chosen by anyone who could aim at collisions): the id itself, spread by one
/// multiplication, instead of SipHash, which cost ~100 instructions per `readdir`.
#[derive(Clone, Copy, Default)]
pub(crate) struct StreamIds;

/// The [`std::hash::Hasher`] of [`StreamIds`].
#[derive(Default)]
pub(crate) struct StreamIdHasher(u64);

impl std::hash::Hasher for StreamIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = id.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl std::hash::BuildHasher for StreamIds {
    type Hasher = StreamIdHasher;

    fn build_hasher(&self) -> StreamIdHasher {
        StreamIdHasher(0)
    }
}

/// Options for an [`Emulated`] process; start with [`Emulated::builder`].
pub struct Builder {
    fs: Arc<dyn FileSystem>,
    identity: Identity,
    umask: u32,
    fd_limit: usize,
    strict: bool,
    compat_level: Option<tracing::Level>,
}

impl Builder {
    /// The identity permission checks use (default: root).
    #[must_use]
    pub fn identity(mut self, identity: Identity) -> Builder {
        self.identity = identity;
        self
    }

    /// The initial umask (default `0o022`; only `0o777` bits are kept).
    #[must_use]
    pub fn umask(mut self, umask: u32) -> Builder {
        self.umask = umask & 0o777;
        self
    }

    /// The descriptor limit: descriptors are `0..limit`, `EMFILE` beyond (default 1024; at
    /// most `i32::MAX`, the largest descriptor number).
    #[must_use]
    pub fn fd_limit(mut self, limit: usize) -> Builder {
        self.fd_limit = limit.min(i32::MAX as usize);
        self
    }

    /// Strict mode: every compatibility event fails its operation with `ENOTSUP`.
    #[must_use]
    pub fn strict(mut self, strict: bool) -> Builder {
        self.strict = strict;
        self
    }

    /// The `tracing` level compatibility events are logged at (target `vfsbox::compat`;
    /// default `WARN`); `None` only counts them.
    #[must_use]
    pub fn compat_level(mut self, level: Option<tracing::Level>) -> Builder {
        self.compat_level = level;
        self
    }

    /// The process, its cwd at the provider's root.
    pub fn build(self) -> Emulated {
        let root = Location::root(&self.fs);
        // A synthetic device number per provider: equal for every process over it.
        let dev = 0x7f00_0000_0000 | (Arc::as_ptr(&self.fs) as *const () as usize as u64 >> 4);
        Emulated {
            read_only: self.fs.capabilities().read_only,
            setid_bits: self.fs.capabilities().setid_bits,
            cwd: Cwd::new(root.clone()),
            root,
            dev,
            eff: self.identity.effective(),
            real: self.identity.real(),
            identity: self.identity,
            umask: AtomicU32::new(self.umask),
            fds: FdTable::new(self.fd_limit),
            dirs: Mutex::new(std::collections::HashMap::default()),
            next_dir: std::sync::atomic::AtomicU64::new(1),
            compat: Compat::new(self.strict, self.compat_level),
            pid: NEXT_PID.fetch_add(1, Ordering::Relaxed),
            record_files: locks::Held::default(),
            fs: self.fs,
        }
    }
}

impl Emulated {
    /// A root process with umask `0o022` and 1024 descriptors over `fs`.
    pub fn new(fs: Arc<dyn FileSystem>) -> Emulated {
        Emulated::builder(fs).build()
    }

    /// Options for a process over `fs`.
    pub fn builder(fs: Arc<dyn FileSystem>) -> Builder {
        Builder {
            fs,
            identity: Identity::root(),
            umask: 0o022,
            fd_limit: DEFAULT_FD_LIMIT,
            strict: false,
            compat_level: Some(tracing::Level::WARN),
        }
    }

    /// The identity the process checks permissions with.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The virtual process id (what `F_GETLK` reports to other processes).
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// How many times `event` happened in this process.
    pub fn compat_count(&self, event: CompatEvent) -> u64 {
        self.compat.count(event)
    }

    /// Every event with its count, in code order.
    pub fn compat_counts(&self) -> Vec<(CompatEvent, u64)> {
        CompatEvent::ALL
            .iter()
            .map(|&e| (e, self.compat.count(e)))
            .collect()
    }

    /// True in strict mode.
    pub fn is_strict(&self) -> bool {
        self.compat.strict()
    }

    /// How many descriptors are open.
    pub fn open_fds(&self) -> usize {
        self.fds.count_open()
    }

    /// The provider.
    pub fn filesystem(&self) -> &Arc<dyn FileSystem> {
        &self.fs
    }

    // ---- helpers shared by the operations ----

    pub(crate) fn owner(&self) -> Owner {
        Owner {
            uid: self.eff.uid,
            gid: self.eff.gid,
        }
    }

    pub(crate) fn umask_bits(&self) -> u32 {
        self.umask.load(Ordering::Relaxed)
    }

    pub(crate) fn resolver<'a>(&'a self, cred: &'a Cred) -> Resolver<'a> {
        Resolver::new(&self.fs, &self.root, cred)
    }

    pub(crate) fn root_location(&self) -> Location {
        self.root.clone()
    }

    pub(crate) fn cwd_location(&self) -> Location {
        self.cwd.loc.lock().clone()
    }

    /// Where a relative `path` starts: the cwd for `AT_FDCWD`, else the directory `dirfd`
    /// (`EBADF` if not open, `ENOTDIR` if not a directory). Absolute paths ignore `dirfd`.
    /// The root is lent, not held: a walk from it takes no lock and no reference.
    ///
    /// A path that climbs out of its start with `..` needs the start's real parents: if a
    /// directory of the chain was renamed since it was reached, the chain is found again
    /// (and kept, for the cwd), as Linux follows the dentry's current parent.
    #[inline]
    pub(crate) fn start(&self, dirfd: Fd, path: &[u8]) -> Result<Start<'_>, Errno> {
        if path.first() == Some(&b'/') || (dirfd == AT_FDCWD && self.cwd.at_root()) {
            // The root's `..` is the root: nothing to relocate.
            return Ok(Start::Root(&self.root));
        }
        self.start_held(dirfd, path).map(Start::Held)
    }

    /// [`Emulated::start`] from a directory that is not the root.
    #[inline(never)]
    fn start_held(&self, dirfd: Fd, path: &[u8]) -> Result<Location, Errno> {
        let climbs = path.starts_with(b"..") && matches!(path.get(2), None | Some(b'/'));
        if dirfd == AT_FDCWD {
            let cwd = self.cwd_location();
            if climbs && !cwd.is_root() && !self.leads_to_itself(&cwd) {
                if let Some(current) = self.relocate(&cwd) {
                    *self.cwd.lock() = current.clone();
                    return Ok(current);
                }
            }
            return Ok(cwd);
        }
        let file = self.fds.file(dirfd)?;
        if file.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        if climbs && !file.loc.is_root() {
            if let Some(current) = self.refreshed(&file.loc) {
                return Ok(current);
            }
        }
        Ok(file.loc.clone())
    }

    /// Resolves `dirfd` + `path` for an `*at` call. With `empty_ok` (`AT_EMPTY_PATH`) an
    /// empty path names `dirfd` itself, or the cwd.
    pub(crate) fn lookup_at(
        &self,
        cred: &Cred,
        dirfd: Fd,
        path: &[u8],
        empty_ok: bool,
        follow: bool,
    ) -> Result<Found, Errno> {
        if path.is_empty() && empty_ok {
            let loc = if dirfd == AT_FDCWD {
                self.cwd_location()
            } else {
                self.fds.file(dirfd)?.loc.clone()
            };
            let attr = self.fs.getattr(loc.node().id())?;
            return Ok(Found::at(loc, attr));
        }
        check_path(path)?;
        let start = self.start(dirfd, path)?;
        self.resolver(cred).resolve(&start, path, follow)
    }

    /// [`Emulated::lookup_at`] for callers that use the object but keep no chain to it
    /// (`access`, `statvfs`, the xattr calls): the walked directories are held in one
    /// vector instead of a link allocated per component.
    pub(crate) fn held_at(
        &self,
        cred: &Cred,
        dirfd: Fd,
        path: &[u8],
        empty_ok: bool,
        follow: bool,
    ) -> Result<FoundIn<Held>, Errno> {
        if path.is_empty() && empty_ok {
            let found = self.lookup_at(cred, dirfd, path, empty_ok, follow)?;
            return Ok(FoundIn {
                parent: Held::new(found.parent),
                leaf: found.leaf,
                attr: found.attr,
            });
        }
        check_path(path)?;
        let start = self.start(dirfd, path)?;
        self.resolver(cred).resolve_held(&start, path, follow)
    }

    /// The attributes of what `dirfd` + `path` names, as [`Emulated::lookup_at`] resolves
    /// it, for callers that keep nothing of the walk (`stat`): no chain is built, and
    /// `with` makes what the caller wants of them where they are.
    #[inline]
    pub(crate) fn attr_at<R>(
        &self,
        cred: &Cred,
        dirfd: Fd,
        path: &[u8],
        flags: i32,
        with: impl FnOnce(&Attr) -> R,
    ) -> Result<R, Errno> {
        if path.is_empty() && flags & libc::AT_EMPTY_PATH != 0 {
            return self
                .lookup_at_flags(cred, dirfd, path, flags)
                .map(|f| with(&f.attr));
        }
        check_path(path)?;
        let start = self.start(dirfd, path)?;
        self.resolver(cred)
            .resolve_attr(&start, path, flags & libc::AT_SYMLINK_NOFOLLOW == 0, with)
    }

    /// [`Emulated::lookup_at`] with the `AT_SYMLINK_NOFOLLOW` and `AT_EMPTY_PATH` bits of
    /// `flags`.
    pub(crate) fn lookup_at_flags(
        &self,
        cred: &Cred,
        dirfd: Fd,
        path: &[u8],
        flags: i32,
    ) -> Result<Found, Errno> {
        self.lookup_at(
            cred,
            dirfd,
            path,
            flags & libc::AT_EMPTY_PATH != 0,
            flags & libc::AT_SYMLINK_NOFOLLOW == 0,
        )
    }

    /// Walks to the directory holding the last component of `dirfd` + `path`.
    pub(crate) fn parent_at(
        &self,
        cred: &Cred,
        dirfd: Fd,
        path: &[u8],
    ) -> Result<(Location, Last), Errno> {
        check_path(path)?;
        let start = self.start(dirfd, path)?;
        self.resolver(cred).walk_parent(&start, path)
    }

    /// The description behind `fd`, refusing `O_PATH` descriptors with `EBADF` (Linux's
    /// `fdget`, which most descriptor calls use).
    pub(crate) fn io_file(&self, fd: Fd) -> Result<Arc<OpenFile>, Errno> {
        let file = self.fds.file(fd)?;
        if file.is_path() {
            return Err(Errno::EBADF);
        }
        Ok(file)
    }

    /// `struct stat` from provider attributes.
    pub(crate) fn stat_of(&self, attr: &Attr) -> Stat {
        Stat {
            dev: self.dev,
            ino: attr.ino,
            mode: attr.mode(),
            nlink: attr.nlink.into(),
            uid: attr.uid,
            gid: attr.gid,
            rdev: attr.rdev,
            size: i64::try_from(attr.size).unwrap_or(i64::MAX),
            blksize: attr.blksize.into(),
            blocks: i64::try_from(attr.blocks).unwrap_or(i64::MAX),
            atime: attr.atime,
            mtime: attr.mtime,
            ctime: attr.ctime,
        }
    }

    /// `EROFS` for a write to a regular file, directory or symlink of a read-only provider
    /// (the check `inode_permission` makes before the mode bits).
    pub(crate) fn check_writable_fs(&self, kind: FileKind) -> Result<(), Errno> {
        if self.read_only
            && matches!(
                kind,
                FileKind::Regular | FileKind::Directory | FileKind::Symlink
            )
        {
            return Err(Errno::EROFS);
        }
        Ok(())
    }

    /// True when `node` is on a read-only provider, or on a read-only mount of a mount
    /// table (asked of the provider only on error paths, where it decides the errno).
    pub(crate) fn ro_at(&self, node: vfsbox_api::NodeId) -> bool {
        self.read_only || self.fs.statfs(node).is_ok_and(|s| s.read_only)
    }

    /// `err`, unless `node` is read-only: Linux refuses a change on a read-only mount
    /// (`mnt_want_write`) before it checks names, ownership or permissions.
    pub(crate) fn unless_ro(&self, node: vfsbox_api::NodeId, err: Errno) -> Errno {
        if self.ro_at(node) {
            Errno::EROFS
        } else {
            err
        }
    }

    /// Reports set-id bits in `perm` that the provider will strip.
    pub(crate) fn check_setid_kept(&self, perm: u32) -> Result<(), Errno> {
        if !self.setid_bits && perm & (vfsbox_api::S_ISUID | vfsbox_api::S_ISGID) != 0 {
            self.compat.emit(
                CompatEvent::SetidBitsStripped,
                "set-id bits given to a provider that strips them",
            )?;
        }
        Ok(())
    }

    /// Closes a descriptor's slot: flushes the handle, drops this process's record locks on
    /// the file (POSIX: any close releases them), and lets the description go.
    pub(crate) fn close_slot(&self, file: Arc<OpenFile>) -> Result<(), Errno> {
        if self.record_files.any() {
            locks::record_release_all(file.lock_key(), &self.record_files, self.pid as u64);
        }
        let flushed = match file.handle {
            crate::fdtable::Handle::File(h) => self.fs.flush(h),
            _ => Ok(()),
        };
        drop(file);
        flushed
    }
}

impl Drop for Emulated {
    fn drop(&mut self) {
        for (_, slot) in self.fds.drain() {
            let _ = self.close_slot(slot.file);
        }
    }
}

impl std::fmt::Debug for Emulated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulated")
            .field("pid", &self.pid)
            .field("identity", &self.identity)
            .field("umask", &self.umask_bits())
            .field("open_fds", &self.open_fds())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use crate::Emulated;
    use std::sync::Arc;
    use vfsbox_api::{Errno, Posix};

    /// Relative paths start where the cwd is, whether it is the root (lent without a lock)
    /// or a directory (held), across chdir, fchdir and a return to the root by `..`.
    #[test]
    fn relative_paths_follow_the_cwd_to_and_from_the_root() {
        let p = Emulated::new(Arc::new(vfsbox_memory::MemoryFs::new()));
        p.mkdir(b"d", 0o755).unwrap();
        let f = p
            .open(b"d/inner", libc::O_CREAT | libc::O_WRONLY, 0o644)
            .unwrap();
        p.close(f).unwrap();
        let f = p
            .open(b"top", libc::O_CREAT | libc::O_WRONLY, 0o644)
            .unwrap();
        p.close(f).unwrap();
        assert_eq!(p.stat(b"inner").map(drop), Err(Errno::ENOENT));
        p.chdir(b"d").unwrap();
        assert!(p.stat(b"inner").is_ok());
        assert_eq!(p.open(b"top", libc::O_RDONLY, 0), Err(Errno::ENOENT));
        p.chdir(b"..").unwrap();
        assert_eq!(p.getcwd(), Ok(b"/".to_vec()));
        assert!(p.stat(b"top").is_ok());
        assert_eq!(p.stat(b"inner").map(drop), Err(Errno::ENOENT));
        let d = p.open(b"d", libc::O_RDONLY | libc::O_DIRECTORY, 0).unwrap();
        p.fchdir(d).unwrap();
        let fd = p.open(b"inner", libc::O_RDONLY, 0).unwrap();
        p.close(fd).unwrap();
        p.chdir(b"/").unwrap();
        let fd = p.open(b"top", libc::O_RDONLY, 0).unwrap();
        p.close(fd).unwrap();
    }

    fn write_lock(start: i64, len: i64) -> vfsbox_api::Flock {
        vfsbox_api::Flock {
            kind: libc::F_WRLCK as i16,
            whence: libc::SEEK_SET as i16,
            start,
            len,
            pid: 0,
        }
    }

    /// A close drops the process's record locks on that file only; once the process holds
    /// none, closes stop asking the registry, and a new lock is dropped by a close again.
    #[test]
    fn closes_drop_record_locks_of_their_file_only() {
        let fs: Arc<dyn vfsbox_api::FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
        let a = Emulated::new(Arc::clone(&fs));
        let b = Emulated::new(fs);
        let rw = libc::O_RDWR | libc::O_CREAT;
        let (x, y) = (
            a.open(b"x", rw, 0o644).unwrap(),
            a.open(b"y", rw, 0o644).unwrap(),
        );
        let (bx, by) = (b.open(b"x", rw, 0).unwrap(), b.open(b"y", rw, 0).unwrap());
        a.fcntl_lock(x, libc::F_SETLK, &mut write_lock(0, 10))
            .unwrap();
        a.fcntl_lock(y, libc::F_SETLK, &mut write_lock(0, 10))
            .unwrap();
        assert!(a.record_files.any());
        // Closing another descriptor of y drops a's lock on y, not on x.
        let y2 = a.open(b"y", libc::O_RDONLY, 0).unwrap();
        a.close(y2).unwrap();
        b.fcntl_lock(by, libc::F_SETLK, &mut write_lock(0, 1))
            .unwrap();
        assert_eq!(
            b.fcntl_lock(bx, libc::F_SETLK, &mut write_lock(0, 1)),
            Err(Errno::EAGAIN)
        );
        a.close(x).unwrap();
        assert!(!a.record_files.any());
        b.fcntl_lock(bx, libc::F_SETLK, &mut write_lock(0, 1))
            .unwrap();
        // The count starts again from nothing.
        let x = a.open(b"x", rw, 0).unwrap();
        a.fcntl_lock(y, libc::F_SETLK, &mut write_lock(20, 5))
            .unwrap();
        b.fcntl_lock(
            bx,
            libc::F_SETLK,
            &mut vfsbox_api::Flock {
                kind: libc::F_UNLCK as i16,
                ..write_lock(0, 0)
            },
        )
        .unwrap();
        a.fcntl_lock(x, libc::F_SETLK, &mut write_lock(0, 1))
            .unwrap();
        a.close(y).unwrap();
        assert!(a.record_files.any());
        a.close(x).unwrap();
        assert!(!a.record_files.any());
    }
}
