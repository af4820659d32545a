//! `openat`: resolution with `O_CREAT` (a final symlink is followed to create its target),
//! Linux's `may_open` checks in order, and the new description. An existing file named by
//! the last name of a walk is opened in one provider call when the provider offers it
//! ([`FileSystem::open_name`](vfsbox_api::FileSystem::open_name)), the same checks run on
//! the attributes of the file it opened.

use crate::compat::CompatEvent;
use crate::emulated::Emulated;
use crate::fdtable::{Handle, OpenFile, Slot};
use crate::identity::{MAY_EXEC, MAY_READ, MAY_WRITE};
use crate::node::{LinkName, Location, NodeRef};
use crate::resolver::{check_path, name_in, Found, Last, LastKind};
use std::sync::Arc;
use vfsbox_api::{Attr, Errno, Fd, FileKind, HandleId, Name, OpenFlags, S_ISGID, S_ISUID};

/// `O_LARGEFILE` as x86-64 and aarch64 Linux report it in `F_GETFL` (every open is large).
pub(crate) const O_LARGEFILE: i32 = 0o100000;
/// Flags that are not kept in the description (`F_GETFL` never shows them).
const NOT_KEPT: i32 =
    libc::O_CREAT | libc::O_EXCL | libc::O_NOCTTY | libc::O_TRUNC | libc::O_CLOEXEC;
/// The `O_TMPFILE` bit without `O_DIRECTORY`.
const TMPFILE_BIT: i32 = libc::O_TMPFILE & !libc::O_DIRECTORY;
/// Why [`Emulated::may_open`] refused.
enum Refused {
    /// This error.
    Errno(Errno),
    /// This permission error of a writing open, or `EROFS` if the object is on a read-only
    /// mount (Linux's `mnt_want_write` comes first): only the object's node can tell.
    UnlessReadOnly(Errno),
}

/// What a provider acts on.
/// `O_APPEND` is not passed: the emulated layer appends itself, so `F_SETFL` can change it.
const PROVIDER_FLAGS: i32 = libc::O_ACCMODE
    | libc::O_TRUNC
    | libc::O_NONBLOCK
    | libc::O_SYNC
    | libc::O_DSYNC
    | libc::O_DIRECT
    | libc::O_NOATIME;

impl Emulated {
    pub(crate) fn do_openat(
        &self,
        dirfd: Fd,
        path: &[u8],
        flags: i32,
        mode: u32,
    ) -> Result<Fd, Errno> {
        if flags & TMPFILE_BIT != 0 {
            self.compat
                .emit(CompatEvent::UnsupportedTmpfile, "openat(O_TMPFILE)")?;
            return Err(Errno::EOPNOTSUPP);
        }
        let path_only = flags & libc::O_PATH != 0;
        let flags = if path_only {
            flags & (libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
        } else {
            flags
        };
        if flags & libc::O_CREAT != 0 && flags & libc::O_DIRECTORY != 0 {
            return Err(Errno::EINVAL);
        }
        if flags & libc::O_ASYNC != 0 {
            self.compat
                .emit(CompatEvent::IgnoredAsyncFlag, "openat(O_ASYNC)")?;
        }
        check_path(path)?;
        let start = self.start(dirfd, path)?;
        let follow = flags & libc::O_NOFOLLOW == 0;
        let (found, created) = if flags & libc::O_CREAT == 0 {
            let mut resolver = self.resolver(&self.eff);
            let found = if let Ok(name) = Name::new(path) {
                // One valid name in the start directory (the most common path): the walk's
                // search check, then the name opened in place, with no walk set up and
                // no chain copied for it. (A single name walks as cheaply as the quick
                // walk, which only paths with a slash try; a name `Name::new`
                // refuses is a path with a slash, `.`, `..`, or an over-long name, whose
                // error the walk gives in its place.)
                resolver.search_start(&start)?;
                if !path_only {
                    if let Some(file) = self.open_by_name(&start, name, flags)? {
                        return self.install(file, flags);
                    }
                }
                let last = Last {
                    kind: LastKind::Name(LinkName::new(path)),
                    trailing_slash: false,
                };
                resolver.finish(start.clone(), last, follow)?
            } else if let Some(quick) = resolver.resolve_quick(&start, path, follow) {
                quick?
            } else {
                let (loc, last) = resolver.walk_parent(&start, path)?;
                if let (LastKind::Name(bytes), false, false) =
                    (&last.kind, last.trailing_slash, path_only)
                {
                    // The name is checked where the lookup would check it (a removed
                    // directory's over-long name is ENOENT).
                    let name = name_in(&self.fs, loc.node().id(), bytes)?;
                    if let Some(file) = self.open_by_name(&loc, name, flags)? {
                        return self.install(file, flags);
                    }
                }
                resolver.finish(loc, last, follow)?
            };
            (found, None)
        } else {
            self.open_creating(&start, path, flags, mode)?
        };
        let file = match created {
            Some(handle) => self.description(found, Handle::File(handle), flags),
            None if path_only => {
                if flags & libc::O_DIRECTORY != 0 && found.attr.kind != FileKind::Directory {
                    return Err(Errno::ENOTDIR);
                }
                let kept = flags & (libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW);
                self.description(found, Handle::Path, kept)
            }
            None => self.open_existing(found, flags)?,
        };
        self.install(file, flags)
    }

    /// The lowest free descriptor for the new description `file`.
    fn install(&self, file: Arc<OpenFile>, flags: i32) -> Result<Fd, Errno> {
        self.fds.insert(
            Slot {
                file,
                cloexec: flags & libc::O_CLOEXEC != 0,
            },
            0,
        )
    }

    /// The `O_CREAT` half of `open_last_lookups`: returns the object and, when it was
    /// made, the handle `create` opened.
    fn open_creating(
        &self,
        start: &crate::node::Location,
        path: &[u8],
        flags: i32,
        mode: u32,
    ) -> Result<(Found, Option<HandleId>), Errno> {
        let exclusive = flags & libc::O_EXCL != 0;
        // O_EXCL implies O_NOFOLLOW.
        let follow = flags & libc::O_NOFOLLOW == 0 && !exclusive;
        let mut resolver = self.resolver(&self.eff);
        let (mut loc, mut last) = resolver.walk_parent(start, path)?;
        loop {
            if !matches!(last.kind, LastKind::Name(_)) {
                // `.`, `..` or `/`: an existing directory.
                return Err(if exclusive {
                    Errno::EEXIST
                } else {
                    Errno::EISDIR
                });
            }
            // A trailing slash is refused before the name is even looked up.
            if last.trailing_slash {
                return Err(Errno::EISDIR);
            }
            let Some(name) = last.name(&self.fs, &loc)? else {
                return Err(Errno::EISDIR);
            };
            if exclusive {
                if let Some(made) = self.create_exclusive(&loc, name, flags, mode) {
                    return made.map(|(found, handle)| (found, Some(handle)));
                }
            }
            match self.fs.lookup(loc.node().id(), name) {
                Ok(entry) => {
                    let node = NodeRef::adopt(&self.fs, entry.node);
                    if exclusive {
                        return Err(Errno::EEXIST);
                    }
                    if entry.attr.kind == FileKind::Symlink && follow {
                        (loc, last) = resolver.follow_link(loc, &node)?;
                        continue;
                    }
                    if entry.attr.kind == FileKind::Directory {
                        return Err(Errno::EISDIR);
                    }
                    let name = crate::node::LinkName::new(name.as_bytes());
                    return Ok((
                        Found {
                            parent: loc,
                            leaf: Some((node, name)),
                            attr: entry.attr,
                        },
                        None,
                    ));
                }
                Err(e) if e == Errno::ENOENT => {
                    if self.read_only {
                        return Err(Errno::EROFS);
                    }
                    // Root passes `may_o_create` on any directory (and `loc` ends at one:
                    // the walk only steps into directories).
                    if !self.eff.is_root() {
                        let dir = self.fs.getattr(loc.node().id())?;
                        if dir.kind != FileKind::Directory {
                            return Err(Errno::ENOTDIR);
                        }
                        self.eff
                            .may(&dir, MAY_WRITE | MAY_EXEC)
                            .map_err(|e| self.unless_ro(loc.node().id(), e))?;
                    }
                    let perm = mode & 0o7777 & !self.umask_bits();
                    self.check_setid_kept(perm)?;
                    let provider = OpenFlags::from_raw(
                        flags & (PROVIDER_FLAGS | libc::O_EXCL) & !libc::O_TRUNC,
                    );
                    let (entry, handle) =
                        self.fs
                            .create(loc.node().id(), name, perm, provider, self.owner())?;
                    let node = NodeRef::adopt(&self.fs, entry.node);
                    let name = crate::node::LinkName::new(name.as_bytes());
                    return Ok((
                        Found {
                            parent: loc,
                            leaf: Some((node, name)),
                            attr: entry.attr,
                        },
                        Some(handle),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// `O_CREAT | O_EXCL` by root, who passes every check that could come before `EEXIST`:
    /// one exclusive `create`, without the lookup that would only tell `EEXIST` from the
    /// permission errors. `None` (nothing made) sends the caller to the lookup, which then
    /// orders the errors as Linux does: for another identity, a read-only view, set-id bits
    /// the provider would strip (a compatibility event), or any refusal but `EEXIST` (a
    /// wrapper may refuse before it looks at the name, where Linux says `EEXIST` first).
    fn create_exclusive(
        &self,
        loc: &crate::node::Location,
        name: &vfsbox_api::Name,
        flags: i32,
        mode: u32,
    ) -> Option<Result<(Found, HandleId), Errno>> {
        let perm = mode & 0o7777 & !self.umask_bits();
        let setid = perm & (vfsbox_api::S_ISUID | vfsbox_api::S_ISGID) != 0;
        if !self.eff.is_root() || self.read_only || (setid && !self.setid_bits) {
            return None;
        }
        let provider =
            OpenFlags::from_raw(flags & (PROVIDER_FLAGS | libc::O_EXCL) & !libc::O_TRUNC);
        match self
            .fs
            .create(loc.node().id(), name, perm, provider, self.owner())
        {
            Ok((entry, handle)) => {
                let node = NodeRef::adopt(&self.fs, entry.node);
                let name = crate::node::LinkName::new(name.as_bytes());
                Some(Ok((
                    Found {
                        parent: loc.clone(),
                        leaf: Some((node, name)),
                        attr: entry.attr,
                    },
                    handle,
                )))
            }
            Err(e) if e == Errno::EEXIST => Some(Err(e)),
            Err(_) => None,
        }
    }

    /// `may_open` for an object that exists, as far as it can be decided from its
    /// attributes: Linux's checks in order, before anything is opened. Returns whether the
    /// open truncates (`O_TRUNC` of a regular file; ignored for other kinds but
    /// directories).
    #[inline]
    fn may_open(&self, attr: &Attr, flags: i32) -> Result<bool, Refused> {
        if flags & libc::O_DIRECTORY != 0 && attr.kind != FileKind::Directory {
            return Err(Refused::Errno(Errno::ENOTDIR));
        }
        let mut truncate = flags & libc::O_TRUNC != 0;
        let mut acc = match flags & libc::O_ACCMODE {
            libc::O_RDONLY => MAY_READ,
            libc::O_WRONLY => MAY_WRITE,
            _ => MAY_READ | MAY_WRITE,
        };
        if truncate {
            acc |= MAY_WRITE;
        }
        match attr.kind {
            FileKind::Symlink => return Err(Refused::Errno(Errno::ELOOP)),
            FileKind::Directory if acc & MAY_WRITE != 0 => {
                return Err(Refused::Errno(Errno::EISDIR))
            }
            FileKind::Regular | FileKind::Directory => {}
            _ => truncate = false,
        }
        if truncate && self.read_only {
            return Err(Refused::Errno(Errno::EROFS));
        }
        if acc & MAY_WRITE != 0 {
            self.check_writable_fs(attr.kind).map_err(Refused::Errno)?;
        }
        self.eff.may(attr, acc).map_err(|e| {
            let writes = acc & MAY_WRITE != 0
                && matches!(attr.kind, FileKind::Regular | FileKind::Directory);
            if writes {
                Refused::UnlessReadOnly(e)
            } else {
                Refused::Errno(e)
            }
        })?;
        if flags & libc::O_NOATIME != 0 && !self.eff.owns(attr) {
            return Err(Refused::Errno(Errno::EPERM));
        }
        Ok(truncate)
    }

    /// `do_open` and `may_open` for an object that exists.
    fn open_existing(&self, found: Found, flags: i32) -> Result<Arc<OpenFile>, Errno> {
        let attr = found.attr;
        let truncate = self
            .may_open(&attr, flags)
            .map_err(|refused| match refused {
                Refused::Errno(e) => e,
                Refused::UnlessReadOnly(e) => self.unless_ro(found.node().id(), e),
            })?;
        if truncate && attr.kind == FileKind::Regular {
            // do_truncate drops set-id bits for callers without CAP_FSETID.
            self.kill_setid(&attr, found.node().id(), None)?;
        }
        let handle = if attr.kind == FileKind::Directory {
            Handle::Dir(self.fs.opendir(found.node().id())?)
        } else {
            if attr.kind != FileKind::Regular {
                self.compat.emit(
                    CompatEvent::SpecialFileOpen,
                    "open of a FIFO, socket or device",
                )?;
            }
            let mut provider = flags & PROVIDER_FLAGS;
            if !truncate {
                provider &= !libc::O_TRUNC;
            }
            match self
                .fs
                .open(found.node().id(), OpenFlags::from_raw(provider))
            {
                Ok(handle) => Handle::File(handle),
                Err(e)
                    if e == Errno::ENXIO
                        && attr.kind == FileKind::Fifo
                        && flags & libc::O_ACCMODE == libc::O_RDONLY
                        && flags & libc::O_NONBLOCK != 0 =>
                {
                    Handle::EmptyFifo
                }
                Err(e) => return Err(e),
            }
        };
        Ok(self.description(found, handle, flags))
    }

    /// Opens the last name of a path the way the provider can do in one call
    /// ([`FileSystem::open_name`](vfsbox_api::FileSystem::open_name)): the object it opened
    /// is checked by [`Emulated::may_open`] before the provider truncates it or keeps it
    /// open. `name` is the last name of a path without a trailing slash (callers open the
    /// others the usual way). `Ok(None)`: open it the usual way
    /// (lookup, `may_open`, `open`) — the open wants a directory, the provider declined
    /// (not a regular file, …), or the check met a case whose answer needs the node (a
    /// permission error that a read-only mount turns into `EROFS`, set-id bits that a
    /// truncation clears), which the usual way then decides exactly as before.
    fn open_by_name(
        &self,
        loc: &Location,
        name: &Name,
        flags: i32,
    ) -> Result<Option<Arc<OpenFile>>, Errno> {
        if flags & libc::O_DIRECTORY != 0 {
            return Ok(None);
        }
        let mut redo = false;
        let mut check = |attr: &Attr| match self.may_open(attr, flags) {
            Ok(truncate) => {
                let setid = attr.perm & (S_ISUID | S_ISGID) != 0;
                if truncate && setid && !self.eff.is_root() {
                    redo = true;
                    return Err(Errno::EAGAIN);
                }
                Ok(())
            }
            Err(Refused::Errno(e)) => Err(e),
            Err(Refused::UnlessReadOnly(e)) => {
                redo = true;
                Err(e)
            }
        };
        let provider = OpenFlags::from_raw(flags & PROVIDER_FLAGS);
        let opened = self
            .fs
            .open_name(loc.node().id(), name, provider, &mut check);
        let (entry, handle) = match opened {
            None => return Ok(None),
            Some(Err(_)) if redo => return Ok(None),
            Some(Err(e)) => return Err(e),
            Some(Ok(opened)) => opened,
        };
        let node = NodeRef::adopt(&self.fs, entry.node);
        // Only the kind of the attributes is kept: no `Found` to copy them into.
        let kind = entry.attr.kind;
        let at = loc.child(node, name.as_bytes());
        let (readable, writable) = Self::access(flags);
        Ok(Some(OpenFile::new(
            &self.fs,
            at,
            kind,
            Handle::File(handle),
            readable,
            writable,
            (flags & !NOT_KEPT) | O_LARGEFILE,
        )))
    }

    /// Whether a description opened with `flags` (not `O_PATH`) reads and writes.
    fn access(flags: i32) -> (bool, bool) {
        match flags & libc::O_ACCMODE {
            libc::O_RDONLY => (true, false),
            libc::O_WRONLY => (false, true),
            libc::O_RDWR => (true, true),
            _ => (false, false),
        }
    }

    /// A new open file description.
    fn description(&self, found: Found, handle: Handle, flags: i32) -> Arc<OpenFile> {
        let path_only = handle == Handle::Path;
        let (readable, writable) = if path_only {
            (false, false)
        } else {
            Self::access(flags)
        };
        let kept = if path_only {
            flags
        } else {
            (flags & !NOT_KEPT) | O_LARGEFILE
        };
        let kind = found.attr.kind;
        OpenFile::new(
            &self.fs,
            found.into_location(),
            kind,
            handle,
            readable,
            writable,
            kept,
        )
    }
}
