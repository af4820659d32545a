//! How the memory provider scales: the same operations in a directory of 1,000 and of 100,000
//! entries (`small/*`, `large/*`; the target is at most 1.5x), readdir cost per entry over
//! 100,000 entries, and a tree of 1,000,000 files (memory per file, lookup time).

mod common;

use common::{bench_operations, file_name, name, ProviderSubject, Subject, OWNER};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vfsbox_api::{FileKind, FileSystem};
use vfsbox_memory::MemoryFs;

/// Resident memory of this process in bytes, from `/proc/self/statm`.
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|f| f.parse().ok())
        .expect("statm field");
    pages * 4096
}

fn directory_size(c: &mut Criterion) {
    for (label, files) in [("small", 1_000), ("large", 100_000)] {
        let subject = ProviderSubject::new(Arc::new(MemoryFs::new()), files);
        let probe = file_name(files / 2);
        let mut group = c.benchmark_group(label);
        bench_operations(&mut group, &subject, &probe);
        if files == 100_000 {
            group.bench_function("readdir_100000", |b| {
                b.iter(|| black_box(subject.readdir()))
            });
        }
        group.finish();
    }
}

fn million_files(c: &mut Criterion) {
    const DIRS: usize = 1_000;
    const PER_DIR: usize = 1_000;
    let before = resident_bytes();
    let started = Instant::now();
    let fs = MemoryFs::new();
    let root = fs.root();
    for d in 0..DIRS {
        let dir = fs
            .mkdir(root, name(&format!("d{d:04}")), 0o755, OWNER)
            .expect("mkdir")
            .node;
        for f in 0..PER_DIR {
            let entry = fs
                .mknod(dir, name(&file_name(f)), FileKind::Regular, 0o644, 0, OWNER)
                .expect("mknod");
            fs.forget(entry.node, 1);
        }
        fs.forget(dir, 1);
    }
    let built = started.elapsed();
    let used = resident_bytes().saturating_sub(before);
    let files = (DIRS * PER_DIR) as u64;
    let report = format!(
        "{{\"files\": {files}, \"resident_bytes\": {used}, \"bytes_per_file\": {}, \"build_seconds\": {:.3}}}",
        used / files,
        built.as_secs_f64()
    );
    println!("memory provider, 1,000,000 files: {report}");
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("million-files.json");
    std::fs::write(&out, &report).expect("write the 1M-file figures");

    let dir = fs.lookup(root, name("d0500")).expect("lookup dir").node;
    let probe = file_name(PER_DIR / 2);
    let mut group = c.benchmark_group("million");
    group.bench_function("lookup", |b| {
        b.iter(|| {
            let entry = fs.lookup(dir, name(black_box(&probe))).expect("lookup");
            fs.forget(entry.node, 1);
        })
    });
    group.bench_function("lookup_path_depth2", |b| {
        b.iter(|| {
            let d = fs
                .lookup(root, name(black_box("d0500")))
                .expect("lookup dir");
            let entry = fs
                .lookup(d.node, name(black_box(&probe)))
                .expect("lookup file");
            fs.forget(entry.node, 1);
            fs.forget(d.node, 1);
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = directory_size, million_files
}
criterion_main!(benches);
