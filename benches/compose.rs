//! What composition costs: the same operations on the bare memory provider, on an overlay of
//! memory over read-only memory (the files in the lower layer, so reads pass through both
//! layers; creates and renames copy up or land in the upper one), and three levels deep in a
//! mount table (`/`, `/l1`, `/l1/l2`, each a memory provider; the files in the third).
//! `benches/report.py` prints the ratios to the bare provider.

mod common;

use common::{bench_operations, file_name, name, ProviderSubject};
use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::Arc;
use std::time::Duration;
use vfsbox_api::FileSystem;
use vfsbox_memory::MemoryFs;
use vfsbox_mounts::MountTable;
use vfsbox_overlay::Overlay;
use vfsbox_readonly::ReadOnly;

const FILES: usize = 1000;

fn overlay_subject() -> ProviderSubject {
    let lower = Arc::new(MemoryFs::new());
    drop(ProviderSubject::new(lower.clone(), FILES));
    let overlay = Overlay::new(Arc::new(MemoryFs::new()), Arc::new(ReadOnly::new(lower)))
        .expect("build the overlay");
    ProviderSubject::existing(Arc::new(overlay))
}

fn mounts_subject() -> ProviderSubject {
    let table = MountTable::builder()
        .mount_new("/", MemoryFs::new())
        .and_then(|b| b.mount_new("/l1", MemoryFs::new()))
        .and_then(|b| b.mount_new("/l1/l2", MemoryFs::new()))
        .and_then(|b| b.build())
        .expect("build the mount table");
    let l1 = table
        .lookup(table.root(), name("l1"))
        .expect("lookup l1")
        .node;
    let l2 = table.lookup(l1, name("l2")).expect("lookup l2").node;
    ProviderSubject::new_in(Arc::new(table), l2, FILES)
}

fn composition(c: &mut Criterion) {
    let subjects = [
        (
            "bare",
            ProviderSubject::new(Arc::new(MemoryFs::new()), FILES),
        ),
        ("overlay", overlay_subject()),
        ("mounts3", mounts_subject()),
    ];
    let probe = file_name(FILES / 2);
    for (label, subject) in &subjects {
        let mut group = c.benchmark_group(format!("compose-{label}"));
        bench_operations(&mut group, subject, &probe);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = composition
}
criterion_main!(benches);
