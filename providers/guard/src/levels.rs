//! [`AuditLevel`]: which calls the audit log records, decided before a call is timed.
//!
//! Every call is put in one [`Class`] at its call site; the level turns the class into a
//! [`When`] with one small match, so a call the level does not record reads no clock and
//! builds no path unless it fails.

/// Which calls the audit log records. Failures (policy refusals included) are recorded at
/// every level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AuditLevel {
    /// One line per call but `forget`.
    All,
    /// Every call but successful metadata queries (`lookup`, `getattr`, `statfs`,
    /// `readlink`, `getxattr`, `listxattr`) and successful data calls on a handle (`read`,
    /// `write`, `flush`, `seek`); the `release` line of a file handle carries its
    /// `bytes_read` and `bytes_written` instead. The default.
    #[default]
    Access,
    /// Only calls that change something (`create`, `mkdir`, `mknod`, `symlink`, `link`,
    /// `unlink`, `rmdir`, `rename`, `setattr`, `setxattr`, `removexattr`, `fallocate`,
    /// `open` with `O_TRUNC`, and the `release` of a handle that wrote), and every failure.
    Changes,
}

impl AuditLevel {
    /// The names policy files use, in declaration order.
    pub const NAMES: [&'static str; 3] = ["all", "access", "changes"];

    /// The policy-file name.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// When a call of `class` is recorded at this level.
    #[inline]
    pub(crate) fn when(self, class: Class) -> When {
        match (self, class) {
            (AuditLevel::All, _) => When::Always,
            (AuditLevel::Access, Class::Query | Class::Data) => When::Failures,
            (AuditLevel::Access, _) => When::Always,
            (AuditLevel::Changes, Class::Change) => When::Always,
            (AuditLevel::Changes, Class::Release) => When::IfMarked,
            (AuditLevel::Changes, _) => When::Failures,
        }
    }
}

/// What a call is, for the audit level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// A metadata query: `lookup`, `getattr`, `statfs`, `readlink`, `getxattr`, `listxattr`
    /// (the kernel sends these at its own pace through its caches, so their counts differ
    /// between FUSE and the emulated layer; `ls -l` asks for xattrs of every file).
    Query,
    /// A data call on an open handle: `read`, `write`, `flush`, `seek` (summed on `release`).
    Data,
    /// Access that changes nothing: `open` without `O_TRUNC`, `opendir`, `readdir`,
    /// `releasedir`, `fsync`.
    Access,
    /// A change to the tree, a node or a file's content.
    Change,
    /// `release` of a file handle: a change if it wrote.
    Release,
}

/// When one call is recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum When {
    /// Always; timed, paths gathered as the call goes.
    Always,
    /// Timed and paths gathered; recorded if it fails or the call marks itself a change.
    IfMarked,
    /// Only if it fails: no clock reading before, paths found after the failure, and the
    /// line has no `duration_ns`.
    Failures,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_table() {
        use Class::*;
        let table: &[(AuditLevel, [When; 5])] = &[
            (AuditLevel::All, [When::Always; 5]),
            (
                AuditLevel::Access,
                [
                    When::Failures,
                    When::Failures,
                    When::Always,
                    When::Always,
                    When::Always,
                ],
            ),
            (
                AuditLevel::Changes,
                [
                    When::Failures,
                    When::Failures,
                    When::Failures,
                    When::Always,
                    When::IfMarked,
                ],
            ),
        ];
        for (level, whens) in table {
            for (class, want) in [Query, Data, Access, Change, Release]
                .into_iter()
                .zip(whens)
            {
                assert_eq!(level.when(class), *want, "{level:?} {class:?}");
            }
        }
        assert_eq!(AuditLevel::default(), AuditLevel::Access);
        assert_eq!(AuditLevel::Changes.name(), "changes");
    }
}
