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
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn root(&self) -> NodeId {
        self.inner.root()
    }
    fn lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
        self.count(self.inner.lookup(dir, name))
    }
    fn forget(&self, node: NodeId, count: u64) {
        self.held.fetch_sub(count as i64, Ordering::SeqCst);
        self.inner.forget(node, count)
    }
    fn getattr(&self, node: NodeId) -> Result<Attr, Errno> {
        self.inner.getattr(node)
    }
    fn setattr(&self, node: NodeId, c: &SetAttr, h: Option<HandleId>) -> Result<Attr, Errno> {
        self.inner.setattr(node, c, h)
    }
    fn readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        self.inner.readlink(node)
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
    fn unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        self.inner.unlink(dir, name)
    }
    fn rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        self.inner.rmdir(dir, name)
    }
    fn rename(
        &self,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        self.inner.rename(dir, name, new_dir, new_name, flags)
    }
    fn open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno> {
        self.inner.open(node, flags)
    }
    fn read(&self, h: HandleId, offset: u64, buf: &mut [u8]) -> Result<usize, Errno> {
        self.inner.read(h, offset, buf)
    }
    fn write(&self, h: HandleId, offset: u64, data: &[u8]) -> Result<usize, Errno> {
        self.inner.write(h, offset, data)
    }
    fn fsync(&self, h: HandleId, datasync: bool) -> Result<(), Errno> {
        self.inner.fsync(h, datasync)
    }
    fn release(&self, h: HandleId) -> Result<(), Errno> {
        self.inner.release(h)
    }
    fn seek(&self, h: HandleId, offset: u64, what: SeekHole) -> Result<u64, Errno> {
        self.inner.seek(h, offset, what)
    }
    fn opendir(&self, node: NodeId) -> Result<HandleId, Errno> {
        self.inner.opendir(node)
    }
    fn readdir(
        &self,
        h: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        self.inner.readdir(h, cookie, sink)
    }
    fn releasedir(&self, h: HandleId) -> Result<(), Errno> {
        self.inner.releasedir(h)
    }
    fn statfs(&self, node: NodeId) -> Result<StatFs, Errno> {
        self.inner.statfs(node)
    }
}
