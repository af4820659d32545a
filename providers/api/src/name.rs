//! `Name`: one validated directory-entry name, the only kind of path a provider ever sees.

use crate::Errno;
use ref_cast::RefCast;
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

/// The longest name Linux accepts (`NAME_MAX`).
pub const NAME_MAX: usize = 255;

/// A borrowed directory-entry name: non-empty, no `/`, no NUL, not `.` or `..`, at most
/// [`NAME_MAX`] bytes. Providers receive only `&Name`, so no provider can be handed a
/// multi-component path, `..`, or a symlink walk.
#[derive(RefCast, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Name([u8]);

impl Name {
    /// Validates `bytes` as one name.
    ///
    /// # Errors
    /// In this order: `EINVAL` if empty, contains `/` or NUL, or is `.` or `..`;
    /// `ENAMETOOLONG` if longer than [`NAME_MAX`].
    pub fn new(bytes: &[u8]) -> Result<&Name, Errno> {
        if bytes.is_empty()
            || bytes == b"."
            || bytes == b".."
            || bytes.iter().any(|&b| b == b'/' || b == 0)
        {
            return Err(Errno::EINVAL);
        }
        if bytes.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        Ok(Name::ref_cast(bytes))
    }

    /// The raw bytes of the name.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The name as text, with invalid UTF-8 replaced (for messages only).
    pub fn to_string_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The length in bytes.
    #[allow(clippy::len_without_is_empty)] // a name is never empty
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string_lossy())
    }
}

impl AsRef<[u8]> for Name {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl ToOwned for Name {
    type Owned = NameBuf;
    fn to_owned(&self) -> NameBuf {
        NameBuf(self.0.into())
    }
}

/// An owned [`Name`].
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NameBuf(Box<[u8]>);

impl NameBuf {
    /// Validates and copies `bytes` (see [`Name::new`]).
    ///
    /// # Errors
    /// As [`Name::new`].
    pub fn new(bytes: &[u8]) -> Result<NameBuf, Errno> {
        Name::new(bytes).map(ToOwned::to_owned)
    }
}

impl Deref for NameBuf {
    type Target = Name;
    fn deref(&self) -> &Name {
        Name::ref_cast(&self.0)
    }
}

impl Borrow<Name> for NameBuf {
    fn borrow(&self) -> &Name {
        self
    }
}

// Hash must agree with `Name`'s so maps keyed by `NameBuf` can be queried with `&Name`.
impl std::hash::Hash for NameBuf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl fmt::Debug for NameBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl From<&Name> for NameBuf {
    fn from(name: &Name) -> Self {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_invalid_names_with_precise_errno() {
        assert_eq!(Name::new(b""), Err(Errno::EINVAL));
        assert_eq!(Name::new(b"."), Err(Errno::EINVAL));
        assert_eq!(Name::new(b".."), Err(Errno::EINVAL));
        assert_eq!(Name::new(b"a/b"), Err(Errno::EINVAL));
        assert_eq!(Name::new(b"a\0b"), Err(Errno::EINVAL));
        assert_eq!(Name::new(&[b'x'; 256]), Err(Errno::ENAMETOOLONG));
        assert_eq!(Name::new(&[b'x'; 255]).map(Name::len), Ok(255));
        assert_eq!(Name::new(b"...").map(Name::as_bytes), Ok(&b"..."[..]));
    }

    #[test]
    fn owned_and_borrowed_hash_alike() {
        let mut set = std::collections::HashSet::new();
        set.insert(NameBuf::new(b"file").unwrap());
        assert!(set.contains(Name::new(b"file").unwrap()));
    }
}
