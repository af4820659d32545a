//! The conformance suite through a mount table mixing providers: memory at `/`, a host temp
//! dir at `/host`, a read-only memory provider at `/ro`, memory at `/data/cache` (with `/data`
//! synthesized). The generic cases start from an empty root, and the table's root lists its
//! mount points, so each run starts at one mount of the table (`Fixture::rooted_at` re-roots the
//! table at a node it looked up): every call still goes through the table's node-id, handle, inode
//! and cookie translation.

use std::sync::Arc;
use vfsbox_conformance::{provider_tests, Fixture};
use vfsbox_memory::MemoryFs;
use vfsbox_mounts::MountTable;
use vfsbox_readonly::ReadOnly;

/// The mixed table, re-rooted at `at` (a path of mount components).
fn mixed_table_at(at: &[&str]) -> Fixture {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let host = vfsbox_host::HostFs::open(dir.path()).expect("open the host provider");
    let table = MountTable::builder()
        .mount("/", Arc::new(MemoryFs::new()))
        .and_then(|b| b.mount("/host", Arc::new(host)))
        .and_then(|b| b.mount("/ro", Arc::new(ReadOnly::wrap(MemoryFs::new()))))
        .and_then(|b| b.mount("/data/cache", Arc::new(MemoryFs::new())))
        .and_then(|b| b.build())
        .expect("build the mount table");
    Fixture::new(table)
        .with_guard(dir)
        .rooted_at(at)
        .expect("look up the mount")
}

provider_tests!(mounts_host, || mixed_table_at(&["host"]));
provider_tests!(mounts_data_cache, || mixed_table_at(&["data", "cache"]));
