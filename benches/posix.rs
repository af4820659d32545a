//! The `Posix` operations of the emulated layer against the native passthrough, and the
//! native passthrough against the raw libc calls it wraps, in one run.
//!
//! Subjects (criterion groups `posix-SUBJECT`, and `posix-seq-SUBJECT` for the 64 MiB read):
//! - `emu-mem`: the emulated layer over the memory provider;
//! - `emu-host`: the emulated layer over the host provider on the host directory;
//! - `native-tmpfs`: the native passthrough in a tmpfs directory (`/dev/shm`, or
//!   `VFSBOX_BENCH_DIR`);
//! - `native-host`: the native passthrough in the same host directory as `emu-host`
//!   (`VFSBOX_BENCH_HOST_DIR`, default the system temporary directory, a disk filesystem);
//! - `raw-tmpfs`: the same operations as direct libc calls on the same tmpfs tree as
//!   `native-tmpfs`, paths turned into C strings beforehand.
//!
//! Every subject works on the same tree (`data`: 4 KiB, `many/`: 1,000 empty files, `p1/…/p7/leaf`:
//! a path of depth 8, `big`: 64 MiB, `a`: renamed back and forth) through relative paths
//! from its current directory, so the paths are byte for byte the same. The native subjects
//! use the process's real cwd, changed before each of their groups. `benches/report.py`
//! prints the table with ratios.

mod common;

use common::{ScratchDir, PAGE};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use vfsbox_api::Posix;
use vfsbox_emulation::Emulated;
use vfsbox_host::HostFs;
use vfsbox_memory::MemoryFs;
use vfsbox_native::Native;

const FILES: usize = 1000;
const MIB: usize = 1 << 20;
const BIG: usize = 64 * MIB;
const DEEP: &[u8] = b"p1/p2/p3/p4/p5/p6/p7/leaf";

/// The operations, each one iteration of the same work for every subject.
trait Ops {
    fn stat(&self);
    fn open_close(&self);
    fn open_read4k_close(&self);
    fn create_write4k_unlink(&self);
    fn mkdir_rmdir(&self);
    /// opendir, readdir to the end, closedir; returns the entries seen (`.` and `..` too).
    fn readdir_1000(&self) -> usize;
    /// The same listing with `Posix::readdir_batch` (256 entries a call), which copies names
    /// into one buffer instead of allocating one per entry; raw libc has no such call, so
    /// its figure is its `readdir` loop.
    fn readdir_batch_1000(&self) -> usize;
    /// Renames `a` to `b`, or back when `back`.
    fn rename(&self, back: bool);
    fn stat_depth8(&self);
    /// open, 64 reads of 1 MiB, close; returns the bytes read.
    fn read_64m(&self, buf: &mut [u8]) -> usize;
}

/// Any `Posix` implementation, called with the same arguments a C program would pass.
struct PosixOps<P>(P);

impl<P: Posix> Ops for PosixOps<P> {
    fn stat(&self) {
        self.0.stat(b"data").expect("stat");
    }

    fn open_close(&self) {
        let fd = self
            .0
            .open(b"data", libc::O_RDONLY | libc::O_CLOEXEC, 0)
            .expect("open");
        self.0.close(fd).expect("close");
    }

    fn open_read4k_close(&self) {
        let fd = self
            .0
            .open(b"data", libc::O_RDONLY | libc::O_CLOEXEC, 0)
            .expect("open");
        let mut buf = [0u8; 4096];
        assert_eq!(self.0.read(fd, &mut buf).expect("read"), 4096);
        self.0.close(fd).expect("close");
    }

    fn create_write4k_unlink(&self) {
        let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC;
        let fd = self.0.open(b"new", flags, 0o644).expect("create");
        assert_eq!(self.0.write(fd, &PAGE).expect("write"), 4096);
        self.0.close(fd).expect("close");
        self.0.unlink(b"new").expect("unlink");
    }

    fn mkdir_rmdir(&self) {
        self.0.mkdir(b"newdir", 0o755).expect("mkdir");
        self.0.rmdir(b"newdir").expect("rmdir");
    }

    fn readdir_1000(&self) -> usize {
        let dir = self.0.opendir(b"many").expect("opendir");
        let mut count = 0;
        while self.0.readdir(dir).expect("readdir").is_some() {
            count += 1;
        }
        self.0.closedir(dir).expect("closedir");
        count
    }

    fn readdir_batch_1000(&self) -> usize {
        let dir = self.0.opendir(b"many").expect("opendir");
        let mut batch = vfsbox_api::DirBatch::new();
        let mut count = 0;
        while self.0.readdir_batch(dir, &mut batch, 256).expect("readdir") > 0 {
            count += batch.len();
        }
        self.0.closedir(dir).expect("closedir");
        count
    }

    fn rename(&self, back: bool) {
        let (from, to): (&[u8], &[u8]) = if back { (b"b", b"a") } else { (b"a", b"b") };
        self.0.rename(from, to).expect("rename");
    }

    fn stat_depth8(&self) {
        self.0.stat(DEEP).expect("stat deep");
    }

    fn read_64m(&self, buf: &mut [u8]) -> usize {
        let fd = self
            .0
            .open(b"big", libc::O_RDONLY | libc::O_CLOEXEC, 0)
            .expect("open");
        let mut total = 0;
        for _ in 0..BIG / MIB {
            total += self.0.read(fd, buf).expect("read");
        }
        self.0.close(fd).expect("close");
        total
    }
}

/// Direct libc calls: what the native passthrough wraps, with nothing around them.
mod raw {
    use super::{BIG, DEEP, MIB, PAGE};
    use std::ffi::{CStr, CString};

    /// The C strings of the benchmark paths, made once.
    pub struct RawOps {
        data: CString,
        new: CString,
        newdir: CString,
        many: CString,
        a: CString,
        b: CString,
        deep: CString,
        big: CString,
    }

    fn c(bytes: &[u8]) -> CString {
        CString::new(bytes).expect("no NUL in benchmark paths")
    }

    /// Panics with the errno of a failed call (a benchmark's tree is broken: stop).
    fn check(ret: i64, what: &str) -> i64 {
        assert!(ret >= 0, "{what}: {}", std::io::Error::last_os_error());
        ret
    }

    impl RawOps {
        pub fn new() -> RawOps {
            RawOps {
                data: c(b"data"),
                new: c(b"new"),
                newdir: c(b"newdir"),
                many: c(b"many"),
                a: c(b"a"),
                b: c(b"b"),
                deep: c(DEEP),
                big: c(b"big"),
            }
        }

        fn stat_path(path: &CStr) {
            let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
            // SAFETY: `path` is NUL-terminated and `st` is valid writable storage for one
            // `struct stat`, which the kernel fills on success.
            let ret = unsafe { libc::stat(path.as_ptr(), st.as_mut_ptr()) };
            check(ret.into(), "stat");
        }

        fn open(path: &CStr, flags: i32, mode: libc::c_uint) -> i32 {
            // SAFETY: `path` is NUL-terminated; the mode is passed as the variadic argument
            // open(2) reads for O_CREAT.
            let fd = unsafe { libc::open(path.as_ptr(), flags, mode) };
            check(fd.into(), "open") as i32
        }

        fn close(fd: i32) {
            // SAFETY: `fd` was opened by this module and is closed once.
            check(unsafe { libc::close(fd) }.into(), "close");
        }

        fn read(fd: i32, buf: &mut [u8]) -> usize {
            // SAFETY: `buf` is valid for `buf.len()` bytes of writes.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            check(n as i64, "read") as usize
        }
    }

    impl super::Ops for RawOps {
        fn stat(&self) {
            RawOps::stat_path(&self.data);
        }

        fn open_close(&self) {
            RawOps::close(RawOps::open(
                &self.data,
                libc::O_RDONLY | libc::O_CLOEXEC,
                0,
            ));
        }

        fn open_read4k_close(&self) {
            let fd = RawOps::open(&self.data, libc::O_RDONLY | libc::O_CLOEXEC, 0);
            let mut buf = [0u8; 4096];
            assert_eq!(RawOps::read(fd, &mut buf), 4096);
            RawOps::close(fd);
        }

        fn create_write4k_unlink(&self) {
            let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC;
            let fd = RawOps::open(&self.new, flags, 0o644);
            // SAFETY: `PAGE` is valid for its length of reads.
            let n = unsafe { libc::write(fd, PAGE.as_ptr().cast(), PAGE.len()) };
            assert_eq!(check(n as i64, "write"), 4096);
            RawOps::close(fd);
            // SAFETY: NUL-terminated path.
            check(unsafe { libc::unlink(self.new.as_ptr()) }.into(), "unlink");
        }

        fn mkdir_rmdir(&self) {
            // SAFETY: NUL-terminated paths.
            check(
                unsafe { libc::mkdir(self.newdir.as_ptr(), 0o755) }.into(),
                "mkdir",
            );
            // SAFETY: as above.
            check(unsafe { libc::rmdir(self.newdir.as_ptr()) }.into(), "rmdir");
        }

        fn readdir_1000(&self) -> usize {
            // SAFETY: NUL-terminated path; a null result is checked before use.
            let dir = unsafe { libc::opendir(self.many.as_ptr()) };
            assert!(!dir.is_null(), "opendir");
            let mut count = 0;
            // SAFETY: `dir` is an open stream; the entries are not kept past the next call.
            while !unsafe { libc::readdir(dir) }.is_null() {
                count += 1;
            }
            // SAFETY: `dir` is open and closed once.
            check(unsafe { libc::closedir(dir) }.into(), "closedir");
            count
        }

        fn readdir_batch_1000(&self) -> usize {
            self.readdir_1000()
        }

        fn rename(&self, back: bool) {
            let (from, to) = if back {
                (&self.b, &self.a)
            } else {
                (&self.a, &self.b)
            };
            // SAFETY: NUL-terminated paths.
            check(
                unsafe { libc::rename(from.as_ptr(), to.as_ptr()) }.into(),
                "rename",
            );
        }

        fn stat_depth8(&self) {
            RawOps::stat_path(&self.deep);
        }

        fn read_64m(&self, buf: &mut [u8]) -> usize {
            let fd = RawOps::open(&self.big, libc::O_RDONLY | libc::O_CLOEXEC, 0);
            let mut total = 0;
            for _ in 0..BIG / MIB {
                total += RawOps::read(fd, buf);
            }
            RawOps::close(fd);
            total
        }
    }
}

/// Makes the benchmark tree in `p`'s current directory.
fn populate(p: &dyn Posix) {
    let write_file = |path: &[u8], data: &[u8], times: usize| {
        let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC;
        let fd = p.open(path, flags, 0o644).expect("create");
        for _ in 0..times {
            assert_eq!(p.write(fd, data).expect("write"), data.len());
        }
        p.close(fd).expect("close");
    };
    write_file(b"data", &PAGE, 1);
    write_file(b"a", b"", 0);
    write_file(b"big", &vec![0x5a; MIB], BIG / MIB);
    p.mkdir(b"many", 0o755).expect("mkdir many");
    for i in 0..FILES {
        write_file(format!("many/{}", common::file_name(i)).as_bytes(), b"", 0);
    }
    let mut deep = Vec::new();
    for part in DEEP.split(|&b| b == b'/') {
        if !deep.is_empty() {
            deep.push(b'/');
        }
        deep.extend_from_slice(part);
        if part != b"leaf" {
            p.mkdir(&deep, 0o755).expect("mkdir deep");
        }
    }
    write_file(DEEP, b"", 0);
}

fn chdir(dir: &Path) {
    std::env::set_current_dir(dir).expect("chdir to the benchmark directory");
}

/// Runs every operation of `ops` in groups `posix-LABEL` and `posix-seq-LABEL`, after
/// `enter` (which sets the process cwd for the native subjects).
fn bench_subject(c: &mut Criterion, label: &str, ops: &dyn Ops, enter: &dyn Fn()) {
    enter();
    assert_eq!(ops.readdir_1000(), FILES + 2, "{label} lists many/");
    assert_eq!(
        ops.readdir_batch_1000(),
        FILES + 2,
        "{label} lists many/ in batches"
    );
    let mut group = c.benchmark_group(format!("posix-{label}"));
    group.bench_function("stat", |b| b.iter(|| ops.stat()));
    group.bench_function("open_close", |b| b.iter(|| ops.open_close()));
    group.bench_function("open_read4k_close", |b| b.iter(|| ops.open_read4k_close()));
    group.bench_function("create_write4k_close_unlink", |b| {
        b.iter(|| ops.create_write4k_unlink())
    });
    group.bench_function("mkdir_rmdir", |b| b.iter(|| ops.mkdir_rmdir()));
    group.bench_function("readdir_1000", |b| b.iter(|| black_box(ops.readdir_1000())));
    group.bench_function("readdir_batch_1000", |b| {
        b.iter(|| black_box(ops.readdir_batch_1000()))
    });
    let mut back = false;
    group.bench_function("rename", |b| {
        b.iter(|| {
            ops.rename(back);
            back = !back;
        })
    });
    if back {
        ops.rename(true);
    }
    group.bench_function("stat_depth8", |b| b.iter(|| ops.stat_depth8()));
    group.finish();

    let mut group = c.benchmark_group(format!("posix-seq-{label}"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let mut buf = vec![0u8; MIB];
    group.bench_function("read_64m", |b| {
        b.iter(|| assert_eq!(ops.read_64m(&mut buf), BIG))
    });
    group.finish();
}

fn host_parent() -> std::path::PathBuf {
    std::env::var_os("VFSBOX_BENCH_HOST_DIR").map_or_else(std::env::temp_dir, Into::into)
}

fn operations(c: &mut Criterion) {
    let tmpfs = ScratchDir::new("posix");
    let host = tempfile::Builder::new()
        .prefix("vfsbox-bench-posix-host-")
        .tempdir_in(host_parent())
        .expect("make the host benchmark directory");
    let home = std::env::current_dir().expect("cwd");

    // The trees: tmpfs and host made natively (shared by the subjects on them), memory made
    // through the emulated layer.
    let native = PosixOps(Native::new());
    chdir(tmpfs.path());
    populate(&native.0);
    chdir(host.path());
    populate(&native.0);
    let emu_mem = PosixOps(Emulated::new(Arc::new(MemoryFs::new())));
    populate(&emu_mem.0);
    let host_fs = HostFs::open(host.path()).expect("open the host provider");
    let emu_host = PosixOps(Emulated::new(Arc::new(host_fs)));
    let raw = raw::RawOps::new();

    let nothing = || {};
    bench_subject(c, "emu-mem", &emu_mem, &nothing);
    bench_subject(c, "emu-host", &emu_host, &nothing);
    bench_subject(c, "native-tmpfs", &native, &|| chdir(tmpfs.path()));
    bench_subject(c, "native-host", &native, &|| chdir(host.path()));
    bench_subject(c, "raw-tmpfs", &raw, &|| chdir(tmpfs.path()));
    chdir(&home);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = operations
}
criterion_main!(benches);
