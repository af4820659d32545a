//! What a provider supports, so consumers and the conformance suite know which refusal to expect.

/// The features a provider declares. An operation on an unsupported feature answers the errno
/// Linux gives on a filesystem without it (documented per field), never a silent success.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Symbolic links can be created (else `symlink` is `EPERM`, as on vfat).
    pub symlinks: bool,
    /// Hard links can be created (else `link` is `EPERM`, as on vfat).
    pub hard_links: bool,
    /// `RenameFlags::NoReplace` works (else it is `EINVAL`, as Linux answers for unsupported
    /// `renameat2` flags).
    pub rename_noreplace: bool,
    /// `RenameFlags::Exchange` works (else it is `EINVAL`).
    pub rename_exchange: bool,
    /// `user.*` extended attributes work (else every xattr call is `EOPNOTSUPP`).
    pub xattrs: bool,
    /// `setattr` of uid/gid to any value works (else it is `EPERM`).
    pub ownership: bool,
    /// Set-user-id and set-group-id bits are kept (else they are silently stripped, as the
    /// host provider does so a sandbox never plants a set-id binary on the host).
    pub setid_bits: bool,
    /// `mknod` can create FIFOs (else it is `EPERM`).
    pub fifos: bool,
    /// `fallocate` works (else it is `EOPNOTSUPP`).
    pub fallocate: bool,
    /// Files stay readable and writable through open handles after their last name is removed.
    pub unlinked_open_files: bool,
    /// Every mutation is refused with `EROFS`.
    pub read_only: bool,
    /// Names that differ only in case are different entries.
    pub case_sensitive: bool,
    /// The finest timestamp step the provider keeps, in nanoseconds (1 for nanosecond times).
    pub time_resolution_ns: u32,
    /// The largest file size; a write or truncate beyond it is `EFBIG` (Linux's own limit,
    /// `MAX_LFS_FILESIZE`, is `i64::MAX`).
    pub max_file_size: u64,
    /// Names may be any bytes (else only UTF-8: other names are `EINVAL`, as on vfat with
    /// `utf8`).
    pub byte_names: bool,
}

impl Capabilities {
    /// Everything a Linux tmpfs supports: the capabilities of the memory provider.
    pub const FULL: Capabilities = Capabilities {
        symlinks: true,
        hard_links: true,
        rename_noreplace: true,
        rename_exchange: true,
        xattrs: true,
        ownership: true,
        setid_bits: true,
        fifos: true,
        fallocate: true,
        unlinked_open_files: true,
        read_only: false,
        case_sensitive: true,
        time_resolution_ns: 1,
        max_file_size: i64::MAX as u64,
        byte_names: true,
    };
}
