//! The `FileSystem` trait: the node-based contract every provider implements.

use crate::{Attr, Capabilities, Errno, FallocateMode, FileKind, Name, OpenFlags, RenameFlags};
use crate::{SetAttr, StatFs, XattrSet};

/// A node (inode) of one provider. Stable while referenced: from the `Entry` that returned it
/// until `forget` drops its last lookup. Never reused by the provider that issued it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u64);

/// An open file or directory of one provider, from `open`/`create`/`opendir` until
/// `release`/`releasedir`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HandleId(pub u64);

/// A node found or made by `lookup`, `mkdir`, `mknod`, `create`, `symlink` or `link`. Each
/// one counts as one lookup of `node`, to be given back with `forget`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The node.
    pub node: NodeId,
    /// Its attributes at the time of the call.
    pub attr: Attr,
}

/// The consumer's search-permission check that [`FileSystem::lookup_path`] calls with the
/// attributes of each directory it looks a name up in.
pub type SearchCheck<'a> = &'a mut dyn FnMut(&Attr) -> Result<(), Errno>;

/// The consumer's `may_open` check that [`FileSystem::open_name`] calls with the attributes
/// of the very object it opened, before anything it cannot undo.
pub type OpenCheck<'a> = &'a mut dyn FnMut(&Attr) -> Result<(), Errno>;

/// The owner a new node gets: the caller's fsuid and fsgid. A provider gives the node the
/// directory's group instead when the directory has the set-group-id bit, and gives new
/// subdirectories of such a directory the set-group-id bit, as Linux does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Owner {
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
}

/// One directory entry produced by `readdir`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirEntry<'a> {
    /// The entry's name.
    pub name: &'a Name,
    /// The inode number (`Attr::ino`) of the node it names.
    pub ino: u64,
    /// The node's kind.
    pub kind: FileKind,
    /// Where to resume the listing after this entry (never 0).
    pub cookie: u64,
}

/// Where `seek` looks for the next data or hole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeekHole {
    /// `SEEK_DATA`: the first offset at or after the given one that holds data.
    Data,
    /// `SEEK_HOLE`: the first offset at or after the given one in a hole (end of file counts).
    Hole,
}

/// A filesystem provider: namespace operations on nodes, I/O on open handles.
///
/// It sees one [`Name`] at a time, never a path: resolution (`.`, `..`, symlinks, trailing
/// slashes) is the consumer's. Permission checks are the consumer's too (the emulated layer
/// checks its virtual identity, the kernel checks for a FUSE mount); a provider only enforces
/// what a filesystem itself enforces (kinds, emptiness, read-only, quotas, capabilities).
/// Modes passed to creating calls are final: the consumer has applied its umask.
///
/// Errors common to every method, checked first: an unknown or forgotten [`NodeId`] is
/// `ESTALE`; an unknown or released [`HandleId`] is `EBADF`. Each method's `# Errors` then
/// lists the rest in precedence order (the first that applies is the one returned).
/// "read-only" means `Capabilities::read_only`. Nothing panics on bad input.
///
/// A directory that has been removed (`rmdir`, or replaced by `rename`) but whose node id is
/// still held is dead, as Linux's `IS_DEADDIR`: making a name in it (`mkdir`, `mknod`,
/// `create`, `symlink`, `link`, `rename` into it) is `ENOENT`, and so is `readdir` on a handle
/// of it; `getattr` reports `nlink` 0.
pub trait FileSystem: Send + Sync {
    /// What this provider supports.
    fn capabilities(&self) -> Capabilities;

    /// The root directory. It is always valid and never needs `forget`.
    fn root(&self) -> NodeId;

    /// Finds `name` in directory `dir` and counts one lookup of the node.
    ///
    /// # Errors
    /// `ENOTDIR` if `dir` is not a directory; `ENOENT` if there is no such entry.
    fn lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno>;

    /// Looks up `names` one after another from `dir`, as the consumer's resolver would with
    /// [`lookup`](Self::lookup) and [`forget`](Self::forget) per name, in one call: an optional
    /// shortcut for a path with no `.`, `..` or symlink on the way. Providers still see names,
    /// never a path text, and the resolver still handles symlinks: the answer is `None`
    /// ("walk them yourself, one at a time") whenever a name before the last is a symlink, and
    /// may be `None` for any other reason; the default always answers `None`. Wrappers that
    /// act on lookups (rules, audit, overlay, mount tables) keep the default.
    ///
    /// `search`, when given, is called with the attributes of each directory before a name
    /// is looked up in it (`dir` itself first, then each directory on the way, with the
    /// attributes its lookup found): the consumer's search-permission check, whose error ends
    /// the walk. `None` means the consumer checks nothing (an identity that passes every
    /// search check).
    ///
    /// With `hold`, the last name's node is counted one lookup, as by `lookup`; without it
    /// nothing is counted and only the returned attributes may be used, not the node id.
    ///
    /// # Errors
    /// Exactly what the name-by-name walk would give at the step where it stops, in its
    /// order: the error of `search`; then `lookup`'s errors (`ENOTDIR`, `ENOENT`); `ENOTDIR`
    /// when a name before the last is neither a directory nor a symlink.
    fn lookup_path(
        &self,
        dir: NodeId,
        names: &[&Name],
        search: Option<SearchCheck<'_>>,
        hold: bool,
    ) -> Option<Result<Entry, Errno>> {
        let _ = (dir, names, search, hold);
        None
    }

    /// Opens the regular file `name` in `dir` for I/O, as the consumer would with
    /// [`lookup`](Self::lookup), its permission check, then [`open`](Self::open), in one
    /// call: an optional shortcut for a provider that can open a name directly (the host
    /// provider: one `openat` instead of a `statx` for the lookup, the `openat`, and a
    /// `statx` to check the name still names the node looked up).
    ///
    /// The answer is `None` ("look it up and open it yourself") whenever the name is not a
    /// regular file (a directory, a symlink the consumer may have to follow, a FIFO, socket
    /// or device), and may be `None` for any other reason (the provider cannot tell the
    /// error's place in the order below, the provider is read-only and `flags` write or
    /// truncate, `TRUNCATE` without a writing access mode, …); the default always answers
    /// `None`. `None` leaves nothing behind: nothing counted, nothing open, nothing changed.
    /// A FIFO, socket or device must not be opened before `check` has passed (opening one
    /// can block, wake a writer or act on a device), and a directory or symlink need not be
    /// opened at all: a provider answers `None` for them, without opening, when it knows the
    /// kind beforehand, and otherwise only opens with `O_NONBLOCK`-like care and closes again.
    /// Wrappers keep the default unless forwarding keeps every check of their own (a
    /// read-only view: `EROFS` for writing opens; a mount table: its node ids; rules, audit,
    /// overlay copy-up: their lookups and opens).
    ///
    /// `check` is called once, with the attributes of the object actually opened (not those
    /// of an earlier lookup of the name, which another process may have replaced since),
    /// before the file is truncated or anything else is done that cannot be undone. Its
    /// error ends the call: the provider closes what it opened, gives back a lookup it
    /// counted, and returns that error, leaving the file untouched.
    ///
    /// On success the entry counts one lookup of the node, as [`lookup`](Self::lookup) does,
    /// and the handle is open as by [`open`](Self::open) with `flags` (truncated to 0 with
    /// `OpenFlags::TRUNCATE`, after `check`); the entry's attributes are those after the
    /// truncation.
    ///
    /// # Errors
    /// In this order: `ENOTDIR` if `dir` is not a directory; `ENOENT` if there is no such
    /// entry (`lookup`'s errors); the error of `check`; then `open`'s errors. Anything else
    /// the provider meets is `None`, so that the usual way gives it in its place.
    fn open_name(
        &self,
        dir: NodeId,
        name: &Name,
        flags: OpenFlags,
        check: OpenCheck<'_>,
    ) -> Option<Result<(Entry, HandleId), Errno>> {
        let _ = (dir, name, flags, check);
        None
    }

    /// Gives back `count` lookups of `node`. When none remain, the node id becomes invalid and
    /// a provider may free what it holds for it (a removed file's data once also unopened).
    /// Unknown nodes, the root, and counts larger than held are ignored.
    fn forget(&self, node: NodeId, count: u64);

    /// The node's attributes.
    ///
    /// # Errors
    /// Only the common ones.
    fn getattr(&self, node: NodeId) -> Result<Attr, Errno>;

    /// Changes attributes and returns the new ones; any change sets `ctime` to now. A size
    /// change also sets `mtime`. Changing uid or gid of a non-directory clears its set-user-id
    /// bit, and its set-group-id bit if group-execute is set. `handle` is the open file a size
    /// change came through (`ftruncate`), which keeps working after the file is unlinked.
    ///
    /// # Errors
    /// `EROFS` if read-only (but a size change of a non-regular file gets the kind errors below
    /// first, as `truncate` checks the kind before the mount; an empty change succeeds, as
    /// `utimensat` with both times omitted does); `EINVAL` if `perm` has bits outside
    /// `PERM_MASK`; `EISDIR` for a size change of a directory, `EINVAL` for one of any other
    /// non-regular file; `EPERM` for
    /// uid/gid changes without `Capabilities::ownership`; `EFBIG` for a size beyond the
    /// provider's largest file; `ENOSPC` if a quota refuses it.
    fn setattr(
        &self,
        node: NodeId,
        changes: &SetAttr,
        handle: Option<HandleId>,
    ) -> Result<Attr, Errno>;

    /// The target of a symbolic link, byte for byte as created.
    ///
    /// # Errors
    /// `EINVAL` if the node is not a symbolic link.
    fn readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno>;

    /// Makes a directory `name` in `dir` with permissions `perm`.
    ///
    /// # Errors
    /// `ENOTDIR` if `dir` is not a directory; `EEXIST` if `name` exists (any kind); `EROFS` if
    /// read-only; `EINVAL` if `perm` has bits outside `PERM_MASK`; `EMLINK` if `dir` has too
    /// many links; `ENOSPC` if a quota refuses it.
    fn mkdir(&self, dir: NodeId, name: &Name, perm: u32, owner: Owner) -> Result<Entry, Errno>;

    /// Makes a non-directory node: a regular file, FIFO, socket or device.
    ///
    /// # Errors
    /// The kind is checked first, as Linux checks it before resolving the parent: `EPERM` for
    /// `FileKind::Directory`, `EINVAL` for `FileKind::Symlink` (use `mkdir`/`symlink`). Then
    /// `ENOTDIR` if `dir` is not a directory; `EEXIST` if `name` exists; `EROFS` if read-only;
    /// `EINVAL` for `perm` bits outside `PERM_MASK`; `EPERM` for a kind the provider cannot
    /// make (FIFOs without `Capabilities::fifos`; devices unless the provider allows them);
    /// `ENOSPC` if a quota refuses it.
    fn mknod(
        &self,
        dir: NodeId,
        name: &Name,
        kind: FileKind,
        perm: u32,
        rdev: u64,
        owner: Owner,
    ) -> Result<Entry, Errno>;

    /// Opens `name` in `dir`, making it a regular file with permissions `perm` if absent.
    /// With `OpenFlags::EXCLUSIVE` an existing name is an error; without it an existing
    /// regular file is opened (and truncated with `OpenFlags::TRUNCATE`) as by `open`.
    ///
    /// # Errors
    /// `ENOTDIR` if `dir` is not a directory; `EEXIST` if `name` exists and the call is
    /// exclusive; then for an existing name the errors of `open` (`EISDIR` for a directory);
    /// `EROFS` if read-only; `EINVAL` for `perm` bits outside `PERM_MASK`; `ENOSPC` if a quota
    /// refuses it.
    fn create(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno>;

    /// Makes a symbolic link `name` in `dir` whose target is `target`, stored verbatim.
    ///
    /// # Errors
    /// The target is checked first, as Linux copies it in before resolving the new name:
    /// `ENOENT` if `target` is empty; `ENAMETOOLONG` if it is longer than 4095 bytes. Then
    /// `ENOTDIR` if `dir` is not a directory; `EEXIST` if `name` exists; `EROFS` if read-only;
    /// `EPERM` without `Capabilities::symlinks`; `ENOSPC` if a quota refuses it.
    fn symlink(
        &self,
        dir: NodeId,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno>;

    /// Adds the name `new_name` in `new_dir` for the existing node `node`.
    ///
    /// # Errors
    /// `ENOTDIR` if `new_dir` is not a directory; `EEXIST` if `new_name` exists; `EROFS` if
    /// read-only; `EPERM` if `node` is a directory or without `Capabilities::hard_links`;
    /// `ENOENT` if `node` has no links left (it was unlinked); `EMLINK` if it has too many.
    fn link(&self, node: NodeId, new_dir: NodeId, new_name: &Name) -> Result<Entry, Errno>;

    /// Removes the non-directory entry `name` from `dir`. The node lives on while it has other
    /// names, lookups or open handles.
    ///
    /// # Errors
    /// `ENOTDIR` if `dir` is not a directory; `EROFS` if read-only; `ENOENT` if there is no
    /// such entry; `EISDIR` if it is a directory.
    fn unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno>;

    /// Removes the empty directory `name` from `dir`.
    ///
    /// # Errors
    /// `ENOTDIR` if `dir` is not a directory; `EROFS` if read-only; `ENOENT` if there is no
    /// such entry; `ENOTDIR` if it is not a directory; `ENOTEMPTY` if it has entries.
    fn rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno>;

    /// Moves `name` in `dir` to `new_name` in `new_dir`, as `renameat2` does. Renaming a
    /// name onto another name of the same node does nothing and succeeds.
    ///
    /// # Errors
    /// `ENOTDIR` if `dir` or `new_dir` is not a directory; `EINVAL` for a flag the provider
    /// does not support (a read-only provider answers `EROFS` instead: Linux refuses on the
    /// mount before the filesystem sees the flags); `EROFS` if read-only; `ENOENT` if `name` does not exist; `EEXIST` if
    /// `new_name` exists and `flags` is `NoReplace`; `ENOENT` if `new_name` does not exist and
    /// `flags` is `Exchange`; `EINVAL` if a directory would move into itself or its own
    /// subtree; `ENOTEMPTY` if the destination is an ancestor of the source (`EINVAL` with
    /// `Exchange`, which would move the ancestor into its descendant); `ENOTDIR` if a
    /// directory would replace a non-directory; `EISDIR` if a non-directory would replace a
    /// directory; `ENOTEMPTY` if a directory would replace a non-empty directory; `EMLINK` if
    /// `new_dir` has too many links.
    fn rename(
        &self,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno>;

    /// Opens a non-directory node for I/O.
    ///
    /// # Errors
    /// `EISDIR` if the node is a directory; `ELOOP` if it is a symbolic link; `EROFS` if the
    /// access mode writes or `OpenFlags::TRUNCATE` is set and the provider is read-only (for a
    /// regular file: Linux opens FIFOs, sockets and devices for writing on a read-only mount);
    /// `ENXIO` for a FIFO, socket or device the provider cannot open without blocking;
    /// `ETXTBSY`-style refusals are not made.
    fn open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno>;

    /// Reads up to `buf.len()` bytes at `offset`; fewer at end of file, 0 at or past it.
    ///
    /// # Errors
    /// `EBADF` if the handle was not opened for reading.
    fn read(&self, handle: HandleId, offset: u64, buf: &mut [u8]) -> Result<usize, Errno>;

    /// Writes `data` at `offset` (at the end of file for an `OpenFlags::APPEND` handle),
    /// extending the file and leaving a hole if `offset` is past the end. Returns the number of
    /// bytes written: fewer than `data.len()` when a quota is reached mid-write.
    ///
    /// # Errors
    /// `EBADF` if the handle was not opened for writing; `EFBIG` if `offset` is at or past the
    /// provider's largest file size; `ENOSPC` if no byte at all can be written.
    fn write(&self, handle: HandleId, offset: u64, data: &[u8]) -> Result<usize, Errno>;

    /// Called at each `close` of a descriptor of the handle; reports delayed write errors.
    ///
    /// # Errors
    /// Only the common ones, or a delayed write error.
    fn flush(&self, handle: HandleId) -> Result<(), Errno> {
        let _ = handle;
        Ok(())
    }

    /// Makes written data (with `datasync`, only data and the size) durable.
    ///
    /// # Errors
    /// `EIO` if the data could not be made durable.
    fn fsync(&self, handle: HandleId, datasync: bool) -> Result<(), Errno>;

    /// Closes the handle. The handle id is invalid afterwards.
    ///
    /// # Errors
    /// Only the common ones.
    fn release(&self, handle: HandleId) -> Result<(), Errno>;

    /// The first offset at or after `offset` holding data or in a hole (`lseek` with
    /// `SEEK_DATA`/`SEEK_HOLE`). Providers without hole tracking treat the file as one extent.
    ///
    /// # Errors
    /// `ENXIO` if `offset` is at or past the end of file.
    fn seek(&self, handle: HandleId, offset: u64, what: SeekHole) -> Result<u64, Errno>;

    /// Opens a directory for `readdir`.
    ///
    /// # Errors
    /// `ENOTDIR` if the node is not a directory.
    fn opendir(&self, node: NodeId) -> Result<HandleId, Errno>;

    /// Lists the entries after `cookie` (0: from the start), calling `sink` for each until it
    /// returns `false` (the entry it was given is then not consumed: resume from the previous
    /// entry's cookie). `.` and `..` are not listed; consumers add them. Cookies are stable: an
    /// entry added or removed during a listing never makes another entry appear twice or
    /// vanish, and resuming from a cookie of a removed entry continues after it.
    ///
    /// # Errors
    /// `EBADF` if the handle is not a directory handle; `ENOENT` if the directory has been
    /// removed; `EINVAL` for a cookie this directory never issued (providers whose cookies are host offsets may not detect this).
    fn readdir(
        &self,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno>;

    /// Closes a directory handle.
    ///
    /// # Errors
    /// `EBADF` if the handle is not a directory handle.
    fn releasedir(&self, handle: HandleId) -> Result<(), Errno>;

    /// Space and inode usage of the filesystem holding `node`.
    ///
    /// # Errors
    /// Only the common ones.
    fn statfs(&self, node: NodeId) -> Result<StatFs, Errno>;

    /// Allocates or deallocates a range of an open regular file.
    ///
    /// # Errors
    /// `EOPNOTSUPP` without `Capabilities::fallocate`; `EINVAL` if `len` is 0 (Linux checks the
    /// range before the access mode); `EBADF` if the handle is not open for writing; `EFBIG`
    /// if the range ends past the largest file;
    /// `ENOSPC` if a quota refuses it.
    fn fallocate(
        &self,
        handle: HandleId,
        mode: FallocateMode,
        offset: u64,
        len: u64,
    ) -> Result<(), Errno> {
        let _ = (handle, mode, offset, len);
        Err(Errno::EOPNOTSUPP)
    }

    /// The value of extended attribute `name`.
    ///
    /// # Errors
    /// `ERANGE` if `name` is empty or longer than 255 bytes; `EOPNOTSUPP` without
    /// `Capabilities::xattrs` or outside the `user.` namespace; `ENODATA` for `user.`
    /// attributes of symlinks and special files; `EINVAL` for the bare prefix `user.`;
    /// `ENODATA` if the node has no such attribute.
    fn getxattr(&self, node: NodeId, name: &[u8]) -> Result<Vec<u8>, Errno> {
        let _ = (node, name);
        Err(Errno::EOPNOTSUPP)
    }

    /// Sets extended attribute `name` to `value`.
    ///
    /// # Errors
    /// In Linux's order: `ERANGE` if `name` is empty or longer than 255 bytes; `E2BIG` if
    /// `value` is longer than 65,536 bytes; `EROFS` if read-only; `EOPNOTSUPP` without
    /// `Capabilities::xattrs` or outside the `user.` namespace; `EPERM` for `user.` attributes
    /// of symlinks and special files (Linux allows them only on regular files and
    /// directories); `EINVAL` for the bare prefix `user.`; `EEXIST` for `XattrSet::Create` of an existing
    /// one; `ENODATA` for `XattrSet::Replace` of a missing one; `ENOSPC` if a quota refuses it.
    fn setxattr(
        &self,
        node: NodeId,
        name: &[u8],
        value: &[u8],
        how: XattrSet,
    ) -> Result<(), Errno> {
        let _ = (node, name, value, how);
        Err(Errno::EOPNOTSUPP)
    }

    /// The names of the node's extended attributes.
    ///
    /// # Errors
    /// `EOPNOTSUPP` without `Capabilities::xattrs`.
    fn listxattr(&self, node: NodeId) -> Result<Vec<Vec<u8>>, Errno> {
        let _ = node;
        Err(Errno::EOPNOTSUPP)
    }

    /// A host descriptor of the regular file open as `handle`, for the FUSE mount to hand to
    /// the kernel as the handle's backing file (FUSE passthrough, Linux 6.9+): the kernel then
    /// serves `read`, `write` and `mmap` of that open file from the descriptor's file itself,
    /// without calling the provider. The default answers `None`: no backing file, every I/O
    /// comes to the provider. Answering `Some` is the capability; there is no flag for it.
    ///
    /// The descriptor is an owned duplicate (`dup`), not a borrow: the consumer may hold it
    /// while another thread releases the handle, and a duplicate cannot be closed under it.
    /// The FUSE mount keeps it only until the kernel has registered it (the kernel takes its
    /// own reference to the open file), so one duplicate per open costs one `dup` and one
    /// `close`.
    ///
    /// Rules, because I/O through a backing file never reaches the provider stack:
    /// - Only for a handle of a regular file (never a directory, FIFO, socket or device), and
    ///   only the very file the handle reads and writes: the same data, the same size.
    /// - The kernel opens the file again from the descriptor's path (its dentry, not a name
    ///   lookup) with the flags of the FUSE open and the mount daemon's credentials, so the
    ///   descriptor's own access mode
    ///   does not limit it: answer only for handles whose opening the provider allowed with
    ///   the same access mode (a read-only view: read-only handles).
    /// - A wrapper forwards this only if it has nothing to do on `read` and `write` of the
    ///   handle: wrappers that count, limit, audit, hide or transform data (quotas, audit,
    ///   rules) keep the default, or their checks would be bypassed.
    /// - A provider must keep giving the same file for every handle of a node while any is
    ///   open (the kernel takes one backing file per inode at a time).
    ///
    /// A host descriptor never goes to sandboxed code: the only caller is the FUSE mount,
    /// which gives it to the kernel (`FUSE_DEV_IOC_BACKING_OPEN`) and closes it. The emulated
    /// layer never calls this.
    fn backing_file(&self, handle: HandleId) -> Option<std::os::fd::OwnedFd> {
        let _ = handle;
        None
    }

    /// Removes extended attribute `name`.
    ///
    /// # Errors
    /// `ERANGE` if `name` is empty or longer than 255 bytes; `EROFS` if read-only;
    /// `EOPNOTSUPP` without `Capabilities::xattrs` or outside the `user.` namespace; `EPERM`
    /// for `user.` attributes of symlinks and special files; `EINVAL` for the bare prefix
    /// `user.`; `ENODATA` if the node has no such attribute.
    fn removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno> {
        let _ = (node, name);
        Err(Errno::EOPNOTSUPP)
    }
}
