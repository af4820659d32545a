//! Extended attributes: only the `user.` namespace, with the limits and errnos of Linux.

use std::collections::BTreeMap;
use vfsbox_api::{Errno, FileKind, XattrSet};

/// `XATTR_NAME_MAX`: the longest attribute name, prefix included.
const NAME_MAX: usize = 255;
/// `XATTR_SIZE_MAX`: the largest value.
const SIZE_MAX: usize = 65536;
const USER_PREFIX: &[u8] = b"user.";

/// The attributes of one node; empty costs one pointer-sized map header and no allocation.
#[derive(Debug, Default)]
pub(crate) struct Xattrs(BTreeMap<Box<[u8]>, Box<[u8]>>);

/// Checks a name as the syscalls do before any node is looked at: `ERANGE` if empty or longer
/// than 255 bytes; `EOPNOTSUPP` outside `user.`.
pub(crate) fn check_name(name: &[u8]) -> Result<(), Errno> {
    if name.is_empty() || name.len() > NAME_MAX {
        return Err(Errno::ERANGE);
    }
    if !name.starts_with(USER_PREFIX) {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(())
}

/// The bare prefix `user.` names nothing: `EINVAL`, after the kind check (Linux resolves the
/// handler, which refuses it, only after `xattr_permission`).
pub(crate) fn check_suffix(name: &[u8]) -> Result<(), Errno> {
    if name.len() == USER_PREFIX.len() {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// Checks a value's size: `E2BIG` past 65,536 bytes, as `setxattr(2)` answers.
pub(crate) fn check_value(value: &[u8]) -> Result<(), Errno> {
    if value.len() > SIZE_MAX {
        return Err(Errno::E2BIG);
    }
    Ok(())
}

/// Linux allows `user.` attributes only on regular files and directories.
pub(crate) fn kind_allows_user(kind: FileKind) -> bool {
    matches!(kind, FileKind::Regular | FileKind::Directory)
}

impl Xattrs {
    pub(crate) fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.0.get(name).map(|v| &**v)
    }

    /// Sets `name`.
    ///
    /// # Errors
    /// `EEXIST` for `Create` of an existing name; `ENODATA` for `Replace` of a missing one.
    pub(crate) fn set(&mut self, name: &[u8], value: &[u8], how: XattrSet) -> Result<(), Errno> {
        let exists = self.0.contains_key(name);
        match how {
            XattrSet::Create if exists => return Err(Errno::EEXIST),
            XattrSet::Replace if !exists => return Err(Errno::ENODATA),
            _ => {}
        }
        self.0.insert(name.into(), value.into());
        Ok(())
    }

    /// Removes `name`.
    ///
    /// # Errors
    /// `ENODATA` if it is not set.
    pub(crate) fn remove(&mut self, name: &[u8]) -> Result<(), Errno> {
        self.0.remove(name).map(drop).ok_or(Errno::ENODATA)
    }

    pub(crate) fn names(&self) -> Vec<Vec<u8>> {
        self.0.keys().map(|k| k.to_vec()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_checked_in_linux_order() {
        assert_eq!(check_name(b""), Err(Errno::ERANGE));
        assert_eq!(check_name(&[b'a'; 256]), Err(Errno::ERANGE));
        assert_eq!(check_name(b"trusted.x"), Err(Errno::EOPNOTSUPP));
        assert_eq!(check_suffix(b"user."), Err(Errno::EINVAL));
        assert_eq!(check_name(b"user.x"), Ok(()));
        assert_eq!(check_value(&[0; 65537]), Err(Errno::E2BIG));
        assert_eq!(check_value(&[0; 65536]), Ok(()));
    }

    #[test]
    fn create_and_replace_flags() {
        let mut x = Xattrs::default();
        assert_eq!(
            x.set(b"user.a", b"1", XattrSet::Replace),
            Err(Errno::ENODATA)
        );
        assert_eq!(x.set(b"user.a", b"1", XattrSet::Create), Ok(()));
        assert_eq!(x.set(b"user.a", b"2", XattrSet::Create), Err(Errno::EEXIST));
        assert_eq!(x.set(b"user.a", b"3", XattrSet::Replace), Ok(()));
        assert_eq!(x.get(b"user.a"), Some(&b"3"[..]));
        assert_eq!(x.remove(b"user.a"), Ok(()));
        assert_eq!(x.remove(b"user.a"), Err(Errno::ENODATA));
    }
}
