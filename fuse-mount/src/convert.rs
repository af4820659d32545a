//! Conversions between vfsbox's vocabulary and fuser's, at the edge of the adapter.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use vfsbox_api::{Attr, Errno, FileKind, Name, TimeSet, Timestamp};

/// The reply error for a provider errno.
pub fn errno(e: Errno) -> fuser::Errno {
    fuser::Errno::from_i32(e.raw())
}

/// A name the kernel sent, validated as a provider [`Name`]. The kernel never sends `.`, `..`
/// or names with `/`; a name longer than 255 bytes is `ENAMETOOLONG`, as the kernel would say.
pub fn name(raw: &OsStr) -> Result<&Name, Errno> {
    Name::new(raw.as_bytes())
}

/// fuser's file type for a kind.
pub fn file_type(kind: FileKind) -> fuser::FileType {
    match kind {
        FileKind::Regular => fuser::FileType::RegularFile,
        FileKind::Directory => fuser::FileType::Directory,
        FileKind::Symlink => fuser::FileType::Symlink,
        FileKind::Fifo => fuser::FileType::NamedPipe,
        FileKind::CharDevice => fuser::FileType::CharDevice,
        FileKind::BlockDevice => fuser::FileType::BlockDevice,
        FileKind::Socket => fuser::FileType::Socket,
    }
}

/// The attributes the kernel sees for inode `ino`. `st_ino` is the FUSE inode number (fuser
/// sends one number for both), so it is stable while the kernel holds the node and equal for
/// every name of a node the provider identifies as one.
pub fn file_attr(ino: u64, attr: &Attr) -> fuser::FileAttr {
    fuser::FileAttr {
        ino: fuser::INodeNo(ino),
        size: attr.size,
        blocks: attr.blocks,
        atime: attr.atime.into(),
        mtime: attr.mtime.into(),
        ctime: attr.ctime.into(),
        crtime: attr.btime.unwrap_or(Timestamp::EPOCH).into(),
        kind: file_type(attr.kind),
        // PERM_MASK fits in 12 bits.
        perm: (attr.perm & vfsbox_api::PERM_MASK) as u16,
        nlink: attr.nlink,
        uid: attr.uid,
        gid: attr.gid,
        rdev: encode_dev(attr.rdev),
        blksize: attr.blksize,
        flags: 0,
    }
}

/// A `dev_t` (glibc encoding) in the 32-bit encoding FUSE carries (the kernel's
/// `new_encode_dev`: 12 bits of major, 20 of minor).
pub fn encode_dev(rdev: u64) -> u32 {
    let (major, minor) = (libc::major(rdev), libc::minor(rdev));
    (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & !0xff) << 12)
}

/// The glibc `dev_t` for a device number in FUSE's 32-bit encoding (`new_decode_dev`).
pub fn decode_dev(raw: u32) -> u64 {
    let major = (raw & 0xfff00) >> 8;
    let minor = (raw & 0xff) | ((raw >> 12) & 0xfff00);
    libc::makedev(major, minor)
}

/// A `setattr` time.
pub fn time_set(t: fuser::TimeOrNow) -> TimeSet {
    match t {
        fuser::TimeOrNow::Now => TimeSet::Now,
        fuser::TimeOrNow::SpecificTime(at) => TimeSet::At(at.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_round_trip() {
        for (major, minor) in [(0, 0), (1, 3), (8, 17), (259, 70000), (4095, 0xfffff)] {
            let dev = libc::makedev(major, minor);
            assert_eq!(decode_dev(encode_dev(dev)), dev, "{major}:{minor}");
        }
        assert_eq!(encode_dev(libc::makedev(1, 3)), 0x103);
    }
}
