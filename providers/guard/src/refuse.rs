//! The errno a refused call gets. A rule refuses like a permission check (deny) or a
//! read-only mount (read-only), so the errors Linux finds before those checks come first;
//! each function is one such precedence rule. These run only on refusal paths.

use vfsbox_api::{Errno, FileKind, FileSystem, Name, NodeId, SYMLINK_MAX};

/// The largest xattr value Linux accepts (`XATTR_SIZE_MAX`).
pub(crate) const XATTR_SIZE_MAX: usize = 65_536;

/// Making a name (`mkdir`, `mknod`, `symlink`, `link`, `create`) refused with `errno`: Linux
/// looks the name up first, so a non-directory parent is `ENOTDIR`, an existing name `EEXIST`
/// and a removed parent `ENOENT`; only then the refusal. (Hidden names never get here: they
/// are `EACCES` straight away, so existence does not leak.)
pub(crate) fn new_name(inner: &dyn FileSystem, dir: NodeId, name: &Name, errno: Errno) -> Errno {
    match inner.lookup(dir, name) {
        Ok(entry) => {
            inner.forget(entry.node, 1);
            Errno::EEXIST
        }
        Err(Errno::ENOENT) => missing_name(inner, dir, errno),
        Err(e) => e,
    }
}

/// Making a missing name refused with `errno`: `ENOENT` in a removed directory (Linux
/// refuses to look anything up in a dead directory), else `errno`.
pub(crate) fn missing_name(inner: &dyn FileSystem, dir: NodeId, errno: Errno) -> Errno {
    match inner.getattr(dir) {
        Ok(attr) if attr.nlink == 0 => Errno::ENOENT,
        Ok(_) => errno,
        Err(e) => e,
    }
}

/// Removing or renaming refused with `errno`. A read-only refusal comes before the names are
/// looked at (Linux asks the mount for write access first); a permission refusal after the
/// name is found (`ENOENT` first).
pub(crate) fn removal(inner: &dyn FileSystem, dir: NodeId, name: &Name, errno: Errno) -> Errno {
    if errno == Errno::EROFS {
        return errno;
    }
    match inner.lookup(dir, name) {
        Ok(entry) => {
            inner.forget(entry.node, 1);
            errno
        }
        Err(e) => e,
    }
}

/// Opening refused with `errno`: Linux checks the kind first (`ELOOP` for a symlink, `EISDIR`
/// for a directory). A read-only refusal lets FIFOs, sockets and devices through, as a
/// read-only mount does (`Ok(())`: open them).
pub(crate) fn open(inner: &dyn FileSystem, node: NodeId, errno: Errno) -> Result<(), Errno> {
    match inner.getattr(node)?.kind {
        FileKind::Symlink => Err(Errno::ELOOP),
        FileKind::Directory => Err(Errno::EISDIR),
        FileKind::Regular => Err(errno),
        _ if errno == Errno::EROFS => Ok(()),
        _ => Err(errno),
    }
}

/// `opendir` refused with `errno`: a non-directory is `ENOTDIR` first.
pub(crate) fn opendir(inner: &dyn FileSystem, node: NodeId, errno: Errno) -> Errno {
    match inner.getattr(node) {
        Ok(attr) if attr.kind != FileKind::Directory => Errno::ENOTDIR,
        Ok(_) => errno,
        Err(e) => e,
    }
}

/// A size change refused with `errno`: `truncate` checks the kind first.
pub(crate) fn truncate(inner: &dyn FileSystem, node: NodeId, errno: Errno) -> Errno {
    match inner.getattr(node) {
        Ok(attr) => match attr.kind {
            FileKind::Regular => errno,
            FileKind::Directory => Errno::EISDIR,
            _ => Errno::EINVAL,
        },
        Err(e) => e,
    }
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

/// The name and size checks of `setxattr`/`removexattr`, made as the arguments are copied in.
pub(crate) fn xattr_args(name: &[u8], value_len: usize) -> Result<(), Errno> {
    if name.is_empty() || name.len() > 255 {
        Err(Errno::ERANGE)
    } else if value_len > XATTR_SIZE_MAX {
        Err(Errno::E2BIG)
    } else {
        Ok(())
    }
}

/// The errno for a dead parent that has no path any more: `ENOTDIR` if it is not a
/// directory, else `ENOENT` (a removed directory).
pub(crate) fn pathless_dir(inner: &dyn FileSystem, dir: NodeId) -> Errno {
    match inner.getattr(dir) {
        Ok(attr) if attr.kind != FileKind::Directory => Errno::ENOTDIR,
        Ok(_) => Errno::ENOENT,
        Err(e) => e,
    }
}
