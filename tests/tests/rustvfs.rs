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
mod served {
    use std::sync::Arc;
    use vfsbox_rustvfs::{ProviderAsVfs, RustVfsProvider};

    fn memory() -> ProviderAsVfs {
        ProviderAsVfs::new(Arc::new(vfsbox_memory::MemoryFs::new()))
    }

    fn host() -> ProviderAsVfs {
        // The directory outlives the filesystem value rust-vfs takes, so it is kept (and
        // left in the temporary directory) rather than removed under it.
        let dir = tempfile::tempdir().expect("temporary directory").keep();
        ProviderAsVfs::new(Arc::new(
            vfsbox_host::HostFs::open(&dir).expect("open the host provider"),
        ))
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
