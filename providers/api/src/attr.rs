//! Node attributes: what `getattr` reports and `setattr` changes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time with nanosecond resolution, as `struct timespec` holds it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    /// Seconds since the Unix epoch (negative before it).
    pub sec: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nsec: u32,
}

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp { sec: 0, nsec: 0 };

    /// A timestamp from seconds and nanoseconds; `None` if `nsec` is not below one second.
    pub const fn new(sec: i64, nsec: u32) -> Option<Timestamp> {
        if nsec < 1_000_000_000 {
            Some(Timestamp { sec, nsec })
        } else {
            None
        }
    }

    /// The current wall-clock time.
    pub fn now() -> Timestamp {
        Timestamp::from(SystemTime::now())
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => Timestamp {
                sec: after.as_secs() as i64,
                nsec: after.subsec_nanos(),
            },
            Err(before) => {
                let before = before.duration();
                let (sec, nsec) = (before.as_secs() as i64, before.subsec_nanos());
                if nsec == 0 {
                    Timestamp { sec: -sec, nsec: 0 }
                } else {
                    Timestamp {
                        sec: -sec - 1,
                        nsec: 1_000_000_000 - nsec,
                    }
                }
            }
        }
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> Self {
        if t.sec >= 0 {
            UNIX_EPOCH + Duration::new(t.sec as u64, t.nsec)
        } else {
            UNIX_EPOCH - Duration::from_secs(t.sec.unsigned_abs())
                + Duration::from_nanos(t.nsec.into())
        }
    }
}

/// The type of a node (the `S_IFMT` part of a mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
    /// A named pipe.
    Fifo,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A Unix domain socket.
    Socket,
}

impl FileKind {
    /// The `S_IF*` bits for this kind.
    pub const fn mode_bits(self) -> u32 {
        match self {
            FileKind::Regular => libc::S_IFREG,
            FileKind::Directory => libc::S_IFDIR,
            FileKind::Symlink => libc::S_IFLNK,
            FileKind::Fifo => libc::S_IFIFO,
            FileKind::CharDevice => libc::S_IFCHR,
            FileKind::BlockDevice => libc::S_IFBLK,
            FileKind::Socket => libc::S_IFSOCK,
        }
    }

    /// The kind named by the `S_IFMT` bits of `mode`, if they name one.
    pub const fn from_mode(mode: u32) -> Option<FileKind> {
        match mode & libc::S_IFMT {
            libc::S_IFREG => Some(FileKind::Regular),
            libc::S_IFDIR => Some(FileKind::Directory),
            libc::S_IFLNK => Some(FileKind::Symlink),
            libc::S_IFIFO => Some(FileKind::Fifo),
            libc::S_IFCHR => Some(FileKind::CharDevice),
            libc::S_IFBLK => Some(FileKind::BlockDevice),
            libc::S_IFSOCK => Some(FileKind::Socket),
            _ => None,
        }
    }

    /// The `d_type` value `readdir` reports for this kind.
    pub const fn dirent_type(self) -> u8 {
        match self {
            FileKind::Regular => libc::DT_REG,
            FileKind::Directory => libc::DT_DIR,
            FileKind::Symlink => libc::DT_LNK,
            FileKind::Fifo => libc::DT_FIFO,
            FileKind::CharDevice => libc::DT_CHR,
            FileKind::BlockDevice => libc::DT_BLK,
            FileKind::Socket => libc::DT_SOCK,
        }
    }
}

/// Permission bits, including set-user-id (`0o4000`), set-group-id (`0o2000`) and sticky
/// (`0o1000`).
pub const PERM_MASK: u32 = 0o7777;
/// The set-user-id bit.
pub const S_ISUID: u32 = 0o4000;
/// The set-group-id bit.
pub const S_ISGID: u32 = 0o2000;
/// The sticky bit.
pub const S_ISVTX: u32 = 0o1000;

/// What `getattr` reports about a node: the fields of `struct statx` that vfsbox keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attr {
    /// The inode number programs see (`st_ino`). Equal for hard links of one file.
    pub ino: u64,
    /// The type of node.
    pub kind: FileKind,
    /// Permission bits within [`PERM_MASK`].
    pub perm: u32,
    /// Number of hard links (directories: 2 plus the number of subdirectories).
    pub nlink: u32,
    /// Owner user id.
    pub uid: u32,
    /// Owner group id.
    pub gid: u32,
    /// Size in bytes (symlinks: length of the target).
    pub size: u64,
    /// Space used, in 512-byte blocks.
    pub blocks: u64,
    /// Last access.
    pub atime: Timestamp,
    /// Last change of the contents.
    pub mtime: Timestamp,
    /// Last change of the inode (contents, attributes or links).
    pub ctime: Timestamp,
    /// Creation (birth) time, if the provider records it.
    pub btime: Option<Timestamp>,
    /// Device number, for character and block devices.
    pub rdev: u64,
    /// Preferred I/O size.
    pub blksize: u32,
}

impl Attr {
    /// The full `st_mode`: kind bits and permission bits.
    pub fn mode(&self) -> u32 {
        self.kind.mode_bits() | (self.perm & PERM_MASK)
    }
}

/// A new value for a timestamp in [`SetAttr`]; a field left `None` is omitted (`UTIME_OMIT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeSet {
    /// The provider's current time (`UTIME_NOW`).
    Now,
    /// This exact time.
    At(Timestamp),
}

/// The changes of one `setattr` call; `None` fields are left alone. The provider maintains
/// `ctime` itself: any change sets it to the current time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetAttr {
    /// New permission bits (within [`PERM_MASK`]).
    pub perm: Option<u32>,
    /// New owner.
    pub uid: Option<u32>,
    /// New group.
    pub gid: Option<u32>,
    /// New size: truncate or extend with zeros.
    pub size: Option<u64>,
    /// New access time.
    pub atime: Option<TimeSet>,
    /// New modification time.
    pub mtime: Option<TimeSet>,
}

impl SetAttr {
    /// True when nothing is to change.
    pub fn is_empty(&self) -> bool {
        *self == SetAttr::default()
    }
}

/// What `statfs` reports (the fields of `struct statvfs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatFs {
    /// Fundamental block size (`f_frsize`), the unit of the block counts.
    pub block_size: u32,
    /// Total blocks.
    pub blocks: u64,
    /// Free blocks.
    pub blocks_free: u64,
    /// Free blocks for unprivileged users.
    pub blocks_available: u64,
    /// Total inodes.
    pub files: u64,
    /// Free inodes.
    pub files_free: u64,
    /// Longest name.
    pub name_max: u32,
    /// The filesystem is read-only (`ST_RDONLY`).
    pub read_only: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_round_trips_through_system_time() {
        for t in [
            Timestamp::new(0, 0).unwrap(),
            Timestamp::new(1_700_000_000, 123_456_789).unwrap(),
            Timestamp::new(-1, 500).unwrap(),
            Timestamp::new(-10, 0).unwrap(),
        ] {
            assert_eq!(Timestamp::from(SystemTime::from(t)), t);
        }
        assert_eq!(Timestamp::new(0, 1_000_000_000), None);
    }

    #[test]
    fn kinds_round_trip_through_mode_bits() {
        for kind in [
            FileKind::Regular,
            FileKind::Directory,
            FileKind::Symlink,
            FileKind::Fifo,
            FileKind::CharDevice,
            FileKind::BlockDevice,
            FileKind::Socket,
        ] {
            assert_eq!(FileKind::from_mode(kind.mode_bits() | 0o644), Some(kind));
        }
        assert_eq!(FileKind::from_mode(0o644), None);
    }
}
