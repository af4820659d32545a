//! Building the provider a [`ProviderSpec`] names: once for a mount, or afresh for each
//! conformance case.

use crate::spec::ProviderSpec;
use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vfsbox_api::FileSystem;
use vfsbox_conformance::{Factory, Fixture};
use vfsbox_memory::MemoryFs;
use vfsbox_mounts::{MountError, MountTable};
use vfsbox_overlay::{Overlay, OverlayError};
use vfsbox_readonly::ReadOnly;

/// Why a provider could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// `host:DIR` names something that is not an existing directory.
    #[error("host directory {dir:?} does not exist or is not a directory; create it first (mkdir -p {}) or name an existing directory", dir.display())]
    NoSuchDirectory { dir: PathBuf },
    /// A scratch directory could not be made.
    #[error("cannot make a directory in {parent:?}: {source}")]
    Scratch {
        parent: PathBuf,
        source: std::io::Error,
    },
    /// The host provider refused its directory.
    #[error(transparent)]
    Host(#[from] vfsbox_host::HostError),
    /// The overlay refused its layers.
    #[error("overlay: {0}")]
    Overlay(#[from] OverlayError),
    /// The mount table refused its layout.
    #[error("mount table: {0}")]
    Mounts(#[from] MountError),
}

/// What a `host:DIR` in a spec stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostDirs {
    /// DIR itself (a mount of the user's directory).
    AsGiven,
    /// A fresh temporary subdirectory of DIR, removed with the provider (a conformance case).
    FreshInside,
}

/// A provider and what it stands on (temporary directories), dropped after it.
pub struct Built {
    /// The provider.
    pub fs: Arc<dyn FileSystem>,
    guards: Vec<Box<dyn Any + Send>>,
}

impl Built {
    /// The provider and its guards as a conformance fixture.
    pub fn into_fixture(self) -> Fixture {
        Fixture::from_arc(self.fs).with_guard(self.guards)
    }
}

/// Builds the provider `spec` names. The lower layer of an overlay is made read-only.
///
/// # Errors
/// [`SetupError`] when a directory is missing or a provider refuses its configuration.
pub fn build(spec: &ProviderSpec, host_dirs: HostDirs) -> Result<Built, SetupError> {
    let mut guards = Vec::new();
    let fs = build_into(spec, host_dirs, &mut guards)?;
    Ok(Built { fs, guards })
}

fn build_into(
    spec: &ProviderSpec,
    host_dirs: HostDirs,
    guards: &mut Vec<Box<dyn Any + Send>>,
) -> Result<Arc<dyn FileSystem>, SetupError> {
    Ok(match spec {
        ProviderSpec::Memory => Arc::new(MemoryFs::new()),
        ProviderSpec::Host(dir) => {
            if !dir.is_dir() {
                return Err(SetupError::NoSuchDirectory { dir: dir.clone() });
            }
            match host_dirs {
                HostDirs::AsGiven => Arc::new(vfsbox_host::HostFs::open(dir)?),
                HostDirs::FreshInside => {
                    let scratch = scratch_dir(dir)?;
                    let fs = vfsbox_host::HostFs::open(scratch.path())?;
                    guards.push(Box::new(scratch));
                    Arc::new(fs)
                }
            }
        }
        ProviderSpec::ReadOnly(inner) => {
            Arc::new(ReadOnly::new(build_into(inner, host_dirs, guards)?))
        }
        ProviderSpec::Overlay { upper, lower } => {
            let upper = build_into(upper, host_dirs, guards)?;
            let lower = build_into(lower, host_dirs, guards)?;
            let lower: Arc<dyn FileSystem> = if lower.capabilities().read_only {
                lower
            } else {
                Arc::new(ReadOnly::new(lower))
            };
            Arc::new(Overlay::new(upper, lower)?)
        }
        ProviderSpec::Mounts => Arc::new(builtin_mount_table(guards)?),
    })
}

/// A fresh directory inside `parent`, removed when dropped.
fn scratch_dir(parent: &Path) -> Result<tempfile::TempDir, SetupError> {
    tempfile::Builder::new()
        .prefix("vfsbox-")
        .tempdir_in(parent)
        .map_err(|source| SetupError::Scratch {
            parent: parent.to_path_buf(),
            source,
        })
}

/// The mounts of the built-in mixed table, with the writable ones the conformance suite runs
/// in: memory at `/`, a host temporary directory at `/host`, a read-only memory provider at
/// `/ro`, an overlay of memory over read-only memory at `/overlay`, and memory at
/// `/data/cache` below the synthesized directory `/data`.
pub const BUILTIN_WRITABLE_MOUNTS: [&str; 3] = ["/host", "/overlay", "/data/cache"];

fn builtin_mount_table(guards: &mut Vec<Box<dyn Any + Send>>) -> Result<MountTable, SetupError> {
    let host_dir = scratch_dir(&std::env::temp_dir())?;
    let host = vfsbox_host::HostFs::open(host_dir.path())?;
    guards.push(Box::new(host_dir));
    let overlay = Overlay::new(
        Arc::new(MemoryFs::new()),
        Arc::new(ReadOnly::wrap(MemoryFs::new())),
    )?;
    Ok(MountTable::builder()
        .mount_new("/", MemoryFs::new())?
        .mount_new("/host", host)?
        .mount_new("/ro", ReadOnly::wrap(MemoryFs::new()))?
        .mount_new("/overlay", overlay)?
        .mount_new("/data/cache", MemoryFs::new())?
        .build()?)
}

/// Makes a fresh provider of one spec per conformance case, optionally run inside one
/// directory of it (for the mount table, whose root lists its mount points).
pub struct SpecFactory {
    spec: ProviderSpec,
    inside: Vec<String>,
}

impl SpecFactory {
    /// The factory for `spec`, run at `inside` (`/` for the root). One provider is built here
    /// to report a bad spec before the run.
    ///
    /// # Errors
    /// [`SetupError`] as [`build`].
    pub fn new(spec: &ProviderSpec, inside: &str) -> Result<SpecFactory, SetupError> {
        let factory = SpecFactory {
            spec: spec.clone(),
            inside: inside
                .split('/')
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect(),
        };
        drop(build(spec, HostDirs::FreshInside)?);
        Ok(factory)
    }
}

impl Factory for SpecFactory {
    /// A fresh provider. Panics (reported as the case's failure) if the host refuses.
    fn make(&self) -> Fixture {
        let built = build(&self.spec, HostDirs::FreshInside)
            .unwrap_or_else(|e| panic!("cannot set up {}: {e}", self.spec));
        let fixture = built.into_fixture();
        if self.inside.is_empty() {
            return fixture;
        }
        let inside: Vec<&str> = self.inside.iter().map(String::as_str).collect();
        fixture
            .rooted_at(&inside)
            .unwrap_or_else(|e| panic!("cannot enter /{} of {}: {e}", inside.join("/"), self.spec))
    }
}
