//! A directory's map from names: a short vector while the directory is small, a hash map
//! once it grows. Names are chosen by sandboxed code, so the hash must be keyed: an attacker
//! who could predict it could fill one bucket chain and make every lookup in that directory
//! linear (hash flooding). foldhash keyed with a per-process random seed keeps that
//! resistance at a fraction of SipHash's cost (a few ns for a short name instead of about
//! 20). A vector of at most [`FEW`] names cannot be flooded, and scanning it (a length
//! compare per name, most of them unequal) costs less than hashing the name once.

use foldhash::fast::SeedableRandomState;
use foldhash::SharedSeed;
use ref_cast::RefCast;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, OnceLock};

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

/// A name as a name map hashes and compares it: its bytes alone are hashed (a map key is one
/// name, so the length prefix `[u8]`'s `Hash` writes separates nothing), and a short name is
/// compared with two word loads instead of a call to `memcmp`. A lookup in the map is most of
/// the cost of one step of a path walk.
#[derive(RefCast)]
#[repr(transparent)]
pub(crate) struct NameKey([u8]);

impl NameKey {
    pub(crate) fn new(bytes: &[u8]) -> &NameKey {
        NameKey::ref_cast(bytes)
    }
}

impl Hash for NameKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(&self.0);
    }
}

impl PartialEq for NameKey {
    #[inline]
    fn eq(&self, other: &NameKey) -> bool {
        same_bytes(&self.0, &other.0)
    }
}

impl Eq for NameKey {}

/// An owned [`NameKey`]: the name's one allocation (a long name's listed entry shares it).
#[derive(Clone)]
pub(crate) struct NameKeyBuf(pub(crate) Arc<[u8]>);

impl Borrow<NameKey> for NameKeyBuf {
    fn borrow(&self) -> &NameKey {
        NameKey::new(&self.0)
    }
}

impl Hash for NameKeyBuf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        NameKey::new(&self.0).hash(state);
    }
}

impl PartialEq for NameKeyBuf {
    fn eq(&self, other: &NameKeyBuf) -> bool {
        same_bytes(&self.0, &other.0)
    }
}

impl Eq for NameKeyBuf {}

/// Entries a directory keeps in a vector before it builds a hash map.
pub(crate) const FEW: usize = 8;

/// A directory's entries by name.
pub(crate) enum NameMap<V> {
    /// At most [`FEW`] entries, in no particular order.
    Few(Vec<(NameKeyBuf, V)>),
    Many(HashMap<NameKeyBuf, V, NameHash>),
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap::Few(Vec::new())
    }
}

impl<V> NameMap<V> {
    #[inline]
    pub(crate) fn get(&self, key: &NameKey) -> Option<&V> {
        match self {
            NameMap::Few(few) => {
                let wanted = &key.0;
                for (k, v) in few {
                    if k.0.len() == wanted.len() && same_bytes(&k.0, wanted) {
                        return Some(v);
                    }
                }
                None
            }
            NameMap::Many(map) => get_many(map, key),
        }
    }

    pub(crate) fn get_mut(&mut self, key: &NameKey) -> Option<&mut V> {
        match self {
            NameMap::Few(few) => few.iter_mut().find(|(k, _)| k.key() == key).map(|(_, v)| v),
            NameMap::Many(map) => map.get_mut(key),
        }
    }

    /// Adds an entry whose name is not in the map yet.
    pub(crate) fn insert_new(&mut self, key: NameKeyBuf, value: V) {
        match self {
            NameMap::Few(few) if few.len() < FEW => few.push((key, value)),
            NameMap::Few(few) => {
                let mut map = HashMap::with_capacity_and_hasher(2 * FEW, NameHash::default());
                map.extend(few.drain(..));
                map.insert(key, value);
                *self = NameMap::Many(map);
            }
            NameMap::Many(map) => {
                map.insert(key, value);
            }
        }
    }

    pub(crate) fn remove(&mut self, key: &NameKey) -> Option<V> {
        match self {
            NameMap::Few(few) => {
                let at = few.iter().position(|(k, _)| k.key() == key)?;
                Some(few.swap_remove(at).1)
            }
            NameMap::Many(map) => map.remove(key),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            NameMap::Few(few) => few.len(),
            NameMap::Many(map) => map.len(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes every value out.
    pub(crate) fn take_values(&mut self) -> Vec<V> {
        match std::mem::take(self) {
            NameMap::Few(few) => few.into_iter().map(|(_, v)| v).collect(),
            NameMap::Many(map) => map.into_values().collect(),
        }
    }
}

/// A lookup in a large directory's hash map, kept out of line so that the scan of a small
/// one, inlined into the walk, saves no registers for it.
#[inline(never)]
fn get_many<'m, V>(map: &'m HashMap<NameKeyBuf, V, NameHash>, key: &NameKey) -> Option<&'m V> {
    map.get(key)
}

impl NameKeyBuf {
    fn key(&self) -> &NameKey {
        NameKey::new(&self.0)
    }
}

/// `a == b`, without a `memcmp` call for up to 16 bytes: the first and the last word of
/// each (overlapping when shorter than two words) decide.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    match len {
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, len - 8) == word8(b, len - 8),
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, len - 4) == word4(b, len - 4),
        // The first, middle and last bytes are every byte of a name this short.
        1..=3 => a[0] == b[0] && a[len / 2] == b[len / 2] && a[len - 1] == b[len - 1],
        0 => true,
        _ => a == b,
    }
}

fn word8(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_ne_bytes(word)
}

fn word4(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_ne_bytes(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_equal_exactly_when_their_bytes_do() {
        let names: Vec<Vec<u8>> = (0..=40)
            .flat_map(|len| {
                let base: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                let mut variants = vec![base.clone()];
                // One byte changed at each position: the first, inner and last bytes of
                // both words must each decide.
                for at in 0..len {
                    let mut changed = base.clone();
                    changed[at] = b'#';
                    variants.push(changed);
                }
                variants
            })
            .collect();
        for a in &names {
            for b in &names {
                assert_eq!(same_bytes(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn a_name_map_keeps_every_entry_as_it_grows_and_shrinks() {
        let mut map = NameMap::default();
        let key = |i: u32| NameKeyBuf(Arc::from(format!("n{i}").into_bytes()));
        for i in 0..40u32 {
            assert!(matches!(map, NameMap::Few(_)) == (i <= FEW as u32), "{i}");
            map.insert_new(key(i), i);
            assert_eq!(map.len(), i as usize + 1);
            for j in 0..=i {
                assert_eq!(map.get(key(j).key()), Some(&j));
            }
            assert_eq!(map.get(key(i + 1).key()), None);
        }
        *map.get_mut(key(3).key()).unwrap() = 300;
        assert_eq!(map.remove(key(3).key()), Some(300));
        assert_eq!(map.remove(key(3).key()), None);
        let mut small = NameMap::default();
        for i in 0..5u32 {
            small.insert_new(key(i), i);
        }
        assert_eq!(small.remove(key(1).key()), Some(1));
        *small.get_mut(key(4).key()).unwrap() = 40;
        let mut values = small.take_values();
        values.sort_unstable();
        assert_eq!(values, [0, 2, 3, 40]);
        assert!(small.is_empty());
        let mut values = map.take_values();
        values.sort_unstable();
        assert_eq!(values.len(), 39);
        assert!(map.is_empty());
    }

    #[test]
    fn a_map_finds_each_name_by_a_borrowed_key() {
        let mut map = std::collections::HashMap::with_hasher(NameHash::default());
        for i in 0..100u32 {
            let name = format!("name-{i}").into_bytes();
            map.insert(NameKeyBuf(Arc::from(name)), i);
        }
        for i in 0..100u32 {
            let name = format!("name-{i}").into_bytes();
            assert_eq!(map.get(NameKey::new(&name)), Some(&i));
        }
        assert_eq!(map.get(NameKey::new(b"name-100")), None);
        assert_eq!(map.get(NameKey::new(b"name")), None);
    }

    #[test]
    fn maps_are_keyed_differently() {
        let a = NameHash::default();
        let b = NameHash::default();
        assert_ne!(a.hash_one(b"name"), b.hash_one(b"name"));
        assert_eq!(a.hash_one(b"name"), a.hash_one(b"name"));
    }
}
