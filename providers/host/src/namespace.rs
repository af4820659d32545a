//! Namespace operations: lookup and the calls that make, link, remove and move names.
//! Each is one single-name `*at` call relative to a directory node's descriptor.

use crate::convert::{attr, host_id};
use crate::handles::{FileHandle, Handle};
use crate::sys;
use crate::table::Node;
use crate::HostFs;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use vfsbox_api::{
    Entry, Errno, FileKind, HandleId, Name, NodeId, OpenFlags, Owner, RenameFlags, SearchCheck,
    PERM_MASK, SYMLINK_MAX, S_ISGID, S_ISUID,
};

/// Set-id bits, stripped from every mode the provider sets.
const SETID: u32 = S_ISUID | S_ISGID;

/// How often `create` retries when a name appears and vanishes between its two opens.
const CREATE_RETRIES: usize = 16;

impl HostFs {
    /// The directory node `id`; `ENOTDIR` if it is another kind.
    pub(crate) fn dir_node(&self, id: NodeId) -> Result<Arc<Node>, Errno> {
        let node = self.table.get(id)?;
        if node.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok(node)
    }

    /// Answers a creating call refused for `err` with the errors that precede it in the
    /// trait's order: `EEXIST` if `name` exists, then `EROFS` if read-only.
    fn refuse(&self, dir: &Node, name: &Name, err: Errno) -> Errno {
        match sys::statx_at(dir.fd.as_fd(), name) {
            Ok(_) => Errno::EEXIST,
            Err(Errno::ENOENT) if self.caps.read_only => Errno::EROFS,
            Err(Errno::ENOENT) => err,
            Err(other) => other,
        }
    }

    pub(crate) fn do_lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
        let dir = self.dir_node(dir)?;
        let (host, found) = sys::statx_at_with(dir.fd.as_fd(), name, |st| (host_id(st), attr(st)))?;
        if let Some(node) = self.table.hit(host, &dir, name) {
            return Ok(Entry { node, attr: found? });
        }
        // Not a node yet: hold the inode by an O_PATH descriptor and describe *that* (the
        // name may have changed since the statx).
        let fd = sys::openat(dir.fd.as_fd(), name, libc::O_PATH, 0)?;
        self.adopt(&dir, name, fd)
    }

    /// [`FileSystem::lookup_path`](vfsbox_api::FileSystem::lookup_path) for attributes only
    /// (`hold` false) and no search check: the directories on the way are opened by one
    /// `openat2` confined beneath `dir` that follows no symlink, then the last name is one
    /// `statx`, as `lookup` does it. Whatever else, or any failure of the `openat2` (a
    /// symlink on the way, a missing name, a race), is left to the name-by-name walk, which
    /// gives the exact errno.
    pub(crate) fn do_lookup_path(
        &self,
        dir: NodeId,
        names: &[&Name],
        search: Option<SearchCheck<'_>>,
        hold: bool,
    ) -> Option<Result<Entry, Errno>> {
        if hold || search.is_some() {
            return None;
        }
        let (last, walk) = names.split_last()?;
        // The root (where most walks start) is borrowed, not counted: no atomic increment
        // and decrement of its reference count on every stat.
        let held;
        let dir: &Node = if dir == crate::table::ROOT {
            self.table.root()
        } else {
            held = self.dir_node(dir).ok()?;
            &held
        };
        // The node id means nothing without `hold`; the attributes are what is asked.
        let entry = |st: &libc::statx| {
            attr(st).map(|attr| Entry {
                node: NodeId(0),
                attr,
            })
        };
        let found = if walk.is_empty() {
            sys::statx_at_with(dir.fd.as_fd(), last, entry)
        } else {
            let fd = sys::open_dirs_beneath(dir.fd.as_fd(), walk).ok()?;
            sys::statx_at_with(fd.as_fd(), last, entry)
        };
        match found {
            Ok(entry) => Some(entry),
            Err(Errno::ENOENT) => Some(Err(Errno::ENOENT)),
            Err(_) => None,
        }
    }

    /// Makes `fd` (an inode just found as `name` in `dir`) a node, or counts a lookup of the
    /// node it already is.
    fn adopt(&self, dir: &Arc<Node>, name: &Name, fd: OwnedFd) -> Result<Entry, Errno> {
        let st = sys::statx_fd(fd.as_fd())?;
        let attr = attr(&st)?;
        let node = Node {
            fd,
            kind: attr.kind,
            host: host_id(&st),
        };
        let node = self.table.insert(node, dir, name);
        Ok(Entry { node, attr })
    }

    /// Gives a node just made by this provider the mode and owner it was asked for: the
    /// kernel applied the process umask (or a default ACL) and its own owner rules.
    fn finish_new(
        &self,
        dir: &Node,
        fd: &OwnedFd,
        st: &mut libc::statx,
        perm: u32,
        owner: Owner,
    ) -> Result<(), Errno> {
        let mut changed = false;
        if self.caps.ownership && (st.stx_uid != owner.uid || st.stx_gid != owner.gid) {
            // The kernel gave the node a set-gid parent's group; keep that, as Linux does.
            let parent = sys::statx_fd(dir.fd.as_fd())?;
            let gid = if u32::from(parent.stx_mode) & S_ISGID != 0 {
                parent.stx_gid
            } else {
                owner.gid
            };
            if st.stx_uid != owner.uid || st.stx_gid != gid {
                sys::chown_fd(fd.as_fd(), owner.uid, gid)?;
                changed = true;
            }
        }
        let is_link = u32::from(st.stx_mode) & libc::S_IFMT == libc::S_IFLNK;
        if !is_link && u32::from(st.stx_mode) & PERM_MASK != perm {
            sys::chmod_fd(fd.as_fd(), perm)?;
            changed = true;
        }
        if changed {
            *st = sys::statx_fd(fd.as_fd())?;
        }
        Ok(())
    }

    /// After `*at` made `name` in `dir`: hold it, fix its mode and owner, count a lookup.
    fn made(
        &self,
        dir: &Arc<Node>,
        name: &Name,
        extra: libc::c_int,
        perm: u32,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        let fd = sys::openat(dir.fd.as_fd(), name, libc::O_PATH | extra, 0)?;
        let mut st = sys::statx_fd(fd.as_fd())?;
        self.finish_new(dir, &fd, &mut st, perm, owner)?;
        let attr = attr(&st)?;
        let node = Node {
            fd,
            kind: attr.kind,
            host: host_id(&st),
        };
        let node = self.table.insert(node, dir, name);
        Ok(Entry { node, attr })
    }

    pub(crate) fn do_mkdir(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        let dir = self.dir_node(dir)?;
        if perm & !PERM_MASK != 0 {
            return Err(self.refuse(&dir, name, Errno::EINVAL));
        }
        let perm = perm & !SETID;
        sys::mkdirat(dir.fd.as_fd(), name, perm)?;
        self.made(&dir, name, libc::O_DIRECTORY, perm, owner)
    }

    pub(crate) fn do_mknod(
        &self,
        dir: NodeId,
        name: &Name,
        kind: FileKind,
        perm: u32,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        // The kind first, as the kernel's may_mknod checks it before the parent.
        match kind {
            FileKind::Directory => return Err(Errno::EPERM),
            FileKind::Symlink => return Err(Errno::EINVAL),
            _ => {}
        }
        let dir = self.dir_node(dir)?;
        if perm & !PERM_MASK != 0 {
            return Err(self.refuse(&dir, name, Errno::EINVAL));
        }
        if matches!(kind, FileKind::CharDevice | FileKind::BlockDevice) {
            // Never plant a device node on the host.
            return Err(self.refuse(&dir, name, Errno::EPERM));
        }
        let perm = perm & !SETID;
        sys::mknodat(dir.fd.as_fd(), name, kind.mode_bits() | perm)?;
        self.made(&dir, name, 0, perm, owner)
    }

    pub(crate) fn do_symlink(
        &self,
        dir: NodeId,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno> {
        // The kernel copies the target in before it looks at the directory, so these come
        // first (symlinkat("", dir, existing) is ENOENT, not EEXIST).
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        if target.len() > SYMLINK_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        if target.contains(&0) {
            return Err(Errno::EINVAL); // no syscall can carry it; refuse rather than cut it
        }
        let dir = self.dir_node(dir)?;
        sys::symlinkat(target, dir.fd.as_fd(), name)?;
        self.made(&dir, name, 0, 0o777, owner)
    }

    pub(crate) fn do_create(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno> {
        let dir = self.dir_node(dir)?;
        let exclusive = flags.contains(OpenFlags::EXCLUSIVE);
        let perm_ok = perm & !PERM_MASK == 0;
        let perm = perm & PERM_MASK & !SETID;
        let io = crate::io::io_flags(flags) | libc::O_NONBLOCK;
        for _ in 0..CREATE_RETRIES {
            if perm_ok {
                let made = sys::openat(
                    dir.fd.as_fd(),
                    name,
                    io | libc::O_CREAT | libc::O_EXCL,
                    perm,
                );
                match made {
                    Ok(fd) => return self.created(&dir, name, fd, perm, owner, flags),
                    Err(Errno::EEXIST) if !exclusive => {}
                    Err(e) => return Err(e),
                }
            } else if exclusive {
                return Err(self.refuse(&dir, name, Errno::EINVAL));
            }
            // An existing name: open it as `open` would (the mode is not used).
            let trunc = if flags.contains(OpenFlags::TRUNCATE) {
                libc::O_TRUNC
            } else {
                0
            };
            match sys::openat(dir.fd.as_fd(), name, io | trunc, 0) {
                Ok(fd) => return self.opened_existing(&dir, name, fd, flags),
                Err(Errno::ENOENT) if perm_ok => continue, // removed meanwhile: create again
                Err(Errno::ENOENT) => return Err(self.refuse(&dir, name, Errno::EINVAL)),
                Err(e) => return Err(e),
            }
        }
        Err(Errno::ENOENT)
    }

    /// The new regular file `fd` made by `create`: fix mode and owner, make it a node (an
    /// `O_PATH` descriptor of exactly this inode, taken from `fd` without a name) and a handle.
    fn created(
        &self,
        dir: &Arc<Node>,
        name: &Name,
        fd: OwnedFd,
        perm: u32,
        owner: Owner,
        flags: OpenFlags,
    ) -> Result<(Entry, HandleId), Errno> {
        let mut st = sys::statx_fd(fd.as_fd())?;
        self.finish_new(dir, &fd, &mut st, perm, owner)?;
        self.entry_and_handle(dir, name, fd, &st, flags)
    }

    fn opened_existing(
        &self,
        dir: &Arc<Node>,
        name: &Name,
        fd: OwnedFd,
        flags: OpenFlags,
    ) -> Result<(Entry, HandleId), Errno> {
        let st = sys::statx_fd(fd.as_fd())?;
        if u32::from(st.stx_mode) & libc::S_IFMT == libc::S_IFDIR {
            return Err(Errno::EISDIR); // O_CREAT on a directory, as the kernel answers
        }
        self.entry_and_handle(dir, name, fd, &st, flags)
    }

    fn entry_and_handle(
        &self,
        dir: &Arc<Node>,
        name: &Name,
        fd: OwnedFd,
        st: &libc::statx,
        flags: OpenFlags,
    ) -> Result<(Entry, HandleId), Errno> {
        let attr = attr(st)?;
        let node = match self.table.hit(host_id(st), dir, name) {
            Some(node) => node,
            None => {
                let path = sys::path_fd_of(fd.as_fd())?;
                let node = Node {
                    fd: path,
                    kind: attr.kind,
                    host: host_id(st),
                };
                self.table.insert(node, dir, name)
            }
        };
        if attr.kind != FileKind::Regular && !flags.contains(OpenFlags::NONBLOCK) {
            sys::clear_nonblock(fd.as_fd())?;
        }
        let handle = self.handles.insert(Handle::File(FileHandle {
            fd,
            readable: flags.readable(),
            writable: flags.writable(),
            positional: matches!(attr.kind, FileKind::Regular | FileKind::BlockDevice),
            regular: attr.kind == FileKind::Regular,
        }));
        Ok((Entry { node, attr }, handle))
    }

    pub(crate) fn do_link(
        &self,
        node: NodeId,
        new_dir: NodeId,
        new_name: &Name,
    ) -> Result<Entry, Errno> {
        let (target, locations) = self.table.get_with_locations(node)?;
        let dir = self.dir_node(new_dir)?;
        match sys::link_fd(target.fd.as_fd(), dir.fd.as_fd(), new_name) {
            Ok(()) => {}
            // A removed destination directory takes no new name: ENOENT, as the kernel said.
            Err(Errno::ENOENT) if sys::statx_fd(dir.fd.as_fd())?.stx_nlink == 0 => {
                return Err(Errno::ENOENT)
            }
            // Without CAP_DAC_READ_SEARCH the kernel refuses AT_EMPTY_PATH with ENOENT; an
            // inode with links left is then linked through a remembered name, checked after.
            Err(Errno::ENOENT) if sys::statx_fd(target.fd.as_fd())?.stx_nlink > 0 => {
                self.link_by_name(&target, &locations, &dir, new_name)?
            }
            Err(e) => return Err(e),
        }
        let st = sys::statx_fd(target.fd.as_fd())?;
        let attr = attr(&st)?;
        let node = match self.table.hit(target.host, &dir, new_name) {
            Some(node) => node,
            None => {
                let fd = sys::path_fd_of(target.fd.as_fd())?;
                let node = Node {
                    fd,
                    kind: attr.kind,
                    host: target.host,
                };
                self.table.insert(node, &dir, new_name)
            }
        };
        Ok(Entry { node, attr })
    }

    fn link_by_name(
        &self,
        target: &Node,
        locations: &[crate::table::Location],
        dir: &Node,
        new_name: &Name,
    ) -> Result<(), Errno> {
        for loc in locations {
            match sys::linkat(loc.parent.fd.as_fd(), &loc.name, dir.fd.as_fd(), new_name) {
                Ok(()) => {}
                Err(Errno::ENOENT) => continue,
                Err(e) => return Err(e),
            }
            let st = sys::statx_at(dir.fd.as_fd(), new_name)?;
            if host_id(&st) == target.host {
                return Ok(());
            }
            // The remembered name named another inode by now: take the wrong link back.
            let _ = sys::unlinkat(dir.fd.as_fd(), new_name, 0);
        }
        Err(Errno::ESTALE)
    }

    pub(crate) fn do_unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        let dir = self.dir_node(dir)?;
        sys::unlinkat(dir.fd.as_fd(), name, 0)?;
        self.table.unlinked(dir.host, name);
        Ok(())
    }

    pub(crate) fn do_rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        let dir = self.dir_node(dir)?;
        sys::unlinkat(dir.fd.as_fd(), name, libc::AT_REMOVEDIR)?;
        self.table.unlinked(dir.host, name);
        Ok(())
    }

    pub(crate) fn do_rename(
        &self,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        let from = self.dir_node(dir)?;
        let to = self.dir_node(new_dir)?;
        sys::renameat2(from.fd.as_fd(), name, to.fd.as_fd(), new_name, flags.raw())?;
        self.table.renamed(
            (&from, name),
            (&to, new_name),
            flags == RenameFlags::Exchange,
        );
        Ok(())
    }
}
