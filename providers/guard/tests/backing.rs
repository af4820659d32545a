//! FUSE passthrough: the backing file is forwarded only when nothing acts on read/write.

mod common;

use common::*;
use std::sync::Arc;
use vfsbox_api::{forward_filesystem, FileSystem, HandleId, OpenFlags};
use vfsbox_guard::{AuditLog, Guard, Guarded, Limits};
use vfsbox_memory::MemoryFs;

/// A memory provider that claims a backing file (`/dev/null`) for every handle.
struct Backed {
    inner: Arc<dyn FileSystem>,
}

impl FileSystem for Backed {
    fn backing_file(&self, _handle: HandleId) -> Option<std::os::fd::OwnedFd> {
        std::fs::File::open("/dev/null").ok().map(Into::into)
    }

    forward_filesystem!(inner: capabilities, root, lookup, forget, getattr, setattr, readlink,
        mkdir, mknod, create, symlink, link, unlink, rmdir, rename, open, read, write,
        flush, fsync, release, seek, opendir, readdir, releasedir, statfs, fallocate,
        getxattr, setxattr, listxattr, removexattr);
}

fn backed(guard: Guard) -> bool {
    let mem = MemoryFs::new();
    populate(&mem, &[], &["/f"]);
    let fs = Guarded::new(
        Arc::new(Backed {
            inner: Arc::new(mem),
        }),
        guard,
    );
    let h = open(&fs, "/f", OpenFlags::READ).unwrap();
    let backing = fs.backing_file(h).is_some();
    fs.release(h).unwrap();
    backing
}

#[test]
fn forwarded_only_without_audit_and_write_limits() {
    assert!(backed(Guard::default()));
    assert!(backed(Guard {
        limits: Limits {
            max_open_files: Some(10),
            ..Limits::default()
        },
        ..Guard::default()
    }));
    let audit = Arc::new(AuditLog::to_writer(Box::new(std::io::sink()), "s"));
    assert!(!backed(Guard {
        audit: Some(audit),
        ..Guard::default()
    }));
    for limits in [
        Limits {
            max_file_size: Some(1),
            ..Limits::default()
        },
        Limits {
            max_bytes_written: Some(1),
            ..Limits::default()
        },
    ] {
        assert!(!backed(Guard {
            limits,
            ..Guard::default()
        }));
    }
}
