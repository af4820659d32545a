//! The `fuser::Filesystem` implementation: each kernel request becomes one or two provider
//! calls.
//!
//! Every handler is thin: it converts the request, calls a helper returning
//! `Result<T, Errno>`, and replies. Every handler runs inside [`guard`], so a panic in a
//! provider answers `EIO` (fuser replies `EIO` for a reply dropped unsent) and the worker
//! thread goes on serving. Permission checks are the kernel's (`default_permissions`).
//!
//! Locks (`getlk`, `setlk`, `flock`) are not implemented on purpose: the adapter does not ask
//! for `FUSE_POSIX_LOCKS`/`FUSE_FLOCK_LOCKS`, so the kernel keeps POSIX and BSD locks itself,
//! with full semantics among the processes using the mount (they are not shared with users of
//! the provider outside the mount, which has no lock operations).

use crate::convert::{self, errno};
use crate::dirs::{OpenDirs, Resume, AFTER_DOT, AFTER_DOTDOT};
use crate::inodes::Inodes;
use crate::passthrough::{OpenMode, Passthrough};
use crate::{IoCounters, MountOptions};
use fuser::{
    AccessFlags, FileHandle, FopenFlags, Generation, INodeNo, InitFlags, KernelConfig, ReplyAttr,
    ReplyCreate, ReplyData, ReplyDirectory, ReplyDirectoryPlus, ReplyEmpty, ReplyEntry, ReplyLseek,
    ReplyOpen, ReplyStatfs, ReplyWrite, ReplyXattr, Request,
};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use vfsbox_api::{
    Attr, DirEntry, Entry, Errno, FallocateMode, FileKind, FileSystem, HandleId, NodeId, OpenFlags,
    Owner, RenameFlags, SeekHole, SetAttr, XattrSet, PERM_MASK, S_ISGID, S_ISUID,
};

/// How many provider entries `readdirplus` takes per batch before looking them up (lookups
/// happen outside the provider's `readdir` callback, where a provider may hold a lock).
const PLUS_BATCH: usize = 256;

/// Serves one provider to the kernel.
pub struct Adapter {
    fs: Arc<dyn FileSystem>,
    inodes: Arc<Inodes>,
    dirs: OpenDirs,
    entry_ttl: Duration,
    attr_ttl: Duration,
    keep_cache: bool,
    writeback_cache: bool,
    max_write: u32,
    /// Passthrough asked for in the options.
    passthrough_wanted: bool,
    /// Passthrough negotiated with the kernel at `init`.
    passthrough_on: bool,
    passthrough: Passthrough,
    counters: Arc<IoCounters>,
}

/// Runs a handler, turning a panic into an `EIO` reply (the reply object is dropped unsent
/// during the unwind, and fuser answers `EIO` for it) instead of killing the worker thread.
fn guard(op: &str, f: impl FnOnce()) {
    if catch_unwind(AssertUnwindSafe(f)).is_err() {
        eprintln!("vfsbox-fuse: the provider panicked in {op}; answered EIO");
    }
}

/// The caller as the owner of a node it makes (the kernel sends the fsuid and fsgid).
fn owner(req: &Request) -> Owner {
    Owner {
        uid: req.uid(),
        gid: req.gid(),
    }
}

impl Adapter {
    /// An adapter for `fs` with the caches and sizes of `options`.
    pub fn new(
        fs: Arc<dyn FileSystem>,
        inodes: Arc<Inodes>,
        options: &MountOptions,
        counters: Arc<IoCounters>,
    ) -> Adapter {
        Adapter {
            fs,
            inodes,
            dirs: OpenDirs::default(),
            entry_ttl: options.entry_timeout,
            attr_ttl: options.attr_timeout,
            keep_cache: options.keep_cache,
            writeback_cache: options.writeback_cache,
            max_write: options.max_write,
            passthrough_wanted: options.passthrough,
            passthrough_on: false,
            passthrough: Passthrough::default(),
            counters,
        }
    }

    /// The provider node of a kernel inode; `ESTALE` for one the kernel should not hold.
    fn node(&self, ino: INodeNo) -> Result<NodeId, Errno> {
        self.inodes.node(ino.0).ok_or(Errno::ESTALE)
    }

    /// Answers with a node found or made: counts the kernel's lookup and sends the entry.
    fn reply_entry(&self, reply: ReplyEntry, entry: Result<Entry, Errno>) {
        match entry {
            Ok(entry) => {
                let (ino, generation) = self.inodes.remember(entry.node);
                reply.entry_with_ttls(
                    &self.attr_ttl,
                    &self.entry_ttl,
                    &convert::file_attr(ino, &entry.attr),
                    Generation(generation),
                );
            }
            Err(e) => reply.error(errno(e)),
        }
    }

    fn reply_attr(&self, reply: ReplyAttr, ino: INodeNo, attr: Result<Attr, Errno>) {
        match attr {
            Ok(attr) => reply.attr(&self.attr_ttl, &convert::file_attr(ino.0, &attr)),
            Err(e) => reply.error(errno(e)),
        }
    }

    fn reply_empty(reply: ReplyEmpty, result: Result<(), Errno>) {
        match result {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(errno(e)),
        }
    }

    /// The flags of a file opened without passthrough: the page cache is kept across opens
    /// (the kernel drops it when it sees the size or mtime change, `FUSE_AUTO_INVAL_DATA`,
    /// and the invalidator drops it when the provider is changed in-process), unless `keep`
    /// says the inode's cached pages may be stale after passthrough writes (see
    /// [`crate::passthrough`]). Passthrough opens never keep it: the kernel refuses
    /// `FOPEN_KEEP_CACHE` with `FOPEN_PASSTHROUGH`.
    fn cached_open_flags(&self, keep: bool) -> FopenFlags {
        if self.keep_cache && keep {
            FopenFlags::FOPEN_KEEP_CACHE
        } else {
            FopenFlags::empty()
        }
    }

    /// Asks for passthrough at `init` when the options want it and it can work: not with the
    /// writeback cache (the kernel enables one or the other), only as root (registering a
    /// backing file needs `CAP_SYS_ADMIN`), and only if the kernel offers it (6.9+).
    fn negotiate_passthrough(&mut self, config: &mut KernelConfig) {
        self.passthrough_on = false;
        if !self.passthrough_wanted {
            return;
        }
        let why_not = if self.writeback_cache {
            "the writeback cache is on (the kernel enables one or the other)"
        } else if !nix::unistd::geteuid().is_root() {
            "the mount does not run as root (backing files need CAP_SYS_ADMIN)"
        } else if config
            .add_capabilities(InitFlags::FUSE_PASSTHROUGH)
            .is_err()
        {
            "the kernel does not offer it (Linux 6.9+ with CONFIG_FUSE_PASSTHROUGH)"
        } else {
            // 2, the kernel's maximum: backing files may then live on a stacked filesystem
            // (a host directory inside a container's overlayfs); the price is that this mount
            // cannot itself be a layer of an overlayfs.
            let _ = config.set_max_stack_depth(2);
            self.passthrough_on = true;
            return;
        };
        tracing::info!(
            target: "vfsbox::fuse",
            "FUSE passthrough not used: {why_not}; host file I/O goes through the adapter"
        );
    }

    /// The flags every opened file gets: a handle that cannot write has no delayed write
    /// error to report at close, so the kernel may skip FLUSH, one round trip per close.
    fn flush_flags(flags: OpenFlags) -> FopenFlags {
        if flags.writable() {
            FopenFlags::empty()
        } else {
            FopenFlags::FOPEN_NOFLUSH
        }
    }

    /// How an opened provider handle is served: with its backing file when passthrough is
    /// on and the kernel takes it, else through the adapter. `Err` for a conflict (see
    /// [`crate::passthrough`]), with the handle released.
    fn open_mode(
        &self,
        ino: u64,
        handle: HandleId,
        register: impl FnOnce(&std::fs::File) -> std::io::Result<fuser::BackingId>,
    ) -> Result<OpenMode, Errno> {
        if !self.passthrough_on {
            return Ok(OpenMode::Cached { keep_cache: true });
        }
        let backing = self.fs.backing_file(handle);
        let register = |file: &std::fs::File| {
            self.counters.count_backing_registration();
            register(file)
        };
        match self.passthrough.open(ino, handle.0, backing, register) {
            Ok(mode) => {
                if matches!(mode, OpenMode::Passthrough(_)) {
                    self.counters.count_passthrough_open();
                }
                Ok(mode)
            }
            Err(_conflict) => {
                tracing::warn!(
                    target: "vfsbox::fuse",
                    ino,
                    "the provider gave another backing file for an inode open with one;                      answered EIO, as the kernel would"
                );
                let _ = self.fs.release(handle);
                Err(Errno::EIO)
            }
        }
    }

    /// Clears the set-user-id bit, and the set-group-id bit when group-execute is set or the
    /// caller is not in the file's group (`setattr_should_drop_sgid`; the caller's primary
    /// group stands for its groups, which FUSE does not send), as Linux does when a caller
    /// without `CAP_FSETID` writes or truncates a file. With
    /// `FUSE_HANDLE_KILLPRIV_V2` the kernel leaves this to the filesystem: it flags writes
    /// (`FUSE_WRITE_KILL_SUIDGID`); truncations and `O_TRUNC` opens are recognized here by a
    /// caller other than root (fuser does not pass the kernel's flag for those).
    fn kill_suidgid(&self, req: &Request, node: NodeId) -> Result<(), Errno> {
        let attr = self.fs.getattr(node)?;
        let mut strip = S_ISUID;
        if attr.perm & 0o010 != 0 || req.gid() != attr.gid {
            strip |= S_ISGID;
        }
        if attr.perm & strip == 0 {
            return Ok(());
        }
        let changes = SetAttr {
            perm: Some(attr.perm & !strip),
            ..SetAttr::default()
        };
        self.fs.setattr(node, &changes, None).map(drop)
    }

    fn lookup_in(&self, parent: INodeNo, name: &OsStr) -> Result<Entry, Errno> {
        let dir = self.node(parent)?;
        self.fs.lookup(dir, convert::name(name)?)
    }

    fn do_setattr(
        &self,
        ino: INodeNo,
        changes: SetAttr,
        fh: Option<FileHandle>,
    ) -> Result<Attr, Errno> {
        let node = self.node(ino)?;
        self.fs.setattr(node, &changes, fh.map(|fh| HandleId(fh.0)))
    }

    fn do_mknod(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        rdev: u32,
    ) -> Result<Entry, Errno> {
        let kind = FileKind::from_mode(mode).ok_or(Errno::EINVAL)?;
        let dir = self.node(parent)?;
        let name = convert::name(name)?;
        self.fs.mknod(
            dir,
            name,
            kind,
            mode & PERM_MASK,
            convert::decode_dev(rdev),
            owner(req),
        )
    }

    fn do_rename(
        &self,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: fuser::RenameFlags,
    ) -> Result<(), Errno> {
        let flags = RenameFlags::from_raw(flags.bits()).ok_or(Errno::EINVAL)?;
        let dir = self.node(parent)?;
        let new_dir = self.node(newparent)?;
        self.fs.rename(
            dir,
            convert::name(name)?,
            new_dir,
            convert::name(newname)?,
            flags,
        )
    }

    /// The permission check of `access(2)`, for kernels that ask (with `default_permissions`
    /// the kernel checks itself and never sends `ACCESS`).
    fn do_access(&self, req: &Request, ino: INodeNo, mask: AccessFlags) -> Result<(), Errno> {
        let attr = self.fs.getattr(self.node(ino)?)?;
        let wanted = mask.bits() & (libc::R_OK | libc::W_OK | libc::X_OK);
        if wanted == 0 {
            return Ok(());
        }
        let perm = attr.perm;
        if req.uid() == 0 {
            // Root may read and write anything; it may execute what anyone may, and search
            // any directory.
            let any_x = perm & 0o111 != 0 || attr.kind == FileKind::Directory;
            return if wanted & libc::X_OK != 0 && !any_x {
                Err(Errno::EACCES)
            } else {
                Ok(())
            };
        }
        let class = if req.uid() == attr.uid {
            (perm >> 6) & 0o7
        } else if req.gid() == attr.gid {
            (perm >> 3) & 0o7
        } else {
            perm & 0o7
        };
        if (class as i32) & wanted == wanted {
            Ok(())
        } else {
            Err(Errno::EACCES)
        }
    }

    /// Fills a plain `readdir` reply. `d_ino` of provider entries is the provider's inode
    /// number: the FUSE inode number exists only for nodes the kernel has looked up. The
    /// adapter asks for `readdirplus` on every listing, where `d_ino` is the FUSE number.
    fn do_readdir(
        &self,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        reply: &mut ReplyDirectory,
    ) -> Result<(), Errno> {
        let offsets = self.dirs.get(fh.0).ok_or(Errno::EBADF)?;
        let mut offsets = offsets.lock();
        let resume = offsets.resume(offset).ok_or(Errno::EINVAL)?;
        let dir_type = fuser::FileType::Directory;
        if resume == Resume::Start && reply.add(ino, AFTER_DOT, dir_type, ".") {
            return Ok(());
        }
        if matches!(resume, Resume::Start | Resume::AfterDot)
            && reply.add(ino, AFTER_DOTDOT, dir_type, "..")
        {
            return Ok(());
        }
        let cookie = match resume {
            Resume::Provider(c) => c,
            _ => 0,
        };
        self.fs
            .readdir(HandleId(fh.0), cookie, &mut |entry: DirEntry<'_>| {
                let off = offsets.offset_of(entry.cookie);
                !reply.add(
                    INodeNo(entry.ino),
                    off,
                    convert::file_type(entry.kind),
                    OsStr::from_bytes(entry.name.as_bytes()),
                )
            })
    }

    /// Fills a `readdirplus` reply: each entry is looked up (one counted lookup, as for
    /// `lookup`), except `.` and `..`, which the kernel does not count.
    fn do_readdirplus(
        &self,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        reply: &mut ReplyDirectoryPlus,
    ) -> Result<(), Errno> {
        let dir = self.node(ino)?;
        let offsets = self.dirs.get(fh.0).ok_or(Errno::EBADF)?;
        let mut offsets = offsets.lock();
        let resume = offsets.resume(offset).ok_or(Errno::EINVAL)?;
        if matches!(resume, Resume::Start | Resume::AfterDot) {
            let attr = convert::file_attr(ino.0, &self.fs.getattr(dir)?);
            if resume == Resume::Start
                && reply.add(ino, AFTER_DOT, ".", &self.attr_ttl, &attr, Generation(0))
            {
                return Ok(());
            }
            if reply.add(
                ino,
                AFTER_DOTDOT,
                "..",
                &self.attr_ttl,
                &attr,
                Generation(0),
            ) {
                return Ok(());
            }
        }
        if resume == Resume::Start {
            // rewinddir: the directory as it is now, not as read ahead.
            offsets.pending.clear();
            offsets.pending_after = None;
        }
        let mut cookie = match resume {
            Resume::Provider(c) => c,
            _ => 0,
        };
        loop {
            // Continue from entries read ahead for this very position, else read a batch.
            if offsets.pending_after != Some(cookie)
                || (offsets.pending.is_empty() && !offsets.provider_done)
            {
                let mut batch = std::collections::VecDeque::with_capacity(PLUS_BATCH);
                self.fs
                    .readdir(HandleId(fh.0), cookie, &mut |entry: DirEntry<'_>| {
                        if batch.len() == PLUS_BATCH {
                            return false;
                        }
                        batch.push_back((entry.name.to_owned(), entry.cookie));
                        true
                    })?;
                offsets.provider_done = batch.len() < PLUS_BATCH;
                offsets.pending = batch;
                offsets.pending_after = Some(cookie);
            }
            while let Some((name, entry_cookie)) = offsets.pending.front().cloned() {
                let off = offsets.offset_of(entry_cookie);
                let entry = match self.fs.lookup(dir, &name) {
                    Ok(entry) => Some(entry),
                    // Removed since it was listed: as if the listing had come later.
                    Err(Errno::ENOENT) => None,
                    Err(e) => return Err(e),
                };
                if let Some(entry) = entry {
                    let (child, generation) = self.inodes.remember(entry.node);
                    let full = reply.add(
                        INodeNo(child),
                        off,
                        OsStr::from_bytes(name.as_bytes()),
                        &self.entry_ttl,
                        &convert::file_attr(child, &entry.attr),
                        Generation(generation),
                    );
                    if full {
                        // Not sent: give back the lookup just counted; the entry stays
                        // pending for the next request, which resumes at `cookie`.
                        if let Some(f) = self.inodes.forget(child, 1) {
                            self.fs.forget(f.node, f.count);
                        }
                        return Ok(());
                    }
                }
                offsets.pending.pop_front();
                cookie = entry_cookie;
                offsets.pending_after = Some(cookie);
            }
            if offsets.provider_done {
                return Ok(());
            }
        }
    }

    fn do_getxattr(&self, ino: INodeNo, name: &OsStr, size: u32) -> Result<Vec<u8>, Errno> {
        let value = self.fs.getxattr(self.node(ino)?, name.as_bytes())?;
        if size != 0 && value.len() > size as usize {
            return Err(Errno::ERANGE);
        }
        Ok(value)
    }

    fn do_listxattr(&self, ino: INodeNo, size: u32) -> Result<Vec<u8>, Errno> {
        let names = self.fs.listxattr(self.node(ino)?)?;
        let mut list = Vec::new();
        for name in names {
            list.extend_from_slice(&name);
            list.push(0);
        }
        if size != 0 && list.len() > size as usize {
            return Err(Errno::ERANGE);
        }
        Ok(list)
    }
}

/// Answers a getxattr/listxattr request: the size when asked for it (size 0), else the data.
fn reply_xattr(reply: ReplyXattr, size: u32, value: Result<Vec<u8>, Errno>) {
    match value {
        Ok(value) if size == 0 => reply.size(value.len() as u32),
        Ok(value) => reply.data(&value),
        Err(e) => reply.error(errno(e)),
    }
}

impl fuser::Filesystem for Adapter {
    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> std::io::Result<()> {
        self.negotiate_passthrough(config);
        // Each is asked for alone, so a kernel without one still gets the others.
        let mut wanted = InitFlags::FUSE_DO_READDIRPLUS
            | InitFlags::FUSE_AUTO_INVAL_DATA
            | InitFlags::FUSE_ATOMIC_O_TRUNC
            | InitFlags::FUSE_PARALLEL_DIROPS
            | InitFlags::FUSE_CACHE_SYMLINKS
            | InitFlags::FUSE_MAX_PAGES
            | InitFlags::FUSE_BIG_WRITES
            // The adapter clears set-user-id/set-group-id bits itself (see `kill_suidgid`),
            // so the kernel need not ask for `security.capability` before every write.
            | InitFlags::FUSE_HANDLE_KILLPRIV_V2;
        if self.writeback_cache {
            wanted |= InitFlags::FUSE_WRITEBACK_CACHE;
        }
        for flag in wanted.iter() {
            let _ = config.add_capabilities(flag);
        }
        let _ = config.set_max_write(self.max_write);
        let _ = config.set_max_readahead(self.max_write);
        let _ = config.set_max_background(64);
        Ok(())
    }

    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        guard("lookup", || {
            self.reply_entry(reply, self.lookup_in(parent, name))
        });
    }

    fn forget(&self, _req: &Request, ino: INodeNo, nlookup: u64) {
        guard("forget", || {
            if let Some(f) = self.inodes.forget(ino.0, nlookup) {
                self.fs.forget(f.node, f.count);
                if self.passthrough_on && self.inodes.node(ino.0).is_none() {
                    self.passthrough.forget(ino.0);
                }
            }
        });
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        guard("getattr", || {
            let attr = self.node(ino).and_then(|node| self.fs.getattr(node));
            self.reply_attr(reply, ino, attr)
        });
    }

    fn setattr(
        &self,
        req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        atime: Option<fuser::TimeOrNow>,
        mtime: Option<fuser::TimeOrNow>,
        _ctime: Option<SystemTime>,
        fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        guard("setattr", || {
            let changes = SetAttr {
                perm: mode.map(|m| m & PERM_MASK),
                uid,
                gid,
                size,
                atime: atime.map(convert::time_set),
                mtime: mtime.map(convert::time_set),
            };
            // The provider maintains ctime; a ctime-only request (writeback cache) is a
            // no-op change, answered with the current attributes.
            let mut attr = self.do_setattr(ino, changes, fh);
            if size.is_some() && mode.is_none() && req.uid() != 0 && attr.is_ok() {
                attr = self.node(ino).and_then(|node| {
                    self.kill_suidgid(req, node)?;
                    self.fs.getattr(node)
                });
            }
            self.reply_attr(reply, ino, attr)
        });
    }

    fn readlink(&self, _req: &Request, ino: INodeNo, reply: ReplyData) {
        guard("readlink", || {
            match self.node(ino).and_then(|node| self.fs.readlink(node)) {
                Ok(target) => reply.data(&target),
                Err(e) => reply.error(errno(e)),
            }
        });
    }

    fn mknod(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        _umask: u32,
        rdev: u32,
        reply: ReplyEntry,
    ) {
        guard("mknod", || {
            self.reply_entry(reply, self.do_mknod(req, parent, name, mode, rdev))
        });
    }

    fn mkdir(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        _umask: u32,
        reply: ReplyEntry,
    ) {
        // The kernel has applied the umask (the adapter does not ask for FUSE_DONT_MASK).
        guard("mkdir", || {
            let entry = self.node(parent).and_then(|dir| {
                self.fs
                    .mkdir(dir, convert::name(name)?, mode & PERM_MASK, owner(req))
            });
            self.reply_entry(reply, entry)
        });
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        guard("unlink", || {
            let result = self
                .node(parent)
                .and_then(|dir| self.fs.unlink(dir, convert::name(name)?));
            Self::reply_empty(reply, result)
        });
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        guard("rmdir", || {
            let result = self
                .node(parent)
                .and_then(|dir| self.fs.rmdir(dir, convert::name(name)?));
            Self::reply_empty(reply, result)
        });
    }

    fn symlink(
        &self,
        req: &Request,
        parent: INodeNo,
        link_name: &OsStr,
        target: &Path,
        reply: ReplyEntry,
    ) {
        guard("symlink", || {
            let entry = self.node(parent).and_then(|dir| {
                self.fs.symlink(
                    dir,
                    convert::name(link_name)?,
                    target.as_os_str().as_bytes(),
                    owner(req),
                )
            });
            self.reply_entry(reply, entry)
        });
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: fuser::RenameFlags,
        reply: ReplyEmpty,
    ) {
        guard("rename", || {
            Self::reply_empty(
                reply,
                self.do_rename(parent, name, newparent, newname, flags),
            )
        });
    }

    fn link(
        &self,
        _req: &Request,
        ino: INodeNo,
        newparent: INodeNo,
        newname: &OsStr,
        reply: ReplyEntry,
    ) {
        guard("link", || {
            let entry = self.node(ino).and_then(|node| {
                let dir = self.node(newparent)?;
                self.fs.link(node, dir, convert::name(newname)?)
            });
            self.reply_entry(reply, entry)
        });
    }

    fn open(&self, req: &Request, ino: INodeNo, flags: fuser::OpenFlags, reply: ReplyOpen) {
        guard("open", || {
            let flags = OpenFlags::from_raw(flags.0);
            match self.node(ino).and_then(|node| {
                let handle = self.fs.open(node, flags)?;
                if flags.contains(OpenFlags::TRUNCATE) && req.uid() != 0 {
                    if let Err(e) = self.kill_suidgid(req, node) {
                        let _ = self.fs.release(handle);
                        return Err(e);
                    }
                }
                Ok(handle)
            }) {
                Ok(handle) => {
                    let fh = FileHandle(handle.0);
                    let fopen = Self::flush_flags(flags);
                    match self.open_mode(ino.0, handle, |f| reply.open_backing(f)) {
                        Ok(OpenMode::Passthrough(backing)) => {
                            reply.opened_passthrough(fh, fopen, &backing)
                        }
                        Ok(OpenMode::Cached { keep_cache }) => {
                            reply.opened(fh, fopen | self.cached_open_flags(keep_cache))
                        }
                        Err(e) => reply.error(errno(e)),
                    }
                }
                Err(e) => reply.error(errno(e)),
            }
        });
    }

    fn read(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: fuser::OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyData,
    ) {
        guard("read", || {
            self.counters.count_read();
            let mut buf = vec![0u8; size as usize];
            match self.fs.read(HandleId(fh.0), offset, &mut buf) {
                Ok(n) => reply.data(&buf[..n]),
                Err(e) => reply.error(errno(e)),
            }
        });
    }

    fn write(
        &self,
        req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        data: &[u8],
        write_flags: fuser::WriteFlags,
        _flags: fuser::OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        reply: ReplyWrite,
    ) {
        guard("write", || {
            self.counters.count_write();
            let written = self.fs.write(HandleId(fh.0), offset, data).and_then(|n| {
                if write_flags.contains(fuser::WriteFlags::FUSE_WRITE_KILL_SUIDGID) {
                    self.kill_suidgid(req, self.node(ino)?)?;
                }
                Ok(n)
            });
            match written {
                // At most max_write bytes arrive in one request, far below u32::MAX.
                Ok(n) => reply.written(n as u32),
                Err(e) => reply.error(errno(e)),
            }
        });
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _lock_owner: fuser::LockOwner,
        reply: ReplyEmpty,
    ) {
        guard("flush", || {
            Self::reply_empty(reply, self.fs.flush(HandleId(fh.0)))
        });
    }

    fn release(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: fuser::OpenFlags,
        _lock_owner: Option<fuser::LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        guard("release", || {
            if self.passthrough_on {
                self.passthrough.release(fh.0);
            }
            Self::reply_empty(reply, self.fs.release(HandleId(fh.0)))
        });
    }

    fn fsync(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        datasync: bool,
        reply: ReplyEmpty,
    ) {
        guard("fsync", || {
            Self::reply_empty(reply, self.fs.fsync(HandleId(fh.0), datasync))
        });
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: fuser::OpenFlags, reply: ReplyOpen) {
        guard("opendir", || {
            match self.node(ino).and_then(|node| self.fs.opendir(node)) {
                Ok(handle) => {
                    self.dirs.open(handle.0);
                    // The kernel may keep listings in its cache across opens; it drops them
                    // when the directory changes through the mount, when its mtime changes
                    // at an attribute refresh, and on an invalidation.
                    let fopen = if self.keep_cache {
                        FopenFlags::FOPEN_CACHE_DIR | FopenFlags::FOPEN_KEEP_CACHE
                    } else {
                        FopenFlags::empty()
                    };
                    reply.opened(FileHandle(handle.0), fopen)
                }
                Err(e) => reply.error(errno(e)),
            }
        });
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        guard("readdir", || {
            match self.do_readdir(ino, fh, offset, &mut reply) {
                Ok(()) => reply.ok(),
                Err(e) => reply.error(errno(e)),
            }
        });
    }

    fn readdirplus(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectoryPlus,
    ) {
        guard("readdirplus", || {
            match self.do_readdirplus(ino, fh, offset, &mut reply) {
                Ok(()) => reply.ok(),
                Err(e) => reply.error(errno(e)),
            }
        });
    }

    fn releasedir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: fuser::OpenFlags,
        reply: ReplyEmpty,
    ) {
        guard("releasedir", || {
            self.dirs.close(fh.0);
            Self::reply_empty(reply, self.fs.releasedir(HandleId(fh.0)))
        });
    }

    fn fsyncdir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        // Provider directory operations are durable when they return (memory: nothing to
        // make durable; host: the host's own directory semantics), so only the handle is
        // checked.
        guard("fsyncdir", || {
            let result = if self.dirs.get(fh.0).is_some() {
                Ok(())
            } else {
                Err(Errno::EBADF)
            };
            Self::reply_empty(reply, result)
        });
    }

    fn statfs(&self, _req: &Request, ino: INodeNo, reply: ReplyStatfs) {
        guard("statfs", || {
            match self.node(ino).and_then(|node| self.fs.statfs(node)) {
                Ok(s) => reply.statfs(
                    s.blocks,
                    s.blocks_free,
                    s.blocks_available,
                    s.files,
                    s.files_free,
                    s.block_size,
                    s.name_max,
                    s.block_size,
                ),
                Err(e) => reply.error(errno(e)),
            }
        });
    }

    fn setxattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        name: &OsStr,
        value: &[u8],
        flags: i32,
        _position: u32,
        reply: ReplyEmpty,
    ) {
        guard("setxattr", || {
            let how = match flags {
                0 => Ok(XattrSet::Either),
                libc::XATTR_CREATE => Ok(XattrSet::Create),
                libc::XATTR_REPLACE => Ok(XattrSet::Replace),
                _ => Err(Errno::EINVAL),
            };
            let result = how.and_then(|how| {
                self.fs
                    .setxattr(self.node(ino)?, name.as_bytes(), value, how)
            });
            Self::reply_empty(reply, result)
        });
    }

    fn getxattr(&self, _req: &Request, ino: INodeNo, name: &OsStr, size: u32, reply: ReplyXattr) {
        guard("getxattr", || {
            reply_xattr(reply, size, self.do_getxattr(ino, name, size))
        });
    }

    fn listxattr(&self, _req: &Request, ino: INodeNo, size: u32, reply: ReplyXattr) {
        guard("listxattr", || {
            reply_xattr(reply, size, self.do_listxattr(ino, size))
        });
    }

    fn removexattr(&self, _req: &Request, ino: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        guard("removexattr", || {
            let result = self
                .node(ino)
                .and_then(|node| self.fs.removexattr(node, name.as_bytes()));
            Self::reply_empty(reply, result)
        });
    }

    fn access(&self, req: &Request, ino: INodeNo, mask: AccessFlags, reply: ReplyEmpty) {
        guard("access", || {
            Self::reply_empty(reply, self.do_access(req, ino, mask))
        });
    }

    fn create(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        _umask: u32,
        flags: i32,
        reply: ReplyCreate,
    ) {
        guard("create", || {
            let made = self.node(parent).and_then(|dir| {
                self.fs.create(
                    dir,
                    convert::name(name)?,
                    mode & PERM_MASK,
                    OpenFlags::from_raw(flags),
                    owner(req),
                )
            });
            let flags = OpenFlags::from_raw(flags);
            match made {
                Ok((entry, handle)) => {
                    let (ino, generation) = self.inodes.remember(entry.node);
                    let attr = convert::file_attr(ino, &entry.attr);
                    let (fh, generation) = (FileHandle(handle.0), Generation(generation));
                    let fopen = Self::flush_flags(flags);
                    match self.open_mode(ino, handle, |f| reply.open_backing(f)) {
                        Ok(OpenMode::Passthrough(backing)) => reply.created_passthrough(
                            &self.entry_ttl,
                            &attr,
                            generation,
                            fh,
                            fopen,
                            &backing,
                        ),
                        Ok(OpenMode::Cached { keep_cache }) => reply.created(
                            &self.entry_ttl,
                            &attr,
                            generation,
                            fh,
                            fopen | self.cached_open_flags(keep_cache),
                        ),
                        Err(e) => {
                            // Not sent: give back the lookup the entry counted.
                            if let Some(f) = self.inodes.forget(ino, 1) {
                                self.fs.forget(f.node, f.count);
                            }
                            reply.error(errno(e))
                        }
                    }
                }
                Err(e) => reply.error(errno(e)),
            }
        });
    }

    fn fallocate(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        length: u64,
        mode: i32,
        reply: ReplyEmpty,
    ) {
        guard("fallocate", || {
            let mode = match mode {
                0 => Ok(FallocateMode::Allocate),
                libc::FALLOC_FL_KEEP_SIZE => Ok(FallocateMode::KeepSize),
                m if m == libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE => {
                    Ok(FallocateMode::PunchHole)
                }
                _ => Err(Errno::EOPNOTSUPP),
            };
            let result =
                mode.and_then(|mode| self.fs.fallocate(HandleId(fh.0), mode, offset, length));
            Self::reply_empty(reply, result)
        });
    }

    fn lseek(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: i64,
        whence: i32,
        reply: ReplyLseek,
    ) {
        // The kernel answers SEEK_SET/CUR/END itself; only SEEK_DATA and SEEK_HOLE come here.
        guard("lseek", || {
            let what = match whence {
                libc::SEEK_DATA => Ok(SeekHole::Data),
                libc::SEEK_HOLE => Ok(SeekHole::Hole),
                _ => Err(Errno::EINVAL),
            };
            let result = what.and_then(|what| {
                let offset = u64::try_from(offset).map_err(|_| Errno::ENXIO)?;
                self.fs.seek(HandleId(fh.0), offset, what)
            });
            match result.and_then(|o| i64::try_from(o).map_err(|_| Errno::EOVERFLOW)) {
                Ok(o) => reply.offset(o),
                Err(e) => reply.error(errno(e)),
            }
        });
    }
}
