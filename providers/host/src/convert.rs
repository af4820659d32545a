//! Conversions between host `struct statx`/`statfs` and the vfsbox vocabulary.

use vfsbox_api::{Attr, Errno, FileKind, StatFs, Timestamp, PERM_MASK};

/// The (device, inode) pair that identifies a host inode.
pub(crate) type HostId = (u64, u64);

/// The identity of the inode `st` describes.
pub(crate) fn host_id(st: &libc::statx) -> HostId {
    (
        libc::makedev(st.stx_dev_major, st.stx_dev_minor),
        st.stx_ino,
    )
}

fn timestamp(t: &libc::statx_timestamp) -> Timestamp {
    // The kernel keeps tv_nsec below one second; fall back to the whole second otherwise.
    Timestamp::new(t.tv_sec, t.tv_nsec).unwrap_or(Timestamp {
        sec: t.tv_sec,
        nsec: 0,
    })
}

/// The attributes of a host inode. `EIO` for a mode whose type bits name no kind.
pub(crate) fn attr(st: &libc::statx) -> Result<Attr, Errno> {
    let mode = u32::from(st.stx_mode);
    let kind = FileKind::from_mode(mode).ok_or(Errno::EIO)?;
    Ok(Attr {
        ino: st.stx_ino,
        kind,
        perm: mode & PERM_MASK,
        nlink: st.stx_nlink,
        uid: st.stx_uid,
        gid: st.stx_gid,
        size: st.stx_size,
        blocks: st.stx_blocks,
        atime: timestamp(&st.stx_atime),
        mtime: timestamp(&st.stx_mtime),
        ctime: timestamp(&st.stx_ctime),
        btime: (st.stx_mask & libc::STATX_BTIME != 0).then(|| timestamp(&st.stx_btime)),
        rdev: libc::makedev(st.stx_rdev_major, st.stx_rdev_minor),
        blksize: st.stx_blksize,
    })
}

/// The kind a `getdents64` `d_type` names, if it names one (`DT_UNKNOWN` does not).
pub(crate) fn kind_of_dtype(d_type: u8) -> Option<FileKind> {
    Some(match d_type {
        libc::DT_REG => FileKind::Regular,
        libc::DT_DIR => FileKind::Directory,
        libc::DT_LNK => FileKind::Symlink,
        libc::DT_FIFO => FileKind::Fifo,
        libc::DT_CHR => FileKind::CharDevice,
        libc::DT_BLK => FileKind::BlockDevice,
        libc::DT_SOCK => FileKind::Socket,
        _ => return None,
    })
}

/// What `statfs` reports, from the host's `struct statvfs`.
pub(crate) fn statfs(st: &libc::statvfs) -> StatFs {
    let frsize = if st.f_frsize > 0 {
        st.f_frsize
    } else {
        st.f_bsize
    };
    StatFs {
        block_size: u32::try_from(frsize).unwrap_or(u32::MAX),
        blocks: st.f_blocks,
        blocks_free: st.f_bfree,
        blocks_available: st.f_bavail,
        files: st.f_files,
        files_free: st.f_ffree,
        name_max: u32::try_from(st.f_namemax).unwrap_or(255),
        read_only: st.f_flag & libc::ST_RDONLY != 0,
    }
}
