//! The conformance suite on the host provider over a fresh temporary directory per case.
//! This run is the oracle: the host provider issues the real syscalls on a real filesystem,
//! so every case must pass here.

use vfsbox_conformance::{provider_tests, Fixture};

/// A host provider over a new temporary directory, removed after the case.
fn host_fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let fs = vfsbox_host::HostFs::open(dir.path()).expect("open the host provider");
    Fixture::new(fs).with_guard(dir)
}

provider_tests!(host, host_fixture);
