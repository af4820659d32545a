//! [`RustVfsProvider`]: any rust-vfs filesystem as a vfsbox provider.

mod handles;
mod namespace;
mod store;
mod table;

use handles::Handle;
use parking_lot::Mutex;
use std::collections::HashMap;
use store::{kind_of, stat, Which};
use table::{Table, ROOT};
use vfs::FileSystem as VfsFileSystem;
use vfsbox_api::{
    Attr, Capabilities, DirEntry, Entry, Errno, FileKind, FileSystem, HandleId, Name, NodeId,
    OpenFlags, Owner, RenameFlags, SeekHole, SetAttr, StatFs, Timestamp, XattrSet,
};

/// The largest file the adapter holds by default: 1 GiB (see [`RustVfsProvider::with_max_file_size`]).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1 << 30;

/// A rust-vfs filesystem ([`vfs::FileSystem`]: `MemoryFS`, `PhysicalFS`, `EmbeddedFS`, …)
/// served as a vfsbox provider.
///
/// # What rust-vfs cannot do, and what the adapter answers
/// [`capabilities`](FileSystem::capabilities) declares it: no symbolic links (`symlink` is
/// `EPERM`, `readlink` `EINVAL`), no hard links (`link` is `EPERM`), no FIFOs, sockets or
/// devices (`mknod` is `EPERM`), no `renameat2` flags (`EINVAL`), no extended attributes
/// (`EOPNOTSUPP`), no `fallocate` (`EOPNOTSUPP`), no set-id bits (silently stripped).
///
/// **Permissions and ownership.** rust-vfs stores neither. The adapter keeps permission bits
/// in its node table, so `chmod` succeeds and `getattr` reports exactly what was set, for as
/// long as the adapter lives (renames through the adapter carry them); they are not written
/// to the rust-vfs filesystem, and entries the adapter did not create report 0644 (files) and
/// 0755 (directories). Every node is owned by one fixed owner ([`with_owner`](Self::with_owner),
/// default root): `chown` to that owner succeeds (a no-op that sets ctime), to anyone else it
/// is `EPERM`, as vfat answers.
///
/// **Node ids.** A path keeps its id as long as it exists (the table maps paths to ids;
/// renames through the adapter move ids with their entries), so `st_ino` is stable. Lookup
/// counts work as in FUSE: a node id whose lookups were all forgotten is `ESTALE`. A removed
/// node stays valid, with `nlink` 0, until forgotten. Changes made to the rust-vfs filesystem
/// behind the adapter's back are seen on the next `lookup` (a path whose kind changed gets a
/// new id).
///
/// **File data.** rust-vfs files are streams that can only be rewritten from the start, so
/// the first `open` of a file reads it whole into a buffer that every handle on that file
/// shares (concurrent handles see each other's writes at once, as on a real filesystem);
/// writes change the buffer, and the buffer is written back to rust-vfs — by rewriting the
/// whole file — at `flush`, `fsync`, `release` and after every truncation. What differs from
/// Linux: another user of the same rust-vfs filesystem sees writes only after a write-back,
/// and writes it makes while the adapter has the file open are overwritten by the next
/// write-back; files are not sparse (a hole costs memory and `st_blocks` is the size in
/// 512-byte units); and the largest file is [`with_max_file_size`](Self::with_max_file_size)
/// (default 1 GiB), beyond which writes and truncations are `EFBIG`. A file removed while
/// open keeps its buffer, so `unlinked_open_files` holds; its data is never written back.
///
/// **Listings.** rust-vfs `read_dir` has no cookies: `readdir` from cookie 0 takes a sorted
/// snapshot of the names into the directory handle and cookies are positions in it (so an
/// entry removed or added mid-listing never shifts the others), resumed until the next
/// `readdir` from 0.
///
/// **Times.** Access, modification and creation times come from `VfsMetadata` with the
/// precision the filesystem keeps (nanoseconds for `MemoryFS` and `PhysicalFS` on Linux); a
/// filesystem whose setters answer `NotSupported` gets its times kept in the node table.
/// rust-vfs has no ctime: the adapter records it for changes made through it and otherwise
/// reports the modification time.
///
/// One lock serializes every operation: rust-vfs filesystems are not transactional, and the
/// lock makes each check-then-act sequence (exclusive create, rename over an entry) atomic
/// for every user of the adapter.
#[derive(Debug)]
pub struct RustVfsProvider<F: VfsFileSystem> {
    fs: F,
    owner: Owner,
    max_file_size: u64,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    table: Table,
    handles: HashMap<u64, Handle>,
    next_handle: u64,
}

/// Permission bits of entries the adapter did not create.
const DEFAULT_FILE_PERM: u32 = 0o644;
const DEFAULT_DIR_PERM: u32 = 0o755;

fn default_perm(kind: FileKind) -> u32 {
    if kind == FileKind::Directory {
        DEFAULT_DIR_PERM
    } else {
        DEFAULT_FILE_PERM
    }
}

/// Permission bits as kept: set-id bits stripped (the adapter declares no `setid_bits`).
fn kept_perm(perm: u32) -> u32 {
    perm & 0o1777
}

impl<F: VfsFileSystem> RustVfsProvider<F> {
    /// Serves `fs`; its root is the provider's root.
    pub fn new(fs: F) -> Self {
        RustVfsProvider {
            fs,
            owner: Owner { uid: 0, gid: 0 },
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            state: Mutex::new(State {
                table: Table::new(DEFAULT_DIR_PERM),
                handles: HashMap::new(),
                next_handle: 1,
            }),
        }
    }

    /// Reports every node as owned by `owner` (default uid 0, gid 0).
    #[must_use]
    pub fn with_owner(mut self, owner: Owner) -> Self {
        self.owner = owner;
        self
    }

    /// The largest file size the adapter buffers; writes and truncations beyond it are
    /// `EFBIG`, and opening a larger file is `EFBIG`.
    #[must_use]
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    /// The rust-vfs filesystem served.
    pub fn inner(&self) -> &F {
        &self.fs
    }

    /// The attributes of node `id` (held or not).
    fn attr_of(&self, st: &State, id: u64) -> Result<Attr, Errno> {
        let node = st.table.get(id).ok_or(Errno::ESTALE)?;
        let mut attr = match &node.path {
            None => node.removed_attr.unwrap_or(Attr {
                ino: id,
                kind: node.kind,
                perm: node.perm,
                nlink: 0,
                uid: self.owner.uid,
                gid: self.owner.gid,
                size: 0,
                blocks: 0,
                atime: Timestamp::EPOCH,
                mtime: Timestamp::EPOCH,
                ctime: Timestamp::EPOCH,
                btime: None,
                rdev: 0,
                blksize: 4096,
            }),
            Some(path) => {
                let meta = stat(&self.fs, path)?.ok_or(Errno::ESTALE)?;
                let mtime = meta.modified.map_or(Timestamp::EPOCH, Timestamp::from);
                let nlink = if node.kind == FileKind::Directory {
                    2 + self.subdirectories(path)?
                } else {
                    1
                };
                Attr {
                    ino: id,
                    kind: node.kind,
                    perm: node.perm,
                    nlink,
                    uid: self.owner.uid,
                    gid: self.owner.gid,
                    size: meta.len,
                    blocks: 0,
                    atime: meta.accessed.map_or(mtime, Timestamp::from),
                    mtime,
                    ctime: mtime,
                    btime: meta.created.map(Timestamp::from),
                    rdev: 0,
                    blksize: 4096,
                }
            }
        };
        attr.perm = node.perm;
        if let Some(t) = node.atime {
            attr.atime = t;
        }
        if let Some(t) = node.mtime {
            attr.mtime = t;
        }
        if let Some(open) = &node.open {
            attr.size = open.data.len() as u64;
            if let Some(t) = open.mtime {
                attr.mtime = t;
            }
        }
        attr.ctime = node.ctime.unwrap_or(attr.mtime).max(attr.ctime);
        attr.blocks = if node.kind == FileKind::Directory {
            8
        } else {
            attr.size.div_ceil(512)
        };
        Ok(attr)
    }

    /// How many subdirectories `path` has (for a directory's `nlink`).
    fn subdirectories(&self, path: &str) -> Result<u32, Errno> {
        let names = self
            .fs
            .read_dir(path)
            .map_err(|e| crate::errors::errno_from_vfs(&e))?;
        let mut count = 0u32;
        for name in names {
            let child = table::child_path(path, &name);
            if stat(&self.fs, &child)?.is_some_and(|m| kind_of(&m) == FileKind::Directory) {
                count = count.saturating_add(1);
            }
        }
        Ok(count)
    }

    /// Sets a timestamp of node `id`: in rust-vfs when the node has a path and the filesystem
    /// can store it, else in the node table.
    fn set_node_time(
        &self,
        st: &mut State,
        id: u64,
        which: Which,
        time: Timestamp,
    ) -> Result<(), Errno> {
        let node = st.table.get_mut(id).ok_or(Errno::ESTALE)?;
        let stored = match &node.path {
            Some(path) => store::set_time(&self.fs, path, which, time)?,
            None => false,
        };
        let slot = match which {
            Which::Access => &mut node.atime,
            Which::Modification => &mut node.mtime,
            Which::Creation => return Ok(()),
        };
        *slot = if stored { None } else { Some(time) };
        if which == Which::Modification {
            if let Some(open) = &mut node.open {
                open.mtime = Some(time);
            }
        }
        Ok(())
    }

    /// Records a change of directory `id`'s entries: its mtime and ctime become now.
    fn touch_dir(&self, st: &mut State, id: u64) -> Result<(), Errno> {
        let now = Timestamp::now();
        self.set_node_time(st, id, Which::Modification, now)?;
        if let Some(node) = st.table.get_mut(id) {
            node.ctime = Some(now);
        }
        Ok(())
    }

    /// The path of held directory `dir`: `ENOTDIR` for a non-directory, `ENOENT` for a
    /// removed one.
    fn dir_path(st: &State, dir: NodeId) -> Result<String, Errno> {
        let node = st.table.held(dir)?;
        if node.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        node.path.clone().ok_or(Errno::ENOENT)
    }

    /// One more lookup of `id`, and its entry.
    fn entry(&self, st: &mut State, id: u64) -> Result<Entry, Errno> {
        if let Some(node) = st.table.get_mut(id) {
            node.lookups += 1;
        }
        Ok(Entry {
            node: NodeId(id),
            attr: self.attr_of(st, id)?,
        })
    }
}

/// A name as rust-vfs text, `None` if it is not UTF-8 (rust-vfs paths are `str`).
fn utf8(name: &Name) -> Option<&str> {
    std::str::from_utf8(name.as_bytes()).ok()
}

impl<F: VfsFileSystem> FileSystem for RustVfsProvider<F> {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            symlinks: false,
            hard_links: false,
            rename_noreplace: false,
            rename_exchange: false,
            xattrs: false,
            ownership: false,
            setid_bits: false,
            fifos: false,
            fallocate: false,
            unlinked_open_files: true,
            read_only: false,
            case_sensitive: true,
            time_resolution_ns: 1,
            max_file_size: self.max_file_size,
            // rust-vfs paths are `&str`.
            byte_names: false,
        }
    }

    fn root(&self) -> NodeId {
        NodeId(ROOT)
    }

    fn lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
        let st = &mut *self.state.lock();
        let parent = Self::dir_path(st, dir)?;
        let name = utf8(name).ok_or(Errno::ENOENT)?;
        let path = table::child_path(&parent, name);
        let meta = stat(&self.fs, &path)?.ok_or(Errno::ENOENT)?;
        let kind = kind_of(&meta);
        let id = st.table.id_for(&path, kind, default_perm(kind));
        self.entry(st, id)
    }

    fn forget(&self, node: NodeId, count: u64) {
        self.state.lock().table.forget(node.0, count);
    }

    fn getattr(&self, node: NodeId) -> Result<Attr, Errno> {
        let st = &*self.state.lock();
        st.table.held(node)?;
        self.attr_of(st, node.0)
    }

    fn setattr(
        &self,
        node: NodeId,
        changes: &SetAttr,
        handle: Option<HandleId>,
    ) -> Result<Attr, Errno> {
        let _ = handle; // the node's shared buffer is the handle's, whatever handle it came by
        self.do_setattr(&mut self.state.lock(), node, changes)
    }

    fn readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        self.state.lock().table.held(node)?;
        Err(Errno::EINVAL)
    }

    fn mkdir(&self, dir: NodeId, name: &Name, perm: u32, owner: Owner) -> Result<Entry, Errno> {
        let _ = owner; // every node has the adapter's owner
        self.do_mkdir(&mut self.state.lock(), dir, name, perm)
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
        let _ = (rdev, owner);
        self.do_mknod(&mut self.state.lock(), dir, name, kind, perm)
    }

    fn create(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno> {
        let _ = owner;
        self.do_create(&mut self.state.lock(), dir, name, perm, flags)
    }

    fn symlink(
        &self,
        dir: NodeId,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno> {
        let _ = owner;
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        if target.len() > vfsbox_api::SYMLINK_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let st = &mut *self.state.lock();
        self.refuse_new_name(st, dir, name)
    }

    fn link(&self, node: NodeId, new_dir: NodeId, new_name: &Name) -> Result<Entry, Errno> {
        let st = &mut *self.state.lock();
        st.table.held(node)?;
        self.refuse_new_name(st, new_dir, new_name)
    }

    fn unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        self.do_remove(&mut self.state.lock(), dir, name, false)
    }

    fn rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        self.do_remove(&mut self.state.lock(), dir, name, true)
    }

    fn rename(
        &self,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        self.do_rename(&mut self.state.lock(), dir, name, new_dir, new_name, flags)
    }

    fn open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno> {
        self.do_open(&mut self.state.lock(), node, flags)
    }

    fn read(&self, handle: HandleId, offset: u64, buf: &mut [u8]) -> Result<usize, Errno> {
        self.do_read(&self.state.lock(), handle, offset, buf)
    }

    fn write(&self, handle: HandleId, offset: u64, data: &[u8]) -> Result<usize, Errno> {
        self.do_write(&mut self.state.lock(), handle, offset, data)
    }

    fn flush(&self, handle: HandleId) -> Result<(), Errno> {
        self.do_sync(&mut self.state.lock(), handle)
    }

    fn fsync(&self, handle: HandleId, datasync: bool) -> Result<(), Errno> {
        let _ = datasync; // a write-back rewrites data and size together
        self.do_sync(&mut self.state.lock(), handle)
    }

    fn release(&self, handle: HandleId) -> Result<(), Errno> {
        self.do_release(&mut self.state.lock(), handle)
    }

    fn seek(&self, handle: HandleId, offset: u64, what: SeekHole) -> Result<u64, Errno> {
        self.do_seek(&self.state.lock(), handle, offset, what)
    }

    fn opendir(&self, node: NodeId) -> Result<HandleId, Errno> {
        self.do_opendir(&mut self.state.lock(), node)
    }

    fn readdir(
        &self,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        self.do_readdir(&mut self.state.lock(), handle, cookie, sink)
    }

    fn releasedir(&self, handle: HandleId) -> Result<(), Errno> {
        self.do_releasedir(&mut self.state.lock(), handle)
    }

    /// rust-vfs reports no space or inode counts: the numbers are synthetic (a 4 KiB block
    /// size, zero counts), the name limit is Linux's.
    fn statfs(&self, node: NodeId) -> Result<StatFs, Errno> {
        self.state.lock().table.held(node)?;
        Ok(StatFs {
            block_size: 4096,
            blocks: 0,
            blocks_free: 0,
            blocks_available: 0,
            files: 0,
            files_free: 0,
            name_max: vfsbox_api::NAME_MAX as u32,
            read_only: false,
        })
    }

    fn getxattr(&self, node: NodeId, name: &[u8]) -> Result<Vec<u8>, Errno> {
        self.state.lock().table.held(node)?;
        xattr_name(name)?;
        Err(Errno::EOPNOTSUPP)
    }

    fn setxattr(
        &self,
        node: NodeId,
        name: &[u8],
        value: &[u8],
        how: XattrSet,
    ) -> Result<(), Errno> {
        let _ = how;
        self.state.lock().table.held(node)?;
        xattr_name(name)?;
        if value.len() > 65_536 {
            return Err(Errno::E2BIG);
        }
        Err(Errno::EOPNOTSUPP)
    }

    fn listxattr(&self, node: NodeId) -> Result<Vec<Vec<u8>>, Errno> {
        self.state.lock().table.held(node)?;
        Err(Errno::EOPNOTSUPP)
    }

    fn removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno> {
        self.state.lock().table.held(node)?;
        xattr_name(name)?;
        Err(Errno::EOPNOTSUPP)
    }
}

/// `ERANGE` for an empty or over-long attribute name, checked before `EOPNOTSUPP` as Linux
/// does.
fn xattr_name(name: &[u8]) -> Result<(), Errno> {
    if name.is_empty() || name.len() > 255 {
        Err(Errno::ERANGE)
    } else {
        Ok(())
    }
}
