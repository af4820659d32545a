//! The conformance suite on the overlay, in three compositions: memory over memory, memory
//! over a host temporary directory (wrapped read-only), and host over host. Each case gets a
//! fresh overlay. The generic suite runs with an empty lower layer (every name it makes is an
//! upper one); the overlay's own cases (`overlay_tests!`) populate the lower layer first.

use std::sync::Arc;
use vfsbox_api::FileSystem;
use vfsbox_conformance::{overlay_tests, provider_tests, Fixture, OverlayFixture};
use vfsbox_overlay::Overlay;
use vfsbox_readonly::ReadOnly;

/// Lower-layer backends.
enum Backend {
    Memory,
    Host,
}

/// A fresh writable provider of `backend`, and the temporary directory it stands on.
fn provider(backend: &Backend) -> (Arc<dyn FileSystem>, Option<tempfile::TempDir>) {
    match backend {
        Backend::Memory => (Arc::new(vfsbox_memory::MemoryFs::new()), None),
        Backend::Host => {
            let dir = tempfile::tempdir().expect("create a temporary directory");
            let fs = vfsbox_host::HostFs::open(dir.path()).expect("open the host provider");
            (Arc::new(fs), Some(dir))
        }
    }
}

/// An overlay of a fresh `upper` over a fresh `lower`, both first given to `populate` (the
/// lower one still writable), then the lower wrapped read-only.
fn layered(
    upper: Backend,
    lower: Backend,
    populate: &mut dyn FnMut(Arc<dyn FileSystem>, Arc<dyn FileSystem>),
) -> OverlayFixture {
    let (lower_fs, lower_dir) = provider(&lower);
    let (upper_fs, upper_dir) = provider(&upper);
    populate(lower_fs.clone(), upper_fs.clone());
    let overlay = Overlay::new(upper_fs.clone(), Arc::new(ReadOnly::new(lower_fs)))
        .expect("a writable upper over a read-only lower");
    OverlayFixture::new(Arc::new(overlay), upper_fs).with_guard((upper_dir, lower_dir))
}

fn empty(upper: Backend, lower: Backend) -> Fixture {
    layered(upper, lower, &mut |_, _| {}).into_fixture()
}

provider_tests!(overlay_memory_memory, || empty(
    Backend::Memory,
    Backend::Memory
));
provider_tests!(overlay_memory_host, || empty(
    Backend::Memory,
    Backend::Host
));
provider_tests!(overlay_host_host, || empty(Backend::Host, Backend::Host));

overlay_tests!(own_memory_memory, |p: &mut dyn FnMut(
    Arc<dyn FileSystem>,
    Arc<dyn FileSystem>,
)| {
    layered(Backend::Memory, Backend::Memory, p)
});
overlay_tests!(own_memory_host, |p: &mut dyn FnMut(
    Arc<dyn FileSystem>,
    Arc<dyn FileSystem>,
)| {
    layered(Backend::Memory, Backend::Host, p)
});
overlay_tests!(own_host_host, |p: &mut dyn FnMut(
    Arc<dyn FileSystem>,
    Arc<dyn FileSystem>,
)| {
    layered(Backend::Host, Backend::Host, p)
});
