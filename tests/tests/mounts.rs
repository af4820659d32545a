//! The conformance suite through a mount table mixing providers: memory at `/`, a host temp
//! dir at `/host`, a read-only memory provider at `/ro`, an overlay of memory over a read-only
//! host temp dir at `/overlay`, and memory at `/data/cache` (with `/data` synthesized). The
//! rust-vfs adapter is left out: a table declares the intersection of its mounts'
//! capabilities, so a mount without hard links would make the suite expect refusals that the
//! other mounts rightly do not give (capabilities are per provider, not per node). The generic cases start from an empty root, and the table's root lists its
//! mount points, so each run starts at one mount of the table (`Fixture::rooted_at` re-roots the
//! table at a node it looked up): every call still goes through the table's node-id, handle, inode
//! and cookie translation.

use std::sync::Arc;
use vfsbox_conformance::{provider_tests, Fixture};
use vfsbox_memory::MemoryFs;
use vfsbox_mounts::MountTable;
use vfsbox_overlay::Overlay;
use vfsbox_readonly::ReadOnly;

/// The mixed table, re-rooted at `at` (a path of mount components).
fn mixed_table_at(at: &[&str]) -> Fixture {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let lower_dir = tempfile::tempdir().expect("create a temporary directory");
    let host = vfsbox_host::HostFs::open(dir.path()).expect("open the host provider");
    let lower = vfsbox_host::HostFs::open(lower_dir.path()).expect("open the host provider");
    let overlay = Overlay::new(Arc::new(MemoryFs::new()), Arc::new(ReadOnly::wrap(lower)))
        .expect("build the overlay");
    let table = MountTable::builder()
        .mount_new("/", MemoryFs::new())
        .and_then(|b| b.mount_new("/host", host))
        .and_then(|b| b.mount_new("/ro", ReadOnly::wrap(MemoryFs::new())))
        .and_then(|b| b.mount_new("/overlay", overlay))
        .and_then(|b| b.mount_new("/data/cache", MemoryFs::new()))
        .and_then(|b| b.build())
        .expect("build the mount table");
    Fixture::new(table)
        .with_guard((dir, lower_dir))
        .rooted_at(at)
        .expect("look up the mount")
}

provider_tests!(mounts_host, || mixed_table_at(&["host"]));
provider_tests!(mounts_data_cache, || mixed_table_at(&["data", "cache"]));
provider_tests!(mounts_overlay, || mixed_table_at(&["overlay"]));

/// A mount table mounted inside a mount table, re-rooted at a mount root of the inner one
/// (a small skeleton id there, so a direct id of the outer table): every node below it has
/// an inner id with the top bit set, which does not fit a direct id, so those go through
/// the outer table's id table, counting lookups itself.
fn nested_table() -> Fixture {
    let inner = MountTable::builder()
        .mount_new("/", MemoryFs::new())
        .and_then(|b| b.mount_new("/deep", MemoryFs::new()))
        .and_then(|b| b.build())
        .expect("build the inner mount table");
    let outer = MountTable::builder()
        .mount_new("/", MemoryFs::new())
        .and_then(|b| b.mount_new("/nested", inner))
        .and_then(|b| b.build())
        .expect("build the outer mount table");
    Fixture::new(outer)
        .rooted_at(&["nested", "deep"])
        .expect("look up the mount")
}

provider_tests!(mounts_nested, nested_table);
