//! End-to-end tests of `vfsbox mount` and `vfsbox umount` through the kernel: the startup
//! line, the demo tree, unmounting on SIGTERM and SIGINT, data reaching a host directory, the
//! refusals (exit 2, nothing mounted), and cleaning up after a SIGKILLed daemon.
//!
//! Needs root and `/dev/fuse` (as CI has). Every test uses fresh temporary directories, and
//! every daemon sits in a [`Daemon`] guard that kills it and lazily unmounts on drop, so a
//! failing assertion leaves no mount behind.

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a daemon may take to mount, or to exit after a signal.
const PATIENCE: Duration = Duration::from_secs(20);

fn vfsbox() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vfsbox"))
}

/// True if `path` (canonical) is a mount point in `/proc/self/mountinfo` (field 5; these
/// temporary paths hold no characters that mountinfo escapes).
fn is_mounted(path: &Path) -> bool {
    let info = fs::read_to_string("/proc/self/mountinfo").expect("read /proc/self/mountinfo");
    let wanted = path.to_str().expect("temporary paths are UTF-8");
    info.lines()
        .any(|line| line.split(' ').nth(4) == Some(wanted))
}

/// A fresh empty directory to mount on, canonical (as mountinfo shows it).
fn mountpoint(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::create_dir(&path).unwrap();
    path.canonicalize().unwrap()
}

/// A running `vfsbox mount`. On drop: kills it if it still runs and lazily unmounts its
/// mountpoint if something is still mounted there.
struct Daemon {
    child: Child,
    mountpoint: PathBuf,
    startup_line: String,
}

impl Daemon {
    /// Starts `vfsbox mount ARGS MOUNTPOINT` and waits for its one line on stdout.
    fn start(args: &[&str], mountpoint: &Path) -> Daemon {
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

    fn stderr_so_far(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        read_all(self.child.stderr.take())
    }

    fn signal(&self, signal: Signal) {
        let pid = Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        kill(pid, signal).expect("signal the daemon");
    }

    /// Sends `signal` and waits for the daemon to exit: its status and all of its stderr.
    fn stop(&mut self, signal: Signal) -> (ExitStatus, String) {
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
fn wait_for(child: &mut Child) -> ExitStatus {
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

fn read_all(stderr: Option<ChildStderr>) -> String {
    let mut text = String::new();
    if let Some(mut stderr) = stderr {
        let _ = stderr.read_to_string(&mut text);
    }
    text
}

/// The sorted names in `dir`.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Mounts the demo sandbox, checks what it shows, stops it with `signal`, and checks that it
/// exits 0, says it unmounted, and left nothing mounted.
fn demo_lifecycle(signal: Signal) {
    let dir = tempfile::tempdir().unwrap();
    let mnt = mountpoint(&dir, "mnt");
    let mut daemon = Daemon::start(&[], &mnt);
    let shown = mnt.display().to_string();
    assert_eq!(
        daemon.startup_line,
        format!(
            "vfsbox: the demo sandbox (memory) mounted at {shown}; \
             stop with Ctrl-C here or `vfsbox umount {shown}`\n"
        )
    );
    assert!(is_mounted(&mnt));
    assert_eq!(
        fs::read_to_string(mnt.join("README")).unwrap(),
        vfsbox_fuse::demo::README
    );
    assert_eq!(listing(&mnt), ["README", "docs", "hello.txt", "latest"]);
    assert_eq!(listing(&mnt.join("docs")), ["providers.txt"]);
    assert_eq!(
        fs::read_link(mnt.join("latest")).unwrap(),
        Path::new("docs/providers.txt")
    );

    let (status, stderr) = daemon.stop(signal);
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, format!("vfsbox: unmounted {shown}\n"));
    assert!(!is_mounted(&mnt));
    assert!(listing(&mnt).is_empty(), "the bare directory is back");
}

#[test]
fn sigterm_unmounts_the_demo_sandbox_and_exits_0() {
    demo_lifecycle(Signal::SIGTERM);
}

#[test]
fn sigint_unmounts_the_demo_sandbox_and_exits_0() {
    demo_lifecycle(Signal::SIGINT);
}

#[test]
fn data_written_to_a_host_provider_is_on_disk_after_unmount() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = mountpoint(&dir, "mnt");
    let host = mountpoint(&dir, "host");
    let spec = format!("host:{}", host.display());
    let mut daemon = Daemon::start(&["--provider", &spec], &mnt);
    assert!(
        daemon.startup_line.starts_with(&format!(
            "vfsbox: provider {spec} mounted at {}",
            mnt.display()
        )),
        "{}",
        daemon.startup_line
    );
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    fs::create_dir(mnt.join("sub")).unwrap();
    fs::write(mnt.join("sub/file"), &data).unwrap();

    let (status, stderr) = daemon.stop(Signal::SIGTERM);
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(!is_mounted(&mnt));
    assert_eq!(fs::read(host.join("sub/file")).unwrap(), data);
}

/// Lazily unmounts `path` on drop if it is mounted and was not before.
struct LazyUnmount {
    path: PathBuf,
    unless_mounted_before: bool,
}

impl Drop for LazyUnmount {
    fn drop(&mut self) {
        if !self.unless_mounted_before && is_mounted(&self.path) {
            let _ = Command::new("umount").arg("-l").arg(&self.path).status();
        }
    }
}

/// Runs a `vfsbox` command that must fail before mounting anything: exit status and stderr.
fn refused(args: &[&str], mountpoint: &Path) -> (Option<i32>, String) {
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

#[test]
fn bad_mountpoints_exit_2_with_a_clear_message_and_mount_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().canonicalize().unwrap();

    let missing = base.join("missing");
    let (code, stderr) = refused(&["mount"], &missing);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "vfsbox mount: mountpoint {missing:?} does not exist; create it first \
             (mkdir -p {})\n",
            missing.display()
        )
    );
    assert!(!missing.exists());

    let file = base.join("file");
    fs::write(&file, b"x").unwrap();
    let (code, stderr) = refused(&["mount"], &file);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr,
        format!("vfsbox mount: mountpoint {file:?} is not a directory\n")
    );
    assert!(!is_mounted(&file));

    let full = mountpoint(&dir, "full");
    fs::write(full.join("x"), b"x").unwrap();
    let (code, stderr) = refused(&["mount"], &full);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr,
        format!("vfsbox mount: mountpoint {full:?} is not empty; mount on an empty directory\n")
    );
    assert!(!is_mounted(&full));

    let bad_spec = mountpoint(&dir, "bad-spec");
    let (code, stderr) = refused(&["mount", "--provider", "bogus"], &bad_spec);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with(
            "error: invalid value 'bogus' for '--provider <SPEC>': \
             unknown provider \"bogus\" in \"bogus\"; known providers: "
        ),
        "{stderr}"
    );
    assert!(!is_mounted(&bad_spec));

    let absent_host = base.join("absent-host");
    let spec = format!("host:{}", absent_host.display());
    let (code, stderr) = refused(&["mount", "--provider", &spec], &bad_spec);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "vfsbox mount: host directory {absent_host:?} does not exist or is not a directory"
        )),
        "{stderr}"
    );
    assert!(!is_mounted(&bad_spec));
}

#[test]
fn mounting_twice_on_one_directory_is_refused_and_the_first_mount_stays() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = mountpoint(&dir, "mnt");
    let mut first = Daemon::start(&[], &mnt);
    let count = || {
        let info = fs::read_to_string("/proc/self/mountinfo").unwrap();
        let wanted = mnt.to_str().unwrap();
        info.lines()
            .filter(|line| line.split(' ').nth(4) == Some(wanted))
            .count()
    };
    assert_eq!(count(), 1);

    let (code, stderr) = refused(&["mount"], &mnt);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "vfsbox mount: {mnt:?} is already a mount point; if a vfsbox daemon died there, \
             run `vfsbox umount {}`\n",
            mnt.display()
        )
    );
    assert_eq!(count(), 1, "the refused daemon mounted nothing on top");
    assert_eq!(
        fs::read_to_string(mnt.join("README")).unwrap(),
        vfsbox_fuse::demo::README,
        "the first mount still serves"
    );
    let (status, stderr) = first.stop(Signal::SIGTERM);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!is_mounted(&mnt));
}

#[test]
fn umount_clears_the_mount_of_a_sigkilled_daemon() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = mountpoint(&dir, "mnt");
    let mut daemon = Daemon::start(&[], &mnt);
    daemon.signal(Signal::SIGKILL);
    let status = wait_for(&mut daemon.child);
    assert_eq!(status.code(), None, "killed by a signal");
    // The dead mount stays: the kernel answers ENOTCONN for it.
    assert!(is_mounted(&mnt));
    assert_eq!(
        fs::metadata(&mnt).unwrap_err().raw_os_error(),
        Some(libc::ENOTCONN)
    );

    let out = vfsbox().arg("umount").arg(&mnt).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, format!("vfsbox: unmounted {}\n", mnt.display()));
    assert!(!is_mounted(&mnt));
    assert!(listing(&mnt).is_empty());

    // Nothing left to unmount: refused with exit 2.
    let out = vfsbox().arg("umount").arg(&mnt).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!is_mounted(&mnt));
}
