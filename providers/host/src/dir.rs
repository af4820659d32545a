//! Directory listings: `getdents64` on a directory descriptor, cookies are the kernel's
//! `d_off`, names are lent straight out of the read buffer (no allocation per entry).

use crate::convert::kind_of_dtype;
use crate::sys;
use std::os::fd::{AsFd, OwnedFd};
use vfsbox_api::{DirEntry, Errno, Name};

/// Bytes read per `getdents64` call.
const BUF_SIZE: usize = 32 * 1024;

/// Offsets inside a `struct linux_dirent64`: d_ino u64, d_off i64, d_reclen u16, d_type u8,
/// then the NUL-terminated name.
const HEADER: usize = 19;

/// An open directory and the records read from it but not yet delivered.
pub(crate) struct DirStream {
    fd: OwnedFd,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The cookie that resumes at `buf[start..]` (the kernel's position once it is consumed).
    pos: u64,
}

impl DirStream {
    pub(crate) fn new(fd: OwnedFd) -> DirStream {
        DirStream {
            fd,
            buf: vec![0; BUF_SIZE],
            start: 0,
            end: 0,
            pos: 0,
        }
    }

    /// Delivers entries after `cookie` to `sink` until it declines one or the directory ends.
    pub(crate) fn list(
        &mut self,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        if cookie != self.pos {
            let offset = i64::try_from(cookie).map_err(|_| Errno::EINVAL)?;
            sys::lseek(self.fd.as_fd(), offset, libc::SEEK_SET)?;
            self.start = 0;
            self.end = 0;
            self.pos = cookie;
        }
        loop {
            if self.start >= self.end {
                let n = sys::getdents64(self.fd.as_fd(), &mut self.buf)?;
                if n == 0 {
                    return Ok(());
                }
                self.start = 0;
                self.end = n;
            }
            let rec = &self.buf[self.start..self.end];
            if rec.len() < HEADER {
                return Err(Errno::EIO);
            }
            let ino = u64::from_ne_bytes(rec[0..8].try_into().map_err(|_| Errno::EIO)?);
            let off = u64::from_ne_bytes(rec[8..16].try_into().map_err(|_| Errno::EIO)?);
            let reclen = usize::from(u16::from_ne_bytes([rec[16], rec[17]]));
            let d_type = rec[18];
            if reclen < HEADER || reclen > rec.len() {
                return Err(Errno::EIO);
            }
            let raw = &rec[HEADER..reclen];
            let name = &raw[..raw.iter().position(|&b| b == 0).unwrap_or(raw.len())];
            if name != b"." && name != b".." {
                if let Ok(name) = Name::new(name) {
                    // DT_UNKNOWN (filesystems without types in directories): ask the inode;
                    // an entry removed meanwhile is skipped, as a later getdents would.
                    let kind = match kind_of_dtype(d_type) {
                        Some(kind) => Some(kind),
                        None => match sys::statx_at(self.fd.as_fd(), name) {
                            Ok(st) => Some(crate::convert::attr(&st)?.kind),
                            Err(Errno::ENOENT) => None,
                            Err(e) => return Err(e),
                        },
                    };
                    if let Some(kind) = kind {
                        let entry = DirEntry {
                            name,
                            ino,
                            kind,
                            cookie: off,
                        };
                        if !sink(entry) {
                            return Ok(());
                        }
                    }
                }
            }
            self.start += reclen;
            self.pos = off;
        }
    }
}
