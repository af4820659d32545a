//! The conformance suite on the read-only view: over an empty memory provider and over a host
//! provider on a fresh temporary directory. With an empty tree most cases can only see the
//! refusals (the `readonly` topic checks them, the others skip where they need a fixture);
//! the fixture-tree cases (`readonly_tree.rs`) check what a read-only view shows.

use std::sync::Arc;
use vfsbox_conformance::{provider_tests, Fixture};
use vfsbox_readonly::ReadOnly;

fn readonly_host() -> Fixture {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let fs = vfsbox_host::HostFs::open(dir.path()).expect("open the host provider");
    Fixture::new(ReadOnly::new(Arc::new(fs))).with_guard(dir)
}

provider_tests!(readonly_memory, || Fixture::new(ReadOnly::wrap(
    vfsbox_memory::MemoryFs::new()
)));
provider_tests!(readonly_host, readonly_host);
