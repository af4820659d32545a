//! A process's descriptor table, as gVisor's `FDTable`: numbers point to shared open file
//! descriptions ([`OpenFile`]), the lowest free number is allocated first, `EMFILE` comes at
//! the configured limit, and close-on-exec is kept per descriptor, not per description.

use crate::locks::{self, LockKey};
use crate::node::Location;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;
use vfsbox_api::{Errno, Fd, FileKind, FileSystem, HandleId};

/// What an open file description holds of its provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Handle {
    /// `O_PATH`: a node, no I/O.
    Path,
    /// A non-directory opened for I/O.
    File(HandleId),
    /// A directory opened for reading entries.
    Dir(HandleId),
    /// A FIFO opened for reading without blocking while the provider has no writer for it:
    /// Linux opens it at once and reads see end of file.
    EmptyFifo,
}

/// Where a directory stream is: `.`, `..`, then the provider's entries after a cookie.
#[derive(Default)]
pub(crate) struct DirPos {
    /// 0: `.` is next, 1: `..` is next, 2: provider entries.
    pub(crate) stage: u8,
    /// Cookie of the last provider entry handed out.
    pub(crate) cookie: u64,
    /// Entries fetched but not handed out yet.
    pub(crate) pending: Pending,
    /// The provider has nothing after the pending entries.
    pub(crate) exhausted: bool,
}

impl DirPos {
    pub(crate) fn rewind(&mut self) {
        self.stage = 0;
        self.cookie = 0;
        self.pending.clear();
        self.exhausted = false;
    }
}

/// Provider entries fetched for a directory stream and not handed out yet: names in one
/// buffer (no allocation per entry), both buffers keeping their capacity from one fetch to
/// the next.
#[derive(Default)]
pub(crate) struct Pending {
    /// Inode number, `DT_*` type, cookie, and the end of the name in `names`.
    entries: Vec<(u64, u8, u64, usize)>,
    names: Vec<u8>,
    /// The next entry to hand out.
    next: usize,
}

impl Pending {
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.names.clear();
        self.next = 0;
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Makes room for `entries` entries and `name_bytes` bytes of names in all.
    pub(crate) fn reserve(&mut self, entries: usize, name_bytes: usize) {
        self.entries
            .reserve(entries.saturating_sub(self.entries.len()));
        self.names
            .reserve(name_bytes.saturating_sub(self.names.len()));
    }

    /// Nothing left to hand out.
    pub(crate) fn is_drained(&self) -> bool {
        self.next == self.entries.len()
    }

    pub(crate) fn push(&mut self, ino: u64, kind: u8, cookie: u64, name: &[u8]) {
        self.names.extend_from_slice(name);
        self.entries.push((ino, kind, cookie, self.names.len()));
    }

    /// The next entry (inode number, type, cookie, name), moving past it.
    pub(crate) fn pop(&mut self) -> Option<(u64, u8, u64, &[u8])> {
        let i = self.next;
        let &(ino, kind, cookie, end) = self.entries.get(i)?;
        let start = match i {
            0 => 0,
            _ => self.entries[i - 1].3,
        };
        self.next += 1;
        Some((ino, kind, cookie, &self.names[start..end]))
    }
}

static NEXT_DESCRIPTION: AtomicU64 = AtomicU64::new(1);

/// An open file description (Linux's `struct file`): shared by every descriptor `dup`ed from
/// one `open`. Dropping the last reference releases the provider handle and its `flock`.
pub(crate) struct OpenFile {
    /// Unique id, the owner of `flock` locks.
    pub(crate) id: u64,
    fs: Arc<dyn FileSystem>,
    /// The object (top of the chain) and how it was reached.
    pub(crate) loc: Location,
    pub(crate) kind: FileKind,
    pub(crate) handle: Handle,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    /// What `F_GETFL` reports: access mode and status flags.
    pub(crate) flags: AtomicI32,
    /// The file offset; its lock is held across a read or write, as `f_pos_lock`.
    pub(crate) pos: Mutex<u64>,
    pub(crate) dir: Mutex<DirPos>,
}

impl OpenFile {
    pub(crate) fn new(
        fs: &Arc<dyn FileSystem>,
        loc: Location,
        kind: FileKind,
        handle: Handle,
        readable: bool,
        writable: bool,
        flags: i32,
    ) -> OpenFile {
        OpenFile {
            id: NEXT_DESCRIPTION.fetch_add(1, Ordering::Relaxed),
            fs: Arc::clone(fs),
            loc,
            kind,
            handle,
            readable,
            writable,
            flags: AtomicI32::new(flags),
            pos: Mutex::new(0),
            dir: Mutex::new(DirPos::default()),
        }
    }

    /// The key of this file in the lock registry.
    pub(crate) fn lock_key(&self) -> LockKey {
        LockKey {
            fs: Arc::as_ptr(&self.fs) as *const () as usize,
            node: self.loc.node().id().0,
        }
    }

    pub(crate) fn is_path(&self) -> bool {
        self.handle == Handle::Path
    }

    pub(crate) fn status(&self) -> i32 {
        self.flags.load(Ordering::Relaxed)
    }

    /// The provider handle of a non-directory; `EBADF` for `O_PATH`, `EISDIR` for a
    /// directory (what `read` and `write` answer).
    pub(crate) fn file_handle(&self) -> Result<HandleId, Errno> {
        match self.handle {
            Handle::File(h) => Ok(h),
            Handle::Dir(_) => Err(Errno::EISDIR),
            Handle::Path | Handle::EmptyFifo => Err(Errno::EBADF),
        }
    }
}

impl Drop for OpenFile {
    fn drop(&mut self) {
        match self.handle {
            Handle::File(h) => {
                let _ = self.fs.release(h);
            }
            Handle::Dir(h) => {
                let _ = self.fs.releasedir(h);
            }
            Handle::Path | Handle::EmptyFifo => {}
        }
        locks::flock_release(self.lock_key(), self.id);
    }
}

/// One descriptor: its description and its own close-on-exec flag.
#[derive(Clone)]
pub(crate) struct Slot {
    pub(crate) file: Arc<OpenFile>,
    pub(crate) cloexec: bool,
}

/// The descriptor table.
pub(crate) struct FdTable {
    slots: Mutex<Vec<Option<Slot>>>,
    limit: usize,
}

impl FdTable {
    pub(crate) fn new(limit: usize) -> FdTable {
        FdTable {
            slots: Mutex::new(Vec::new()),
            limit,
        }
    }

    /// `RLIMIT_NOFILE`: descriptors are `0..limit`.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Installs `slot` at the lowest free number at or above `min`; `EMFILE` if none is
    /// below the limit.
    pub(crate) fn insert(&self, slot: Slot, min: usize) -> Result<Fd, Errno> {
        let mut slots = self.slots.lock();
        let free = (min..self.limit).find(|&i| slots.get(i).is_none_or(Option::is_none));
        let Some(fd) = free else {
            return Err(Errno::EMFILE);
        };
        if slots.len() <= fd {
            slots.resize(fd + 1, None);
        }
        slots[fd] = Some(slot);
        Ok(fd as Fd)
    }

    /// The descriptor `fd`; `EBADF` if it is not open.
    pub(crate) fn get(&self, fd: Fd) -> Result<Slot, Errno> {
        let slots = self.slots.lock();
        usize::try_from(fd)
            .ok()
            .and_then(|i| slots.get(i).cloned().flatten())
            .ok_or(Errno::EBADF)
    }

    /// The description of `fd`.
    pub(crate) fn file(&self, fd: Fd) -> Result<Arc<OpenFile>, Errno> {
        self.get(fd).map(|s| s.file)
    }

    /// Closes `fd`, returning what it held (dropped by the caller outside the table lock).
    pub(crate) fn remove(&self, fd: Fd) -> Result<Slot, Errno> {
        let mut slots = self.slots.lock();
        usize::try_from(fd)
            .ok()
            .and_then(|i| slots.get_mut(i).and_then(Option::take))
            .ok_or(Errno::EBADF)
    }

    /// Puts `slot` at `fd` (below the limit), returning what was there.
    pub(crate) fn replace(&self, fd: Fd, slot: Slot) -> Result<Option<Slot>, Errno> {
        let i = usize::try_from(fd)
            .ok()
            .filter(|&i| i < self.limit)
            .ok_or(Errno::EBADF)?;
        let mut slots = self.slots.lock();
        if slots.len() <= i {
            slots.resize(i + 1, None);
        }
        Ok(slots[i].replace(slot))
    }

    /// Sets the close-on-exec flag of `fd`.
    pub(crate) fn set_cloexec(&self, fd: Fd, cloexec: bool) -> Result<(), Errno> {
        let mut slots = self.slots.lock();
        let slot = usize::try_from(fd)
            .ok()
            .and_then(|i| slots.get_mut(i).and_then(Option::as_mut))
            .ok_or(Errno::EBADF)?;
        slot.cloexec = cloexec;
        Ok(())
    }

    /// Every open descriptor (for closing them all).
    pub(crate) fn drain(&self) -> Vec<(Fd, Slot)> {
        let mut slots = self.slots.lock();
        slots
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.take().map(|s| (i as Fd, s)))
            .collect()
    }

    /// How many descriptors are open.
    pub(crate) fn count_open(&self) -> usize {
        self.slots.lock().iter().filter(|s| s.is_some()).count()
    }
}
