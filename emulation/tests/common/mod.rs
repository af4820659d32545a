//! Helpers shared by the emulated layer's tests.
#![allow(dead_code)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use vfsbox_api::*;
use vfsbox_emulation::{Emulated, Identity};

pub const RW: i32 = libc::O_RDWR;

/// A process over a fresh memory provider, as root.
pub fn root() -> Emulated {
    Emulated::new(Arc::new(vfsbox_memory::MemoryFs::new()))
}

/// A process as uid/gid 65534 over `fs`.
pub fn nobody(fs: Arc<dyn FileSystem>) -> Emulated {
    Emulated::builder(fs)
        .identity(Identity::user(65534, 65534))
        .build()
}

/// Creates `path` holding `data`.
pub fn put(p: &Emulated, path: &str, data: &[u8]) {
    let fd = p
        .open(
            path.as_bytes(),
            libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC,
            0o644,
        )
        .unwrap();
    assert_eq!(p.write(fd, data), Ok(data.len()));
    p.close(fd).unwrap();
}

/// The whole content of `path`.
pub fn get(p: &Emulated, path: &str) -> Vec<u8> {
    let fd = p.open(path.as_bytes(), libc::O_RDONLY, 0).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = p.read(fd, &mut buf).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    p.close(fd).unwrap();
    out
}

/// A provider wrapper counting lookups held (Entries returned minus counts forgotten).
pub struct Counting {
    pub inner: Arc<dyn FileSystem>,
    pub held: AtomicI64,
}

impl Counting {
    pub fn new(inner: Arc<dyn FileSystem>) -> Arc<Counting> {
        Arc::new(Counting {
            inner,
            held: AtomicI64::new(0),
        })
    }
    pub fn held(&self) -> i64 {
        self.held.load(Ordering::SeqCst)
    }
    fn count(&self, r: Result<Entry, Errno>) -> Result<Entry, Errno> {
        if r.is_ok() {
            self.held.fetch_add(1, Ordering::SeqCst);
        }
        r
    }
}

impl FileSystem for Counting {
    fn lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
        self.count(self.inner.lookup(dir, name))
    }
    fn forget(&self, node: NodeId, count: u64) {
        self.held.fetch_sub(count as i64, Ordering::SeqCst);
        self.inner.forget(node, count)
    }
    fn mkdir(&self, dir: NodeId, name: &Name, perm: u32, owner: Owner) -> Result<Entry, Errno> {
        self.count(self.inner.mkdir(dir, name, perm, owner))
    }
    fn mknod(
        &self,
        dir: NodeId,
        name: &Name,
        kind: FileKind,
        perm: u32,
        rdev: u64,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        self.count(self.inner.mknod(dir, name, kind, perm, rdev, owner))
    }
    fn create(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno> {
        let r = self.inner.create(dir, name, perm, flags, owner);
        if r.is_ok() {
            self.held.fetch_add(1, Ordering::SeqCst);
        }
        r
    }
    fn symlink(
        &self,
        dir: NodeId,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno> {
        self.count(self.inner.symlink(dir, name, target, owner))
    }
    fn link(&self, node: NodeId, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
        self.count(self.inner.link(node, dir, name))
    }

    vfsbox_api::forward_filesystem!(inner: capabilities, root, getattr, setattr, readlink,
        unlink, rmdir, rename, open, read, write, flush, fsync, release, seek, opendir, readdir,
        releasedir, statfs, fallocate, getxattr, setxattr, listxattr, removexattr);
}
