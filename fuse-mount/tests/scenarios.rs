//! The POSIX scenarios of the differential suite through the kernel: each built-in provider
//! (memory, host, overlay, mount table) is mounted once, with `allow_other` so the
//! unprivileged runs (uid/gid 65534) reach it under `default_permissions`, and every scenario
//! runs on the native passthrough in a child process whose root is a fresh subdirectory of
//! the mount. Its record (steps and final tree) must equal the record of the same scenario
//! run natively on a plain temporary directory (the oracle: the kernel on ext4).
//!
//! The native child is the differential suite's own (`vfsbox_conformance::posix::oracle`):
//! this binary re-executes itself for it. What FUSE itself makes differ is listed once, in
//! `vfsbox_conformance::posix::FUSE_IMPOSED`, with the reason; what emulation may differ in
//! (`ACCEPTED`) is not recorded by either side. Arguments as libtest's (`--list`, a filter,
//! `--exact`), so nextest runs each scenario on its own.

mod common;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use vfsbox_api::{FileSystem, Posix, AT_FDCWD};
use vfsbox_conformance::posix::oracle::{self, Cli, Identity};
use vfsbox_conformance::posix::{
    compare, without_setid_bits, Record, Scenario, FUSE_IMPOSED, NEEDS_SETID_BITS,
};
use vfsbox_fuse::MountOptions;
use vfsbox_native::Native;

/// Set (with a filter argument) to print each record through a mount.
const ENV_SHOW: &str = "VFSBOX_FUSE_SHOW";

/// One provider mounted for the whole run.
struct Target {
    /// The provider's key in `FUSE_IMPOSED` (`memory`, `host`, `overlay`, `mounts`).
    key: &'static str,
    name: &'static str,
    /// The mountpoint (the mount itself is kept apart: its guard is not `Sync`).
    path: PathBuf,
    /// Where odd-numbered runs go instead of the mountpoint (the mount table's host
    /// directory, so half the runs cross into its second provider).
    odd: Option<PathBuf>,
    /// The provider keeps set-id bits (else the accepted difference of `ACCEPTED` applies).
    setid_bits: bool,
    /// Each run's root already holds its working directory (on the overlay's read-only
    /// lower layer, so the scenarios exercise copy-up through the mount).
    prepared: bool,
}

impl Target {
    /// The root of run `index`: a fresh subdirectory of the mount.
    fn root(&self, index: usize) -> PathBuf {
        match &self.odd {
            Some(odd) if index % 2 == 1 => odd.join(index.to_string()),
            _ => self.path.join(index.to_string()),
        }
    }
}

fn options() -> MountOptions {
    MountOptions {
        allow_other: true,
        ..common::options()
    }
}

fn mount(
    key: &'static str,
    name: &'static str,
    fs: Arc<dyn FileSystem>,
    guard: Box<dyn std::any::Any>,
) -> (Target, common::Mounted) {
    let setid_bits = fs.capabilities().setid_bits;
    let mounted = common::mount_with(fs, guard, &options());
    // The provider's root (a 0700 temporary directory for host) must be traversable by the
    // unprivileged identity.
    let native = Native::new();
    native
        .fchmodat(AT_FDCWD, path_bytes(mounted.path()), 0o755, 0)
        .expect("chmod the mount's root");
    let target = Target {
        key,
        name,
        path: mounted.path().to_path_buf(),
        odd: None,
        setid_bits,
        prepared: false,
    };
    (target, mounted)
}

/// The overlay: memory over a read-only host directory that already holds every run's root
/// and working directory, owned by the run's identity.
fn overlay(runs: &[(Scenario, Identity)]) -> (Target, common::Mounted) {
    let dir = tempfile::tempdir().expect("a host directory");
    let native = Native::new();
    native
        .fchmodat(AT_FDCWD, path_bytes(dir.path()), 0o755, 0)
        .expect("chmod lower root");
    for (i, (_, identity)) in runs.iter().enumerate() {
        let root = dir.path().join(i.to_string());
        native
            .mkdir(path_bytes(&root), 0o755)
            .expect("lower run root");
        oracle::prepare_root(&native, path_bytes(&root), *identity).expect("lower work dir");
    }
    let lower = vfsbox_host::HostFs::open(dir.path()).expect("host provider");
    let lower: Arc<dyn FileSystem> = Arc::new(vfsbox_readonly::ReadOnly::new(Arc::new(lower)));
    let upper: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
    let fs = vfsbox_overlay::Overlay::new(upper, lower).expect("overlay");
    let setid_bits = fs.capabilities().setid_bits;
    let mounted = common::mount_with(Arc::new(fs), dir, &options());
    let target = Target {
        key: "overlay",
        name: "overlay(memory, read-only host)",
        path: mounted.path().to_path_buf(),
        odd: None,
        setid_bits,
        prepared: true,
    };
    (target, mounted)
}

fn path_bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// Runs `scenario` through `target`'s mount in the root of run `index`.
fn run_on(
    target: &Target,
    index: usize,
    scenario: &Scenario,
    identity: Identity,
) -> Result<Record, String> {
    let native = Native::new();
    let root = target.root(index);
    if !target.prepared {
        native
            .mkdir(path_bytes(&root), 0o755)
            .map_err(|e| format!("run root: {e}"))?;
        oracle::prepare_root(&native, path_bytes(&root), identity)?;
    }
    let record = oracle::run_native_at(&native, scenario, identity, &root)?;
    // The run went through the mount, not into the directory beneath it.
    match nix::sys::statfs::statfs(&root) {
        Ok(fs) if fs.filesystem_type() == nix::sys::statfs::FUSE_SUPER_MAGIC => {}
        Ok(fs) => return Err(format!("{} is not on FUSE: {fs:?}", root.display())),
        Err(e) => return Err(format!("statfs {}: {e}", root.display())),
    }
    if std::env::var_os(ENV_SHOW).is_some() {
        println!(
            "== {} as {identity:?} through {}\n{}",
            scenario.name,
            target.name,
            record.to_lines()
        );
    }
    Ok(record)
}

/// The oracle: `scenario` natively on a fresh temporary directory.
fn run_plain(scenario: &Scenario, identity: Identity) -> Result<Record, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let native = Native::new();
    oracle::prepare_root(&native, path_bytes(dir.path()), identity)?;
    oracle::run_native_at(&native, scenario, identity, dir.path())
}

/// Why `scenario` is not compared on `target`, from `FUSE_IMPOSED`.
fn imposed(target: &Target, scenario: &Scenario) -> Option<&'static str> {
    FUSE_IMPOSED
        .iter()
        .find(|f| {
            f.not_compared.iter().any(|(name, providers)| {
                *name == scenario.name && (providers.is_empty() || providers.contains(&target.key))
            })
        })
        .map(|f| f.what)
}

fn main() -> ExitCode {
    if let Some(code) = oracle::child_main(&Native::new()) {
        return code;
    }
    let all = match Cli::parse() {
        Cli::Listed => return ExitCode::SUCCESS,
        Cli::Run(all) => all,
    };
    if !Path::new("/dev/fuse").exists() {
        println!("scenarios through FUSE: skipped, no /dev/fuse");
        return ExitCode::SUCCESS;
    }
    let started = Instant::now();
    let runs = oracle::runs(&all);
    let (targets, mounted): (Vec<Target>, Vec<common::Mounted>) = [
        {
            let (fs, guard) = common::provider("memory");
            mount("memory", "memory", fs, guard)
        },
        {
            let (fs, guard) = common::provider("host");
            mount("host", "host", fs, guard)
        },
        overlay(&runs),
        {
            let (fs, guard) = common::provider("mounts");
            let (mut target, mounted) = mount("mounts", "mounts(memory, host at /host)", fs, guard);
            let host = mounted.join("host");
            Native::new()
                .fchmodat(AT_FDCWD, path_bytes(&host), 0o755, 0)
                .expect("chmod the mount table's host directory");
            target.odd = Some(host);
            (target, mounted)
        },
    ]
    .into_iter()
    .unzip();

    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let passes = Mutex::new(vec![0usize; targets.len()]);
    let skipped = Mutex::new(vec![Vec::new(); targets.len()]);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((scenario, identity)) = runs.get(i) else {
                    break;
                };
                let expected = match run_plain(scenario, *identity) {
                    Ok(r) => r,
                    Err(e) => {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{} as {identity:?}: native: {e}", scenario.name));
                        continue;
                    }
                };
                for (t, target) in targets.iter().enumerate() {
                    let skip = imposed(target, scenario).or_else(|| {
                        (!target.setid_bits && NEEDS_SETID_BITS.contains(&scenario.name))
                            .then_some("set-id bits (ACCEPTED)")
                    });
                    if let Some(why) = skip {
                        skipped.lock().unwrap()[t]
                            .push(format!("{} as {identity:?} ({why})", scenario.name));
                        continue;
                    }
                    let outcome = run_on(target, i, scenario, *identity).and_then(|got| {
                        let mismatch = if target.setid_bits {
                            compare(&expected, &got)
                        } else {
                            compare(&without_setid_bits(&expected), &without_setid_bits(&got))
                        };
                        mismatch.map_or(Ok(()), |m| Err(m.to_string()))
                    });
                    match outcome {
                        Ok(()) => passes.lock().unwrap()[t] += 1,
                        Err(e) => failures.lock().unwrap().push(format!(
                            "{} as {identity:?} through FUSE over {}: {e}",
                            scenario.name, target.name,
                        )),
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let passes = passes.into_inner().unwrap();
    let skipped = skipped.into_inner().unwrap();
    println!(
        "scenarios through FUSE: {} scenarios, {} runs ({} unprivileged), {:.1}s",
        all.len(),
        runs.len(),
        runs.len() - all.len(),
        started.elapsed().as_secs_f64()
    );
    for (t, target) in targets.iter().enumerate() {
        println!(
            "  {}: {}/{} runs identical, {} not compared{}",
            target.name,
            passes[t],
            runs.len(),
            skipped[t].len(),
            if skipped[t].is_empty() {
                String::new()
            } else {
                format!(": {}", skipped[t].join(", "))
            }
        );
    }
    println!(
        "  differences FUSE imposes (FUSE_IMPOSED): {}, leaving out {} scenario(s)",
        FUSE_IMPOSED.len(),
        FUSE_IMPOSED
            .iter()
            .map(|f| f.not_compared.len())
            .sum::<usize>()
    );
    for f in &failures {
        println!("MISMATCH {f}");
    }
    drop(mounted);
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
