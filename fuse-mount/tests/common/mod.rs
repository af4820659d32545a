//! Shared helpers of the kernel tests: mounting a provider on a fresh directory, and making the
//! providers each test runs on.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use vfsbox_api::FileSystem;
use vfsbox_fuse::{Mount, MountOptions};

/// A provider mounted on a fresh temporary directory. Dropping it unmounts (lazily, so a
/// failing test never leaves a mount behind), then removes the directories.
pub struct Mounted {
    pub mount: Option<Mount>,
    pub path: PathBuf,
    pub fs: Arc<dyn FileSystem>,
    _dir: tempfile::TempDir,
    _guard: Box<dyn std::any::Any>,
}

impl Mounted {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }

    pub fn mount(&self) -> &Mount {
        self.mount.as_ref().expect("mounted")
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        drop(self.mount.take());
    }
}

/// The options the tests mount with: two workers (so requests are served concurrently, as
/// races would show), a short grace, defaults otherwise.
pub fn options() -> MountOptions {
    MountOptions {
        threads: 2,
        unmount_grace: Duration::from_millis(500),
        ..MountOptions::default()
    }
}

/// Mounts `fs` on a fresh directory; `guard` lives as long as the mount (temporary host dirs).
pub fn mount_with(
    fs: Arc<dyn FileSystem>,
    guard: impl std::any::Any,
    options: &MountOptions,
) -> Mounted {
    let dir = tempfile::Builder::new()
        .prefix("vfsbox-fuse-test-")
        .tempdir()
        .expect("a mountpoint directory");
    let mount = vfsbox_fuse::mount(fs.clone(), dir.path(), options).expect("mount");
    Mounted {
        path: mount.mountpoint().to_path_buf(),
        mount: Some(mount),
        fs,
        _dir: dir,
        _guard: Box::new(guard),
    }
}

pub fn mount(fs: Arc<dyn FileSystem>) -> Mounted {
    mount_with(fs, (), &options())
}

/// The built-in providers the kernel tests run on, by name.
pub const PROVIDERS: &[&str] = &["memory", "host", "overlay", "mounts"];

/// A fresh writable provider of kind `name` and what it stands on.
pub fn provider(name: &str) -> (Arc<dyn FileSystem>, Box<dyn std::any::Any>) {
    match name {
        "memory" => (Arc::new(vfsbox_memory::MemoryFs::new()), Box::new(())),
        "host" => {
            let dir = tempfile::tempdir().expect("a host directory");
            let fs = vfsbox_host::HostFs::open(dir.path()).expect("host provider");
            (Arc::new(fs), Box::new(dir))
        }
        "overlay" => {
            let lower: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
            let upper: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
            let overlay = vfsbox_overlay::Overlay::new(
                upper,
                Arc::new(vfsbox_readonly::ReadOnly::new(lower)),
            )
            .expect("overlay");
            (Arc::new(overlay), Box::new(()))
        }
        "mounts" => {
            // A memory root with a host directory mounted at /host (the tests work in the
            // root and leave /host alone, except where they cross into it on purpose).
            let dir = tempfile::tempdir().expect("a host directory");
            let host = vfsbox_host::HostFs::open(dir.path()).expect("host provider");
            let table = vfsbox_mounts::MountTable::builder()
                .mount_new("/", vfsbox_memory::MemoryFs::new())
                .and_then(|b| b.mount_new("/host", host))
                .and_then(|b| b.build())
                .expect("mount table");
            (Arc::new(table), Box::new(dir))
        }
        other => panic!("unknown provider {other}"),
    }
}

/// Mounts a fresh provider of kind `name`.
pub fn mount_provider(name: &str) -> Mounted {
    let (fs, guard) = provider(name);
    mount_with(fs, guard, &options())
}
