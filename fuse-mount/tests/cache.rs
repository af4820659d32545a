//! The kernel's caches and in-process changes; panics in a provider.

mod common;

use std::fs;
use std::sync::Arc;
use std::time::Duration;
use vfsbox_api::{Entry, Errno, FileSystem, Name, NodeId, OpenFlags, Owner};
use vfsbox_fuse::{Invalidating, MountOptions};

const ROOT: Owner = Owner { uid: 0, gid: 0 };

fn name(s: &str) -> &Name {
    Name::new(s.as_bytes()).unwrap()
}

/// Options with caches long enough that only an invalidation can explain a fresh answer.
fn long_caches() -> MountOptions {
    MountOptions {
        entry_timeout: Duration::from_secs(600),
        attr_timeout: Duration::from_secs(600),
        ..common::options()
    }
}

fn write_through(fs: &dyn FileSystem, dir: NodeId, file: &str, data: &[u8]) -> Entry {
    let (entry, handle) = fs
        .create(dir, name(file), 0o644, OpenFlags::WRITE, ROOT)
        .unwrap();
    fs.setattr(
        entry.node,
        &vfsbox_api::SetAttr {
            size: Some(0),
            ..Default::default()
        },
        Some(handle),
    )
    .unwrap();
    assert_eq!(fs.write(handle, 0, data).unwrap(), data.len());
    fs.release(handle).unwrap();
    entry
}

/// Overwrites `data.len()` bytes at offset 0 of `node` through `fs` (same size: only the
/// data changes, so nothing but an invalidation tells the kernel).
fn overwrite(fs: &dyn FileSystem, node: NodeId, data: &[u8]) {
    let h = fs.open(node, OpenFlags::WRITE).unwrap();
    assert_eq!(fs.write(h, 0, data).unwrap(), data.len());
    fs.release(h).unwrap();
}

#[test]
fn file_pages_are_kept_across_opens_and_dropped_by_the_invalidator() {
    use std::os::unix::fs::FileExt;
    let memory: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
    let m = common::mount_with(memory.clone(), (), &long_caches());
    let fs = Invalidating::new(memory.clone(), m.mount().invalidator());
    let size = 64 * 1024;
    fs::write(m.join("f"), vec![b'a'; size]).unwrap();
    let reader = fs::File::open(m.join("f")).unwrap();
    // Compares without printing 64 KiB on a failure: the first differing offset and bytes.
    let check = |file: &fs::File, want: &[u8], why: &str| {
        let mut got = vec![0; size];
        file.read_exact_at(&mut got, 0).unwrap();
        let first = got.iter().zip(want).position(|(g, w)| g != w);
        assert!(
            first.is_none(),
            "{why}: at offset {first:?} read {:?}, want {:?}",
            first.map(|i| got[i]),
            first.map(|i| want[i])
        );
    };
    check(&reader, &vec![b'a'; size], "written through the mount");
    let f = memory.lookup(memory.root(), name("f")).unwrap();

    // Behind the adapter's back, the same size: the open reader and a fresh open both still
    // see the cached pages, so the kernel keeps them across opens (FOPEN_KEEP_CACHE).
    overwrite(&*memory, f.node, &vec![b'b'; size]);
    check(&reader, &vec![b'a'; size], "stale by design");
    let reopened = fs::File::open(m.join("f")).unwrap();
    check(
        &reopened,
        &vec![b'a'; size],
        "the page cache is kept across opens",
    );

    // Through the invalidating wrapper: the reader that holds the file sees the new data at
    // once, and so does a fresh open.
    overwrite(&fs, f.node, &vec![b'c'; size]);
    check(
        &reader,
        &vec![b'c'; size],
        "the open reader after an invalidation",
    );
    check(
        &reopened,
        &vec![b'c'; size],
        "the reopened file after an invalidation",
    );
    assert!(
        fs::read(m.join("f")).unwrap() == vec![b'c'; size],
        "a fresh open"
    );
    // A change in the middle of the file through a handle drops those pages too.
    let h = fs.open(f.node, OpenFlags::WRITE).unwrap();
    assert_eq!(fs.write(h, 40_000, b"middle").unwrap(), 6);
    fs.release(h).unwrap();
    let mut expected = vec![b'c'; size];
    expected[40_000..40_006].copy_from_slice(b"middle");
    check(&reader, &expected, "a change in the middle");
    memory.forget(f.node, 1);
}

#[test]
fn in_process_changes_show_at_once_through_the_invalidator() {
    let memory: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
    let m = common::mount_with(memory.clone(), (), &long_caches());
    let fs = Invalidating::new(memory.clone(), m.mount().invalidator());
    let root = fs.root();
    fs::write(m.join("f"), b"hello").unwrap();
    assert_eq!(fs::read(m.join("f")).unwrap(), b"hello");
    assert_eq!(fs::metadata(m.join("f")).unwrap().len(), 5);
    // The kernel now caches the root's listing too (FOPEN_CACHE_DIR).
    let listed: Vec<_> = fs::read_dir(m.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(listed, ["f"]);

    // Control: a change behind the adapter's back stays invisible (the caches are live).
    let f = memory.lookup(root, name("f")).unwrap();
    let h = memory.open(f.node, OpenFlags::WRITE).unwrap();
    memory.write(h, 5, b" world").unwrap();
    memory.release(h).unwrap();
    memory.forget(f.node, 1);
    assert_eq!(
        fs::metadata(m.join("f")).unwrap().len(),
        5,
        "stale by design"
    );

    // Through the invalidating wrapper: attributes and data are fresh at once.
    let e = write_through(&fs, root, "f", b"changed in-process");
    fs.forget(e.node, 1);
    assert_eq!(fs::metadata(m.join("f")).unwrap().len(), 18);
    assert_eq!(fs::read(m.join("f")).unwrap(), b"changed in-process");

    // A removed name is gone, a new one appears, a rename moves it.
    fs.unlink(root, name("f")).unwrap();
    assert_eq!(
        fs::metadata(m.join("f")).unwrap_err().raw_os_error(),
        Some(libc::ENOENT)
    );
    let e = fs.mkdir(root, name("d"), 0o755, ROOT).unwrap();
    fs.forget(e.node, 1);
    assert!(fs::metadata(m.join("d")).unwrap().is_dir());
    fs.rename(
        root,
        name("d"),
        root,
        name("e"),
        vfsbox_api::RenameFlags::Replace,
    )
    .unwrap();
    assert_eq!(
        fs::metadata(m.join("d")).unwrap_err().raw_os_error(),
        Some(libc::ENOENT)
    );
    assert!(fs::metadata(m.join("e")).unwrap().is_dir());
    let names: Vec<_> = fs::read_dir(m.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["e"]);
}

/// A provider that panics when asked about the name `boom`.
struct Panicky(vfsbox_memory::MemoryFs);

impl FileSystem for Panicky {
    fn capabilities(&self) -> vfsbox_api::Capabilities {
        self.0.capabilities()
    }
    fn root(&self) -> NodeId {
        self.0.root()
    }
    fn lookup(&self, dir: NodeId, n: &Name) -> Result<Entry, Errno> {
        assert_ne!(n.as_bytes(), b"boom", "a provider bug");
        self.0.lookup(dir, n)
    }
    fn forget(&self, node: NodeId, count: u64) {
        self.0.forget(node, count)
    }
    fn getattr(&self, node: NodeId) -> Result<vfsbox_api::Attr, Errno> {
        self.0.getattr(node)
    }
    fn setattr(
        &self,
        node: NodeId,
        c: &vfsbox_api::SetAttr,
        h: Option<vfsbox_api::HandleId>,
    ) -> Result<vfsbox_api::Attr, Errno> {
        self.0.setattr(node, c, h)
    }
    fn readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        self.0.readlink(node)
    }
    fn mkdir(&self, d: NodeId, n: &Name, p: u32, o: Owner) -> Result<Entry, Errno> {
        self.0.mkdir(d, n, p, o)
    }
    fn mknod(
        &self,
        d: NodeId,
        n: &Name,
        k: vfsbox_api::FileKind,
        p: u32,
        r: u64,
        o: Owner,
    ) -> Result<Entry, Errno> {
        self.0.mknod(d, n, k, p, r, o)
    }
    fn create(
        &self,
        d: NodeId,
        n: &Name,
        p: u32,
        f: OpenFlags,
        o: Owner,
    ) -> Result<(Entry, vfsbox_api::HandleId), Errno> {
        self.0.create(d, n, p, f, o)
    }
    fn symlink(&self, d: NodeId, n: &Name, t: &[u8], o: Owner) -> Result<Entry, Errno> {
        self.0.symlink(d, n, t, o)
    }
    fn link(&self, node: NodeId, d: NodeId, n: &Name) -> Result<Entry, Errno> {
        self.0.link(node, d, n)
    }
    fn unlink(&self, d: NodeId, n: &Name) -> Result<(), Errno> {
        self.0.unlink(d, n)
    }
    fn rmdir(&self, d: NodeId, n: &Name) -> Result<(), Errno> {
        self.0.rmdir(d, n)
    }
    fn rename(
        &self,
        d: NodeId,
        n: &Name,
        nd: NodeId,
        nn: &Name,
        f: vfsbox_api::RenameFlags,
    ) -> Result<(), Errno> {
        self.0.rename(d, n, nd, nn, f)
    }
    fn open(&self, node: NodeId, f: OpenFlags) -> Result<vfsbox_api::HandleId, Errno> {
        self.0.open(node, f)
    }
    fn read(&self, h: vfsbox_api::HandleId, o: u64, b: &mut [u8]) -> Result<usize, Errno> {
        self.0.read(h, o, b)
    }
    fn write(&self, h: vfsbox_api::HandleId, o: u64, d: &[u8]) -> Result<usize, Errno> {
        self.0.write(h, o, d)
    }
    fn fsync(&self, h: vfsbox_api::HandleId, d: bool) -> Result<(), Errno> {
        self.0.fsync(h, d)
    }
    fn release(&self, h: vfsbox_api::HandleId) -> Result<(), Errno> {
        self.0.release(h)
    }
    fn seek(&self, h: vfsbox_api::HandleId, o: u64, w: vfsbox_api::SeekHole) -> Result<u64, Errno> {
        self.0.seek(h, o, w)
    }
    fn opendir(&self, node: NodeId) -> Result<vfsbox_api::HandleId, Errno> {
        self.0.opendir(node)
    }
    fn readdir(
        &self,
        h: vfsbox_api::HandleId,
        c: u64,
        s: &mut dyn FnMut(vfsbox_api::DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        self.0.readdir(h, c, s)
    }
    fn releasedir(&self, h: vfsbox_api::HandleId) -> Result<(), Errno> {
        self.0.releasedir(h)
    }
    fn statfs(&self, node: NodeId) -> Result<vfsbox_api::StatFs, Errno> {
        self.0.statfs(node)
    }
}

#[test]
fn a_panic_in_the_provider_answers_eio_and_the_mount_goes_on() {
    let options = MountOptions {
        threads: 1,
        ..common::options()
    };
    let m = common::mount_with(
        Arc::new(Panicky(vfsbox_memory::MemoryFs::new())),
        (),
        &options,
    );
    for _ in 0..3 {
        assert_eq!(
            fs::metadata(m.join("boom")).unwrap_err().raw_os_error(),
            Some(libc::EIO)
        );
    }
    // The one worker survived: the mount still answers.
    fs::write(m.join("ok"), b"fine").unwrap();
    assert_eq!(fs::read(m.join("ok")).unwrap(), b"fine");
}

#[test]
fn forgotten_inodes_are_given_back_to_the_provider() {
    let m = common::mount_provider("memory");
    for i in 0..200 {
        fs::write(m.join(&format!("f{i}")), b"x").unwrap();
    }
    assert!(m.mount().inodes_held() >= 200);
    // Dropping the kernel's caches makes it forget every unused inode.
    fs::write("/proc/sys/vm/drop_caches", "2").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while m.mount().inodes_held() > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(m.mount().inodes_held(), 0);
    // And the names still resolve afresh.
    assert_eq!(fs::read(m.join("f7")).unwrap(), b"x");
}
