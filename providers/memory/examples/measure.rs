//! Rough timings and memory of the memory provider (the criterion benches in `benches/` are
//! the reference): `cargo run --release -p vfsbox-memory --example measure`.

use std::time::Instant;
use vfsbox_api::{FileSystem, Name, NodeId, OpenFlags, Owner};
use vfsbox_memory::MemoryFs;

const OWNER: Owner = Owner { uid: 0, gid: 0 };

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn per_op(label: &str, n: u64, f: impl FnMut(u64)) {
    let mut f = f;
    let start = Instant::now();
    for i in 0..n {
        f(i);
    }
    println!(
        "{label}: {:.1} ns/op",
        start.elapsed().as_nanos() as f64 / n as f64
    );
}

fn fill(fs: &MemoryFs, dir: NodeId, count: u64) {
    for i in 0..count {
        let name = format!("file{i}");
        let (e, h) = fs
            .create(
                dir,
                Name::new(name.as_bytes()).unwrap(),
                0o644,
                OpenFlags::WRITE,
                OWNER,
            )
            .unwrap();
        fs.release(h).unwrap();
        fs.forget(e.node, 1);
    }
}

fn main() {
    for size in [1_000u64, 100_000] {
        let fs = MemoryFs::new();
        let dir = fs
            .mkdir(fs.root(), Name::new(b"d").unwrap(), 0o755, OWNER)
            .unwrap()
            .node;
        fill(&fs, dir, size);
        let names: Vec<String> = (0..size).map(|i| format!("file{i}")).collect();
        per_op(&format!("lookup+forget ({size} entries)"), 1_000_000, |i| {
            let e = fs
                .lookup(
                    dir,
                    Name::new(names[(i % size) as usize].as_bytes()).unwrap(),
                )
                .unwrap();
            fs.forget(e.node, 1);
        });
        let e = fs.lookup(dir, Name::new(b"file7").unwrap()).unwrap();
        per_op(&format!("getattr ({size} entries)"), 1_000_000, |_| {
            fs.getattr(e.node).unwrap();
        });
        let h = fs.opendir(dir).unwrap();
        let start = Instant::now();
        let mut seen = 0u64;
        for _ in 0..20 {
            fs.readdir(h, 0, &mut |_| {
                seen += 1;
                true
            })
            .unwrap();
        }
        println!(
            "readdir ({size} entries): {:.1} ns/entry",
            start.elapsed().as_nanos() as f64 / seen as f64
        );
        fs.releasedir(h).unwrap();
        let mut buf = [0u8; 4096];
        per_op("create+write 4K+release+unlink", 200_000, |_| {
            let (e, h) = fs
                .create(
                    dir,
                    Name::new(b"x").unwrap(),
                    0o644,
                    OpenFlags::READ_WRITE,
                    OWNER,
                )
                .unwrap();
            fs.write(h, 0, &buf).unwrap();
            fs.release(h).unwrap();
            fs.unlink(dir, Name::new(b"x").unwrap()).unwrap();
            fs.forget(e.node, 1);
        });
        let (_, h) = fs
            .create(
                dir,
                Name::new(b"r").unwrap(),
                0o644,
                OpenFlags::READ_WRITE,
                OWNER,
            )
            .unwrap();
        fs.write(h, 0, &buf).unwrap();
        fs.release(h).unwrap();
        per_op("open+read 4K+release", 1_000_000, |_| {
            let h = fs.open(e.node, OpenFlags::READ).unwrap();
            fs.read(h, 0, &mut buf).unwrap();
            fs.release(h).unwrap();
        });
        per_op("rename", 1_000_000, |i| {
            let (a, b): (&[u8], &[u8]) = if i % 2 == 0 {
                (b"r", b"s")
            } else {
                (b"s", b"r")
            };
            fs.rename(
                dir,
                Name::new(a).unwrap(),
                dir,
                Name::new(b).unwrap(),
                Default::default(),
            )
            .unwrap();
        });
    }
    let before = rss_kib();
    let fs = MemoryFs::new();
    let root = fs.root();
    let start = Instant::now();
    for d in 0..1000u64 {
        let dir = fs
            .mkdir(
                root,
                Name::new(format!("d{d}").as_bytes()).unwrap(),
                0o755,
                OWNER,
            )
            .unwrap()
            .node;
        fill(&fs, dir, 1000);
    }
    let elapsed = start.elapsed();
    let after = rss_kib();
    let usage = fs.memory_usage();
    println!(
        "1M files: built in {:.2?}; RSS {} bytes/file; estimate {} bytes/file; {usage:?}",
        elapsed,
        (after - before) * 1024 / 1_000_000,
        usage.estimated_bytes / 1_000_000
    );
    let d = fs.lookup(root, Name::new(b"d500").unwrap()).unwrap().node;
    per_op("lookup+forget (1M-file tree)", 1_000_000, |i| {
        let name = format!("file{}", i % 1000);
        let e = fs.lookup(d, Name::new(name.as_bytes()).unwrap()).unwrap();
        fs.forget(e.node, 1);
    });
}
