//! Mounting and unmounting: refusals, busy mounts, a killed daemon, data on disk, two mounts.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vfsbox_api::FileSystem;
use vfsbox_fuse::{is_mount_point, MountError, UnmountError};

fn memory() -> Arc<dyn FileSystem> {
    Arc::new(vfsbox_memory::MemoryFs::new())
}

fn try_mount(path: &Path) -> Result<vfsbox_fuse::Mount, MountError> {
    vfsbox_fuse::mount(memory(), path, &common::options())
}

#[test]
fn bad_mountpoints_are_refused_and_nothing_is_mounted() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    assert!(matches!(
        try_mount(&missing),
        Err(MountError::MountpointMissing(p)) if p == missing
    ));
    let file = dir.path().join("file");
    fs::write(&file, b"x").unwrap();
    assert!(matches!(
        try_mount(&file),
        Err(MountError::NotADirectory(_))
    ));
    let full = dir.path().join("full");
    fs::create_dir(&full).unwrap();
    fs::write(full.join("x"), b"x").unwrap();
    assert!(matches!(try_mount(&full), Err(MountError::NotEmpty(_))));
    for path in [&missing, &file, &full] {
        assert!(!is_mount_point(path));
    }
    // Already a mount: the first stays, the second is refused.
    let m = common::mount(memory());
    assert!(matches!(
        try_mount(m.path()),
        Err(MountError::AlreadyMounted(_))
    ));
    assert!(is_mount_point(m.path()));
}

#[test]
fn a_mountpoint_inside_an_exported_host_directory_is_refused() {
    let host = tempfile::tempdir().unwrap();
    let inside = host.path().join("sub/mnt");
    fs::create_dir_all(&inside).unwrap();
    let fs = Arc::new(vfsbox_host::HostFs::open(host.path()).unwrap());
    let options = vfsbox_fuse::MountOptions {
        host_dirs: vec![host.path().to_path_buf()],
        ..common::options()
    };
    let err = vfsbox_fuse::mount(fs, &inside, &options).unwrap_err();
    assert!(
        matches!(&err, MountError::Recursive { host_dir, .. } if host_dir == host.path()),
        "{err}"
    );
    assert!(!is_mount_point(&inside.canonicalize().unwrap()));
}

#[test]
fn unmount_while_a_file_is_open_and_a_process_sits_inside() {
    let m = common::mount(memory());
    fs::write(m.join("f"), b"data").unwrap();
    let mut open = fs::File::open(m.join("f")).unwrap();
    let mut sitter = Command::new("sleep")
        .arg("30")
        .current_dir(m.path())
        .spawn()
        .unwrap();
    let path = m.path().to_path_buf();
    let mut m = m;
    let start = Instant::now();
    m.mount.take().unwrap().unmount().unwrap();
    assert!(start.elapsed() < Duration::from_secs(5), "unmount hung");
    assert!(!is_mount_point(&path), "still mounted");
    // The open file and the sitting process do not hang: reads end one way or another.
    let mut buf = Vec::new();
    let _ = open.read_to_end(&mut buf);
    sitter.kill().unwrap();
    sitter.wait().unwrap();
}

/// Not a test on its own: the daemon process of `a_killed_daemon_leaves_a_mount_umount_clears`
/// (run as a child of the test binary).
#[test]
#[ignore = "helper process, started by a_killed_daemon_leaves_a_mount_umount_clears"]
fn daemon_helper() {
    let Some(path) = std::env::var_os("VFSBOX_TEST_DAEMON_AT") else {
        return;
    };
    let m = vfsbox_fuse::mount(memory(), Path::new(&path), &common::options()).unwrap();
    fs::write(m.mountpoint().join("alive"), b"yes").unwrap();
    println!("ready");
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_killed_daemon_leaves_a_mount_umount_clears() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().canonicalize().unwrap();
    let mut daemon = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "daemon_helper", "--ignored", "--nocapture"])
        .env("VFSBOX_TEST_DAEMON_AT", &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(daemon.stdout.take().unwrap()).lines();
    assert!(
        lines.any(|l| l.is_ok_and(|l| l.contains("ready"))),
        "the daemon did not start"
    );
    assert_eq!(fs::read(path.join("alive")).unwrap(), b"yes");
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    // A dead FUSE mount: still in the mount table, every access ENOTCONN.
    assert!(is_mount_point(&path));
    assert_eq!(
        fs::metadata(path.join("alive")).unwrap_err().raw_os_error(),
        Some(libc::ENOTCONN)
    );
    // Mounting there again says what to do.
    assert!(matches!(
        try_mount(&path),
        Err(MountError::AlreadyMounted(_))
    ));
    vfsbox_fuse::unmount_path(&path).unwrap();
    assert!(!is_mount_point(&path));
    assert!(matches!(
        vfsbox_fuse::unmount_path(&path),
        Err(UnmountError::NotMounted(_))
    ));
}

#[test]
fn data_written_to_a_host_provider_is_on_disk_after_unmount() {
    let host = tempfile::tempdir().unwrap();
    let fs = Arc::new(vfsbox_host::HostFs::open(host.path()).unwrap());
    let mut m = common::mount_with(fs, (), &common::options());
    fs::create_dir(m.join("d")).unwrap();
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(m.join("d/big"), &data).unwrap();
    m.mount.take().unwrap().unmount().unwrap();
    assert_eq!(fs::read(host.path().join("d/big")).unwrap(), data);
}

#[test]
fn two_mounts_of_two_providers_at_once() {
    let a = common::mount_provider("memory");
    let b = common::mount_provider("host");
    fs::write(a.join("only-a"), b"a").unwrap();
    fs::write(b.join("only-b"), b"b").unwrap();
    let list = |p: &Path| -> Vec<String> {
        fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect()
    };
    assert_eq!(list(a.path()), ["only-a"]);
    assert_eq!(list(b.path()), ["only-b"]);
    assert_eq!(fs::read(a.join("only-a")).unwrap(), b"a");
    assert_eq!(fs::read(b.join("only-b")).unwrap(), b"b");
}
