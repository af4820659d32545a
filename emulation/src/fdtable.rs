//! A process's descriptor table, as gVisor's `FDTable`: numbers point to shared open file
//! descriptions ([`OpenFile`]), the lowest free number is allocated first, `EMFILE` comes at
//! the configured limit, and close-on-exec is kept per descriptor, not per description.

use crate::locks::{self, LockKey};
use crate::node::Location;
use parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
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

/// A directory stream's position, made at its first use: most descriptions are of files,
/// and keeping a [`DirPos`] inline would make every description larger to build and copy.
#[derive(Default)]
pub(crate) struct DirCell(Mutex<Option<Box<DirPos>>>);

impl DirCell {
    /// The stream's position, locked (as the description's `f_pos_lock` for directories).
    pub(crate) fn lock(&self) -> MappedMutexGuard<'_, DirPos> {
        MutexGuard::map(self.0.lock(), |pos| {
            &mut **pos.get_or_insert_with(Box::default)
        })
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
    pub(crate) dir: DirCell,
    /// Set before this description first takes a `flock` lock: only then does its last
    /// close have one to drop.
    pub(crate) flocked: AtomicBool,
}

impl OpenFile {
    #[inline]
    pub(crate) fn new(
        fs: &Arc<dyn FileSystem>,
        loc: Location,
        kind: FileKind,
        handle: Handle,
        readable: bool,
        writable: bool,
        flags: i32,
    ) -> Arc<OpenFile> {
        Arc::new(OpenFile {
            id: NEXT_DESCRIPTION.fetch_add(1, Ordering::Relaxed),
            fs: Arc::clone(fs),
            loc,
            kind,
            handle,
            readable,
            writable,
            flags: AtomicI32::new(flags),
            pos: Mutex::new(0),
            dir: DirCell::default(),
            flocked: AtomicBool::new(false),
        })
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
        if *self.flocked.get_mut() {
            locks::flock_release(self.lock_key(), self.id);
        }
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
    slots: Mutex<Slots>,
    limit: usize,
}

/// The descriptors, and where the search for a free one starts.
#[derive(Default)]
struct Slots {
    slots: Vec<Option<Slot>>,
    /// Every descriptor below this one is open (Linux's `next_fd`): a process with many
    /// descriptors open does not scan them all for each new one.
    free_from: usize,
}

impl Slots {
    fn get(&self, fd: Fd) -> Option<&Slot> {
        let i = usize::try_from(fd).ok()?;
        self.slots.get(i)?.as_ref()
    }
}

impl FdTable {
    pub(crate) fn new(limit: usize) -> FdTable {
        FdTable {
            slots: Mutex::new(Slots::default()),
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
        let mut table = self.slots.lock();
        let from = min.max(table.free_from);
        let open = table.slots.get(from..).unwrap_or_default();
        let fd = from + open.iter().take_while(|s| s.is_some()).count();
        if fd >= self.limit {
            return Err(Errno::EMFILE);
        }
        if table.slots.len() <= fd {
            table.slots.resize(fd + 1, None);
        }
        table.slots[fd] = Some(slot);
        if min <= table.free_from {
            // Everything from the old start up to `fd` was open, and `fd` is now.
            table.free_from = fd + 1;
        }
        Ok(fd as Fd)
    }

    /// The descriptor `fd`; `EBADF` if it is not open.
    pub(crate) fn get(&self, fd: Fd) -> Result<Slot, Errno> {
        self.slots.lock().get(fd).cloned().ok_or(Errno::EBADF)
    }

    /// The description of `fd`.
    pub(crate) fn file(&self, fd: Fd) -> Result<Arc<OpenFile>, Errno> {
        self.slots
            .lock()
            .get(fd)
            .map(|s| Arc::clone(&s.file))
            .ok_or(Errno::EBADF)
    }

    /// Closes `fd`, returning what it held (dropped by the caller outside the table lock).
    pub(crate) fn remove(&self, fd: Fd) -> Result<Slot, Errno> {
        let mut table = self.slots.lock();
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        let slot = table
            .slots
            .get_mut(i)
            .and_then(Option::take)
            .ok_or(Errno::EBADF)?;
        table.free_from = table.free_from.min(i);
        Ok(slot)
    }

    /// Puts `slot` at `fd` (below the limit), returning what was there.
    pub(crate) fn replace(&self, fd: Fd, slot: Slot) -> Result<Option<Slot>, Errno> {
        let i = usize::try_from(fd)
            .ok()
            .filter(|&i| i < self.limit)
            .ok_or(Errno::EBADF)?;
        let mut table = self.slots.lock();
        if table.slots.len() <= i {
            table.slots.resize(i + 1, None);
        }
        // Filling a free descriptor keeps every one below `free_from` open.
        Ok(table.slots[i].replace(slot))
    }

    /// Sets the close-on-exec flag of `fd`.
    pub(crate) fn set_cloexec(&self, fd: Fd, cloexec: bool) -> Result<(), Errno> {
        let mut table = self.slots.lock();
        let slot = usize::try_from(fd)
            .ok()
            .and_then(|i| table.slots.get_mut(i).and_then(Option::as_mut))
            .ok_or(Errno::EBADF)?;
        slot.cloexec = cloexec;
        Ok(())
    }

    /// Every open descriptor (for closing them all).
    pub(crate) fn drain(&self) -> Vec<(Fd, Slot)> {
        let mut table = self.slots.lock();
        table.free_from = 0;
        table
            .slots
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.take().map(|s| (i as Fd, s)))
            .collect()
    }

    /// How many descriptors are open.
    pub(crate) fn count_open(&self) -> usize {
        self.slots
            .lock()
            .slots
            .iter()
            .filter(|s| s.is_some())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use crate::Emulated;
    use std::sync::Arc;
    use vfsbox_api::{Errno, Fd, Posix};

    /// The lowest free number is found whatever order descriptors close in, with the
    /// search start (`free_from`) moving both ways, and `F_DUPFD`'s minimum above it.
    #[test]
    fn lowest_free_number_after_closes_in_any_order() {
        let p = Emulated::builder(Arc::new(vfsbox_memory::MemoryFs::new()))
            .fd_limit(16)
            .build();
        let fd = p.open(b"f", libc::O_RDWR | libc::O_CREAT, 0o644).unwrap();
        assert_eq!(fd, 0);
        let dups: Vec<Fd> = (0..9).map(|_| p.dup(0).unwrap()).collect();
        assert_eq!(dups, (1..10).collect::<Vec<Fd>>());
        for fd in [7, 3, 5] {
            p.close(fd).unwrap();
        }
        assert_eq!(p.dup(0), Ok(3));
        assert_eq!(p.fcntl(0, libc::F_DUPFD, 6), Ok(7));
        assert_eq!(p.dup(0), Ok(5));
        assert_eq!(p.dup(0), Ok(10));
        // dup2 onto a free number below the end fills it; the next one goes above.
        p.close(2).unwrap();
        assert_eq!(p.dup2(0, 2), Ok(2));
        assert_eq!(p.dup(0), Ok(11));
        assert_eq!(p.fcntl(0, libc::F_DUPFD, 14), Ok(14));
        assert_eq!(p.dup(0), Ok(12));
        assert_eq!(p.dup(0), Ok(13));
        assert_eq!(p.dup(0), Ok(15));
        assert_eq!(p.dup(0), Err(Errno::EMFILE));
        p.close(0).unwrap();
        assert_eq!(p.dup(1), Ok(0));
    }
}
