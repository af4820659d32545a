//! A rough cost probe, not a benchmark (the lead's `benches/policy.rs` is): ignored by
//! default; run with `cargo test --release -p vfsbox-guard --test cost -- --ignored
//! --nocapture` to print ns per call, bare memory provider against ten rules plus audit.
//! No timing is asserted.

mod common;

use common::*;
use std::sync::Arc;
use std::time::Instant;
use vfsbox_api::{FileSystem, OpenFlags};
use vfsbox_guard::{Action, AuditLog, Guard, Guarded, Op, Rules};
use vfsbox_memory::MemoryFs;

fn ten_rules() -> Rules {
    Rules::new(vec![
        rule("/src/**/.git/**", &[], Action::Hide),
        rule("/secrets/**", &[], Action::Hide),
        rule("/**/*.key", &[], EACCES),
        rule("/etc/**", &[], Action::ReadOnly),
        rule("/usr/**", &[], Action::ReadOnly),
        rule("/out/**", &[], Action::Allow),
        rule("/tmp/**", &[], Action::Allow),
        rule("/bin/*", &[Op::Write, Op::Delete], EPERM),
        rule("/home/*/.ssh/**", &[], Action::Hide),
        rule("/data/[a-f]*/x?", &[Op::Exec], EACCES),
    ])
}

fn time(label: &str, fs: &dyn FileSystem, iters: u32) -> f64 {
    let d = node(fs, "/data");
    let f = node(fs, "/data/f");
    let mut buf = vec![0u8; 4096];
    let mut run = |what: &str| -> f64 {
        let start = Instant::now();
        for _ in 0..iters {
            match what {
                "lookup" => {
                    let e = fs.lookup(d, n("f")).unwrap();
                    fs.forget(e.node, 1);
                }
                "getattr" => {
                    fs.getattr(f).unwrap();
                }
                _ => {
                    let h = fs.open(f, OpenFlags::READ).unwrap();
                    fs.read(h, 0, &mut buf).unwrap();
                    fs.release(h).unwrap();
                }
            }
        }
        start.elapsed().as_nanos() as f64 / f64::from(iters)
    };
    let results: Vec<f64> = ["lookup", "getattr", "open+read4K+close"]
        .iter()
        .map(|w| run(w))
        .collect();
    println!(
        "{label:>24}: lookup+forget {:7.0} ns  getattr {:7.0} ns  open+read4K+close {:7.0} ns",
        results[0], results[1], results[2]
    );
    results[0]
}

#[test]
#[ignore = "prints timings; run by hand in release mode"]
fn cost_against_the_bare_provider() {
    let make = || {
        let mem = MemoryFs::new();
        populate(&mem, &["/data"], &[]);
        let (e, h) = mem
            .create(node(&mem, "/data"), n("f"), 0o644, OpenFlags::WRITE, ME)
            .unwrap();
        mem.write(h, 0, &[7; 4096]).unwrap();
        mem.release(h).unwrap();
        mem.forget(e.node, 1);
        mem
    };
    let iters = 200_000;
    for _ in 0..2 {
        time("bare memory", &make(), iters);
        time(
            "guard, no rules",
            &Guarded::new(Arc::new(make()), Guard::default()),
            iters,
        );
        time(
            "guard, ten rules",
            &Guarded::new(
                Arc::new(make()),
                Guard {
                    rules: ten_rules(),
                    ..Guard::default()
                },
            ),
            iters,
        );
        let audit = Arc::new(AuditLog::to_writer(Box::new(std::io::sink()), "bench"));
        let fs = Guarded::new(
            Arc::new(make()),
            Guard {
                rules: ten_rules(),
                audit: Some(audit.clone()),
                ..Guard::default()
            },
        );
        time("guard, ten rules + audit", &fs, iters);
        audit.flush();
        println!(
            "{:>24}  audit written {} dropped {}",
            "",
            audit.written(),
            audit.dropped()
        );
    }
}
