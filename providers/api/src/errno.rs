//! `Errno`: the error currency of every vfsbox contract.

use std::fmt;

/// A Linux error number (`errno`), the error of every `FileSystem` method.
///
/// It is a newtype over the raw Linux value so results from the emulated layer, the native
/// passthrough and a FUSE mount compare directly. Conversions from host errors happen only at the
/// edges ([`Errno::from_io`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(i32);

macro_rules! errnos {
    ($($name:ident),* $(,)?) => {
        impl Errno {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                pub const $name: Errno = Errno(libc::$name);
            )*

            /// The symbolic name (`"ENOENT"`), or `None` for a value vfsbox does not name.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $(libc::$name => Some(stringify!($name)),)*
                    _ => None,
                }
            }

            /// The errno with this symbolic name (`"ENOENT"`), if vfsbox names it.
            pub fn from_name(name: &str) -> Option<Errno> {
                match name {
                    $(stringify!($name) => Some(Errno::$name),)*
                    _ => None,
                }
            }
        }
    };
}

// EWOULDBLOCK, EDEADLOCK and ENOTSUP alias other values on Linux; they are constants below.
errnos!(
    EPERM,
    ENOENT,
    ESRCH,
    EINTR,
    EIO,
    ENXIO,
    E2BIG,
    ENOEXEC,
    EBADF,
    ECHILD,
    EAGAIN,
    ENOMEM,
    EACCES,
    EFAULT,
    EBUSY,
    EEXIST,
    EXDEV,
    ENODEV,
    ENOTDIR,
    EISDIR,
    EINVAL,
    ENFILE,
    EMFILE,
    ENOTTY,
    ETXTBSY,
    EFBIG,
    ENOSPC,
    ESPIPE,
    EROFS,
    EMLINK,
    EPIPE,
    ERANGE,
    EDEADLK,
    ENAMETOOLONG,
    ENOLCK,
    ENOSYS,
    ENOTEMPTY,
    ELOOP,
    ENODATA,
    EOVERFLOW,
    EOPNOTSUPP,
    ESTALE,
    EDQUOT,
    ENOTCONN,
    ETIMEDOUT,
);

impl Errno {
    /// `ENOTSUP`, the same value as `EOPNOTSUPP` on Linux.
    pub const ENOTSUP: Errno = Errno(libc::ENOTSUP);
    /// `EWOULDBLOCK`, the same value as `EAGAIN` on Linux.
    pub const EWOULDBLOCK: Errno = Errno(libc::EWOULDBLOCK);

    /// Wraps a raw Linux errno value.
    pub const fn from_raw(raw: i32) -> Errno {
        Errno(raw)
    }

    /// The raw Linux errno value.
    pub const fn raw(self) -> i32 {
        self.0
    }

    /// The errno an `io::Error` carries: its raw OS error first, then its kind, then `EIO`.
    pub fn from_io(err: &std::io::Error) -> Errno {
        use std::io::ErrorKind as K;
        if let Some(raw) = err.raw_os_error() {
            return Errno(raw);
        }
        match err.kind() {
            K::NotFound => Errno::ENOENT,
            K::PermissionDenied => Errno::EACCES,
            K::AlreadyExists => Errno::EEXIST,
            K::InvalidInput | K::InvalidData => Errno::EINVAL,
            K::WouldBlock => Errno::EAGAIN,
            K::Unsupported => Errno::EOPNOTSUPP,
            K::OutOfMemory => Errno::ENOMEM,
            K::Interrupted => Errno::EINTR,
            K::TimedOut => Errno::ETIMEDOUT,
            K::NotADirectory => Errno::ENOTDIR,
            K::IsADirectory => Errno::EISDIR,
            K::DirectoryNotEmpty => Errno::ENOTEMPTY,
            K::ReadOnlyFilesystem => Errno::EROFS,
            K::StaleNetworkFileHandle => Errno::ESTALE,
            K::StorageFull => Errno::ENOSPC,
            K::FileTooLarge => Errno::EFBIG,
            K::CrossesDevices => Errno::EXDEV,
            K::TooManyLinks => Errno::EMLINK,
            K::InvalidFilename => Errno::ENAMETOOLONG,
            _ => Errno::EIO,
        }
    }

    /// The C library's description (`"No such file or directory"`).
    pub fn description(self) -> String {
        // `io::Error` renders the description followed by " (os error N)".
        let text = std::io::Error::from_raw_os_error(self.0).to_string();
        match text.rfind(" (os error") {
            Some(end) => text[..end].to_string(),
            None => text,
        }
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:?})", self.description(), self)
    }
}

impl std::error::Error for Errno {}

impl From<Errno> for std::io::Error {
    fn from(errno: Errno) -> Self {
        std::io::Error::from_raw_os_error(errno.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(Errno::ENOENT.name(), Some("ENOENT"));
        assert_eq!(Errno::from_name("ENOTEMPTY"), Some(Errno::ENOTEMPTY));
        assert_eq!(Errno::from_raw(100_000).name(), None);
        assert_eq!(format!("{:?}", Errno::from_raw(100_000)), "Errno(100000)");
    }

    #[test]
    fn display_has_description_and_name() {
        assert_eq!(
            Errno::ENOENT.to_string(),
            "No such file or directory (ENOENT)"
        );
    }

    #[test]
    fn io_errors_map_raw_first() {
        let raw = std::io::Error::from_raw_os_error(libc::ELOOP);
        assert_eq!(Errno::from_io(&raw), Errno::ELOOP);
        let kind = std::io::Error::new(std::io::ErrorKind::NotFound, "x");
        assert_eq!(Errno::from_io(&kind), Errno::ENOENT);
        let other = std::io::Error::other("x");
        assert_eq!(Errno::from_io(&other), Errno::EIO);
    }
}
