//! Shared by the tests that run `vfsbox` daemons: starting one and waiting for its startup
//! line, stopping it, refusals that must mount nothing, and cleanup that leaves no mount
//! behind when an assertion fails.
#![allow(dead_code)] // each test target uses its own subset

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a daemon may take to mount, or to exit after a signal.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub fn vfsbox() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vfsbox"))
}

/// True if `path` (canonical) is a mount point in `/proc/self/mountinfo` (field 5; these
/// temporary paths hold no characters that mountinfo escapes).
pub fn is_mounted(path: &Path) -> bool {
    let info = fs::read_to_string("/proc/self/mountinfo").expect("read /proc/self/mountinfo");
    let wanted = path.to_str().expect("temporary paths are UTF-8");
    info.lines()
        .any(|line| line.split(' ').nth(4) == Some(wanted))
}

/// A fresh empty directory to mount on, canonical (as mountinfo shows it).
pub fn mountpoint(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::create_dir(&path).unwrap();
    path.canonicalize().unwrap()
}

/// A running `vfsbox mount`. On drop: kills it if it still runs and lazily unmounts its
/// mountpoint if something is still mounted there.
pub struct Daemon {
    pub child: Child,
    pub mountpoint: PathBuf,
    pub startup_line: String,
}

impl Daemon {
    /// Starts `vfsbox mount ARGS MOUNTPOINT` and waits for its one line on stdout.
    pub fn start(args: &[&str], mountpoint: &Path) -> Daemon {
        let mut child = vfsbox()
            .arg("mount")
            .args(args)
            .arg(mountpoint)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start vfsbox mount");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut daemon = Daemon {
            child,
            mountpoint: mountpoint.to_path_buf(),
            startup_line: String::new(),
        };
        match rx.recv_timeout(PATIENCE) {
            Ok(line) if !line.is_empty() => daemon.startup_line = line,
            outcome => {
                let status = daemon.child.try_wait();
                let stderr = daemon.stderr_so_far();
                panic!("no startup line ({outcome:?}); status {status:?}; stderr: {stderr}");
            }
        }
        daemon
    }

    pub fn stderr_so_far(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        read_all(self.child.stderr.take())
    }

    pub fn signal(&self, signal: Signal) {
        let pid = Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        kill(pid, signal).expect("signal the daemon");
    }

    /// Sends `signal` and waits for the daemon to exit: its status and all of its stderr.
    pub fn stop(&mut self, signal: Signal) -> (ExitStatus, String) {
        self.signal(signal);
        let status = wait_for(&mut self.child);
        (status, read_all(self.child.stderr.take()))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if is_mounted(&self.mountpoint) {
            let _ = Command::new("umount")
                .arg("-l")
                .arg(&self.mountpoint)
                .status();
        }
    }
}

/// Waits up to [`PATIENCE`] for `child` to exit; kills it and fails the test if it does not.
pub fn wait_for(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the daemon did not exit within {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn read_all(stderr: Option<ChildStderr>) -> String {
    let mut text = String::new();
    if let Some(mut stderr) = stderr {
        let _ = stderr.read_to_string(&mut text);
    }
    text
}

/// The sorted names in `dir`.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Lazily unmounts `path` on drop if it is mounted and was not before.
pub struct LazyUnmount {
    pub path: PathBuf,
    pub unless_mounted_before: bool,
}

impl Drop for LazyUnmount {
    fn drop(&mut self) {
        if !self.unless_mounted_before && is_mounted(&self.path) {
            let _ = Command::new("umount").arg("-l").arg(&self.path).status();
        }
    }
}

/// Runs a `vfsbox` command that must fail before mounting anything: exit status and stderr.
pub fn refused(args: &[&str], mountpoint: &Path) -> (Option<i32>, String) {
    // Should it mount after all, this unmounts it again (a mount that was there before is
    // another test's, left alone).
    let _cleanup = LazyUnmount {
        path: mountpoint.to_path_buf(),
        unless_mounted_before: is_mounted(mountpoint),
    };
    let mut child = vfsbox()
        .args(args)
        .arg(mountpoint)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start vfsbox");
    let status = wait_for(&mut child);
    let stderr = read_all(child.stderr.take());
    (status.code(), stderr)
}
