//! The hasher of directory name maps. Names are chosen by sandboxed code, so the hash must be
//! keyed: an attacker who could predict it could fill one bucket chain and make every lookup
//! in that directory linear (hash flooding). foldhash keyed with a per-process random seed
//! keeps that resistance at a fraction of SipHash's cost (a few ns for a short name instead of
//! about 20).

use foldhash::fast::SeedableRandomState;
use foldhash::SharedSeed;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

/// The seed shared by every name map of the process, drawn once from the standard library's
/// `RandomState`, whose keys come from the operating system's random source.
fn shared_seed() -> &'static SharedSeed {
    static SEED: OnceLock<SharedSeed> = OnceLock::new();
    SEED.get_or_init(|| SharedSeed::from_u64(random_u64()))
}

/// 64 random bits from the standard library's randomly keyed hasher.
fn random_u64() -> u64 {
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// Builds the hashers of one name map: the process seed plus a per-map random seed, so two
/// directories do not even share collisions.
#[derive(Clone)]
pub(crate) struct NameHash(SeedableRandomState);

impl Default for NameHash {
    fn default() -> Self {
        NameHash(SeedableRandomState::with_seed(random_u64(), shared_seed()))
    }
}

impl BuildHasher for NameHash {
    type Hasher = <SeedableRandomState as BuildHasher>::Hasher;

    fn build_hasher(&self) -> Self::Hasher {
        self.0.build_hasher()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_are_keyed_differently() {
        let a = NameHash::default();
        let b = NameHash::default();
        assert_ne!(a.hash_one(b"name"), b.hash_one(b"name"));
        assert_eq!(a.hash_one(b"name"), a.hash_one(b"name"));
    }
}
