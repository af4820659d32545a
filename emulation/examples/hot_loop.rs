//! One `Posix` operation of the emulated layer over the memory provider in a loop, for
//! instruction counts: `valgrind --tool=callgrind target/release/examples/hot_loop OP N`
//! (instruction counts are stable on a loaded machine, where timings are not). The tree is
//! the one `benches/posix.rs` uses; OP is `stat`, `stat_depth8`, `open_close`, `open_close_depth8`,
//! `open_read4k_close`, `create_unlink`, `mkdir_rmdir`, `readdir_1000`, `readdir_batch_1000`, `rename`, `access_depth8`, `statvfs_depth8` or `listxattr_depth8`.

use std::sync::Arc;
use vfsbox_api::Posix;
use vfsbox_emulation::Emulated;
use vfsbox_memory::MemoryFs;

const DEEP: &[u8] = b"p1/p2/p3/p4/p5/p6/p7/leaf";

fn create(p: &Emulated, path: &[u8], data: &[u8]) {
    let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC;
    let fd = p.open(path, flags, 0o644).expect("create");
    if !data.is_empty() {
        p.write(fd, data).expect("write");
    }
    p.close(fd).expect("close");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let op = args.next().unwrap_or_else(|| "stat".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    // VFSBOX_HOT_HOST=DIR: over the host provider on DIR (an empty directory), to count
    // syscalls per operation with strace.
    let p = match std::env::var_os("VFSBOX_HOT_HOST") {
        Some(dir) => Emulated::new(Arc::new(
            vfsbox_host::HostFs::open(std::path::Path::new(&dir)).expect("host dir"),
        )),
        None => Emulated::new(Arc::new(MemoryFs::new())),
    };
    create(&p, b"data", &[0x5a; 4096]);
    create(&p, b"a", b"");
    p.mkdir(b"many", 0o755).expect("mkdir many");
    for i in 0..1000 {
        create(&p, format!("many/file-{i:04}").as_bytes(), b"");
    }
    let mut deep = Vec::new();
    for part in DEEP.split(|&b| b == b'/').take(7) {
        if !deep.is_empty() {
            deep.push(b'/');
        }
        deep.extend_from_slice(part);
        p.mkdir(&deep, 0o755).expect("mkdir deep");
    }
    create(&p, DEEP, b"");
    let mut buf = [0u8; 4096];
    let mut batch = vfsbox_api::DirBatch::new();
    for i in 0..n {
        match op.as_str() {
            "stat" => drop(p.stat(b"data").expect("stat")),
            "stat_depth8" => drop(p.stat(DEEP).expect("stat")),
            "access_depth8" => p
                .faccessat(vfsbox_api::AT_FDCWD, DEEP, libc::R_OK, 0)
                .expect("access"),
            "statvfs_depth8" => drop(p.statvfs(DEEP).expect("statvfs")),
            "listxattr_depth8" => drop(p.listxattr(DEEP, 0).expect("listxattr")),
            "open_close" => {
                let fd = p.open(b"data", libc::O_RDONLY, 0).expect("open");
                p.close(fd).expect("close");
            }
            "open_close_depth8" => {
                let fd = p.open(DEEP, libc::O_RDONLY, 0).expect("open");
                p.close(fd).expect("close");
            }
            "open_read4k_close" => {
                let fd = p.open(b"data", libc::O_RDONLY, 0).expect("open");
                assert_eq!(p.read(fd, &mut buf).expect("read"), 4096);
                p.close(fd).expect("close");
            }
            "create_unlink" => {
                let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL;
                let fd = p.open(b"new", flags, 0o644).expect("create");
                p.write(fd, &buf).expect("write");
                p.close(fd).expect("close");
                p.unlink(b"new").expect("unlink");
            }
            "mkdir_rmdir" => {
                p.mkdir(b"newdir", 0o755).expect("mkdir");
                p.rmdir(b"newdir").expect("rmdir");
            }
            "readdir_1000" => {
                let dir = p.opendir(b"many").expect("opendir");
                let mut count = 0;
                while p.readdir(dir).expect("readdir").is_some() {
                    count += 1;
                }
                p.closedir(dir).expect("closedir");
                assert_eq!(count, 1002);
            }
            "readdir_batch_1000" => {
                let dir = p.opendir(b"many").expect("opendir");
                let mut count = 0;
                while p.readdir_batch(dir, &mut batch, 256).expect("readdir") > 0 {
                    count += batch.len();
                }
                p.closedir(dir).expect("closedir");
                assert_eq!(count, 1002);
            }
            "rename" => {
                let (from, to): (&[u8], &[u8]) = if i % 2 == 0 {
                    (b"a", b"b")
                } else {
                    (b"b", b"a")
                };
                p.rename(from, to).expect("rename");
            }
            other => panic!("unknown operation {other}"),
        }
    }
}
