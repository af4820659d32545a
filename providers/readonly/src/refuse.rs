//! The errno a refused mutation gets: the checks Linux makes before it notices the read-only
//! mount, then `EROFS`. Each function is one rule, shared by the methods it applies to.

use vfsbox_api::{Entry, Errno, FileKind, FileSystem, Name, NodeId, SYMLINK_MAX};

/// The largest xattr value Linux accepts (`XATTR_SIZE_MAX`).
pub(crate) const XATTR_SIZE_MAX: usize = 65_536;

/// The longest xattr name Linux accepts (`XATTR_NAME_MAX`).
const XATTR_NAME_MAX: usize = 255;

/// Making a new name (`mkdir`, `mknod`, `symlink`, `link`): Linux's `filename_create` looks
/// the name up before it reports the read-only mount, so a non-directory parent is `ENOTDIR`
/// and an existing name `EEXIST`; a missing one is `EROFS`.
pub(crate) fn new_name(inner: &dyn FileSystem, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
    match inner.lookup(dir, name) {
        Ok(entry) => {
            inner.forget(entry.node, 1);
            Err(Errno::EEXIST)
        }
        Err(Errno::ENOENT) => Err(missing_name(inner, dir)),
        Err(e) => Err(e),
    }
}

/// The errno for creating a name `dir` lacks: `ENOENT` in a removed directory (Linux refuses
/// to look anything up in a dead directory), else `EROFS`.
pub(crate) fn missing_name(inner: &dyn FileSystem, dir: NodeId) -> Errno {
    match inner.getattr(dir) {
        Ok(attr) if attr.nlink == 0 => Errno::ENOENT,
        Ok(_) => Errno::EROFS,
        Err(e) => e,
    }
}

/// Removing or moving names (`unlink`, `rmdir`, `rename`): Linux resolves the parents, then
/// asks for write access to the mount before it looks at the names, so only a stale or
/// non-directory parent comes before `EROFS`.
pub(crate) fn removal(inner: &dyn FileSystem, dirs: &[NodeId]) -> Result<(), Errno> {
    for &dir in dirs {
        if inner.getattr(dir)?.kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
    }
    Err(Errno::EROFS)
}

/// The target checks `symlink` makes before resolving the new name.
pub(crate) fn symlink_target(target: &[u8]) -> Result<(), Errno> {
    if target.is_empty() {
        Err(Errno::ENOENT)
    } else if target.len() > SYMLINK_MAX {
        Err(Errno::ENAMETOOLONG)
    } else {
        Ok(())
    }
}

/// The kind checks of `truncate`, which Linux makes before asking for write access.
pub(crate) fn truncate_kind(kind: FileKind) -> Result<(), Errno> {
    match kind {
        FileKind::Regular => Ok(()),
        FileKind::Directory => Err(Errno::EISDIR),
        _ => Err(Errno::EINVAL),
    }
}

/// The name checks of `setxattr`/`removexattr`, made as the name is copied in.
pub(crate) fn xattr_name(name: &[u8]) -> Result<(), Errno> {
    if name.is_empty() || name.len() > XATTR_NAME_MAX {
        Err(Errno::ERANGE)
    } else {
        Ok(())
    }
}
