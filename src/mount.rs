//! `vfsbox mount` and `vfsbox umount`: serve a provider through FUSE in the foreground, and
//! clean up a mount left behind by a daemon that died.

use crate::cli::{MountArgs, UmountArgs};
use crate::providers::{self, HostDirs};
use crate::sandbox;
use crate::spec::ProviderSpec;
use nix::sys::signal::{SigSet, Signal};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;
use vfsbox_api::FileSystem;
use vfsbox_fuse::MountOptions;
use vfsbox_guard::AuditLog;

/// Exit status for a refusal before anything is mounted (bad spec, bad mountpoint, no FUSE).
const SETUP_FAILED: u8 = 2;

/// The signals that stop the daemon. They are blocked in every thread (the FUSE workers
/// inherit the mask) and taken by one thread with `sigwait`, so no handler runs in a worker.
fn stop_signals() -> SigSet {
    let mut set = SigSet::empty();
    for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        set.add(signal);
    }
    set
}

/// Runs `vfsbox mount`: mounts, prints one line, serves until a stop signal or an unmount
/// from outside, then unmounts and exits 0.
pub fn run(args: &MountArgs) -> ExitCode {
    let signals = stop_signals();
    if let Err(e) = signals.thread_block() {
        eprintln!("vfsbox mount: cannot block the stop signals: {e}");
        return ExitCode::from(SETUP_FAILED);
    }
    let served = match provider(args) {
        Ok(built) => built,
        Err(message) => {
            eprintln!("vfsbox mount: {message}");
            return ExitCode::from(SETUP_FAILED);
        }
    };
    let options = MountOptions {
        threads: usize::from(args.threads),
        read_only: args.read_only,
        allow_other: args.allow_other,
        passthrough: !args.no_passthrough,
        writeback_cache: args.writeback_cache,
        host_dirs: served.host_dirs.clone(),
        ..MountOptions::default()
    };
    let mount = match vfsbox_fuse::mount(served.fs.clone(), &args.mountpoint, &options) {
        Ok(mount) => mount,
        Err(e) => {
            eprintln!("vfsbox mount: {e}");
            return ExitCode::from(SETUP_FAILED);
        }
    };
    let path = mount.mountpoint().display().to_string();
    println!(
        "vfsbox: {}{} mounted at {path}; stop with Ctrl-C here or `vfsbox umount {path}`",
        served.what,
        if args.read_only { " (read-only)" } else { "" }
    );
    let _ = std::io::stdout().flush();

    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        if let Ok(signal) = signals.wait() {
            let _ = tx.send(signal);
        }
    });
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(_) => break,
            Err(mpsc::RecvTimeoutError::Timeout) if mount.has_ended() => {
                eprintln!("vfsbox: {path} was unmounted from outside; exiting");
                served.report_audit();
                return ExitCode::SUCCESS;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    match mount.unmount() {
        Ok(()) => {
            eprintln!("vfsbox: unmounted {path}");
            served.report_audit();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("vfsbox mount: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What `vfsbox mount` serves.
struct Served {
    fs: Arc<dyn FileSystem>,
    /// What the provider stands on (temporary directories, the built sandbox), dropped
    /// after it.
    _guards: Box<dyn std::any::Any>,
    /// How the startup line names it.
    what: String,
    /// The host directories it exports (a mountpoint inside one is refused).
    host_dirs: Vec<PathBuf>,
    /// The policy's audit log, reported on after the unmount.
    audit: Option<Arc<AuditLog>>,
}

impl Served {
    /// After the unmount: how many audit lines were written, and how many dropped.
    fn report_audit(&self) {
        if let Some(audit) = &self.audit {
            audit.flush();
            eprintln!(
                "vfsbox: audit log: {} lines written, {} dropped",
                audit.written(),
                audit.dropped()
            );
        }
    }
}

/// The provider to mount: a spec's, or a policy's (the default policy when neither is given).
fn provider(args: &MountArgs) -> Result<Served, String> {
    let mut served = match &args.provider {
        None => {
            let registry = sandbox::registry();
            let policy = sandbox::load(args.policy.as_deref(), &registry)?;
            let built = sandbox::build(&policy, &registry)?;
            let what = match &args.policy {
                None => "the demo sandbox (memory)".to_string(),
                Some(file) => format!("policy {:?} ({})", policy.name, file.display()),
            };
            Served {
                fs: built.fs.clone(),
                audit: built.audit.clone(),
                what,
                host_dirs: policy.host_roots(),
                _guards: Box::new(built),
            }
        }
        Some(spec) => {
            let built = providers::build(spec, HostDirs::AsGiven).map_err(|e| e.to_string())?;
            Served {
                fs: built.fs.clone(),
                audit: None,
                what: format!("provider {spec}"),
                host_dirs: host_dirs(spec),
                _guards: Box::new(built),
            }
        }
    };
    if args.read_only && !served.fs.capabilities().read_only {
        served.fs = Arc::new(vfsbox_readonly::ReadOnly::new(served.fs.clone()));
    }
    Ok(served)
}

/// The host directories a spec exports (a mountpoint inside one is refused). The built-in
/// mount table's host directory is a fresh temporary one, which no mountpoint can be inside.
fn host_dirs(spec: &ProviderSpec) -> Vec<PathBuf> {
    match spec {
        ProviderSpec::Host(dir) => vec![dir.clone()],
        ProviderSpec::ReadOnly(inner) => host_dirs(inner),
        ProviderSpec::Overlay { upper, lower } => {
            let mut dirs = host_dirs(upper);
            dirs.extend(host_dirs(lower));
            dirs
        }
        ProviderSpec::Memory | ProviderSpec::Mounts => Vec::new(),
    }
}

/// Runs `vfsbox umount`.
pub fn run_umount(args: &UmountArgs) -> ExitCode {
    match vfsbox_fuse::unmount_path(&args.mountpoint) {
        Ok(()) => {
            eprintln!("vfsbox: unmounted {}", args.mountpoint.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("vfsbox umount: {e}");
            ExitCode::from(SETUP_FAILED)
        }
    }
}
