//! [`Limits`] and the meter that enforces them: file size (`EFBIG`), bytes written across the
//! sandbox (`EDQUOT`) and handles open at once (`EMFILE`). All counters are atomics.

use std::sync::atomic::{AtomicU64, Ordering};
use vfsbox_api::Errno;

/// Resource limits for the whole sandbox; `None` (the default) is unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Largest file size: a write is cut short at it, and a write that cannot place one byte,
    /// a truncate or an allocation past it is `EFBIG` (as `RLIMIT_FSIZE`, minus the signal).
    pub max_file_size: Option<u64>,
    /// Total bytes `write` may accept, across every file: a write is cut short at the quota,
    /// and one that cannot place one byte is `EDQUOT`.
    pub max_bytes_written: Option<u64>,
    /// Handles (`open`, `create`, `opendir`) alive at once; the next is `EMFILE` until one is
    /// released.
    pub max_open_files: Option<u64>,
}

/// The live counters behind [`Limits`].
#[derive(Debug, Default)]
pub(crate) struct Meter {
    pub(crate) limits: Limits,
    written: AtomicU64,
    open: AtomicU64,
}

impl Meter {
    pub(crate) fn new(limits: Limits) -> Meter {
        Meter {
            limits,
            ..Meter::default()
        }
    }

    /// True when writes need checking (size or quota): else writes pass straight through.
    pub(crate) fn limits_writes(&self) -> bool {
        self.limits.max_file_size.is_some() || self.limits.max_bytes_written.is_some()
    }

    /// Takes one open-handle slot. `Ok(true)` if one was counted (give it back with
    /// [`Meter::release_handle`]), `Ok(false)` when there is no limit.
    ///
    /// # Errors
    /// `EMFILE` when the limit is reached.
    pub(crate) fn reserve_handle(&self) -> Result<bool, Errno> {
        let Some(max) = self.limits.max_open_files else {
            return Ok(false);
        };
        self.open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .map(|_| true)
            .map_err(|_| Errno::EMFILE)
    }

    /// Gives back a slot taken by [`Meter::reserve_handle`] (when it returned `true`).
    pub(crate) fn release_handle(&self, counted: bool) {
        if counted {
            self.open.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// How many of `len` bytes at `offset` fit under the file-size limit.
    ///
    /// # Errors
    /// `EFBIG` when not one byte fits (and `len` is not 0).
    pub(crate) fn fit_file_size(&self, offset: u64, len: usize) -> Result<usize, Errno> {
        match self.limits.max_file_size {
            Some(max) if len > 0 => {
                let room = max.saturating_sub(offset);
                if room == 0 {
                    Err(Errno::EFBIG)
                } else {
                    Ok(len.min(usize::try_from(room).unwrap_or(usize::MAX)))
                }
            }
            _ => Ok(len),
        }
    }

    /// Checks a size set by truncate or reached by an allocation.
    ///
    /// # Errors
    /// `EFBIG` if `size` is beyond the limit.
    pub(crate) fn check_size(&self, size: u64) -> Result<(), Errno> {
        match self.limits.max_file_size {
            Some(max) if size > max => Err(Errno::EFBIG),
            _ => Ok(()),
        }
    }

    /// Reserves up to `len` bytes of the write quota; returns how many (give back what was
    /// not written with [`Meter::refund`]).
    ///
    /// # Errors
    /// `EDQUOT` when the quota is used up (and `len` is not 0).
    pub(crate) fn reserve_bytes(&self, len: usize) -> Result<usize, Errno> {
        let Some(max) = self.limits.max_bytes_written else {
            return Ok(len);
        };
        if len == 0 {
            return Ok(0);
        }
        let mut granted = 0;
        self.written
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                let room = max.saturating_sub(used);
                granted = len.min(usize::try_from(room).unwrap_or(usize::MAX));
                (granted > 0).then_some(used + granted as u64)
            })
            .map(|_| granted)
            .map_err(|_| Errno::EDQUOT)
    }

    /// Returns `n` reserved bytes that were not written.
    pub(crate) fn refund(&self, n: usize) {
        if self.limits.max_bytes_written.is_some() && n > 0 {
            self.written.fetch_sub(n as u64, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles() {
        let m = Meter::new(Limits {
            max_open_files: Some(1),
            ..Limits::default()
        });
        assert_eq!(m.reserve_handle(), Ok(true));
        assert_eq!(m.reserve_handle(), Err(Errno::EMFILE));
        m.release_handle(true);
        assert_eq!(m.reserve_handle(), Ok(true));
        assert_eq!(Meter::new(Limits::default()).reserve_handle(), Ok(false));
    }

    #[test]
    fn sizes_and_quota() {
        let m = Meter::new(Limits {
            max_file_size: Some(10),
            max_bytes_written: Some(5),
            ..Limits::default()
        });
        assert_eq!(m.fit_file_size(8, 4), Ok(2));
        assert_eq!(m.fit_file_size(10, 1), Err(Errno::EFBIG));
        assert_eq!(m.fit_file_size(10, 0), Ok(0));
        assert_eq!(m.check_size(10), Ok(()));
        assert_eq!(m.check_size(11), Err(Errno::EFBIG));
        assert_eq!(m.reserve_bytes(3), Ok(3));
        assert_eq!(m.reserve_bytes(3), Ok(2));
        assert_eq!(m.reserve_bytes(1), Err(Errno::EDQUOT));
        m.refund(1);
        assert_eq!(m.reserve_bytes(4), Ok(1));
    }
}
