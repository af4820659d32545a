//! The conformance suite on the memory provider, a fresh instance per case.

use vfsbox_conformance::{provider_tests, Fixture};

provider_tests!(memory, || Fixture::new(vfsbox_memory::MemoryFs::new()));
