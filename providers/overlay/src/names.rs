//! The reserved names of the OCI image layer format, kept in the upper layer.
//!
//! A whiteout is an empty regular file `.wh.NAME` beside the deleted `NAME`; an opaque directory
//! holds the marker file `.wh..wh..opq`. Every name starting with `.wh.` is reserved: never
//! listed, never found, never created by a caller. Copy-up stages its work under
//! `.wh..wh..copyup.N`, which is reserved too, so a half-made copy is never visible.

use vfsbox_api::{Errno, Name, NameBuf};

/// The prefix of every reserved name.
pub(crate) const PREFIX: &[u8] = b".wh.";

/// The marker file of an opaque directory.
pub(crate) const OPAQUE: &[u8] = b".wh..wh..opq";

/// True for names the overlay keeps for itself.
pub(crate) fn is_reserved(name: &[u8]) -> bool {
    name.starts_with(PREFIX)
}

/// Refuses a reserved name as the name of something new: `EINVAL`, as Linux answers for a
/// name a filesystem cannot store (vfat, ntfs3). `EPERM` would tell the caller it lacks a
/// right, which no identity could gain; the name itself is what is wrong.
pub(crate) fn refuse_reserved(name: &Name) -> Result<(), Errno> {
    if is_reserved(name.as_bytes()) {
        Err(Errno::EINVAL)
    } else {
        Ok(())
    }
}

/// `.wh.NAME`. A name longer than 251 bytes has no room for the prefix (`ENAMETOOLONG`), so
/// such a lower entry cannot be deleted.
pub(crate) fn whiteout(name: &Name) -> Result<NameBuf, Errno> {
    let mut bytes = PREFIX.to_vec();
    bytes.extend_from_slice(name.as_bytes());
    NameBuf::new(&bytes)
}

/// The name a whiteout `.wh.X` hides (`X`), or `None` for other names and the opaque marker.
pub(crate) fn whited_out(name: &[u8]) -> Option<&[u8]> {
    if name == OPAQUE {
        return None;
    }
    name.strip_prefix(PREFIX).filter(|rest| !rest.is_empty())
}

/// The opaque marker as a [`Name`].
pub(crate) fn opaque() -> &'static Name {
    match Name::new(OPAQUE) {
        Ok(name) => name,
        Err(_) => unreachable!(".wh..wh..opq is a valid name"),
    }
}

/// A staging name for copy-up and for opaque `mkdir`: `.wh..wh..copyup.N`.
pub(crate) fn staging(serial: u64) -> NameBuf {
    match NameBuf::new(format!(".wh..wh..copyup.{serial}").as_bytes()) {
        Ok(name) => name,
        Err(_) => unreachable!("staging names are short and valid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whiteout_names_round_trip() {
        let name = Name::new(b"a.txt").unwrap();
        let wh = whiteout(name).unwrap();
        assert_eq!(wh.as_bytes(), b".wh.a.txt");
        assert_eq!(whited_out(wh.as_bytes()), Some(&b"a.txt"[..]));
        assert_eq!(whited_out(OPAQUE), None);
        assert_eq!(whited_out(b"plain"), None);
        assert!(is_reserved(staging(7).as_bytes()));
        let long = Name::new(&[b'x'; 252]).unwrap();
        assert_eq!(whiteout(long), Err(Errno::ENAMETOOLONG));
        assert_eq!(
            refuse_reserved(Name::new(b".wh.x").unwrap()),
            Err(Errno::EINVAL)
        );
        assert_eq!(refuse_reserved(Name::new(b".whx").unwrap()), Ok(()));
    }
}
