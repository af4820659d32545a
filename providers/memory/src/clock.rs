//! Where timestamps come from: an injectable clock, so tests can pin nanosecond times.

use parking_lot::Mutex;
use vfsbox_api::Timestamp;

/// A source of the current time for every timestamp the provider sets.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The wall clock (`CLOCK_REALTIME`), what a kernel filesystem uses.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until told otherwise, so tests can assert exact nanoseconds.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock {
            now: Mutex::new(start),
        }
    }

    /// Shows `time` from now on.
    pub fn set(&self, time: Timestamp) {
        *self.now.lock() = time;
    }

    /// Moves the clock forward by `nanos` nanoseconds.
    pub fn advance_ns(&self, nanos: u64) {
        let mut now = self.now.lock();
        let total = u64::from(now.nsec) + nanos % 1_000_000_000;
        let secs = (nanos / 1_000_000_000 + total / 1_000_000_000) as i64;
        *now = Timestamp {
            sec: now.sec.saturating_add(secs),
            nsec: (total % 1_000_000_000) as u32,
        };
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock::new(Timestamp::EPOCH)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_advances_in_nanoseconds() {
        let clock = ManualClock::new(Timestamp::new(10, 999_999_999).unwrap());
        clock.advance_ns(2);
        assert_eq!(clock.now(), Timestamp::new(11, 1).unwrap());
        clock.advance_ns(3_000_000_005);
        assert_eq!(clock.now(), Timestamp::new(14, 6).unwrap());
        clock.set(Timestamp::new(-5, 7).unwrap());
        assert_eq!(clock.now(), Timestamp::new(-5, 7).unwrap());
    }
}
