//! Advisory locks shared by every emulated process over one provider: `fcntl` record locks
//! (owned by a process, released when it closes any descriptor of the file) and `flock`
//! locks (owned by an open file description, released when its last descriptor closes), with
//! Linux's conflict rules. Locks of the two kinds do not interact, as on Linux.
//!
//! The registry is process-global and keyed by provider (its address) and node id: every
//! [`crate::Emulated`] over the same `Arc<dyn FileSystem>` sees the same locks, which is how
//! two emulated processes contend.
//!
//! Every close must drop the closing process's record locks on the file, as Linux's
//! `locks_remove_posix` does; that is a global mutex and a hash lookup per close. A process
//! therefore keeps a count of the files it holds record locks on ([`Held`]), which the
//! calls that change its locks keep exact under the registry's mutex: a close looks at the
//! count first and goes to the registry only when it is not zero.

use parking_lot::{Condvar, Mutex};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;
use vfsbox_api::Errno;

/// A file's identity for locking: provider address and node id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct LockKey {
    pub(crate) fs: usize,
    pub(crate) node: u64,
}

/// A byte-range lock of one process: `start..=end`, `end == u64::MAX` meaning "to the end of
/// file, however far".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) owner: u64,
    pub(crate) pid: i32,
    pub(crate) write: bool,
    pub(crate) start: u64,
    pub(crate) end: u64,
}

impl Record {
    fn overlaps(&self, start: u64, end: u64) -> bool {
        self.start <= end && start <= self.end
    }
}

#[derive(Default)]
struct FileLocks {
    records: Vec<Record>,
    /// `(open file description id, exclusive)`.
    flocks: Vec<(u64, bool)>,
}

impl FileLocks {
    fn is_empty(&self) -> bool {
        self.records.is_empty() && self.flocks.is_empty()
    }

    fn record_conflict(&self, owner: u64, write: bool, start: u64, end: u64) -> Option<Record> {
        // The lowest conflicting range, as Linux's per-owner sorted lists report it.
        self.records
            .iter()
            .filter(|r| r.owner != owner && (r.write || write) && r.overlaps(start, end))
            .min_by_key(|r| r.start)
            .copied()
    }

    /// Removes `owner`'s locks from `start..=end`, splitting those that stick out.
    fn carve(&mut self, owner: u64, start: u64, end: u64) {
        let mut kept = Vec::with_capacity(self.records.len() + 1);
        for r in self.records.drain(..) {
            if r.owner != owner || !r.overlaps(start, end) {
                kept.push(r);
                continue;
            }
            if r.start < start {
                kept.push(Record {
                    end: start - 1,
                    ..r
                });
            }
            if r.end > end {
                kept.push(Record {
                    start: end + 1,
                    ..r
                });
            }
        }
        self.records = kept;
    }

    fn flock_conflict(&self, desc: u64, exclusive: bool) -> bool {
        self.flocks
            .iter()
            .any(|&(d, ex)| d != desc && (ex || exclusive))
    }
}

/// How many files one process (one owner) holds record locks on.
#[derive(Default, Debug)]
pub(crate) struct Held(AtomicUsize);

impl Held {
    /// True when the owner may hold a record lock somewhere: a close must then look.
    /// A lock set by a call that happened before the close is always seen (the count was
    /// raised under the registry's mutex before that call returned).
    pub(crate) fn any(&self) -> bool {
        self.0.load(Ordering::Acquire) != 0
    }

    /// Adjusts the count after `owner`'s records on one file went from `had` to `has`.
    fn changed(&self, had: bool, has: bool) {
        match (had, has) {
            (false, true) => {
                self.0.fetch_add(1, Ordering::Release);
            }
            (true, false) => {
                self.0.fetch_sub(1, Ordering::Release);
            }
            _ => {}
        }
    }
}

impl FileLocks {
    fn holds_records(&self, owner: u64) -> bool {
        self.records.iter().any(|r| r.owner == owner)
    }
}

struct Registry {
    files: Mutex<HashMap<LockKey, FileLocks>>,
    changed: Condvar,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    files: Mutex::new(HashMap::new()),
    changed: Condvar::new(),
});

/// The first lock of another owner that conflicts with the one described (`F_GETLK`).
pub(crate) fn record_conflict(
    key: LockKey,
    owner: u64,
    write: bool,
    start: u64,
    end: u64,
) -> Option<Record> {
    let files = REGISTRY.files.lock();
    files.get(&key)?.record_conflict(owner, write, start, end)
}

/// Sets (`Some(write)`) or removes (`None`) `owner`'s lock on `start..=end`, keeping
/// `held` (the owner's count) exact. A conflict is `EAGAIN` unless `wait`, which blocks
/// until the range is free (`on_wait` is told once).
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_set(
    key: LockKey,
    held: &Held,
    lock: Option<Record>,
    owner: u64,
    start: u64,
    end: u64,
    wait: bool,
    on_wait: &mut dyn FnMut() -> Result<(), Errno>,
) -> Result<(), Errno> {
    let mut files = REGISTRY.files.lock();
    if let Some(new) = lock {
        let mut told = false;
        while files
            .get(&key)
            .and_then(|f| f.record_conflict(owner, new.write, start, end))
            .is_some()
        {
            if !wait {
                return Err(Errno::EAGAIN);
            }
            if !told {
                told = true;
                on_wait()?;
            }
            REGISTRY.changed.wait(&mut files);
        }
        let file = files.entry(key).or_default();
        let had = file.holds_records(owner);
        file.carve(owner, start, end);
        file.records.push(new);
        held.changed(had, true);
    } else if let Some(file) = files.get_mut(&key) {
        let had = file.holds_records(owner);
        file.carve(owner, start, end);
        held.changed(had, file.holds_records(owner));
        if file.is_empty() {
            files.remove(&key);
        }
    }
    REGISTRY.changed.notify_all();
    Ok(())
}

/// Drops every record lock of `owner` on the file (a close of any of its descriptors),
/// keeping `held` (the owner's count) exact. Callers skip it when `held` is zero.
pub(crate) fn record_release_all(key: LockKey, held: &Held, owner: u64) {
    let mut files = REGISTRY.files.lock();
    if let Some(file) = files.get_mut(&key) {
        let before = file.records.len();
        file.records.retain(|r| r.owner != owner);
        let changed = file.records.len() != before;
        held.changed(changed, false);
        if file.is_empty() {
            files.remove(&key);
        }
        if changed {
            REGISTRY.changed.notify_all();
        }
    }
}

/// `flock` for open file description `desc`: `Some(exclusive)` to lock, `None` to unlock.
/// A conversion drops the old lock first, as Linux does. A conflict is `EWOULDBLOCK` when
/// `nonblock`, else it waits.
pub(crate) fn flock(
    key: LockKey,
    desc: u64,
    lock: Option<bool>,
    nonblock: bool,
) -> Result<(), Errno> {
    let mut files = REGISTRY.files.lock();
    if let Some(file) = files.get_mut(&key) {
        if let Some(exclusive) = lock {
            if file.flocks.contains(&(desc, exclusive)) {
                return Ok(());
            }
        }
        file.flocks.retain(|&(d, _)| d != desc);
    }
    REGISTRY.changed.notify_all();
    let Some(exclusive) = lock else {
        if files.get(&key).is_some_and(FileLocks::is_empty) {
            files.remove(&key);
        }
        return Ok(());
    };
    while files
        .get(&key)
        .is_some_and(|f| f.flock_conflict(desc, exclusive))
    {
        if nonblock {
            return Err(Errno::EWOULDBLOCK);
        }
        REGISTRY.changed.wait(&mut files);
    }
    files.entry(key).or_default().flocks.push((desc, exclusive));
    Ok(())
}

/// Drops the `flock` lock of a description whose last descriptor closed.
pub(crate) fn flock_release(key: LockKey, desc: u64) {
    let _ = flock(key, desc, None, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> LockKey {
        LockKey {
            fs: usize::MAX - 7,
            node: n,
        }
    }

    fn rec(owner: u64, write: bool, start: u64, end: u64) -> Option<Record> {
        Some(Record {
            owner,
            pid: owner as i32,
            write,
            start,
            end,
        })
    }

    fn no_wait() -> Result<(), Errno> {
        Ok(())
    }

    #[test]
    fn read_locks_share_write_locks_exclude_other_owners() {
        let k = key(1);
        let h = Held::default();
        record_set(k, &h, rec(1, false, 0, 9), 1, 0, 9, false, &mut no_wait).unwrap();
        record_set(k, &h, rec(2, false, 5, 15), 2, 5, 15, false, &mut no_wait).unwrap();
        assert_eq!(
            record_set(k, &h, rec(3, true, 9, 9), 3, 9, 9, false, &mut no_wait),
            Err(Errno::EAGAIN)
        );
        // The owner's own locks never conflict: upgrade in place.
        record_set(k, &h, rec(1, true, 0, 4), 1, 0, 4, false, &mut no_wait).unwrap();
        assert_eq!(record_conflict(k, 3, false, 0, 0).map(|r| r.owner), Some(1));
        record_release_all(k, &h, 1);
        record_release_all(k, &h, 2);
        assert_eq!(record_conflict(k, 3, true, 0, u64::MAX), None);
    }

    #[test]
    fn unlocking_the_middle_splits_a_lock() {
        let k = key(2);
        let h = Held::default();
        record_set(k, &h, rec(1, true, 0, 99), 1, 0, 99, false, &mut no_wait).unwrap();
        record_set(k, &h, None, 1, 40, 59, false, &mut no_wait).unwrap();
        assert_eq!(record_conflict(k, 2, true, 40, 59), None);
        assert_eq!(record_conflict(k, 2, true, 39, 39).map(|r| r.end), Some(39));
        assert_eq!(
            record_conflict(k, 2, true, 60, 60).map(|r| r.start),
            Some(60)
        );
        record_release_all(k, &h, 1);
    }

    #[test]
    fn the_count_follows_the_files_an_owner_holds_records_on() {
        let (k1, k2) = (key(4), key(5));
        let h = Held::default();
        assert!(!h.any());
        record_set(k1, &h, rec(9, true, 0, 9), 9, 0, 9, false, &mut no_wait).unwrap();
        record_set(
            k1,
            &h,
            rec(9, false, 20, 29),
            9,
            20,
            29,
            false,
            &mut no_wait,
        )
        .unwrap();
        record_set(k2, &h, rec(9, true, 0, 0), 9, 0, 0, false, &mut no_wait).unwrap();
        assert_eq!(h.0.load(Ordering::Relaxed), 2);
        // Unlocking part of a file's locks keeps it counted; unlocking the rest does not.
        record_set(k1, &h, None, 9, 0, 9, false, &mut no_wait).unwrap();
        assert_eq!(h.0.load(Ordering::Relaxed), 2);
        record_set(k1, &h, None, 9, 0, u64::MAX, false, &mut no_wait).unwrap();
        assert_eq!(h.0.load(Ordering::Relaxed), 1);
        // Releasing a file the owner holds nothing on changes nothing.
        record_release_all(k1, &h, 9);
        assert!(h.any());
        record_release_all(k2, &h, 9);
        assert!(!h.any());
    }

    #[test]
    fn flock_is_per_description() {
        let k = key(3);
        flock(k, 10, Some(false), true).unwrap();
        flock(k, 11, Some(false), true).unwrap();
        assert_eq!(flock(k, 12, Some(true), true), Err(Errno::EWOULDBLOCK));
        flock_release(k, 10);
        flock_release(k, 11);
        flock(k, 12, Some(true), true).unwrap();
        assert_eq!(flock(k, 10, Some(false), true), Err(Errno::EWOULDBLOCK));
        flock_release(k, 12);
    }
}
