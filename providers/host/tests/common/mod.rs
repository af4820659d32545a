//! Helpers shared by the host provider's integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use vfsbox_api::{Entry, FileSystem, HandleId, Name, NodeId, OpenFlags, Owner};
use vfsbox_host::HostFs;

pub fn name(s: &str) -> &Name {
    Name::new(s.as_bytes()).expect("valid test name")
}

/// The process's own ids: the owner every test node is made for.
pub fn me() -> Owner {
    let meta = std::fs::metadata("/proc/self").expect("stat /proc/self");
    Owner {
        uid: meta.uid(),
        gid: meta.gid(),
    }
}

/// A temp dir with `root/` (opened as a provider) and `outside/` beside it.
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub fs: HostFs,
}

impl Fixture {
    pub fn new() -> Fixture {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(tmp.path().join("root")).expect("mkdir root");
        std::fs::create_dir(tmp.path().join("outside")).expect("mkdir outside");
        let fs = HostFs::open(tmp.path().join("root")).expect("open provider");
        Fixture { tmp, fs }
    }
    pub fn root_path(&self) -> PathBuf {
        self.tmp.path().join("root")
    }
    pub fn outside(&self) -> PathBuf {
        self.tmp.path().join("outside")
    }
    pub fn lookup(&self, dir: NodeId, n: &str) -> Entry {
        self.fs.lookup(dir, name(n)).expect("lookup")
    }
    /// Creates `n` in `dir` with `data`, returns the entry.
    pub fn write_file(&self, dir: NodeId, n: &str, data: &[u8]) -> Entry {
        let (e, h) = self
            .fs
            .create(dir, name(n), 0o644, OpenFlags::READ_WRITE, me())
            .expect("create");
        assert_eq!(self.fs.write(h, 0, data), Ok(data.len()));
        self.fs.release(h).expect("release");
        e
    }
    pub fn read_all(&self, h: HandleId) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = self.fs.read(h, out.len() as u64, &mut buf).expect("read");
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }
}

/// Everything observable about a tree: per path, kind, size, mode, mtime, ctime, contents.
pub type Snapshot = BTreeMap<PathBuf, (u32, u64, i64, i64, i64, i64, Vec<u8>)>;

pub fn snapshot(dir: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    walk(dir, dir, &mut out);
    out
}

fn walk(base: &Path, dir: &Path, out: &mut Snapshot) {
    let meta = std::fs::symlink_metadata(dir).expect("stat");
    out.insert(
        dir.strip_prefix(base).unwrap().to_path_buf(),
        entry(&meta, dir),
    );
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let path = e.expect("entry").path();
        let meta = std::fs::symlink_metadata(&path).expect("stat");
        if meta.is_dir() {
            walk(base, &path, out);
        } else {
            out.insert(
                path.strip_prefix(base).unwrap().to_path_buf(),
                entry(&meta, &path),
            );
        }
    }
}

fn entry(meta: &std::fs::Metadata, path: &Path) -> (u32, u64, i64, i64, i64, i64, Vec<u8>) {
    let contents = if meta.is_file() {
        std::fs::read(path).expect("read")
    } else {
        Vec::new()
    };
    (
        meta.mode(),
        meta.size(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec(),
        contents,
    )
}
