//! The read-only fixture suite: `fixtures/tree` shown read-only by the host provider, and by
//! a memory provider filled from it through the trait (`populate::copy_host_tree`).

use vfsbox_api::FileSystem;
use vfsbox_conformance::populate::copy_host_tree;
use vfsbox_conformance::tree::fixture_tree_dir;
use vfsbox_conformance::{readonly_tree_tests, Fixture};
use vfsbox_readonly::ReadOnly;

fn readonly_host_tree() -> Fixture {
    let fs = vfsbox_host::HostFs::open(fixture_tree_dir()).expect("open fixtures/tree");
    Fixture::new(ReadOnly::wrap(fs))
}

fn readonly_memory_tree() -> Fixture {
    let fs = vfsbox_memory::MemoryFs::new();
    copy_host_tree(&fs, fs.root(), &fixture_tree_dir()).expect("copy fixtures/tree");
    Fixture::new(ReadOnly::wrap(fs))
}

readonly_tree_tests!(readonly_host_tree, readonly_host_tree);
readonly_tree_tests!(readonly_memory_tree, readonly_memory_tree);
