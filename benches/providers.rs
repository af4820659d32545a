//! Provider operations against the same operations as direct `*at` syscalls on the same
//! directory, in one run: `memory/*`, `host/*` and `syscall/*` rows per operation. The host
//! provider and the syscalls share one tmpfs directory (`/dev/shm`, or `VFSBOX_BENCH_DIR`).
//! `benches/report.py` turns the results into the table with ratios.

mod common;

use common::{bench_operations, file_name, ProviderSubject, ScratchDir, Subject, SyscallSubject};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;
use vfsbox_host::HostFs;
use vfsbox_memory::MemoryFs;

const FILES: usize = 1000;

fn subjects(scratch: &ScratchDir) -> Vec<(&'static str, Box<dyn Subject>)> {
    let host_root = scratch.path().join("host");
    let sys_root = scratch.path().join("syscall");
    std::fs::create_dir(&host_root).expect("mkdir host");
    std::fs::create_dir(&sys_root).expect("mkdir syscall");
    let host = HostFs::open(&host_root).expect("open host provider");
    vec![
        (
            "memory",
            Box::new(ProviderSubject::new(Arc::new(MemoryFs::new()), FILES)),
        ),
        (
            "host",
            Box::new(ProviderSubject::new(Arc::new(host), FILES)),
        ),
        ("syscall", Box::new(SyscallSubject::new(&sys_root, FILES))),
    ]
}

fn operations(c: &mut Criterion) {
    let scratch = ScratchDir::new("providers");
    let subjects = subjects(&scratch);
    let probe = file_name(FILES / 2);
    for (label, subject) in &subjects {
        assert_eq!(
            subject.readdir(),
            FILES + 1,
            "{label} lists the benchmark directory"
        );
        let mut group = c.benchmark_group(*label);
        bench_operations(&mut group, subject.as_ref(), &probe);
        group.bench_function("readdir_1000", |b| b.iter(|| black_box(subject.readdir())));
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = operations
}
criterion_main!(benches);
