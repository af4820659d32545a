//! A read-only view of any provider: [`ReadOnly`].
//!
//! Every mutation is refused with `EROFS`, in the precedence the Linux kernel shows on a
//! read-only mount (checked with `mount -o remount,bind,ro` over tmpfs): errors found while
//! resolving the name come first (`ENOTDIR` for a non-directory parent, `EEXIST` for an
//! existing name in `mkdir`/`mknod`/`symlink`/`link`/exclusive `create`, `ENOENT` in a removed
//! directory), then `EROFS`. Removal and rename give `EROFS` before looking at the names.
//! Reads pass through untouched: node ids, handle ids, cookies and attributes are the inner
//! provider's.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod refuse;

use std::sync::Arc;
use vfsbox_api::{
    Attr, Capabilities, Entry, Errno, FileKind, FileSystem, HandleId, Name, NodeId, OpenFlags,
    Owner, RenameFlags, SetAttr, StatFs, XattrSet,
};

/// A provider that shows `inner` unchanged and refuses every change with `EROFS`.
///
/// It holds no state of its own, so it costs one indirect call per operation and an extra
/// `getattr` or `lookup` only on the refusal paths that need one to pick Linux's errno.
#[derive(Clone)]
pub struct ReadOnly {
    inner: Arc<dyn FileSystem>,
}

impl ReadOnly {
    /// A read-only view of `inner`. `inner` itself stays writable for whoever else holds it.
    pub fn new(inner: Arc<dyn FileSystem>) -> ReadOnly {
        ReadOnly { inner }
    }

    /// A read-only view of `fs`, which the view then owns.
    pub fn wrap(fs: impl FileSystem + 'static) -> ReadOnly {
        ReadOnly::new(Arc::new(fs))
    }

    /// The provider this view shows.
    pub fn inner(&self) -> &Arc<dyn FileSystem> {
        &self.inner
    }
}

impl std::fmt::Debug for ReadOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOnly")
            .field("inner", &self.inner.capabilities())
            .finish()
    }
}

impl FileSystem for ReadOnly {
    // Reads pass through untouched. So do `write` (only handles of FIFOs, sockets and devices
    // can be writable here; the inner provider refuses any other with `EBADF`, as Linux does)
    // and `fallocate` (no regular file is open for writing through this view, so the inner
    // provider answers as Linux does on a read-only mount: `EOPNOTSUPP` without support,
    // `EINVAL` for an empty range, then `EBADF`).
    //
    // `backing_file` passes through too: a backing file is only ever a regular file's, and
    // this view refuses every opening of a regular file for writing or truncation (`open`
    // below), so every handle that can have one is read-only, and the kernel opens the
    // backing file with the access mode of that read-only FUSE open.
    vfsbox_api::forward_filesystem!(inner: root, lookup, lookup_path, forget, getattr,
        readlink, read, write, flush, fsync, release, seek, opendir, readdir, releasedir,
        fallocate, getxattr, listxattr, backing_file);

    /// Passed on for opens that only read; a writing or truncating open is left to the
    /// consumer's lookup and [`open`](FileSystem::open), which refuse it in Linux's order.
    fn open_name(
        &self,
        dir: NodeId,
        name: &Name,
        flags: OpenFlags,
        check: vfsbox_api::OpenCheck<'_>,
    ) -> Option<Result<(Entry, HandleId), Errno>> {
        if flags.writable() || flags.contains(OpenFlags::TRUNCATE) {
            return None;
        }
        self.inner.open_name(dir, name, flags, check)
    }

    /// The inner provider's capabilities with `read_only` set: every other field still says
    /// what the data can hold (e.g. that symlinks may be present), and `read_only` tells the
    /// consumer to expect `EROFS` for every change.
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            read_only: true,
            ..self.inner.capabilities()
        }
    }

    /// An empty change succeeds (as `utimensat` with both times `UTIME_OMIT` does on a
    /// read-only mount); a size change first gets the kind errors of `truncate` (`EISDIR`,
    /// `EINVAL`), which Linux checks before the mount; anything else is `EROFS`.
    fn setattr(
        &self,
        node: NodeId,
        changes: &SetAttr,
        handle: Option<HandleId>,
    ) -> Result<Attr, Errno> {
        let _ = handle;
        let attr = self.inner.getattr(node)?;
        if changes.is_empty() {
            return Ok(attr);
        }
        if changes.size.is_some() {
            refuse::truncate_kind(attr.kind)?;
        }
        Err(Errno::EROFS)
    }

    fn mkdir(&self, dir: NodeId, name: &Name, perm: u32, owner: Owner) -> Result<Entry, Errno> {
        let _ = (perm, owner);
        refuse::new_name(&*self.inner, dir, name)
    }

    fn mknod(
        &self,
        dir: NodeId,
        name: &Name,
        kind: FileKind,
        perm: u32,
        rdev: u64,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        let _ = (perm, rdev, owner);
        match kind {
            FileKind::Directory => return Err(Errno::EPERM),
            FileKind::Symlink => return Err(Errno::EINVAL),
            _ => {}
        }
        refuse::new_name(&*self.inner, dir, name)
    }

    /// An existing name is opened as `open` would (so `O_CREAT` without `O_EXCL` and without
    /// write access works, as on a read-only mount); a missing one is `EROFS`.
    fn create(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno> {
        let _ = (perm, owner);
        let entry = match self.inner.lookup(dir, name) {
            Ok(entry) => entry,
            Err(Errno::ENOENT) => return Err(refuse::missing_name(&*self.inner, dir)),
            Err(e) => return Err(e),
        };
        let opened = if flags.contains(OpenFlags::EXCLUSIVE) {
            Err(Errno::EEXIST)
        } else {
            self.open(entry.node, flags)
        };
        match opened {
            Ok(handle) => Ok((entry, handle)),
            Err(e) => {
                self.inner.forget(entry.node, 1);
                Err(e)
            }
        }
    }

    fn symlink(
        &self,
        dir: NodeId,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno> {
        let _ = owner;
        refuse::symlink_target(target)?;
        refuse::new_name(&*self.inner, dir, name)
    }

    fn link(&self, node: NodeId, new_dir: NodeId, new_name: &Name) -> Result<Entry, Errno> {
        self.inner.getattr(node)?;
        refuse::new_name(&*self.inner, new_dir, new_name)
    }

    fn unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        let _ = name;
        refuse::removal(&*self.inner, &[dir])
    }

    fn rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        let _ = name;
        refuse::removal(&*self.inner, &[dir])
    }

    /// `EROFS` after the parents are checked, whatever the flags: on a read-only mount Linux
    /// refuses before the filesystem could reject a flag it does not support.
    fn rename(
        &self,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        let _ = (name, new_name, flags);
        refuse::removal(&*self.inner, &[dir, new_dir])
    }

    /// Opening for reading passes through. Writing or `O_TRUNC` is `EROFS` for regular files
    /// (after `EISDIR`/`ELOOP`); FIFOs, sockets and devices pass through, because Linux lets
    /// them be opened for writing on a read-only mount (writing to them changes no file).
    fn open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno> {
        if flags.writable() || flags.contains(OpenFlags::TRUNCATE) {
            match self.inner.getattr(node)?.kind {
                FileKind::Directory => return Err(Errno::EISDIR),
                FileKind::Symlink => return Err(Errno::ELOOP),
                FileKind::Regular => return Err(Errno::EROFS),
                _ => {}
            }
        }
        self.inner.open(node, flags)
    }

    fn statfs(&self, node: NodeId) -> Result<StatFs, Errno> {
        Ok(StatFs {
            read_only: true,
            ..self.inner.statfs(node)?
        })
    }

    fn setxattr(
        &self,
        node: NodeId,
        name: &[u8],
        value: &[u8],
        how: XattrSet,
    ) -> Result<(), Errno> {
        let _ = how;
        self.inner.getattr(node)?;
        refuse::xattr_name(name)?;
        if value.len() > refuse::XATTR_SIZE_MAX {
            return Err(Errno::E2BIG);
        }
        Err(Errno::EROFS)
    }

    fn removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno> {
        self.inner.getattr(node)?;
        refuse::xattr_name(name)?;
        Err(Errno::EROFS)
    }
}
