//! Differential tests: every POSIX scenario of the conformance suite runs on the native
//! passthrough (the oracle) and its record must be reproduced exactly by every other target.
//!
//! The native run happens in a child process (this test binary re-executed with
//! `VFSBOX_DIFF_CHILD` set) in a fresh temporary directory, so the scenario's `chdir` and
//! `umask` stay there; an unprivileged run drops to uid/gid 65534 in the child after the
//! setup. The parent snapshots the final tree as root and appends it to the record.
//!
//! Targets compared with native: native again (the scenarios must be deterministic), and the
//! emulated layer over memory, host and overlay (see [`emulated_targets`]). Set
//! `VFSBOX_DIFF_EMULATED=0` to check native determinism only. What is never compared is listed once, in
//! `vfsbox_conformance::posix::ACCEPTED`.

#[path = "differential/sys.rs"]
mod sys;

use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use vfsbox_api::{Errno, FileSystem, Posix};
use vfsbox_conformance::posix::{
    compare, run_scenario, scenarios, snapshot, without_setid_bits, Record, Scenario, Step,
    Subject, ACCEPTED, NEEDS_SETID_BITS, WORK,
};
use vfsbox_emulation::{Emulated, Identity as EmuIdentity};
use vfsbox_host::HostFs;
use vfsbox_memory::MemoryFs;
use vfsbox_native::Native;
use vfsbox_overlay::Overlay;
use vfsbox_readonly::ReadOnly;

/// The unprivileged identity of the second run of permission scenarios.
const NOBODY: u32 = 65534;

/// Where the native child writes its record (above any descriptor a scenario reaches).
const OUT_FD: i32 = 900;

const ENV_CHILD: &str = "VFSBOX_DIFF_CHILD";
const ENV_ROOT: &str = "VFSBOX_DIFF_ROOT";
const ENV_UID: &str = "VFSBOX_DIFF_UID";
/// Set (with a filter argument) to print the native records: what a target must reproduce.
const ENV_SHOW: &str = "VFSBOX_DIFF_SHOW";

/// The identity a scenario's body runs as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Identity {
    Root,
    Nobody,
}

impl Identity {
    fn uid(self) -> u32 {
        match self {
            Identity::Root => 0,
            Identity::Nobody => NOBODY,
        }
    }
}

/// The native passthrough in the child: absolute paths are under the temporary directory.
struct NativeSubject {
    native: Native,
    root: Vec<u8>,
    identity: Identity,
}

impl Subject for NativeSubject {
    fn posix(&self) -> &dyn Posix {
        &self.native
    }

    fn root(&self) -> &[u8] {
        &self.root
    }

    fn begin_body(&mut self) -> Result<(), Errno> {
        if self.identity == Identity::Nobody {
            sys::drop_privileges(NOBODY, NOBODY)?;
        }
        let mut work = self.root.clone();
        work.extend_from_slice(WORK);
        self.native.chdir(&work)?;
        self.native.umask(0o022);
        Ok(())
    }
}

/// Child mode: run one scenario natively and print its record on stdout.
fn child(name: &str) -> ExitCode {
    let Some(scenario) = scenarios().into_iter().find(|s| s.name == name) else {
        eprintln!("no scenario {name}");
        return ExitCode::FAILURE;
    };
    let root = std::env::var_os(ENV_ROOT)
        .expect("root")
        .into_encoded_bytes();
    let identity = match std::env::var(ENV_UID).as_deref() {
        Ok("0") => Identity::Root,
        _ => Identity::Nobody,
    };
    let native = Native::new();
    // The record goes out through a high descriptor; 0-2 are closed like every other fd, so
    // the scenario's descriptors are numbered from 0 as in an emulated process (which has no
    // standard streams), whatever the test runner left open.
    let out = match native.fcntl(1, libc::F_DUPFD_CLOEXEC, OUT_FD as i64) {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("dup stdout: {e}");
            return ExitCode::FAILURE;
        }
    };
    std::panic::set_hook(Box::new(move |info| {
        let _ = Native::new().write(out, format!("panic\t{info}\n").as_bytes());
    }));
    if let Err(e) = sys::close_all_but(out) {
        eprintln!("close_range: {e}");
        return ExitCode::FAILURE;
    }
    // The setup runs as root in the working directory with the umask a fresh emulated
    // layer starts with.
    let mut work = root.clone();
    work.extend_from_slice(WORK);
    if let Err(e) = native.chdir(&work) {
        eprintln!("chdir: {e}");
        return ExitCode::FAILURE;
    }
    native.umask(0o022);
    let mut subject = NativeSubject {
        native,
        root,
        identity,
    };
    let record = run_scenario(&scenario, &mut subject);
    let text = record.to_lines();
    let mut rest = text.as_bytes();
    while !rest.is_empty() {
        match subject.native.write(out, rest) {
            Ok(n) => rest = &rest[n..],
            Err(_) => return ExitCode::FAILURE,
        }
    }
    ExitCode::SUCCESS
}

/// Runs `scenario` natively in a child process and snapshots the tree it leaves.
fn run_native(scenario: &Scenario, identity: Identity) -> Result<Record, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    let root = dir.path().as_os_str().as_encoded_bytes().to_vec();
    let native = Native::new();
    let mut work = root.clone();
    work.extend_from_slice(WORK);
    // The root is traversable by the unprivileged identity, the working directory is its.
    native
        .fchmodat(vfsbox_api::AT_FDCWD, &root, 0o755, 0)
        .map_err(|e| format!("chmod root: {e}"))?;
    native
        .mkdir(&work, 0o755)
        .and_then(|()| native.fchmodat(vfsbox_api::AT_FDCWD, &work, 0o755, 0))
        .and_then(|()| {
            native.fchownat(
                vfsbox_api::AT_FDCWD,
                &work,
                identity.uid(),
                identity.uid(),
                0,
            )
        })
        .map_err(|e| format!("working directory: {e}"))?;
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let out = Command::new(exe)
        .env(ENV_CHILD, scenario.name)
        .env(ENV_ROOT, dir.path())
        .env(ENV_UID, identity.uid().to_string())
        .output()
        .map_err(|e| format!("spawn: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "native child failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut record = Record::from_lines(&String::from_utf8_lossy(&out.stdout));
    record.steps.push(Step {
        call: "-- final tree --".into(),
        result: String::new(),
    });
    record.steps.extend(snapshot(&native, &root).steps);
    Ok(record)
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
    ]
}

#[derive(Clone, Copy)]
enum Provider {
    Memory,
    Host,
    Overlay,
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
    if let Ok(name) = std::env::var(ENV_CHILD) {
        return child(&name);
    }
    // libtest-style arguments, as cargo-nextest uses them: `--list` (nothing is ignored, so
    // `--list --ignored` lists nothing), and a filter that selects scenarios by substring, or
    // by whole name with `--exact`.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        if !args.iter().any(|a| a == "--ignored") {
            for s in scenarios() {
                println!("{}: test", s.name);
            }
        }
        return ExitCode::SUCCESS;
    }
    let exact = args.iter().any(|a| a == "--exact");
    let filter = args.iter().find(|a| !a.starts_with('-')).cloned();
    let started = Instant::now();
    let all: Vec<Scenario> = scenarios()
        .into_iter()
        .filter(|s| match &filter {
            None => true,
            Some(f) if exact => s.name == f.as_str(),
            Some(f) => s.name.contains(f.as_str()),
        })
        .collect();
    let mut runs = Vec::new();
    for s in &all {
        runs.push((*s, Identity::Root));
        if s.unprivileged {
            runs.push((*s, Identity::Nobody));
        }
    }
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
