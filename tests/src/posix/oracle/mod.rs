//! The native oracle of a differential runner: each scenario runs on the native passthrough
//! in a child process (the runner's own test binary re-executed), in a root directory the
//! parent prepared, and the parent snapshots the tree it leaves.
//!
//! A child runs in its own process so that the scenario's `chdir`, `umask`, descriptors and
//! identity end with it: the child closes every descriptor (its record leaves through a high
//! one), so a scenario's descriptors are numbered from 0 as in an emulated process; it sets
//! the umask to 0022 and, for an unprivileged run, drops to uid/gid [`NOBODY`] after the
//! setup. The root may be any directory: a temporary directory (the plain-kernel oracle), or
//! a fresh subdirectory of a FUSE mount (the mount under test).
//!
//! A runner calls [`child_main`] first thing in its `main` (it returns `Some` in the child),
//! then [`run_native_at`] per scenario. [`Cli`] parses the libtest arguments nextest passes.

mod sys;

use std::path::Path;
use std::process::{Command, ExitCode};

use vfsbox_api::{Errno, Posix, AT_FDCWD};

pub use sys::close_all_but;

use super::{run_scenario, scenarios, snapshot, Record, Scenario, Step, Subject, WORK};

/// The unprivileged identity (uid and gid) of the second run of permission scenarios.
pub const NOBODY: u32 = 65534;

/// Where the native child writes its record (above any descriptor a scenario reaches).
const OUT_FD: i32 = 900;

const ENV_CHILD: &str = "VFSBOX_DIFF_CHILD";
const ENV_ROOT: &str = "VFSBOX_DIFF_ROOT";
const ENV_UID: &str = "VFSBOX_DIFF_UID";

/// The identity a scenario's body runs as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identity {
    /// uid 0, as the setup.
    Root,
    /// uid/gid [`NOBODY`], no supplementary groups.
    Nobody,
}

impl Identity {
    /// The numeric uid (and gid) of this identity.
    pub fn uid(self) -> u32 {
        match self {
            Identity::Root => 0,
            Identity::Nobody => NOBODY,
        }
    }
}

/// Every run of `scenarios`: each as root, and the unprivileged ones as [`NOBODY`] too.
pub fn runs(scenarios: &[Scenario]) -> Vec<(Scenario, Identity)> {
    let mut runs = Vec::new();
    for s in scenarios {
        runs.push((*s, Identity::Root));
        if s.unprivileged {
            runs.push((*s, Identity::Nobody));
        }
    }
    runs
}

/// What the libtest-style arguments (as cargo-nextest passes them) ask for.
pub enum Cli {
    /// `--list` was answered on stdout (nothing is ignored, so `--list --ignored` lists
    /// nothing); the runner exits.
    Listed,
    /// Run these scenarios: all, those whose name contains the filter, or with `--exact` the
    /// one named.
    Run(Vec<Scenario>),
}

impl Cli {
    /// Parses this process's arguments.
    pub fn parse() -> Cli {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.iter().any(|a| a == "--list") {
            if !args.iter().any(|a| a == "--ignored") {
                for s in scenarios() {
                    println!("{}: test", s.name);
                }
            }
            return Cli::Listed;
        }
        let exact = args.iter().any(|a| a == "--exact");
        let filter = args.iter().find(|a| !a.starts_with('-')).cloned();
        Cli::Run(
            scenarios()
                .into_iter()
                .filter(|s| match &filter {
                    None => true,
                    Some(f) if exact => s.name == f.as_str(),
                    Some(f) => s.name.contains(f.as_str()),
                })
                .collect(),
        )
    }
}

/// The native passthrough in the child: absolute paths are under the root directory.
struct NativeSubject<'a> {
    native: &'a dyn Posix,
    root: Vec<u8>,
    identity: Identity,
}

impl Subject for NativeSubject<'_> {
    fn posix(&self) -> &dyn Posix {
        self.native
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

/// In a native child (this binary re-executed by [`run_native_at`]): runs its scenario on
/// `native` and returns the exit code; `None` in any other process.
pub fn child_main(native: &dyn Posix) -> Option<ExitCode> {
    let name = std::env::var(ENV_CHILD).ok()?;
    Some(child(native, &name))
}

fn child(native: &dyn Posix, name: &str) -> ExitCode {
    let Some(scenario) = scenarios().into_iter().find(|s| s.name == name) else {
        eprintln!("no scenario {name}");
        return ExitCode::FAILURE;
    };
    let Some(root) = std::env::var_os(ENV_ROOT) else {
        eprintln!("{ENV_ROOT} is not set");
        return ExitCode::FAILURE;
    };
    let root = root.into_encoded_bytes();
    let identity = match std::env::var(ENV_UID).as_deref() {
        Ok("0") => Identity::Root,
        _ => Identity::Nobody,
    };
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
        sys::write_all(out, format!("panic\t{info}\n").as_bytes());
    }));
    if let Err(e) = sys::close_all_but(out) {
        eprintln!("close_range: {e}");
        return ExitCode::FAILURE;
    }
    // The setup runs as root in the working directory with the umask a fresh emulated
    // layer starts with.
    let mut work = root.clone();
    work.extend_from_slice(WORK);
    if native.chdir(&work).is_err() {
        return ExitCode::FAILURE;
    }
    native.umask(0o022);
    let mut subject = NativeSubject {
        native,
        root,
        identity,
    };
    let record = run_scenario(&scenario, &mut subject);
    if sys::write_all(out, record.to_lines().as_bytes()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Makes `root` traversable by every identity and creates its working directory ([`WORK`]),
/// mode 0755, owned by `identity`.
pub fn prepare_root(native: &dyn Posix, root: &[u8], identity: Identity) -> Result<(), String> {
    let mut work = root.to_vec();
    work.extend_from_slice(WORK);
    native
        .fchmodat(AT_FDCWD, root, 0o755, 0)
        .map_err(|e| format!("chmod root: {e}"))?;
    native
        .mkdir(&work, 0o755)
        .and_then(|()| native.fchmodat(AT_FDCWD, &work, 0o755, 0))
        .and_then(|()| native.fchownat(AT_FDCWD, &work, identity.uid(), identity.uid(), 0))
        .map_err(|e| format!("working directory: {e}"))
}

/// Runs `scenario` natively in a child process (this binary re-executed) under `root`, whose
/// working directory [`WORK`] must exist (see [`prepare_root`]), and appends the tree it
/// leaves (snapshotted through `native` by this process, as root) to its record.
pub fn run_native_at(
    native: &dyn Posix,
    scenario: &Scenario,
    identity: Identity,
    root: &Path,
) -> Result<Record, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let out = Command::new(exe)
        .env(ENV_CHILD, scenario.name)
        .env(ENV_ROOT, root)
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
    record
        .steps
        .extend(snapshot(native, root.as_os_str().as_encoded_bytes()).steps);
    Ok(record)
}
