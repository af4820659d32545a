//! Turning a [`ProviderSpec`] into a factory of fresh providers, one per conformance case.

use crate::spec::ProviderSpec;
use std::path::{Path, PathBuf};
use vfsbox_conformance::{Factory, Fixture};

/// Why a provider could not be set up before the run.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// `host:DIR` names something that is not an existing directory.
    #[error("host directory {dir:?} does not exist or is not a directory; create it first (mkdir -p {}) or name an existing directory", dir.display())]
    NoSuchDirectory { dir: PathBuf },
}

/// Makes a fresh provider per case.
pub enum SpecFactory {
    /// A new `MemoryFs` per case.
    Memory,
    /// A host provider over a new temporary subdirectory of this directory per case.
    Host(PathBuf),
}

impl SpecFactory {
    /// The factory for `spec`, checking what can be checked before the run.
    ///
    /// # Errors
    /// [`SetupError::NoSuchDirectory`] if a host directory does not exist.
    pub fn new(spec: &ProviderSpec) -> Result<SpecFactory, SetupError> {
        match spec {
            ProviderSpec::Memory => Ok(SpecFactory::Memory),
            ProviderSpec::Host(dir) => {
                if !dir.is_dir() {
                    return Err(SetupError::NoSuchDirectory { dir: dir.clone() });
                }
                Ok(SpecFactory::Host(dir.clone()))
            }
        }
    }
}

/// A host provider over a fresh subdirectory of `parent`, which is removed when the fixture
/// is dropped. Panics (reported as the case's failure) if the host refuses.
fn host_fixture(parent: &Path) -> Fixture {
    let dir = tempfile::Builder::new()
        .prefix("vfsbox-case-")
        .tempdir_in(parent)
        .unwrap_or_else(|e| panic!("cannot make a case directory in {parent:?}: {e}"));
    let fs = vfsbox_host::HostFs::open(dir.path())
        .unwrap_or_else(|e| panic!("cannot open the host provider on {:?}: {e}", dir.path()));
    Fixture::new(fs).with_guard(dir)
}

impl Factory for SpecFactory {
    fn make(&self) -> Fixture {
        match self {
            SpecFactory::Memory => Fixture::new(vfsbox_memory::MemoryFs::new()),
            SpecFactory::Host(dir) => host_fixture(dir),
        }
    }
}
