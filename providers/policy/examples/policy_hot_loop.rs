//! One `FileSystem` call on a policy stack (or, with `bare`, on the memory provider itself)
//! in a loop, for instruction counts: `valgrind --tool=callgrind
//! target/release/examples/policy_hot_loop SUBJECT OP N`. SUBJECT is `bare`, `guard` (the four
//! memory mounts of `benches/policy/mounts.toml` under a guard with no rules), `rules` (+ the
//! ten rules of `benches/policy/rules.toml`) or `stack` (+ the audit log of
//! `benches/policy/logging.toml`, in a temporary directory); the file is `/a/bench/data`, as
//! in `benches/policy.rs`. OP is `lookup` (+forget of `data` in `/a/bench`), `getattr` or
//! `open_read` (open, read 4 KiB, release). Instruction counts are stable on a loaded
//! machine, where timings are not; run N and 10N and take the difference.

use std::sync::Arc;
use vfsbox_api::{FileSystem, Name, OpenFlags, Owner};
use vfsbox_memory::MemoryFs;
use vfsbox_policy::{Policy, Registry};

const MOUNTS: &str = include_str!("../../../benches/policy/mounts.toml");
const RULES: &str = include_str!("../../../benches/policy/rules.toml");
const LOGGING: &str = include_str!("../../../benches/policy/logging.toml");

fn main() {
    let mut args = std::env::args().skip(1);
    let subject = args.next().unwrap_or_else(|| "stack".into());
    let op = args.next().unwrap_or_else(|| "getattr".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let owner = Owner { uid: 0, gid: 0 };
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let parts: &[&str] = match subject.as_str() {
        "bare" => &[],
        "guard" => &[MOUNTS],
        "rules" => &[MOUNTS, RULES],
        _ => &[MOUNTS, RULES, LOGGING],
    };
    let fs: Arc<dyn FileSystem> = if parts.is_empty() {
        Arc::new(MemoryFs::new())
    } else {
        let registry = Registry::builtin();
        Policy::parse(
            tmp.path().join("bench.toml"),
            &parts.concat(),
            tmp.path(),
            &registry,
        )
        .and_then(|policy| policy.build(&registry))
        .unwrap_or_else(|e| panic!("the bench policy builds: {e:?}"))
        .fs
    };
    let name = |s: &'static str| Name::new(s.as_bytes()).expect("name");
    let a = match fs.lookup(fs.root(), name("a")) {
        Ok(entry) => entry.node,
        Err(_) => {
            fs.mkdir(fs.root(), name("a"), 0o755, owner)
                .expect("mkdir a")
                .node
        }
    };
    let dir = fs
        .mkdir(a, name("bench"), 0o755, owner)
        .expect("mkdir bench")
        .node;
    let (file, handle) = fs
        .create(dir, name("data"), 0o644, OpenFlags::WRITE, owner)
        .expect("create");
    fs.write(handle, 0, &[0x5a; 4096]).expect("write");
    fs.release(handle).expect("release");
    let mut buf = [0u8; 4096];
    for _ in 0..n {
        match op.as_str() {
            "lookup" => {
                let e = fs.lookup(dir, name("data")).expect("lookup");
                fs.forget(e.node, 1);
            }
            "getattr" => drop(fs.getattr(file.node).expect("getattr")),
            "open_read" => {
                let h = fs.open(file.node, OpenFlags::READ).expect("open");
                fs.read(h, 0, &mut buf).expect("read");
                fs.release(h).expect("release");
            }
            other => panic!("unknown OP {other}"),
        }
    }
}
