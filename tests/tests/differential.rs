//! Differential tests: every POSIX scenario of the conformance suite runs on the native
//! passthrough (the oracle) and its record must be reproduced exactly by every other target.
//!
//! The native run happens in a child process (this test binary re-executed, see
//! `vfsbox_conformance::posix::oracle`) in a fresh temporary directory, so the scenario's
//! `chdir` and `umask` stay there; an unprivileged run drops to uid/gid 65534 in the child
//! after the setup. The parent snapshots the final tree as root and appends it to the record.
//! `fuse-mount/tests/scenarios.rs` runs the same scenarios through FUSE mounts.
//!
//! Targets compared with native: native again (the scenarios must be deterministic), and the
//! emulated layer over memory, host, overlay and a mount table (see [`emulated_targets`]). Set
//! `VFSBOX_DIFF_EMULATED=0` to check native determinism only. What is never compared is listed once, in
//! `vfsbox_conformance::posix::ACCEPTED`.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use vfsbox_api::{Errno, FileSystem, Posix};
use vfsbox_conformance::posix::oracle::{self, Cli, Identity, NOBODY};
use vfsbox_conformance::posix::{
    compare, run_scenario, snapshot, without_setid_bits, Record, Scenario, Step, Subject, ACCEPTED,
    NEEDS_SETID_BITS, WORK,
};
use vfsbox_emulation::{Emulated, Identity as EmuIdentity};
use vfsbox_host::HostFs;
use vfsbox_memory::MemoryFs;
use vfsbox_mounts::MountTable;
use vfsbox_native::Native;
use vfsbox_overlay::Overlay;
use vfsbox_readonly::ReadOnly;

/// Set (with a filter argument) to print the native records: what a target must reproduce.
const ENV_SHOW: &str = "VFSBOX_DIFF_SHOW";

/// Runs `scenario` natively in a child process in a fresh temporary directory.
fn run_native(scenario: &Scenario, identity: Identity) -> Result<Record, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let native = Native::new();
    oracle::prepare_root(&native, dir.path().as_os_str().as_encoded_bytes(), identity)?;
    oracle::run_native_at(&native, scenario, identity, dir.path())
}

/// A target whose records must equal the native ones.
struct Target {
    name: &'static str,
    run: fn(&Scenario, Identity) -> Result<Record, String>,
    /// The provider keeps set-id bits (else the accepted difference applies: see `ACCEPTED`).
    setid_bits: bool,
}

/// The emulated layer over memory, host (a temporary directory) and overlay (memory over a
/// read-only host directory that already holds the working directory, so the scenarios
/// exercise copy-up).
fn emulated_targets() -> Vec<Target> {
    vec![
        Target {
            name: "emulated over memory",
            run: |s, id| run_emulated(s, id, Provider::Memory),
            setid_bits: true,
        },
        Target {
            name: "emulated over host",
            run: |s, id| run_emulated(s, id, Provider::Host),
            setid_bits: false,
        },
        Target {
            name: "emulated over overlay(memory, read-only host)",
            run: |s, id| run_emulated(s, id, Provider::Overlay),
            setid_bits: true,
        },
        Target {
            name: "emulated over mounts(host at /)",
            run: |s, id| run_emulated(s, id, Provider::Mounts),
            setid_bits: false,
        },
    ]
}

#[derive(Clone, Copy)]
enum Provider {
    Memory,
    Host,
    Overlay,
    /// A mount table whose one mount, at `/`, is a host directory: every call goes through
    /// the table's id translation and its one-call walks (`lookup_path`, `open_name`).
    Mounts,
}

/// An emulated process pair over one provider: root for the setup (and the snapshot), the
/// run's identity for the body.
struct EmulatedSubject {
    root: Emulated,
    user: Option<Emulated>,
    in_body: bool,
}

impl Subject for EmulatedSubject {
    fn posix(&self) -> &dyn Posix {
        match (&self.user, self.in_body) {
            (Some(user), true) => user,
            _ => &self.root,
        }
    }

    fn root(&self) -> &[u8] {
        b""
    }

    fn begin_body(&mut self) -> Result<(), Errno> {
        self.in_body = true;
        let p = self.posix();
        p.chdir(WORK)?;
        p.umask(0o022);
        Ok(())
    }
}

fn run_emulated(
    scenario: &Scenario,
    identity: Identity,
    provider: Provider,
) -> Result<Record, String> {
    let uid = identity.uid();
    let mut guard = None;
    let mut host_dir = || -> Result<Arc<dyn FileSystem>, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
        let fs = HostFs::open(dir.path()).map_err(|e| format!("host: {e}"))?;
        guard = Some(dir);
        Ok(Arc::new(fs))
    };
    let (fs, prepared): (Arc<dyn FileSystem>, bool) = match provider {
        Provider::Memory => (Arc::new(MemoryFs::new()), false),
        Provider::Host => (host_dir()?, false),
        Provider::Mounts => {
            let table = MountTable::builder()
                .mount("/", host_dir()?)
                .and_then(|b| b.build())
                .map_err(|e| format!("mount table: {e}"))?;
            (Arc::new(table), false)
        }
        Provider::Overlay => {
            let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
            // The lower layer holds the working directory, owned by the run's identity.
            let native = Native::new();
            let mut work = dir.path().as_os_str().as_encoded_bytes().to_vec();
            work.extend_from_slice(WORK);
            native
                .mkdir(&work, 0o755)
                .and_then(|()| native.fchmodat(vfsbox_api::AT_FDCWD, &work, 0o755, 0))
                .and_then(|()| native.fchownat(vfsbox_api::AT_FDCWD, &work, uid, uid, 0))
                .map_err(|e| format!("lower working directory: {e}"))?;
            let lower = HostFs::open(dir.path()).map_err(|e| format!("host: {e}"))?;
            guard = Some(dir);
            let lower: Arc<dyn FileSystem> = Arc::new(ReadOnly::new(Arc::new(lower)));
            let upper: Arc<dyn FileSystem> = Arc::new(MemoryFs::new());
            let overlay = Overlay::new(upper, lower).map_err(|e| format!("overlay: {e}"))?;
            (Arc::new(overlay), true)
        }
    };
    let root = Emulated::new(fs.clone());
    if !prepared {
        root.mkdir(WORK, 0o755)
            .and_then(|()| root.fchmodat(vfsbox_api::AT_FDCWD, WORK, 0o755, 0))
            .and_then(|()| root.fchownat(vfsbox_api::AT_FDCWD, WORK, uid, uid, 0))
            .map_err(|e| format!("working directory: {e}"))?;
    }
    root.chdir(WORK).map_err(|e| format!("chdir: {e}"))?;
    root.umask(0o022);
    let user = (identity == Identity::Nobody).then(|| {
        Emulated::builder(fs.clone())
            .identity(EmuIdentity::user(NOBODY, NOBODY))
            .build()
    });
    let mut subject = EmulatedSubject {
        root,
        user,
        in_body: false,
    };
    let mut record = run_scenario(scenario, &mut subject);
    record.steps.push(Step {
        call: "-- final tree --".into(),
        result: String::new(),
    });
    let snapshotter = Emulated::new(fs);
    record.steps.extend(snapshot(&snapshotter, b"").steps);
    drop(subject);
    drop(guard);
    Ok(record)
}

fn main() -> ExitCode {
    if let Some(code) = oracle::child_main(&Native::new()) {
        return code;
    }
    let all = match Cli::parse() {
        Cli::Listed => return ExitCode::SUCCESS,
        Cli::Run(all) => all,
    };
    let started = Instant::now();
    let runs = oracle::runs(&all);
    let mut targets = vec![Target {
        name: "native (second run)",
        run: run_native,
        setid_bits: true,
    }];
    if std::env::var("VFSBOX_DIFF_EMULATED").as_deref() != Ok("0") {
        targets.extend(emulated_targets());
    }

    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let passes = Mutex::new(vec![0usize; targets.len()]);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((scenario, identity)) = runs.get(i) else {
                    break;
                };
                let expected = match run_native(scenario, *identity) {
                    Ok(r) => {
                        if std::env::var_os(ENV_SHOW).is_some() {
                            println!("== {} as {identity:?}\n{}", scenario.name, r.to_lines());
                        }
                        r
                    }
                    Err(e) => {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{} as {identity:?}: native: {e}", scenario.name));
                        continue;
                    }
                };
                for (t, target) in targets.iter().enumerate() {
                    if !target.setid_bits && NEEDS_SETID_BITS.contains(&scenario.name) {
                        passes.lock().unwrap()[t] += 1; // an accepted difference
                        continue;
                    }
                    let outcome = (target.run)(scenario, *identity).and_then(|got| {
                        let mismatch = if target.setid_bits {
                            compare(&expected, &got)
                        } else {
                            compare(&without_setid_bits(&expected), &without_setid_bits(&got))
                        };
                        match mismatch {
                            None => Ok(()),
                            Some(m) => Err(m.to_string()),
                        }
                    });
                    match outcome {
                        Ok(()) => passes.lock().unwrap()[t] += 1,
                        Err(e) => failures.lock().unwrap().push(format!(
                            "{} as {identity:?} on {}: {e}\n    {}",
                            scenario.name,
                            target.name,
                            scenario.doc.trim().replace('\n', "\n    ")
                        )),
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let passes = passes.into_inner().unwrap();
    println!(
        "differential: {} scenarios, {} runs ({} unprivileged), {:.1}s",
        all.len(),
        runs.len(),
        runs.len() - all.len(),
        started.elapsed().as_secs_f64()
    );
    for (t, target) in targets.iter().enumerate() {
        println!(
            "  {}: {}/{} runs identical",
            target.name,
            passes[t],
            runs.len()
        );
    }
    println!(
        "  accepted differences (never compared): {}",
        ACCEPTED.len()
    );
    for f in &failures {
        println!("MISMATCH {f}");
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
