//! Directory stream offsets: where the kernel resumes a listing.
//!
//! The kernel resumes `readdir` at the offset of the last entry it consumed, and programs may
//! `telldir`/`seekdir` to any offset they saw. The adapter adds `.` and `..` (providers do not
//! list them), so offsets 1 and 2 are taken by those two, and provider cookies (any non-zero
//! `u64`: small counters, host `d_off` hashes, mount-table composites) cannot be used as they
//! are without colliding with them or overflowing the kernel's signed `loff_t`. Each open
//! directory therefore numbers the provider cookies it hands out (3, 4, …) and remembers which
//! cookie each number stands for until `releasedir`. A cookie seen again (after `rewinddir`)
//! keeps its number, so the table grows with the directory, not with the number of passes.

use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};
use vfsbox_api::NameBuf;

/// The offset after `.`.
pub const AFTER_DOT: u64 = 1;
/// The offset after `..`.
pub const AFTER_DOTDOT: u64 = 2;

/// Where a listing resumes, decoded from a kernel offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// From the start: `.` comes next.
    Start,
    /// After `.`: `..` comes next.
    AfterDot,
    /// After the provider entry with this cookie (0: before the first one).
    Provider(u64),
}

/// The offsets issued for one open directory, and the entries read ahead from the provider.
#[derive(Debug, Default)]
pub struct Offsets {
    cookies: Vec<u64>,
    numbers: HashMap<u64, u64>,
    /// Entries read from the provider but not yet sent (`readdirplus` reads a batch and a
    /// reply holds only part of it), with their cookies.
    pub pending: VecDeque<(NameBuf, u64)>,
    /// The provider cookie `pending` continues from (valid only while `pending` is not empty
    /// or `provider_done` is set).
    pub pending_after: Option<u64>,
    /// The provider had nothing after `pending`.
    pub provider_done: bool,
}

impl Offsets {
    /// Decodes a kernel offset; `None` for an offset this directory never issued.
    pub fn resume(&self, offset: u64) -> Option<Resume> {
        match offset {
            0 => Some(Resume::Start),
            AFTER_DOT => Some(Resume::AfterDot),
            AFTER_DOTDOT => Some(Resume::Provider(0)),
            n => {
                let index = usize::try_from(n - AFTER_DOTDOT - 1).ok()?;
                self.cookies.get(index).map(|&c| Resume::Provider(c))
            }
        }
    }

    /// The kernel offset standing for provider cookie `cookie`.
    pub fn offset_of(&mut self, cookie: u64) -> u64 {
        if let Some(&n) = self.numbers.get(&cookie) {
            return n;
        }
        self.cookies.push(cookie);
        let n = AFTER_DOTDOT + self.cookies.len() as u64;
        self.numbers.insert(cookie, n);
        n
    }
}

/// The offsets of every open directory of a mount, by file handle.
#[derive(Debug, Default)]
pub struct OpenDirs {
    dirs: Mutex<HashMap<u64, std::sync::Arc<Mutex<Offsets>>>>,
}

impl OpenDirs {
    /// Starts tracking directory handle `fh`.
    pub fn open(&self, fh: u64) {
        self.dirs.lock().insert(fh, Default::default());
    }

    /// The offsets of `fh`, if it is an open directory.
    pub fn get(&self, fh: u64) -> Option<std::sync::Arc<Mutex<Offsets>>> {
        self.dirs.lock().get(&fh).cloned()
    }

    /// Stops tracking `fh`.
    pub fn close(&self, fh: u64) {
        self.dirs.lock().remove(&fh);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_number_cookies_once() {
        let mut offsets = Offsets::default();
        assert_eq!(offsets.resume(0), Some(Resume::Start));
        assert_eq!(offsets.resume(1), Some(Resume::AfterDot));
        assert_eq!(offsets.resume(2), Some(Resume::Provider(0)));
        assert_eq!(offsets.resume(3), None);
        assert_eq!(offsets.offset_of(1), 3);
        assert_eq!(offsets.offset_of(u64::MAX), 4);
        assert_eq!(offsets.offset_of(1), 3);
        assert_eq!(offsets.resume(3), Some(Resume::Provider(1)));
        assert_eq!(offsets.resume(4), Some(Resume::Provider(u64::MAX)));
        assert_eq!(offsets.resume(u64::MAX), None);
    }
}
