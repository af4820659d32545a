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

/// rust-vfs's own suite (`vfs::test_vfs!`) on vfsbox providers served as rust-vfs
/// filesystems by `ProviderAsVfs`: the memory provider, the host provider over a fresh
/// temporary directory, and the round trip `ProviderAsVfs(RustVfsProvider(MemoryFS))`.
// `vfs::test_vfs!` builds its cases with `vec!` where a slice would do; that is its code, not ours.
#[allow(clippy::useless_vec)]
mod served {
    use std::sync::Arc;
    use vfsbox_rustvfs::{ProviderAsVfs, RustVfsProvider};

    fn memory() -> ProviderAsVfs {
        ProviderAsVfs::new(Arc::new(vfsbox_memory::MemoryFs::new()))
    }

    fn host() -> ProviderAsVfs {
        let dir = tempfile::tempdir().expect("temporary directory");
        let fs = vfsbox_host::HostFs::open(dir.path()).expect("open the host provider");
        ProviderAsVfs::new(Arc::new(fs)).keeping(dir)
    }

    fn round_trip() -> ProviderAsVfs {
        ProviderAsVfs::new(Arc::new(RustVfsProvider::new(vfs::MemoryFS::new())))
    }

    mod memory {
        #[allow(unused_imports)]
        use std::io::{Read, Write};
        vfs::test_vfs!(crate::served::memory());
    }

    mod host {
        #[allow(unused_imports)]
        use std::io::{Read, Write};
        vfs::test_vfs!(crate::served::host());
    }

    mod round_trip {
        #[allow(unused_imports)]
        use std::io::{Read, Write};
        vfs::test_vfs!(crate::served::round_trip());
    }
}
