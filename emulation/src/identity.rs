//! The virtual identity and Linux's permission rules (`generic_permission`, sticky
//! directories, ownership), decided in one place.

use vfsbox_api::{Attr, Errno, FileKind, S_ISVTX};

/// Who the emulated process is: real and effective ids and supplementary groups. Path walks
/// and operations check the effective ids (Linux's fsuid/fsgid follow them); `faccessat`
/// without `AT_EACCESS` checks the real ones. Uid 0 is Linux's root: it may read and write
/// anything and search any directory, and execute a file that has at least one `x` bit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Real user id.
    pub uid: u32,
    /// Real group id.
    pub gid: u32,
    /// Effective user id.
    pub euid: u32,
    /// Effective group id.
    pub egid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

impl Identity {
    /// Root (uid and gid 0).
    pub fn root() -> Identity {
        Identity::user(0, 0)
    }

    /// An ordinary user: real and effective ids equal, no supplementary groups.
    pub fn user(uid: u32, gid: u32) -> Identity {
        Identity {
            uid,
            gid,
            euid: uid,
            egid: gid,
            groups: Vec::new(),
        }
    }

    /// The same identity with these supplementary groups.
    #[must_use]
    pub fn with_groups(mut self, groups: Vec<u32>) -> Identity {
        self.groups = groups;
        self
    }

    /// The credentials used for everything but `faccessat` without `AT_EACCESS`.
    pub(crate) fn effective(&self) -> Cred {
        Cred {
            uid: self.euid,
            gid: self.egid,
            groups: self.groups.clone(),
        }
    }

    /// The credentials `faccessat` checks by default.
    pub(crate) fn real(&self) -> Cred {
        Cred {
            uid: self.uid,
            gid: self.gid,
            groups: self.groups.clone(),
        }
    }
}

/// `MAY_EXEC`
pub(crate) const MAY_EXEC: u32 = 1;
/// `MAY_WRITE`
pub(crate) const MAY_WRITE: u32 = 2;
/// `MAY_READ`
pub(crate) const MAY_READ: u32 = 4;

/// The ids one check is made with (Linux's fsuid, fsgid and groups).
#[derive(Clone, Debug)]
pub(crate) struct Cred {
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) groups: Vec<u32>,
}

impl Cred {
    /// Root's capabilities (`CAP_DAC_OVERRIDE`, `CAP_FOWNER`, `CAP_CHOWN`, `CAP_FSETID`, …).
    pub(crate) fn is_root(&self) -> bool {
        self.uid == 0
    }

    /// `in_group_p`.
    pub(crate) fn in_group(&self, gid: u32) -> bool {
        self.gid == gid || self.groups.contains(&gid)
    }

    /// `inode_owner_or_capable`.
    pub(crate) fn owns(&self, attr: &Attr) -> bool {
        self.is_root() || self.uid == attr.uid
    }

    /// `generic_permission` for `mask` (`MAY_*` bits): `EACCES` when refused. Read-only
    /// mounts are checked by callers, which know their errno order.
    pub(crate) fn may(&self, attr: &Attr, mask: u32) -> Result<(), Errno> {
        if self.is_root() {
            // CAP_DAC_OVERRIDE, except that a non-directory needs some x bit to be executed.
            if mask & MAY_EXEC != 0 && attr.kind != FileKind::Directory && attr.perm & 0o111 == 0 {
                return Err(Errno::EACCES);
            }
            return Ok(());
        }
        let bits = if self.uid == attr.uid {
            attr.perm >> 6
        } else if self.in_group(attr.gid) {
            attr.perm >> 3
        } else {
            attr.perm
        } & 7;
        if bits & mask == mask {
            Ok(())
        } else {
            Err(Errno::EACCES)
        }
    }

    /// `check_sticky`: true when the sticky bit of `dir` forbids removing or replacing
    /// `victim` (`EPERM`).
    pub(crate) fn sticky_forbids(&self, dir: &Attr, victim: &Attr) -> bool {
        dir.perm & S_ISVTX != 0 && self.uid != victim.uid && self.uid != dir.uid && !self.is_root()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vfsbox_api::Timestamp;

    fn attr(kind: FileKind, perm: u32, uid: u32, gid: u32) -> Attr {
        Attr {
            ino: 1,
            kind,
            perm,
            nlink: 1,
            uid,
            gid,
            size: 0,
            blocks: 0,
            atime: Timestamp::EPOCH,
            mtime: Timestamp::EPOCH,
            ctime: Timestamp::EPOCH,
            btime: None,
            rdev: 0,
            blksize: 4096,
        }
    }

    #[test]
    fn owner_group_other_classes_are_exclusive() {
        let user = Identity::user(1000, 100).effective();
        // The owner class applies even when it grants less than the group class.
        let f = attr(FileKind::Regular, 0o070, 1000, 100);
        assert_eq!(user.may(&f, MAY_READ), Err(Errno::EACCES));
        let g = attr(FileKind::Regular, 0o040, 1, 100);
        assert_eq!(user.may(&g, MAY_READ), Ok(()));
        let o = attr(FileKind::Regular, 0o004, 1, 1);
        assert_eq!(user.may(&o, MAY_READ), Ok(()));
        assert_eq!(user.may(&o, MAY_READ | MAY_WRITE), Err(Errno::EACCES));
        let sup = Identity::user(1000, 100).with_groups(vec![7]).effective();
        assert_eq!(
            sup.may(&attr(FileKind::Regular, 0o020, 1, 7), MAY_WRITE),
            Ok(())
        );
    }

    #[test]
    fn root_overrides_except_exec_of_files_without_x() {
        let root = Identity::root().effective();
        assert_eq!(
            root.may(&attr(FileKind::Regular, 0, 5, 5), MAY_READ | MAY_WRITE),
            Ok(())
        );
        assert_eq!(
            root.may(&attr(FileKind::Directory, 0, 5, 5), MAY_EXEC),
            Ok(())
        );
        assert_eq!(
            root.may(&attr(FileKind::Regular, 0o600, 5, 5), MAY_EXEC),
            Err(Errno::EACCES)
        );
        assert_eq!(
            root.may(&attr(FileKind::Regular, 0o001, 5, 5), MAY_EXEC),
            Ok(())
        );
    }

    #[test]
    fn sticky_directories_protect_other_users_entries() {
        let user = Identity::user(1000, 100).effective();
        let dir = attr(FileKind::Directory, 0o1777, 0, 0);
        assert!(user.sticky_forbids(&dir, &attr(FileKind::Regular, 0o644, 2000, 0)));
        assert!(!user.sticky_forbids(&dir, &attr(FileKind::Regular, 0o644, 1000, 0)));
        let own_dir = attr(FileKind::Directory, 0o1777, 1000, 0);
        assert!(!user.sticky_forbids(&own_dir, &attr(FileKind::Regular, 0o644, 2000, 0)));
        assert!(!Identity::root()
            .effective()
            .sticky_forbids(&dir, &attr(FileKind::Regular, 0o644, 2000, 0)));
    }
}
