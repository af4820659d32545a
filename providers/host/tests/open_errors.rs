//! `HostFs::open` refuses what is not a usable directory, with a clear message.

mod common;

use vfsbox_api::Errno;
use vfsbox_host::{HostError, HostFs};

#[test]
fn missing_root_is_not_found() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("nope");
    let err = HostFs::open(&path).err().expect("must fail");
    assert!(matches!(err, HostError::NotFound { .. }), "{err:?}");
    assert_eq!(err.errno(), Errno::ENOENT);
    assert_eq!(
        err.to_string(),
        format!("host root {path:?} does not exist")
    );
}

#[test]
fn file_as_root_is_not_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("file");
    std::fs::write(&path, b"x").unwrap();
    let err = HostFs::open(&path).err().expect("must fail");
    assert!(matches!(err, HostError::NotADirectory { .. }), "{err:?}");
    assert_eq!(err.errno(), Errno::ENOTDIR);
    assert_eq!(
        err.to_string(),
        format!("host root {path:?} is not a directory")
    );
}

#[test]
fn root_opens_and_reports_capabilities() {
    let tmp = tempfile::tempdir().unwrap();
    let fs = HostFs::open(tmp.path()).expect("open");
    let caps = vfsbox_api::FileSystem::capabilities(&fs);
    assert!(!caps.setid_bits);
    assert!(caps.symlinks && caps.hard_links && caps.unlinked_open_files);
    assert_eq!(caps.time_resolution_ns, 1);
    assert_eq!(fs.node_count(), 1);
}
