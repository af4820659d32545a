//! A node: identity and kind (fixed at birth), its reference counts, and its lock-protected
//! state (attributes and contents).

use crate::dir::Directory;
use crate::pages::{FileData, PAGE_SIZE};
use crate::xattr::Xattrs;
use parking_lot::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use vfsbox_api::{Attr, FileKind, Timestamp};

/// tmpfs keeps symlink targets shorter than this inside the inode; longer ones take a page.
const SHORT_SYMLINK_LEN: usize = 128;
/// tmpfs reports a directory's size as this many bytes per entry, plus two for `.` and `..`.
const BOGO_DIRENT_SIZE: u64 = 20;
/// One day, the `relatime` bound after which a read updates an access time anyway.
const RELATIME_SECS: i64 = 24 * 60 * 60;

/// One node of the tree.
pub(crate) struct Inode {
    /// The node id and inode number.
    pub(crate) id: u64,
    pub(crate) kind: FileKind,
    /// Lookups held by the consumer. Incremented only while the node is reachable (under its
    /// parent's lock or its own), decremented by `forget` without a lock; the forget that
    /// reaches zero then takes the write lock and frees the node if nothing else holds it.
    pub(crate) lookups: AtomicU64,
    /// A directory's parent id (0 for the root and non-directories). Changed only by renames,
    /// under the filesystem's rename lock, so ancestry walks under that lock are consistent.
    pub(crate) parent: AtomicU64,
    pub(crate) state: RwLock<State>,
}

/// What a node holds besides its identity.
pub(crate) enum Content {
    File(FileData),
    Dir(Box<Directory>),
    Symlink(Box<[u8]>),
    /// FIFOs, sockets and devices: no contents.
    Special,
}

/// The mutable part of a node.
pub(crate) struct State {
    pub(crate) perm: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    /// Links of a non-directory. For a directory only 0 (removed) or not: its reported
    /// count is computed from its subdirectories.
    pub(crate) nlink: u32,
    pub(crate) rdev: u64,
    pub(crate) atime: Timestamp,
    pub(crate) mtime: Timestamp,
    pub(crate) ctime: Timestamp,
    pub(crate) btime: Timestamp,
    /// Open handles (file and directory).
    pub(crate) opens: u64,
    /// Set once the node's resources are given back; it can never be reached again.
    pub(crate) freed: bool,
    pub(crate) xattrs: Xattrs,
    pub(crate) content: Content,
}

impl Inode {
    pub(crate) fn new(id: u64, kind: FileKind, parent: u64, state: State) -> Inode {
        Inode {
            id,
            kind,
            lookups: AtomicU64::new(1),
            parent: AtomicU64::new(parent),
            state: RwLock::new(state),
        }
    }

    pub(crate) fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Acquire)
    }
}

impl State {
    /// A fresh node's state with all four times at `now`.
    pub(crate) fn new(
        perm: u32,
        uid: u32,
        gid: u32,
        nlink: u32,
        now: Timestamp,
        content: Content,
    ) -> State {
        State {
            perm,
            uid,
            gid,
            nlink,
            rdev: 0,
            atime: now,
            mtime: now,
            ctime: now,
            btime: now,
            opens: 0,
            freed: false,
            xattrs: Xattrs::default(),
            content,
        }
    }

    pub(crate) fn attr(&self, inode: &Inode) -> Attr {
        self.attr_of(inode.id, inode.kind)
    }

    pub(crate) fn attr_of(&self, id: u64, kind: FileKind) -> Attr {
        let (size, pages) = match &self.content {
            Content::File(data) => (data.size(), data.page_count()),
            Content::Dir(dir) => ((dir.len() as u64 + 2) * BOGO_DIRENT_SIZE, 0),
            Content::Symlink(target) => (target.len() as u64, symlink_pages(target)),
            Content::Special => (0, 0),
        };
        Attr {
            ino: id,
            kind,
            perm: self.perm,
            nlink: match &self.content {
                Content::Dir(dir) if self.nlink != 0 => 2 + dir.subdirs(),
                _ => self.nlink,
            },
            uid: self.uid,
            gid: self.gid,
            size,
            blocks: pages * (PAGE_SIZE as u64 / 512),
            atime: self.atime,
            mtime: self.mtime,
            ctime: self.ctime,
            btime: Some(self.btime),
            rdev: self.rdev,
            blksize: PAGE_SIZE as u32,
        }
    }

    pub(crate) fn dir(&self) -> Option<&Directory> {
        match &self.content {
            Content::Dir(dir) => Some(dir),
            _ => None,
        }
    }

    pub(crate) fn dir_mut(&mut self) -> Option<&mut Directory> {
        match &mut self.content {
            Content::Dir(dir) => Some(dir),
            _ => None,
        }
    }

    pub(crate) fn file(&self) -> Option<&FileData> {
        match &self.content {
            Content::File(data) => Some(data),
            _ => None,
        }
    }

    /// Contents changed: `mtime` and `ctime` to `now`.
    pub(crate) fn modified(&mut self, now: Timestamp) {
        self.mtime = now;
        self.ctime = now;
    }

    /// Whether an access at `now` updates `atime` under `relatime`, the default mount option
    /// of tmpfs: when atime is not after mtime or ctime, or is a day old.
    pub(crate) fn atime_due(&self, now: Timestamp) -> bool {
        self.atime <= self.mtime
            || self.atime <= self.ctime
            || now.sec.saturating_sub(self.atime.sec) >= RELATIME_SECS
    }

    /// Whether a directory has been removed (creating in it is `ENOENT`, as in a deleted cwd).
    pub(crate) fn is_removed(&self) -> bool {
        self.nlink == 0
    }
}

/// Pages a symlink target occupies in tmpfs: none when kept inline.
pub(crate) fn symlink_pages(target: &[u8]) -> u64 {
    u64::from(target.len() >= SHORT_SYMLINK_LEN)
}
