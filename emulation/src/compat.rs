//! Compatibility events: every place the emulated layer knowingly behaves differently from
//! Linux reports a typed event with a stable code.
//!
//! Each event is logged through `tracing` (target `vfsbox::compat`), counted per kind
//! (readable with [`crate::Emulated::compat_count`]), and in strict mode the operation fails
//! with `ENOTSUP` instead of going ahead with the difference.

use std::sync::atomic::{AtomicU64, Ordering};
use vfsbox_api::Errno;

/// A known difference between the emulated layer and Linux. Codes are stable: they may be
/// matched by tools and never change meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompatEvent {
    /// `O_ASYNC` was asked for (at `open` or `F_SETFL`) and is ignored: there are no signals
    /// in the emulated layer, so signal-driven I/O cannot be delivered.
    IgnoredAsyncFlag,
    /// `O_TMPFILE` was asked for: unnamed temporary files are not emulated, so the call
    /// fails with `EOPNOTSUPP` (as on a Linux filesystem without `tmpfile` support), where
    /// tmpfs and ext4 would succeed.
    UnsupportedTmpfile,
    /// An `fcntl` command Linux knows but the emulated layer does not (`F_SETOWN`, leases,
    /// seals, pipe sizes, OFD locks, …) answered `EINVAL`.
    UnsupportedFcntl,
    /// `getcwd` reported the path the current directory was reached by, which no longer
    /// leads to it: the directory (or a parent) was renamed and could not be found again
    /// within the search limit. Emulated chains remember the parents a directory was reached
    /// through (providers are never asked for `..`); after a rename `getcwd` and paths that
    /// start with `..` search the tree for the directory, and only a failed search is this
    /// event.
    StaleDirectoryPath,
    /// `lseek` on a directory descriptor to anything but its start or its current position:
    /// provider cookies are not byte offsets, so the position cannot be set as ext4's hash
    /// offsets can.
    DirectorySeek,
    /// `F_GETLK` reported a conflicting lock of another emulated process: its `l_pid` is the
    /// virtual process id of that `Emulated` instance, not a kernel pid.
    SyntheticLockOwner,
    /// `F_SETLKW` had to wait: the emulated layer does not detect deadlocks between waiting
    /// processes (Linux answers `EDEADLK` for a cycle), so a cycle waits forever.
    UndetectedLockDeadlock,
    /// `statvfs`/`fstatvfs` flags are synthesized from the provider (only `ST_RDONLY`); a
    /// kernel mount also reports `ST_NOSUID`, `ST_NODEV`, `ST_RELATIME`, …
    SyntheticStatfsFlags,
    /// A FIFO, socket or device was opened: the emulated layer has no pipe rendezvous (an
    /// open of a FIFO does not wait for the other end) and no device drivers, so it gets what
    /// the provider offers.
    SpecialFileOpen,
    /// A mode with set-user-id or set-group-id bits was given to a provider that strips them
    /// (the host provider never plants set-id files on the host), so the bits are lost and a
    /// set-group-id directory passes no group on.
    SetidBitsStripped,
}

impl CompatEvent {
    /// Every event, in code order.
    pub const ALL: [CompatEvent; 10] = [
        CompatEvent::IgnoredAsyncFlag,
        CompatEvent::UnsupportedTmpfile,
        CompatEvent::UnsupportedFcntl,
        CompatEvent::StaleDirectoryPath,
        CompatEvent::DirectorySeek,
        CompatEvent::SyntheticLockOwner,
        CompatEvent::UndetectedLockDeadlock,
        CompatEvent::SyntheticStatfsFlags,
        CompatEvent::SpecialFileOpen,
        CompatEvent::SetidBitsStripped,
    ];

    /// The stable code, `VFSBOX-Cnnn`.
    pub const fn code(self) -> &'static str {
        match self {
            CompatEvent::IgnoredAsyncFlag => "VFSBOX-C001",
            CompatEvent::UnsupportedTmpfile => "VFSBOX-C002",
            CompatEvent::UnsupportedFcntl => "VFSBOX-C003",
            CompatEvent::StaleDirectoryPath => "VFSBOX-C004",
            CompatEvent::DirectorySeek => "VFSBOX-C005",
            CompatEvent::SyntheticLockOwner => "VFSBOX-C006",
            CompatEvent::UndetectedLockDeadlock => "VFSBOX-C007",
            CompatEvent::SyntheticStatfsFlags => "VFSBOX-C008",
            CompatEvent::SpecialFileOpen => "VFSBOX-C009",
            CompatEvent::SetidBitsStripped => "VFSBOX-C010",
        }
    }

    /// A short description for logs.
    pub const fn summary(self) -> &'static str {
        match self {
            CompatEvent::IgnoredAsyncFlag => "O_ASYNC ignored: no signals",
            CompatEvent::UnsupportedTmpfile => "O_TMPFILE not emulated",
            CompatEvent::UnsupportedFcntl => "fcntl command not emulated",
            CompatEvent::StaleDirectoryPath => "renamed directory not found again",
            CompatEvent::DirectorySeek => "directory offsets are provider cookies",
            CompatEvent::SyntheticLockOwner => "lock owner pid is virtual",
            CompatEvent::UndetectedLockDeadlock => "no deadlock detection for F_SETLKW",
            CompatEvent::SyntheticStatfsFlags => "statvfs flags synthesized",
            CompatEvent::SpecialFileOpen => "special file opened without kernel semantics",
            CompatEvent::SetidBitsStripped => "the provider strips set-id bits",
        }
    }

    fn index(self) -> usize {
        CompatEvent::ALL
            .iter()
            .position(|&e| e == self)
            .unwrap_or(0)
    }
}

/// Counts events, logs them at the configured level, and decides, in strict mode, to refuse
/// them.
pub(crate) struct Compat {
    counts: [AtomicU64; CompatEvent::ALL.len()],
    strict: bool,
    /// The `tracing` level events are logged at; `None`: only counted.
    level: Option<tracing::Level>,
}

/// Logs one event at `$level` (`tracing`'s macros need the level as a constant).
macro_rules! log_event {
    ($level:expr, $event:expr, $strict:expr, $detail:expr) => {
        tracing::event!(
            target: "vfsbox::compat",
            $level,
            code = $event.code(),
            strict = $strict,
            "{}: {}",
            $event.summary(),
            $detail
        )
    };
}

impl Compat {
    pub(crate) fn new(strict: bool, level: Option<tracing::Level>) -> Compat {
        Compat {
            counts: Default::default(),
            strict,
            level,
        }
    }

    /// Records `event`; in strict mode refuses the operation with `ENOTSUP`.
    pub(crate) fn emit(&self, event: CompatEvent, detail: &str) -> Result<(), Errno> {
        use tracing::Level;
        self.counts[event.index()].fetch_add(1, Ordering::Relaxed);
        match self.level {
            None => {}
            Some(Level::ERROR) => log_event!(Level::ERROR, event, self.strict, detail),
            Some(Level::WARN) => log_event!(Level::WARN, event, self.strict, detail),
            Some(Level::INFO) => log_event!(Level::INFO, event, self.strict, detail),
            Some(Level::DEBUG) => log_event!(Level::DEBUG, event, self.strict, detail),
            Some(Level::TRACE) => log_event!(Level::TRACE, event, self.strict, detail),
        }
        if self.strict {
            Err(Errno::ENOTSUP)
        } else {
            Ok(())
        }
    }

    pub(crate) fn count(&self, event: CompatEvent) -> u64 {
        self.counts[event.index()].load(Ordering::Relaxed)
    }

    pub(crate) fn strict(&self) -> bool {
        self.strict
    }
}
