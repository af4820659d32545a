//! End-to-end tests of `vfsbox mount` and `vfsbox umount` through the kernel: the startup
//! line, the demo tree, unmounting on SIGTERM and SIGINT, data reaching a host directory, the
//! refusals (exit 2, nothing mounted), and cleaning up after a SIGKILLed daemon.
//!
//! Needs root and `/dev/fuse` (as CI has). Every test uses fresh temporary directories, and
//! every daemon sits in a [`Daemon`] guard that kills it and lazily unmounts on drop, so a
//! failing assertion leaves no mount behind.

mod support;

use nix::sys::signal::Signal;
use std::fs;
use std::path::Path;
use support::*;

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
    host_data_reaches_the_disk(&[]);
}

#[test]
fn without_passthrough_and_with_the_writeback_cache_data_reaches_the_disk_too() {
    host_data_reaches_the_disk(&["--no-passthrough"]);
    host_data_reaches_the_disk(&["--writeback-cache"]);
}

/// Writes through a mount of a host directory (with `options`), stops the daemon, and
/// finds the data on disk.
fn host_data_reaches_the_disk(options: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let mnt = mountpoint(&dir, "mnt");
    let host = mountpoint(&dir, "host");
    let spec = format!("host:{}", host.display());
    let mut args = options.to_vec();
    args.extend(["--provider", &spec]);
    let mut daemon = Daemon::start(&args, &mnt);
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
    assert_eq!(fs::read(mnt.join("sub/file")).unwrap(), data);

    let (status, stderr) = daemon.stop(Signal::SIGTERM);
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(!is_mounted(&mnt));
    assert_eq!(fs::read(host.join("sub/file")).unwrap(), data);
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

#[test]
fn without_dev_fuse_mount_exits_2_and_says_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = mountpoint(&dir, "mnt");
    // A private mount namespace whose /dev is an empty tmpfs: no /dev/fuse in it.
    let out = std::process::Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c"])
        .arg(format!(
            "mount -t tmpfs tmpfs /dev && exec {} mount {}",
            env!("CARGO_BIN_EXE_vfsbox"),
            mnt.display()
        ))
        .output()
        .expect("run unshare");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "vfsbox mount: cannot open /dev/fuse (No such file or directory (os error 2)); load \
         the module with `modprobe fuse`, or in a container pass --device /dev/fuse\n"
    );
    assert!(!is_mounted(&mnt));
}

#[test]
fn without_permission_mount_exits_2_and_says_what_to_do() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let mnt = mountpoint(&dir, "mnt");
    fs::set_permissions(&mnt, fs::Permissions::from_mode(0o777)).unwrap();
    // An unprivileged user: /dev/fuse is root's (0600 here), and only root may mount.
    let out = vfsbox()
        .arg("mount")
        .arg(&mnt)
        .uid(65534)
        .gid(65534)
        .output()
        .expect("run vfsbox as nobody");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("vfsbox mount: permission denied on ") && stderr.contains("run as root"),
        "{stderr}"
    );
    assert!(!is_mounted(&mnt));
}
