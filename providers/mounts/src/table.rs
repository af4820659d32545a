//! The mount table as a [`FileSystem`]: each call finds the mount holding its node and
//! forwards, translating node ids, handle ids, inode numbers and cookies.

use crate::build::MountTableBuilder;
use crate::ids::{direct, split_direct, IdMap, Ids};
use crate::skeleton::Skeleton;
use crate::Mount;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use vfsbox_api::{
    Attr, Capabilities, DirEntry, Entry, Errno, FallocateMode, FileKind, FileSystem, HandleId,
    Name, NodeId, OpenCheck, OpenFlags, Owner, RenameFlags, SearchCheck, SeekHole, SetAttr, StatFs,
    Timestamp, XattrSet, SYMLINK_MAX, S_ISGID, S_ISUID,
};

const LOW_BITS: u32 = 48;
const LOW_MASK: u64 = (1 << LOW_BITS) - 1;

/// Providers mounted at absolute virtual paths; see the crate docs for the layout, ids,
/// cookies and crossing rules.
pub struct MountTable {
    mounts: Vec<Mount>,
    skel: Skeleton,
    ids: Mutex<Ids>,
    handles: Mutex<IdMap<u64, Open>>,
    next_handle: AtomicU64,
    caps: Capabilities,
    born: Timestamp,
}

/// Where an outer node lives.
#[derive(Clone, Copy)]
enum Target {
    /// A synthesized directory (skeleton index).
    Synth(usize),
    /// A node of a mount; `skel` is set for a mount root that is a skeleton node.
    Inner {
        mount: usize,
        node: NodeId,
        skel: Option<usize>,
    },
}

/// An open outer handle.
enum Open {
    File {
        mount: usize,
        handle: HandleId,
    },
    Dir {
        mount: usize,
        handle: HandleId,
        /// Set when the directory has mount points inside: the skeleton node and the
        /// provider cookies issued so far (outer cookie = k + 1 + index).
        merge: Option<Merge>,
    },
    SynthDir(usize),
}

struct Merge {
    skel: usize,
    issued: Vec<u64>,
    index: HashMap<u64, u64>,
}

impl MountTable {
    /// A builder: `MountTable::builder().mount("/", fs)?.mount("/data", fs2)?.build()?`.
    pub fn builder() -> MountTableBuilder {
        MountTableBuilder::default()
    }

    pub(crate) fn assemble(mounts: Vec<Mount>, skel: Skeleton) -> MountTable {
        let caps = intersect(&mounts);
        let first = skel.nodes.len() as u64 + 1;
        MountTable {
            mounts,
            skel,
            ids: Mutex::new(Ids::new(first)),
            handles: Mutex::new(IdMap::default()),
            next_handle: AtomicU64::new(1),
            caps,
            born: Timestamp::now(),
        }
    }

    /// The mount paths, in mount-tag order (tag = position + 1).
    pub fn mount_paths(&self) -> Vec<&str> {
        self.mounts.iter().map(|m| m.path.as_str()).collect()
    }

    fn target(&self, node: NodeId) -> Result<Target, Errno> {
        if let Some((mount, inner)) = split_direct(node.0) {
            return match self.mounts.get(mount) {
                // A mount's root is handed out only as its skeleton id.
                Some(m) if m.root.0 != inner => Ok(Target::Inner {
                    mount,
                    node: NodeId(inner),
                    skel: None,
                }),
                _ => Err(Errno::ESTALE),
            };
        }
        if let Some(index) = self.skel.index(node.0) {
            return Ok(match self.skel.nodes[index].mount {
                Some(mount) => Target::Inner {
                    mount,
                    node: self.mounts[mount].root,
                    skel: Some(index),
                },
                None => Target::Synth(index),
            });
        }
        match self.ids.lock().get(node.0) {
            Some((mount, node)) => Ok(Target::Inner {
                mount,
                node,
                skel: None,
            }),
            None => Err(Errno::ESTALE),
        }
    }

    /// The attributes of a target, as the table reports them.
    #[inline]
    fn attr_of(&self, target: Target) -> Result<Attr, Errno> {
        match target {
            Target::Synth(index) => Ok(self.synth_attr(index)),
            Target::Inner { mount, node, .. } => {
                let mut attr = self.mounts[mount].fs.getattr(node);
                if let Ok(attr) = &mut attr {
                    attr.ino = remap_ino(mount, attr.ino);
                }
                attr
            }
        }
    }

    /// The skeleton index of a skeleton target.
    fn skel_index(&self, target: Target) -> Option<usize> {
        match target {
            Target::Synth(index)
            | Target::Inner {
                skel: Some(index), ..
            } => Some(index),
            Target::Inner { .. } => None,
        }
    }

    /// `names` looked up by mount `mount` from its node `node`, translated back.
    fn lookup_path_in(
        &self,
        mount: usize,
        node: NodeId,
        names: &[&Name],
        search: Option<SearchCheck<'_>>,
        hold: bool,
    ) -> Option<Result<Entry, Errno>> {
        let found = match search {
            Some(check) => {
                let mut remapped = outer_view(mount, check);
                self.mounts[mount]
                    .fs
                    .lookup_path(node, names, Some(&mut remapped), hold)?
            }
            None => self.mounts[mount].fs.lookup_path(node, names, None, hold)?,
        };
        Some(found.map(|mut entry| {
            if hold {
                self.adopt(mount, entry)
            } else {
                // Only the attributes may be used: nothing is counted, and an id that does
                // not fit a direct one is left as 0, which names no node (`ESTALE`).
                entry.node = direct(mount, entry.node.0).map_or(NodeId(0), NodeId);
                entry.attr.ino = remap_ino(mount, entry.attr.ino);
                entry
            }
        }))
    }

    /// The skeleton child `name` of a target, if any.
    fn child(&self, target: Target, name: &Name) -> Option<usize> {
        let at = match target {
            Target::Synth(at) => at,
            Target::Inner { skel: Some(at), .. } => at,
            Target::Inner { skel: None, .. } => return None,
        };
        self.skel.child(at, name.as_bytes())
    }

    fn remap(&self, mount: usize, mut attr: Attr) -> Attr {
        attr.ino = remap_ino(mount, attr.ino);
        attr
    }

    fn synth_attr(&self, index: usize) -> Attr {
        Attr {
            ino: index as u64 + 1,
            kind: FileKind::Directory,
            perm: 0o555,
            nlink: 2 + self.skel.nodes[index].children.len() as u32,
            uid: 0,
            gid: 0,
            size: 0,
            blocks: 0,
            atime: self.born,
            mtime: self.born,
            ctime: self.born,
            btime: Some(self.born),
            rdev: 0,
            blksize: 4096,
        }
    }

    /// The entry of skeleton node `index` (fixed id: its lookups need no counting).
    fn skel_entry(&self, index: usize) -> Result<Entry, Errno> {
        Ok(Entry {
            node: NodeId(Skeleton::id(index)),
            attr: self.getattr(NodeId(Skeleton::id(index)))?,
        })
    }

    /// Turns an inner entry of `mount` into an outer one, counting the lookup.
    /// Changed in place: an `Attr` is large enough that copying it costs more than the
    /// translation.
    fn adopt(&self, mount: usize, mut entry: Entry) -> Entry {
        entry.node = if entry.node == self.mounts[mount].root {
            NodeId(Skeleton::id(self.mounts[mount].skel))
        } else if let Some(id) = direct(mount, entry.node.0) {
            NodeId(id)
        } else {
            NodeId(self.ids.lock().adopt(mount, entry.node))
        };
        entry.attr.ino = remap_ino(mount, entry.attr.ino);
        entry
    }

    /// Strips set-id bits when the table declares it does not keep them but the mount would.
    fn perm(&self, mount: usize, perm: u32) -> u32 {
        if !self.caps.setid_bits && self.mounts[mount].fs.capabilities().setid_bits {
            perm & !(S_ISUID | S_ISGID)
        } else {
            perm
        }
    }

    /// The outer handle of file handle `handle` of `mount`: direct when it fits.
    fn file_handle(&self, mount: usize, handle: HandleId) -> HandleId {
        match direct(mount, handle.0) {
            Some(id) => HandleId(id),
            None => self.new_handle(Open::File { mount, handle }),
        }
    }

    /// The mount and inner handle of a direct (file) handle, `EBADF` for no mount.
    fn direct_file(&self, mount: usize, inner: u64) -> Result<(usize, HandleId), Errno> {
        if mount < self.mounts.len() {
            Ok((mount, HandleId(inner)))
        } else {
            Err(Errno::EBADF)
        }
    }

    fn new_handle(&self, open: Open) -> HandleId {
        let id = self.next_handle.fetch_add(1, Ordering::Relaxed);
        self.handles.lock().insert(id, open);
        HandleId(id)
    }

    /// The mount and inner handle of an open file handle.
    fn file(&self, handle: HandleId) -> Result<(usize, HandleId), Errno> {
        if let Some((mount, inner)) = split_direct(handle.0) {
            return self.direct_file(mount, inner);
        }
        match self.handles.lock().get(&handle.0) {
            Some(Open::File { mount, handle }) => Ok((*mount, *handle)),
            Some(Open::Dir { mount, handle, .. }) => Ok((*mount, *handle)),
            Some(Open::SynthDir(_)) => Err(Errno::EISDIR),
            None => Err(Errno::EBADF),
        }
    }

    /// The errno for making `name` in `dir` when it is a mount point (`EEXIST`) or when `dir`
    /// is synthesized (`EROFS`); `None` when the mount below should answer.
    fn refuse_new_name(&self, dir: Target, name: &Name) -> Option<Errno> {
        if self.child(dir, name).is_some() {
            return Some(Errno::EEXIST);
        }
        match dir {
            Target::Synth(_) => Some(Errno::EROFS),
            Target::Inner { .. } => None,
        }
    }

    fn read_only(&self, mount: usize) -> bool {
        self.mounts[mount].fs.capabilities().read_only
    }

    /// `ENOTDIR` unless the target is a directory (a rename parent).
    fn need_dir(&self, target: Target) -> Result<(), Errno> {
        if let Target::Inner {
            mount,
            node,
            skel: None,
        } = target
        {
            if self.mounts[mount].fs.getattr(node)?.kind != FileKind::Directory {
                return Err(Errno::ENOTDIR);
            }
        }
        Ok(())
    }
}

/// The inode number a node of `mount` shows: the mount tag in the high bits.
fn remap_ino(mount: usize, ino: u64) -> u64 {
    ((mount as u64 + 1) << LOW_BITS) | (ino & LOW_MASK)
}

/// A consumer's check (search or open) called with the attributes of an inner node of
/// `mount` as the table reports them.
fn outer_view<'c>(
    mount: usize,
    check: &'c mut dyn FnMut(&Attr) -> Result<(), Errno>,
) -> impl FnMut(&Attr) -> Result<(), Errno> + 'c {
    move |attr| {
        let mut attr = *attr;
        attr.ino = remap_ino(mount, attr.ino);
        check(&attr)
    }
}

/// What the whole table can promise: a feature only if every mount has it, read-only only if
/// every mount is, the coarsest time resolution. The table itself strips set-id bits when
/// some mount does, so `setid_bits: false` holds everywhere; the other refusals are the
/// mounts' own (a feature declared missing may still work on the mounts that have it).
fn intersect(mounts: &[Mount]) -> Capabilities {
    let mut caps = Capabilities {
        read_only: true,
        ..Capabilities::FULL
    };
    for m in mounts {
        let c = m.fs.capabilities();
        caps.symlinks &= c.symlinks;
        caps.hard_links &= c.hard_links;
        caps.rename_noreplace &= c.rename_noreplace;
        caps.rename_exchange &= c.rename_exchange;
        caps.xattrs &= c.xattrs;
        caps.ownership &= c.ownership;
        caps.setid_bits &= c.setid_bits;
        caps.fifos &= c.fifos;
        caps.fallocate &= c.fallocate;
        caps.unlinked_open_files &= c.unlinked_open_files;
        caps.read_only &= c.read_only;
        caps.case_sensitive &= c.case_sensitive;
        caps.time_resolution_ns = caps.time_resolution_ns.max(c.time_resolution_ns);
        caps.max_file_size = caps.max_file_size.min(c.max_file_size);
        caps.byte_names &= c.byte_names;
    }
    caps
}

impl FileSystem for MountTable {
    fn capabilities(&self) -> Capabilities {
        self.caps
    }

    fn root(&self) -> NodeId {
        NodeId(Skeleton::id(0))
    }

    fn lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
        let target = self.target(dir)?;
        if let Some(child) = self.child(target, name) {
            return self.skel_entry(child);
        }
        match target {
            Target::Synth(_) => Err(Errno::ENOENT),
            Target::Inner { mount, node, .. } => {
                let entry = self.mounts[mount].fs.lookup(node, name)?;
                Ok(self.adopt(mount, entry))
            }
        }
    }

    /// Walks the skeleton itself and passes the rest of the path to the mount it enters, in
    /// one call to that mount's `lookup_path` (`None` if the mount answers `None`).
    fn lookup_path(
        &self,
        dir: NodeId,
        names: &[&Name],
        search: Option<SearchCheck<'_>>,
        hold: bool,
    ) -> Option<Result<Entry, Errno>> {
        let mut search = search;
        let mut target = match self.target(dir) {
            Ok(target) => target,
            Err(e) => return Some(Err(e)),
        };
        for (i, name) in names.iter().enumerate() {
            let child = self.child(target, name);
            match (child, target) {
                // Every directory above a mount point is a skeleton node, so no mount point
                // lies below a name a mount answers for: the rest is that mount's alone.
                (None, Target::Inner { mount, node, .. }) => {
                    return self.lookup_path_in(mount, node, &names[i..], search, hold);
                }
                (child, _) => {
                    if let Some(check) = search.as_mut() {
                        let attr = match self.attr_of(target) {
                            Ok(attr) => attr,
                            Err(e) => return Some(Err(e)),
                        };
                        if let Err(e) = check(&attr) {
                            return Some(Err(e));
                        }
                    }
                    let Some(child) = child else {
                        return Some(Err(Errno::ENOENT)); // a synthesized directory
                    };
                    target = match self.target(NodeId(Skeleton::id(child))) {
                        Ok(target) => target,
                        Err(e) => return Some(Err(e)),
                    };
                }
            }
        }
        // Every name was a skeleton directory: fixed ids, nothing to count.
        Some(self.skel_entry(self.skel_index(target)?))
    }

    /// Opens a name of a mount through the mount's own `open_name`; `None` for a mount point
    /// or a synthesized directory's name (they are directories, never opened this way).
    fn open_name(
        &self,
        dir: NodeId,
        name: &Name,
        flags: OpenFlags,
        check: OpenCheck<'_>,
    ) -> Option<Result<(Entry, HandleId), Errno>> {
        let target = self.target(dir).ok()?;
        if self.child(target, name).is_some() {
            return None;
        }
        let Target::Inner { mount, node, .. } = target else {
            return None;
        };
        let mut remapped = outer_view(mount, check);
        let opened = self.mounts[mount]
            .fs
            .open_name(node, name, flags, &mut remapped)?;
        Some(
            opened
                .map(|(entry, handle)| (self.adopt(mount, entry), self.file_handle(mount, handle))),
        )
    }

    fn forget(&self, node: NodeId, count: u64) {
        if self.skel.index(node.0).is_some() {
            return;
        }
        if let Some((mount, inner)) = split_direct(node.0) {
            if let Some(m) = self.mounts.get(mount).filter(|m| m.root.0 != inner) {
                m.fs.forget(NodeId(inner), count);
            }
            return;
        }
        let mut ids = self.ids.lock();
        if let Some((mount, inner, given)) = ids.forget(node.0, count) {
            // Under the lock, so a concurrent lookup of the same inner node is counted on
            // either the old id (before) or a new one (after), never lost.
            self.mounts[mount].fs.forget(inner, given);
        }
    }

    fn getattr(&self, node: NodeId) -> Result<Attr, Errno> {
        self.attr_of(self.target(node)?)
    }

    /// Synthesized directories: an empty change succeeds, a size change is `EISDIR`, any
    /// other `EROFS`, as on a read-only mount.
    fn setattr(
        &self,
        node: NodeId,
        changes: &SetAttr,
        handle: Option<HandleId>,
    ) -> Result<Attr, Errno> {
        match self.target(node)? {
            Target::Synth(index) => {
                if changes.is_empty() {
                    Ok(self.synth_attr(index))
                } else if changes.size.is_some() {
                    Err(Errno::EISDIR)
                } else {
                    Err(Errno::EROFS)
                }
            }
            Target::Inner { mount, node, .. } => {
                let handle = match handle {
                    Some(h) => Some(self.file(h)?.1),
                    None => None,
                };
                let mut changes = *changes;
                changes.perm = changes.perm.map(|p| self.perm(mount, p));
                let attr = self.mounts[mount].fs.setattr(node, &changes, handle)?;
                Ok(self.remap(mount, attr))
            }
        }
    }

    fn readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        match self.target(node)? {
            Target::Synth(_) => Err(Errno::EINVAL),
            Target::Inner { mount, node, .. } => self.mounts[mount].fs.readlink(node),
        }
    }

    fn mkdir(&self, dir: NodeId, name: &Name, perm: u32, owner: Owner) -> Result<Entry, Errno> {
        let target = self.target(dir)?;
        if let Some(e) = self.refuse_new_name(target, name) {
            return Err(e);
        }
        let Target::Inner { mount, node, .. } = target else {
            return Err(Errno::EROFS);
        };
        let entry = self.mounts[mount]
            .fs
            .mkdir(node, name, self.perm(mount, perm), owner)?;
        Ok(self.adopt(mount, entry))
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
        match kind {
            FileKind::Directory => return Err(Errno::EPERM),
            FileKind::Symlink => return Err(Errno::EINVAL),
            _ => {}
        }
        let target = self.target(dir)?;
        if let Some(e) = self.refuse_new_name(target, name) {
            return Err(e);
        }
        let Target::Inner { mount, node, .. } = target else {
            return Err(Errno::EROFS);
        };
        let entry =
            self.mounts[mount]
                .fs
                .mknod(node, name, kind, self.perm(mount, perm), rdev, owner)?;
        Ok(self.adopt(mount, entry))
    }

    /// A mount point is an existing directory: `EEXIST` when exclusive, else `EISDIR`.
    fn create(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno> {
        let target = self.target(dir)?;
        if self.child(target, name).is_some() {
            return Err(if flags.contains(OpenFlags::EXCLUSIVE) {
                Errno::EEXIST
            } else {
                Errno::EISDIR
            });
        }
        let Target::Inner { mount, node, .. } = target else {
            return Err(Errno::EROFS);
        };
        let (entry, handle) =
            self.mounts[mount]
                .fs
                .create(node, name, self.perm(mount, perm), flags, owner)?;
        let handle = self.file_handle(mount, handle);
        Ok((self.adopt(mount, entry), handle))
    }

    fn symlink(
        &self,
        dir: NodeId,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno> {
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        if target.len() > SYMLINK_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let at = self.target(dir)?;
        if let Some(e) = self.refuse_new_name(at, name) {
            return Err(e);
        }
        let Target::Inner { mount, node, .. } = at else {
            return Err(Errno::EROFS);
        };
        let entry = self.mounts[mount].fs.symlink(node, name, target, owner)?;
        Ok(self.adopt(mount, entry))
    }

    /// Across mounts: `EEXIST` for an existing name and `EROFS` on a read-only target mount
    /// come first (Linux makes the new name before comparing mounts), then `EXDEV`.
    fn link(&self, node: NodeId, new_dir: NodeId, new_name: &Name) -> Result<Entry, Errno> {
        let source = self.target(node)?;
        let dir = self.target(new_dir)?;
        if let Some(e) = self.refuse_new_name(dir, new_name) {
            return Err(e);
        }
        let Target::Inner {
            mount,
            node: inner_dir,
            ..
        } = dir
        else {
            return Err(Errno::EROFS);
        };
        match source {
            Target::Inner {
                mount: from,
                node: inner,
                ..
            } if from == mount => {
                let entry = self.mounts[mount].fs.link(inner, inner_dir, new_name)?;
                Ok(self.adopt(mount, entry))
            }
            _ => {
                let fs = &self.mounts[mount].fs;
                match fs.lookup(inner_dir, new_name) {
                    Ok(found) => {
                        fs.forget(found.node, 1);
                        Err(Errno::EEXIST)
                    }
                    Err(Errno::ENOENT) if self.read_only(mount) => Err(Errno::EROFS),
                    Err(Errno::ENOENT) => Err(Errno::EXDEV),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// A mount point is a directory: `EISDIR` (after the mount's `EROFS`).
    fn unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        let target = self.target(dir)?;
        let Target::Inner { mount, node, .. } = target else {
            return Err(Errno::EROFS);
        };
        if self.child(target, name).is_some() {
            return Err(if self.read_only(mount) {
                Errno::EROFS
            } else {
                Errno::EISDIR
            });
        }
        self.mounts[mount].fs.unlink(node, name)
    }

    /// A mount point is busy: `EBUSY` (after the mount's `EROFS`).
    fn rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        let target = self.target(dir)?;
        let Target::Inner { mount, node, .. } = target else {
            return Err(Errno::EROFS);
        };
        if self.child(target, name).is_some() {
            return Err(if self.read_only(mount) {
                Errno::EROFS
            } else {
                Errno::EBUSY
            });
        }
        self.mounts[mount].fs.rmdir(node, name)
    }

    /// `EXDEV` between mounts (and between a mount and a synthesized directory), checked right
    /// after the parents, as Linux compares mounts before anything else; a mount point as
    /// source or destination is `EBUSY`.
    fn rename(
        &self,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        let from = self.target(dir)?;
        let to = self.target(new_dir)?;
        self.need_dir(from)?;
        self.need_dir(to)?;
        let (mount, inner_from, inner_to) = match (from, to) {
            (Target::Synth(_), Target::Synth(_)) => return Err(Errno::EROFS),
            (
                Target::Inner {
                    mount: a, node: x, ..
                },
                Target::Inner {
                    mount: b, node: y, ..
                },
            ) if a == b => (a, x, y),
            _ => return Err(Errno::EXDEV),
        };
        let (from_mp, to_mp) = (
            self.child(from, name).is_some(),
            self.child(to, new_name).is_some(),
        );
        if from_mp || to_mp {
            if self.read_only(mount) {
                return Err(Errno::EROFS);
            }
            if !from_mp && flags != RenameFlags::Exchange {
                // Linux checks the source and the kinds before it sees the mount point.
                let fs = &self.mounts[mount].fs;
                let found = fs.lookup(inner_from, name)?;
                fs.forget(found.node, 1);
                if flags == RenameFlags::NoReplace {
                    return Err(Errno::EEXIST);
                }
                if found.attr.kind != FileKind::Directory {
                    return Err(Errno::EISDIR);
                }
            }
            return Err(Errno::EBUSY);
        }
        self.mounts[mount]
            .fs
            .rename(inner_from, name, inner_to, new_name, flags)
    }

    fn open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno> {
        match self.target(node)? {
            Target::Synth(_) => Err(Errno::EISDIR),
            Target::Inner { mount, node, .. } => {
                let handle = self.mounts[mount].fs.open(node, flags)?;
                Ok(self.file_handle(mount, handle))
            }
        }
    }

    fn read(&self, handle: HandleId, offset: u64, buf: &mut [u8]) -> Result<usize, Errno> {
        let (mount, handle) = self.file(handle)?;
        self.mounts[mount].fs.read(handle, offset, buf)
    }

    fn write(&self, handle: HandleId, offset: u64, data: &[u8]) -> Result<usize, Errno> {
        let (mount, handle) = self.file(handle)?;
        self.mounts[mount].fs.write(handle, offset, data)
    }

    fn flush(&self, handle: HandleId) -> Result<(), Errno> {
        let (mount, handle) = self.file(handle)?;
        self.mounts[mount].fs.flush(handle)
    }

    fn fsync(&self, handle: HandleId, datasync: bool) -> Result<(), Errno> {
        match self.file(handle) {
            Err(Errno::EISDIR) => Ok(()),
            Err(e) => Err(e),
            Ok((mount, handle)) => self.mounts[mount].fs.fsync(handle, datasync),
        }
    }

    fn release(&self, handle: HandleId) -> Result<(), Errno> {
        if let Some((mount, inner)) = split_direct(handle.0) {
            let (mount, inner) = self.direct_file(mount, inner)?;
            return self.mounts[mount].fs.release(inner);
        }
        let open = self.handles.lock().remove(&handle.0);
        match open {
            Some(Open::File { mount, handle }) => self.mounts[mount].fs.release(handle),
            Some(other) => {
                // A directory handle is closed by `releasedir`; keep it open.
                self.handles.lock().insert(handle.0, other);
                Err(Errno::EBADF)
            }
            None => Err(Errno::EBADF),
        }
    }

    /// The mounted provider's backing file of the inner handle: the mount table does nothing
    /// on `read` and `write` but translate the handle. Directory handles have none.
    fn backing_file(&self, handle: HandleId) -> Option<std::os::fd::OwnedFd> {
        let (mount, inner) = match split_direct(handle.0) {
            Some((mount, inner)) => self.direct_file(mount, inner).ok()?,
            None => match self.handles.lock().get(&handle.0) {
                Some(Open::File { mount, handle }) => (*mount, *handle),
                _ => return None,
            },
        };
        self.mounts[mount].fs.backing_file(inner)
    }

    fn seek(&self, handle: HandleId, offset: u64, what: SeekHole) -> Result<u64, Errno> {
        let (mount, handle) = self.file(handle)?;
        self.mounts[mount].fs.seek(handle, offset, what)
    }

    fn opendir(&self, node: NodeId) -> Result<HandleId, Errno> {
        match self.target(node)? {
            Target::Synth(index) => Ok(self.new_handle(Open::SynthDir(index))),
            Target::Inner { mount, node, skel } => {
                let handle = self.mounts[mount].fs.opendir(node)?;
                let merge = skel
                    .filter(|&s| !self.skel.nodes[s].children.is_empty())
                    .map(|skel| Merge {
                        skel,
                        issued: Vec::new(),
                        index: HashMap::new(),
                    });
                Ok(self.new_handle(Open::Dir {
                    mount,
                    handle,
                    merge,
                }))
            }
        }
    }

    fn readdir(
        &self,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        if split_direct(handle.0).is_some() {
            return Err(Errno::EBADF); // a file handle
        }
        let mut handles = self.handles.lock();
        let (mount, inner, merge) = match handles.get_mut(&handle.0) {
            None | Some(Open::File { .. }) => return Err(Errno::EBADF),
            Some(Open::SynthDir(index)) => {
                let index = *index;
                drop(handles);
                return self.list_skeleton(index, cookie, sink).map(|_| ());
            }
            Some(Open::Dir {
                mount,
                handle,
                merge,
            }) => (*mount, *handle, merge),
        };
        let fs = self.mounts[mount].fs.clone();
        let Some(merge) = merge else {
            drop(handles);
            return fs.readdir(inner, cookie, &mut |e| {
                sink(DirEntry {
                    ino: remap_ino(mount, e.ino),
                    ..e
                })
            });
        };
        let k = self.skel.nodes[merge.skel].children.len() as u64;
        let inner_cookie = if cookie <= k {
            if !self.list_skeleton(merge.skel, cookie, sink)? {
                return Ok(());
            }
            0
        } else {
            let at = usize::try_from(cookie - k - 1).map_err(|_| Errno::EINVAL)?;
            *merge.issued.get(at).ok_or(Errno::EINVAL)?
        };
        let skel = merge.skel;
        fs.readdir(inner, inner_cookie, &mut |e| {
            if self.skel.child(skel, e.name.as_bytes()).is_some() {
                return true;
            }
            let outer = match merge.index.get(&e.cookie) {
                Some(&outer) => outer,
                None => {
                    merge.issued.push(e.cookie);
                    let outer = k + merge.issued.len() as u64;
                    merge.index.insert(e.cookie, outer);
                    outer
                }
            };
            sink(DirEntry {
                ino: remap_ino(mount, e.ino),
                cookie: outer,
                ..e
            })
        })
    }

    fn releasedir(&self, handle: HandleId) -> Result<(), Errno> {
        if split_direct(handle.0).is_some() {
            // A file handle: passing it on could close a directory handle of the provider
            // that an outer handle of this table stands for.
            return Err(Errno::EBADF);
        }
        let mut handles = self.handles.lock();
        match handles.get(&handle.0) {
            Some(Open::SynthDir(_)) => {
                handles.remove(&handle.0);
                Ok(())
            }
            Some(Open::Dir {
                mount, handle: h, ..
            }) => {
                let (mount, inner) = (*mount, *h);
                handles.remove(&handle.0);
                drop(handles);
                self.mounts[mount].fs.releasedir(inner)
            }
            Some(Open::File { mount, handle: h }) => {
                let (mount, inner) = (*mount, *h);
                drop(handles);
                self.mounts[mount].fs.releasedir(inner)
            }
            None => Err(Errno::EBADF),
        }
    }

    /// The statfs of the mount holding the node; a synthesized directory reports an empty,
    /// read-only filesystem.
    fn statfs(&self, node: NodeId) -> Result<StatFs, Errno> {
        match self.target(node)? {
            Target::Synth(_) => Ok(StatFs {
                block_size: 4096,
                name_max: 255,
                read_only: true,
                ..StatFs::default()
            }),
            Target::Inner { mount, node, .. } => self.mounts[mount].fs.statfs(node),
        }
    }

    fn fallocate(
        &self,
        handle: HandleId,
        mode: FallocateMode,
        offset: u64,
        len: u64,
    ) -> Result<(), Errno> {
        let (mount, handle) = self.file(handle)?;
        self.mounts[mount].fs.fallocate(handle, mode, offset, len)
    }

    fn getxattr(&self, node: NodeId, name: &[u8]) -> Result<Vec<u8>, Errno> {
        match self.target(node)? {
            Target::Synth(_) => {
                xattr_name(name)?;
                Err(Errno::ENODATA)
            }
            Target::Inner { mount, node, .. } => self.mounts[mount].fs.getxattr(node, name),
        }
    }

    fn setxattr(
        &self,
        node: NodeId,
        name: &[u8],
        value: &[u8],
        how: XattrSet,
    ) -> Result<(), Errno> {
        match self.target(node)? {
            Target::Synth(_) => {
                xattr_name(name)?;
                if value.len() > 65_536 {
                    return Err(Errno::E2BIG);
                }
                Err(Errno::EROFS)
            }
            Target::Inner { mount, node, .. } => {
                self.mounts[mount].fs.setxattr(node, name, value, how)
            }
        }
    }

    fn listxattr(&self, node: NodeId) -> Result<Vec<Vec<u8>>, Errno> {
        match self.target(node)? {
            Target::Synth(_) => Ok(Vec::new()),
            Target::Inner { mount, node, .. } => self.mounts[mount].fs.listxattr(node),
        }
    }

    fn removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno> {
        match self.target(node)? {
            Target::Synth(_) => {
                xattr_name(name)?;
                Err(Errno::EROFS)
            }
            Target::Inner { mount, node, .. } => self.mounts[mount].fs.removexattr(node, name),
        }
    }
}

impl MountTable {
    /// Lists the skeleton entries of node `index` after `cookie` (entry `j` has cookie
    /// `j + 1`); `Ok(false)` if the sink stopped, `EINVAL` for a cookie past them.
    fn list_skeleton(
        &self,
        index: usize,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<bool, Errno> {
        let children = &self.skel.nodes[index].children;
        if cookie > children.len() as u64 {
            return Err(Errno::EINVAL);
        }
        for (j, (name, &child)) in children.iter().enumerate().skip(cookie as usize) {
            let ino = self.getattr(NodeId(Skeleton::id(child)))?.ino;
            let entry = DirEntry {
                name,
                ino,
                kind: FileKind::Directory,
                cookie: j as u64 + 1,
            };
            if !sink(entry) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// The xattr name checks Linux makes as it copies the name in.
fn xattr_name(name: &[u8]) -> Result<(), Errno> {
    if name.is_empty() || name.len() > 255 {
        Err(Errno::ERANGE)
    } else {
        Ok(())
    }
}

impl std::fmt::Debug for MountTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MountTable")
            .field("mounts", &self.mount_paths())
            .finish()
    }
}
