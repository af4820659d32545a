//! Flags of `open`, `create`, `rename`, `setxattr` and `fallocate`, in their Linux encodings.

/// How a file is opened: the access mode and the file-status flags a provider acts on.
///
/// The bits are Linux `O_*` values. A provider acts on the access mode, `O_TRUNC`, `O_APPEND`
/// (writes go to the end, whatever offset is passed) and `O_EXCL` (in `create` only); it may
/// act on `O_SYNC`, `O_DSYNC`, `O_DIRECT`, `O_NOATIME` and `O_NONBLOCK`. Path-resolution flags
/// (`O_CREAT`, `O_NOFOLLOW`, `O_DIRECTORY`, `O_PATH`, `O_CLOEXEC`) are the consumer's business
/// and are ignored by providers.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpenFlags(i32);

/// The access mode of an open file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessMode {
    /// `O_RDONLY`
    Read,
    /// `O_WRONLY`
    Write,
    /// `O_RDWR`
    ReadWrite,
}

impl OpenFlags {
    /// `O_RDONLY`
    pub const READ: OpenFlags = OpenFlags(libc::O_RDONLY);
    /// `O_WRONLY`
    pub const WRITE: OpenFlags = OpenFlags(libc::O_WRONLY);
    /// `O_RDWR`
    pub const READ_WRITE: OpenFlags = OpenFlags(libc::O_RDWR);
    /// `O_TRUNC`
    pub const TRUNCATE: OpenFlags = OpenFlags(libc::O_TRUNC);
    /// `O_APPEND`
    pub const APPEND: OpenFlags = OpenFlags(libc::O_APPEND);
    /// `O_EXCL` (meaningful in `create`)
    pub const EXCLUSIVE: OpenFlags = OpenFlags(libc::O_EXCL);
    /// `O_NONBLOCK`
    pub const NONBLOCK: OpenFlags = OpenFlags(libc::O_NONBLOCK);
    /// `O_SYNC`
    pub const SYNC: OpenFlags = OpenFlags(libc::O_SYNC);
    /// `O_DSYNC`
    pub const DSYNC: OpenFlags = OpenFlags(libc::O_DSYNC);
    /// `O_DIRECT`
    pub const DIRECT: OpenFlags = OpenFlags(libc::O_DIRECT);
    /// `O_NOATIME`
    pub const NOATIME: OpenFlags = OpenFlags(libc::O_NOATIME);

    /// Flags from raw Linux `O_*` bits.
    pub const fn from_raw(raw: i32) -> OpenFlags {
        OpenFlags(raw)
    }

    /// The raw Linux `O_*` bits.
    pub const fn raw(self) -> i32 {
        self.0
    }

    /// Both sets of flags.
    #[must_use]
    pub const fn with(self, other: OpenFlags) -> OpenFlags {
        OpenFlags(self.0 | other.0)
    }

    /// True if every bit of `other` is set (for `READ`, which is zero: the access mode is read).
    pub const fn contains(self, other: OpenFlags) -> bool {
        if other.0 == 0 {
            self.0 & libc::O_ACCMODE == 0
        } else {
            self.0 & other.0 == other.0
        }
    }

    /// The access mode; the invalid mode `3` is reported as read-write, as Linux treats it for
    /// everything but permission checks.
    pub const fn access(self) -> AccessMode {
        match self.0 & libc::O_ACCMODE {
            libc::O_RDONLY => AccessMode::Read,
            libc::O_WRONLY => AccessMode::Write,
            _ => AccessMode::ReadWrite,
        }
    }

    /// True when the access mode allows reading.
    pub const fn readable(self) -> bool {
        !matches!(self.access(), AccessMode::Write)
    }

    /// True when the access mode allows writing.
    pub const fn writable(self) -> bool {
        !matches!(self.access(), AccessMode::Read)
    }
}

impl std::ops::BitOr for OpenFlags {
    type Output = OpenFlags;
    fn bitor(self, rhs: OpenFlags) -> OpenFlags {
        self.with(rhs)
    }
}

impl std::fmt::Debug for OpenFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = vec![match self.access() {
            AccessMode::Read => "O_RDONLY",
            AccessMode::Write => "O_WRONLY",
            AccessMode::ReadWrite => "O_RDWR",
        }];
        for (flag, name) in [
            (OpenFlags::TRUNCATE, "O_TRUNC"),
            (OpenFlags::APPEND, "O_APPEND"),
            (OpenFlags::EXCLUSIVE, "O_EXCL"),
            (OpenFlags::NONBLOCK, "O_NONBLOCK"),
            (OpenFlags::SYNC, "O_SYNC"),
            (OpenFlags::DIRECT, "O_DIRECT"),
            (OpenFlags::NOATIME, "O_NOATIME"),
        ] {
            if self.contains(flag) {
                parts.push(name);
            }
        }
        if !self.contains(OpenFlags::SYNC) && self.contains(OpenFlags::DSYNC) {
            parts.push("O_DSYNC");
        }
        f.write_str(&parts.join("|"))
    }
}

/// How `rename` treats an existing destination (the `renameat2` flags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RenameFlags {
    /// Replace an existing destination (plain `rename`).
    #[default]
    Replace,
    /// Fail with `EEXIST` if the destination exists (`RENAME_NOREPLACE`).
    NoReplace,
    /// Atomically swap source and destination, which must both exist (`RENAME_EXCHANGE`).
    Exchange,
}

impl RenameFlags {
    /// The `renameat2` flag bits.
    pub const fn raw(self) -> u32 {
        match self {
            RenameFlags::Replace => 0,
            RenameFlags::NoReplace => libc::RENAME_NOREPLACE,
            RenameFlags::Exchange => libc::RENAME_EXCHANGE,
        }
    }

    /// The mode named by `renameat2` flag bits; `None` (`EINVAL` to the caller) for unknown bits
    /// or `RENAME_NOREPLACE|RENAME_EXCHANGE`.
    pub const fn from_raw(raw: u32) -> Option<RenameFlags> {
        match raw {
            0 => Some(RenameFlags::Replace),
            libc::RENAME_NOREPLACE => Some(RenameFlags::NoReplace),
            libc::RENAME_EXCHANGE => Some(RenameFlags::Exchange),
            _ => None,
        }
    }
}

/// How `setxattr` treats an existing attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum XattrSet {
    /// Create or replace.
    #[default]
    Either,
    /// Fail with `EEXIST` if it exists (`XATTR_CREATE`).
    Create,
    /// Fail with `ENODATA` if it does not exist (`XATTR_REPLACE`).
    Replace,
}

/// What `fallocate` does with a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FallocateMode {
    /// Allocate the range, extending the size if it ends past it (mode 0).
    Allocate,
    /// Allocate the range without changing the size (`FALLOC_FL_KEEP_SIZE`).
    KeepSize,
    /// Deallocate the range, which then reads as zeros; the size is kept
    /// (`FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE`).
    PunchHole,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_modes() {
        assert_eq!(OpenFlags::READ.access(), AccessMode::Read);
        assert!(OpenFlags::READ.readable() && !OpenFlags::READ.writable());
        assert!(!OpenFlags::WRITE.readable() && OpenFlags::WRITE.writable());
        let flags = OpenFlags::READ_WRITE | OpenFlags::APPEND;
        assert!(flags.readable() && flags.writable() && flags.contains(OpenFlags::APPEND));
        assert!(!flags.contains(OpenFlags::READ));
        assert_eq!(format!("{flags:?}"), "O_RDWR|O_APPEND");
    }

    #[test]
    fn rename_flags_round_trip() {
        for f in [
            RenameFlags::Replace,
            RenameFlags::NoReplace,
            RenameFlags::Exchange,
        ] {
            assert_eq!(RenameFlags::from_raw(f.raw()), Some(f));
        }
        assert_eq!(
            RenameFlags::from_raw(libc::RENAME_NOREPLACE | libc::RENAME_EXCHANGE),
            None
        );
    }
}
