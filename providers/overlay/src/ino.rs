//! Inode numbers: stable across copy-up, and never the same for an upper-only and a lower file.
//!
//! The scheme is overlayfs's `xino` with one bit: a node that came from the lower layer reports
//! `lower_ino * 2 + 1`, a node that exists only in the upper layer `upper_ino * 2`. The low bit
//! says which layer the number came from, so the two ranges cannot collide (layer inode numbers
//! must stay below 2^63, as Linux `ino_t` values of local filesystems do).
//!
//! Copy-up keeps the number: the overlay records, per upper inode number, the overlay inode
//! number its file had before (the *origin*, which overlayfs keeps in a `trusted.overlay.origin`
//! xattr). Lookups and listings of upper entries consult the record first, so a copied-up file
//! reports its old number however it is found again. The record lives as long as the overlay
//! and is dropped when the upper file loses its last name. A merged directory the overlay did
//! not copy up itself (an upper layer from an earlier session) reports its upper number, in
//! lookups and listings alike.

use crate::Overlay;

/// The overlay inode number of a node that came from the lower layer.
pub(crate) fn from_lower(ino: u64) -> u64 {
    (ino << 1) | 1
}

/// The overlay inode number of a node that exists only in the upper layer.
pub(crate) fn from_upper(ino: u64) -> u64 {
    ino << 1
}

impl Overlay {
    /// The overlay inode number of an upper entry whose upper inode number is `upper_ino`.
    pub(crate) fn upper_entry_ino(&self, upper_ino: u64) -> u64 {
        self.origins
            .lock()
            .get(&upper_ino)
            .copied()
            .unwrap_or_else(|| from_upper(upper_ino))
    }

    /// Remembers that the upper file `upper_ino` reports `ino` (its number before copy-up).
    pub(crate) fn record_origin(&self, upper_ino: u64, ino: u64) {
        self.origins.lock().insert(upper_ino, ino);
    }

    /// Forgets the record of an upper file that lost its last name (its number may be reused).
    pub(crate) fn drop_origin(&self, upper_ino: u64) {
        self.origins.lock().remove(&upper_ino);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_never_collide() {
        for ino in [0u64, 1, 2, 12345, (1 << 62) + 7] {
            assert_ne!(from_lower(ino), from_upper(ino));
            assert_eq!(from_lower(ino) & 1, 1);
            assert_eq!(from_upper(ino) & 1, 0);
        }
    }
}
