//! What a policy stack costs (issue 6, item 6): a mount table of four memory providers, ten
//! rules and the audit log, against the bare memory provider, in one run. The target is at
//! most 1.3x for lookup, getattr and open+read 4 KiB+close.
//!
//! Trait-level subjects (criterion groups `policy-SUBJECT`), each adding one layer so the
//! cost is attributed:
//! - `bare`: the memory provider alone;
//! - `mounts`: a mount table of four memory providers (`/`, `/a`, `/b`, `/c`);
//! - `guard`: that table under an empty guard (the wrapper's node and handle tables);
//! - `rules`: that table under the policy's ten rules, no audit log;
//! - `stack`: the whole policy, built by `vfsbox-policy` from [`MOUNTS`], [`RULES`] and [`LOGGING`] as users run it:
//!   the same table and rules plus the audit log, written to a file in a temporary directory.
//!
//! Every subject's files are in `/a/bench` (1,000 empty files, `data` of 4 KiB): in the mount
//! table that is the `/a` provider. None of the rules refuses the measured operations; several
//! match paths under `/a` (so verdicts are not trivially "allow"), one hides (listings and
//! lookups are checked), one denies exec (reported attributes are checked).
//!
//! `stack-paced`: the `stack` subject timed in bursts of 1,000 calls with the audit log
//! flushed between them, untimed (see [`bench_op`]): what recording costs the caller when the
//! writer keeps up, beside `stack`, where the writer is saturated and competes for the CPU.
//!
//! The same through the emulated POSIX layer (groups `policy-emu-bare`, `policy-emu-stack`
//! and `policy-emu-stack-paced`):
//! `stat` of the absolute path `/a/bench/data` (three lookups, one mount crossing) and
//! open+read 4 KiB+close by that path, since that is what sandboxed code experiences.
//!
//! `benches/report.py` prints the ratios to `bare`.

mod common;

use common::{file_name, name, ProviderSubject, Subject};
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vfsbox_api::{FileSystem, NodeId, Posix};
use vfsbox_emulation::Emulated;
use vfsbox_memory::MemoryFs;
use vfsbox_mounts::MountTable;
use vfsbox_policy::{Policy, Registry, Sandbox};

const FILES: usize = 1000;

/// The mounts of every policy subject.
const MOUNTS: &str = include_str!("policy/mounts.toml");

/// The ten rules of the `rules` and `stack` subjects.
const RULES: &str = include_str!("policy/rules.toml");

/// The audit log of the `stack` subject, relative to the policy's (temporary) directory.
const LOGGING: &str = include_str!("policy/logging.toml");

/// The mount table of [`MOUNTS`], built directly.
fn mount_table() -> MountTable {
    MountTable::builder()
        .mount_new("/", MemoryFs::new())
        .and_then(|b| b.mount_new("/a", MemoryFs::new()))
        .and_then(|b| b.mount_new("/b", MemoryFs::new()))
        .and_then(|b| b.mount_new("/c", MemoryFs::new()))
        .and_then(|b| b.build())
        .expect("build the mount table")
}

/// `fs` with `/a/bench` made in it (`/a` looked up where it is a mount point, made where it
/// is not, as in the bare provider).
fn subject(fs: Arc<dyn FileSystem>) -> ProviderSubject {
    let root = fs.root();
    let a: NodeId = match fs.lookup(root, name("a")) {
        Ok(entry) => entry.node,
        Err(_) => {
            fs.mkdir(root, name("a"), 0o755, common::OWNER)
                .expect("mkdir a")
                .node
        }
    };
    ProviderSubject::new_in(fs, a, FILES)
}

/// The policy made of `parts`, built as `vfsbox` builds it.
fn build(dir: &std::path::Path, parts: &[&str]) -> Sandbox {
    let registry = Registry::builtin();
    let text = parts.concat();
    Policy::parse(dir.join("bench.toml"), &text, dir, &registry)
        .and_then(|policy| policy.build(&registry))
        .unwrap_or_else(|e| panic!("the bench policy builds: {e:?}"))
}

/// Calls per timed burst of a paced subject.
const BURST: u64 = 1000;

/// Times `op`: back to back, or (`pace` given) in bursts of [`BURST`] calls with `pace` (the
/// audit log's flush) between them, untimed. Back to back, a benchmark makes calls faster
/// than the audit writer can write lines: the writer takes a whole core from the two of the
/// machine and drops what it cannot keep up with. Paced, the writer writes each burst while
/// the caller waits, so the timed calls show what recording costs the calling thread when the
/// writer keeps up (no drops), as it does at the rates real sandboxed programs make calls.
fn bench_op(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    pace: Option<&dyn Fn()>,
    op: &dyn Fn(),
) {
    group.bench_function(name, |b| match pace {
        None => b.iter(op),
        Some(pace) => b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(BURST);
                let start = Instant::now();
                for _ in 0..n {
                    op();
                }
                timed += start.elapsed();
                pace();
                left -= n;
            }
            timed
        }),
    });
}

/// Lookup (+ forget), getattr and open+read 4 KiB+release of one subject.
fn bench_trait(
    group: &mut BenchmarkGroup<'_, WallTime>,
    subject: &ProviderSubject,
    pace: Option<&dyn Fn()>,
) {
    let probe = file_name(FILES / 2);
    bench_op(group, "lookup", pace, &|| subject.lookup(black_box(&probe)));
    bench_op(group, "getattr", pace, &|| subject.getattr());
    bench_op(group, "open_read4k_release", pace, &|| {
        subject.open_read_release()
    });
}

/// stat and open+read 4 KiB+close by absolute path through the emulated layer.
fn bench_emulated(
    group: &mut BenchmarkGroup<'_, WallTime>,
    emu: &Emulated,
    pace: Option<&dyn Fn()>,
) {
    const PATH: &[u8] = b"/a/bench/data";
    bench_op(group, "stat", pace, &|| {
        black_box(emu.stat(black_box(PATH)).expect("stat"));
    });
    bench_op(group, "open_read4k_close", pace, &|| {
        let fd = emu
            .open(PATH, libc::O_RDONLY | libc::O_CLOEXEC, 0)
            .expect("open");
        let mut buf = [0u8; 4096];
        assert_eq!(emu.read(fd, &mut buf).expect("read"), 4096);
        emu.close(fd).expect("close");
    });
}

fn policy_stack(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory for the audit log");
    let sandbox = build(dir.path(), &[MOUNTS, RULES, LOGGING]);
    let audit = sandbox.audit.clone().expect("the policy has an audit log");

    let subjects: [(&str, ProviderSubject); 5] = [
        ("bare", subject(Arc::new(MemoryFs::new()))),
        ("mounts", subject(Arc::new(mount_table()))),
        ("guard", subject(build(dir.path(), &[MOUNTS]).fs)),
        ("rules", subject(build(dir.path(), &[MOUNTS, RULES]).fs)),
        ("stack", subject(sandbox.fs.clone())),
    ];
    let log_file = dir.path().join("audit.jsonl");
    let audited = AuditReport::new(
        || {
            audit.flush();
            (audit.written(), audit.dropped())
        },
        &log_file,
    );
    let flush = || audit.flush();
    for (label, subject) in &subjects {
        let mut group = c.benchmark_group(format!("policy-{label}"));
        bench_trait(&mut group, subject, None);
        group.finish();
        audited.report(label);
    }
    let mut group = c.benchmark_group("policy-stack-paced");
    bench_trait(&mut group, &subjects[4].1, Some(&flush));
    group.finish();
    audited.report("stack-paced");

    let emulated = [
        ("bare", Emulated::new(subjects[0].1.fs.clone())),
        ("stack", Emulated::new(sandbox.fs.clone())),
    ];
    for (label, emu) in &emulated {
        let mut group = c.benchmark_group(format!("policy-emu-{label}"));
        bench_emulated(&mut group, emu, None);
        group.finish();
        audited.report(&format!("emu-{label}"));
    }
    let mut group = c.benchmark_group("policy-emu-stack-paced");
    bench_emulated(&mut group, &emulated[1].1, Some(&flush));
    group.finish();
    audited.report("emu-stack-paced");
}

/// After each group: how many audit lines it wrote and dropped (a writer that cannot keep up
/// makes drops, which are cheaper for the caller than queued events, so the figures are only
/// comparable with the counts beside them); then the file is emptied, so a run does not
/// leave gigabytes behind (the log appends, so writing goes on at the new end).
struct AuditReport<'a, F: Fn() -> (u64, u64)> {
    /// Flushes the log and gives (written, dropped) so far.
    counts: F,
    file: &'a std::path::Path,
    seen: std::cell::Cell<(u64, u64)>,
}

impl<'a, F: Fn() -> (u64, u64)> AuditReport<'a, F> {
    fn new(counts: F, file: &'a std::path::Path) -> AuditReport<'a, F> {
        let seen = std::cell::Cell::new(counts());
        AuditReport { counts, file, seen }
    }

    fn report(&self, label: &str) {
        let (written, dropped) = (self.counts)();
        let (w0, d0) = self.seen.replace((written, dropped));
        if written > w0 || dropped > d0 {
            eprintln!(
                "policy-{label}: audit lines written {}, dropped {}",
                written - w0,
                dropped - d0
            );
        }
        if let Ok(file) = std::fs::OpenOptions::new().write(true).open(self.file) {
            let _ = file.set_len(0);
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = policy_stack
}
criterion_main!(benches);
