//! Shared set-up of the benchmarks: subjects (a provider, or direct syscalls on a host
//! directory) offering the same operations, so every figure has its baseline in the same run.
#![allow(dead_code)] // each bench target uses a different part of this module

use criterion::measurement::WallTime;
use criterion::BenchmarkGroup;
use nix::dir::Dir;
use nix::fcntl::{openat, renameat, AtFlags, OFlag};
use nix::sys::stat::{fstatat, Mode};
use nix::unistd::{unlinkat, UnlinkatFlags};
use std::fs::File;
use std::hint::black_box;
use std::os::fd::OwnedFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vfsbox_api::{FileSystem, HandleId, Name, NodeId, OpenFlags, Owner, RenameFlags};

/// The 4 KiB payload of the data benchmarks.
pub const PAGE: [u8; 4096] = [0x5a; 4096];
/// Owner of the nodes the benchmarks make.
pub const OWNER: Owner = Owner { uid: 0, gid: 0 };

/// A fresh directory for the host-side subjects: on tmpfs (`/dev/shm`) unless
/// `VFSBOX_BENCH_DIR` names another parent. Removed on drop.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn new(tag: &str) -> ScratchDir {
        let parent = std::env::var_os("VFSBOX_BENCH_DIR")
            .map_or_else(|| PathBuf::from("/dev/shm"), PathBuf::from);
        let path = parent.join(format!("vfsbox-bench-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create the benchmark directory");
        ScratchDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Name of the `i`-th file of a benchmark directory.
pub fn file_name(i: usize) -> String {
    format!("f{i:07}")
}

pub fn name(text: &str) -> &Name {
    Name::new(text.as_bytes()).expect("benchmark names are valid")
}

/// The operations every subject offers, each the same work as its syscall counterpart.
pub trait Subject {
    /// Resolve one name in the benchmark directory and report its attributes.
    fn lookup(&self, name: &str);
    /// Attributes of an already-resolved file.
    fn getattr(&self);
    /// Create a new file, write 4 KiB, close it, remove it.
    fn create_write_release(&self, name: &str);
    /// Open the resolved 4 KiB file, read it whole, close it.
    fn open_read_release(&self);
    /// List the whole benchmark directory; returns the number of entries.
    fn readdir(&self) -> usize;
    /// Rename `from` to `to` in the benchmark directory.
    fn rename(&self, from: &str, to: &str);
}

/// A provider with its benchmark directory (`bench`) and one resolved 4 KiB file (`data`).
pub struct ProviderSubject {
    pub fs: Arc<dyn FileSystem>,
    pub dir: NodeId,
    pub file: NodeId,
}

impl ProviderSubject {
    /// Makes `bench/` holding `files` empty files (not held) and the 4 KiB file `data` (held).
    pub fn new(fs: Arc<dyn FileSystem>, files: usize) -> ProviderSubject {
        let root = fs.root();
        ProviderSubject::new_in(fs, root, files)
    }

    /// As [`new`](Self::new), with `bench/` made in directory `parent`.
    pub fn new_in(fs: Arc<dyn FileSystem>, parent: NodeId, files: usize) -> ProviderSubject {
        let dir = fs
            .mkdir(parent, name("bench"), 0o755, OWNER)
            .expect("mkdir bench")
            .node;
        // The files are not held: a lookup finds a name nobody holds, as a path walk does.
        for i in 0..files {
            let entry = fs
                .mknod(
                    dir,
                    name(&file_name(i)),
                    vfsbox_api::FileKind::Regular,
                    0o644,
                    0,
                    OWNER,
                )
                .expect("mknod");
            fs.forget(entry.node, 1);
        }
        let (entry, handle) = fs
            .create(dir, name("data"), 0o644, OpenFlags::WRITE, OWNER)
            .expect("create data");
        fs.write(handle, 0, &PAGE).expect("write data");
        fs.release(handle).expect("release data");
        ProviderSubject {
            fs,
            dir,
            file: entry.node,
        }
    }

    /// A subject over a `bench/` directory that already exists in `fs`'s root (made by
    /// [`new`](Self::new) on a provider `fs` stands on, such as an overlay's lower layer).
    pub fn existing(fs: Arc<dyn FileSystem>) -> ProviderSubject {
        let dir = fs
            .lookup(fs.root(), name("bench"))
            .expect("lookup bench")
            .node;
        let file = fs.lookup(dir, name("data")).expect("lookup data").node;
        ProviderSubject { fs, dir, file }
    }

    fn done(&self, handle: HandleId) {
        self.fs.release(handle).expect("release");
    }
}

impl Subject for ProviderSubject {
    fn lookup(&self, text: &str) {
        let entry = self.fs.lookup(self.dir, name(text)).expect("lookup");
        self.fs.forget(entry.node, 1);
    }

    fn getattr(&self) {
        self.fs.getattr(self.file).expect("getattr");
    }

    fn create_write_release(&self, text: &str) {
        let (entry, handle) = self
            .fs
            .create(
                self.dir,
                name(text),
                0o644,
                OpenFlags::WRITE | OpenFlags::EXCLUSIVE,
                OWNER,
            )
            .expect("create");
        self.fs.write(handle, 0, &PAGE).expect("write");
        self.done(handle);
        self.fs.forget(entry.node, 1);
        self.fs.unlink(self.dir, name(text)).expect("unlink");
    }

    fn open_read_release(&self) {
        let handle = self.fs.open(self.file, OpenFlags::READ).expect("open");
        let mut buf = [0u8; 4096];
        let n = self.fs.read(handle, 0, &mut buf).expect("read");
        assert_eq!(n, 4096);
        self.done(handle);
    }

    fn readdir(&self) -> usize {
        let handle = self.fs.opendir(self.dir).expect("opendir");
        let mut count = 0;
        self.fs
            .readdir(handle, 0, &mut |_| {
                count += 1;
                true
            })
            .expect("readdir");
        self.fs.releasedir(handle).expect("releasedir");
        count
    }

    fn rename(&self, from: &str, to: &str) {
        self.fs
            .rename(
                self.dir,
                name(from),
                self.dir,
                name(to),
                RenameFlags::Replace,
            )
            .expect("rename");
    }
}

/// Direct `*at` syscalls on a host directory: the baseline of every provider figure.
pub struct SyscallSubject {
    dir: OwnedFd,
}

impl SyscallSubject {
    /// Makes `bench/` under `root` holding `files` empty files and the 4 KiB file `data`.
    pub fn new(root: &Path, files: usize) -> SyscallSubject {
        let path = root.join("bench");
        std::fs::create_dir(&path).expect("mkdir bench");
        for i in 0..files {
            File::create(path.join(file_name(i))).expect("create");
        }
        std::fs::write(path.join("data"), PAGE).expect("write data");
        let dir = nix::fcntl::open(
            &path,
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .expect("open bench");
        SyscallSubject { dir }
    }
}

impl Subject for SyscallSubject {
    fn lookup(&self, text: &str) {
        fstatat(&self.dir, text, AtFlags::AT_SYMLINK_NOFOLLOW).expect("fstatat");
    }

    fn getattr(&self) {
        fstatat(&self.dir, "data", AtFlags::AT_SYMLINK_NOFOLLOW).expect("fstatat");
    }

    fn create_write_release(&self, text: &str) {
        let flags =
            OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let fd = openat(&self.dir, text, flags, Mode::from_bits_truncate(0o644)).expect("openat");
        File::from(fd).write_at(&PAGE, 0).expect("pwrite");
        unlinkat(&self.dir, text, UnlinkatFlags::NoRemoveDir).expect("unlinkat");
    }

    fn open_read_release(&self) {
        let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let fd = openat(&self.dir, "data", flags, Mode::empty()).expect("openat");
        let mut buf = [0u8; 4096];
        let n = File::from(fd).read_at(&mut buf, 0).expect("pread");
        assert_eq!(n, 4096);
    }

    fn readdir(&self) -> usize {
        let mut dir = Dir::openat(
            &self.dir,
            ".",
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .expect("opendir");
        dir.iter()
            .filter(|e| {
                let name = e.as_ref().expect("readdir").file_name().to_bytes();
                name != b"." && name != b".."
            })
            .count()
    }

    fn rename(&self, from: &str, to: &str) {
        renameat(&self.dir, from, &self.dir, to).expect("renameat");
    }
}

/// Benchmarks the operations every subject offers (all but readdir, whose size differs) in
/// `group`, resolving `probe` for lookups and renaming it back and forth for `rename`.
pub fn bench_operations(
    group: &mut BenchmarkGroup<'_, WallTime>,
    subject: &dyn Subject,
    probe: &str,
) {
    group.bench_function("lookup", |b| b.iter(|| subject.lookup(black_box(probe))));
    group.bench_function("getattr", |b| b.iter(|| subject.getattr()));
    group.bench_function("create_write4k_release", |b| {
        b.iter(|| subject.create_write_release("new"))
    });
    group.bench_function("open_read4k_release", |b| {
        b.iter(|| subject.open_read_release())
    });
    // One rename per iteration: there and back on alternate iterations.
    let mut renamed = false;
    group.bench_function("rename", |b| {
        b.iter(|| {
            if renamed {
                subject.rename("renamed", probe);
            } else {
                subject.rename(probe, "renamed");
            }
            renamed = !renamed;
        })
    });
}
