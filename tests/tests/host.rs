//! The conformance suite on the host provider over a fresh temporary directory per case, once
//! on the temp dir's filesystem (ext4 here) and once on tmpfs (`/dev/shm`). These runs are the
//! oracle: the host provider issues the real syscalls on a real filesystem, so every case must
//! pass here.

use std::path::Path;
use vfsbox_conformance::{provider_tests, Fixture};

/// A host provider over a new temporary directory under `parent`, removed after the case.
fn host_fixture_in(parent: &Path) -> Fixture {
    let dir = tempfile::tempdir_in(parent).expect("create a temporary directory");
    let fs = vfsbox_host::HostFs::open(dir.path()).expect("open the host provider");
    Fixture::new(fs).with_guard(dir)
}

provider_tests!(host, || host_fixture_in(&std::env::temp_dir()));
provider_tests!(host_tmpfs, || host_fixture_in(Path::new("/dev/shm")));
