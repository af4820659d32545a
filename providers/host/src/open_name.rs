//! `open_name`: a regular file opened by its name in one `openat`, described by one `statx`
//! of the descriptor, checked by the consumer, then made a node.
//!
//! The usual way costs a `statx` of the name (lookup), the `openat`, and a `statx` of the
//! descriptor to check that the name still names the node looked up. Here the object the
//! consumer checks is the one opened, so nothing needs checking against an earlier lookup:
//! `openat` + `statx` of the descriptor, and (for a name not remembered yet) a `statx` of
//! the name first to learn its kind.
//!
//! Side effects before the consumer's check: only an open of a regular file, which changes
//! nothing on the host (no truncation: `O_TRUNC` is never passed, the file is truncated
//! with `ftruncate` once the check has passed; no atime: opening does not touch it). FIFOs,
//! sockets and devices are not opened here: the name's kind is known before the `openat`,
//! from the node table (a name this provider has seen) or from a `statx` of the name, and
//! anything but a regular file is left to the usual way, which checks before it opens. A
//! host process that swaps the name for a FIFO or device between that check and the
//! `openat` gets it opened with `O_NONBLOCK` (so it cannot block) and closed at once,
//! exactly the exposure `open`'s re-open of a remembered name already has.

use crate::convert::{attr, host_id};
use crate::handles::{FileHandle, Handle};
use crate::io::io_flags;
use crate::sys;
use crate::table::Node;
use crate::HostFs;
use std::os::fd::AsFd;
use vfsbox_api::{Entry, Errno, FileKind, HandleId, Name, NodeId, OpenCheck, OpenFlags};

/// Whether `st` describes a regular file.
fn is_regular(st: &libc::statx) -> bool {
    u32::from(st.stx_mode) & libc::S_IFMT == libc::S_IFREG
}

impl HostFs {
    /// [`FileSystem::open_name`](vfsbox_api::FileSystem::open_name); see the module doc.
    /// `None` for what the usual way must order itself: not a regular file (known from the
    /// table or a `statx` before anything is opened), a read-only provider and a writing
    /// open, `O_RDONLY|O_TRUNC` (which would need a second, writing descriptor), and any
    /// host error but `ENOENT` (the consumer's check would come before it).
    pub(crate) fn do_open_name(
        &self,
        dir: NodeId,
        name: &Name,
        flags: OpenFlags,
        check: OpenCheck<'_>,
    ) -> Option<Result<(Entry, HandleId), Errno>> {
        let truncate = flags.contains(OpenFlags::TRUNCATE);
        let writes = flags.writable();
        if truncate && !writes || self.caps.read_only && writes {
            return None;
        }
        self.open_regular(dir, name, flags, check)
    }

    /// The rest of [`HostFs::do_open_name`], once the flags are ones it handles.
    fn open_regular(
        &self,
        dir: NodeId,
        name: &Name,
        flags: OpenFlags,
        check: OpenCheck<'_>,
    ) -> Option<Result<(Entry, HandleId), Errno>> {
        let dir = match self.dir_node(dir) {
            Ok(dir) => dir,
            Err(e) => return Some(Err(e)),
        };
        match self.table.remembered_kind(dir.host, name) {
            Some(FileKind::Regular) => {}
            Some(_) => return None,
            None => match sys::statx_at(dir.fd.as_fd(), name) {
                Ok(st) if is_regular(&st) => {}
                Ok(_) => return None,
                Err(Errno::ENOENT) => return Some(Err(Errno::ENOENT)),
                Err(_) => return None,
            },
        }
        // O_NONBLOCK: whatever the name names by now, opening it must not block.
        let fd = match sys::openat(dir.fd.as_fd(), name, io_flags(flags) | libc::O_NONBLOCK, 0) {
            Ok(fd) => fd,
            Err(Errno::ENOENT) => return Some(Err(Errno::ENOENT)),
            Err(_) => return None,
        };
        let (host, regular, found) =
            sys::statx_fd_with(fd.as_fd(), |st| (host_id(st), is_regular(st), attr(st))).ok()?;
        if !regular {
            return None; // replaced by a host process meanwhile; `fd` closes here
        }
        let mut found = found.ok()?;
        if let Err(e) = check(&found) {
            return Some(Err(e));
        }
        if flags.contains(OpenFlags::TRUNCATE) {
            if let Err(e) = sys::ftruncate(fd.as_fd(), 0) {
                return Some(Err(e));
            }
            found = match sys::statx_fd_with(fd.as_fd(), attr) {
                Ok(Ok(found)) => found,
                Ok(Err(e)) | Err(e) => return Some(Err(e)),
            };
        }
        let node = match self.table.hit(host, &dir, name) {
            Some(node) => node,
            None => {
                // Hold exactly the inode opened, not whatever the name names by now.
                let path = match sys::path_fd_of(fd.as_fd()) {
                    Ok(path) => path,
                    Err(e) => return Some(Err(e)),
                };
                let node = Node {
                    fd: path,
                    kind: FileKind::Regular,
                    host,
                };
                self.table.insert(node, &dir, name)
            }
        };
        let handle = self.handles.insert(Handle::File(FileHandle {
            fd,
            readable: flags.readable(),
            writable: flags.writable(),
            positional: true,
            regular: true,
        }));
        Some(Ok((Entry { node, attr: found }, handle)))
    }
}
