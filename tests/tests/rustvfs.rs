//! The conformance suite on the rust-vfs adapter, `RustVfsProvider`, over rust-vfs's
//! `MemoryFS` and over its `PhysicalFS` on a fresh temporary directory, one instance per
//! case. Features rust-vfs lacks are checked as the refusals the adapter declares.

use vfsbox_conformance::{provider_tests, Fixture};
use vfsbox_rustvfs::RustVfsProvider;

fn physical_fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let fs = RustVfsProvider::new(vfs::PhysicalFS::new(dir.path()));
    Fixture::new(fs).with_guard(dir)
}

provider_tests!(rustvfs_memory, || Fixture::new(RustVfsProvider::new(
    vfs::MemoryFS::new()
)));
provider_tests!(rustvfs_physical, physical_fixture);
