//! The operation classes rules are written in ([`Op`]) and sets of them ([`OpSet`]).

use std::fmt;
use std::str::FromStr;

/// What a `FileSystem` call is checked as. Each call is one class (two paths for `rename` and
/// `link`); see the crate docs for the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// Opening for reading, `opendir`, `readlink`.
    Read,
    /// Opening for writing or with `O_TRUNC`, size and time changes, `fallocate`.
    Write,
    /// `mkdir`, `mknod`, `create` of a new name.
    Create,
    /// `unlink`, `rmdir`.
    Delete,
    /// `rename`, checked on both the source and the destination path.
    Rename,
    /// `link`, checked on the new path and on the linked node.
    Link,
    /// `symlink`, checked on the new path.
    Symlink,
    /// `setattr` of the permission bits.
    Chmod,
    /// `setattr` of the owner or group.
    Chown,
    /// Every extended-attribute call.
    Xattr,
    /// Executing: a denied exec clears the x bits regular files report.
    Exec,
}

impl Op {
    /// Every class, in declaration order (the order of [`Op::index`]).
    pub const ALL: [Op; 11] = [
        Op::Read,
        Op::Write,
        Op::Create,
        Op::Delete,
        Op::Rename,
        Op::Link,
        Op::Symlink,
        Op::Chmod,
        Op::Chown,
        Op::Xattr,
        Op::Exec,
    ];

    /// The lower-case name used in policy files and audit text: `"read"`, `"write"`, ….
    pub fn name(self) -> &'static str {
        match self {
            Op::Read => "read",
            Op::Write => "write",
            Op::Create => "create",
            Op::Delete => "delete",
            Op::Rename => "rename",
            Op::Link => "link",
            Op::Symlink => "symlink",
            Op::Chmod => "chmod",
            Op::Chown => "chown",
            Op::Xattr => "xattr",
            Op::Exec => "exec",
        }
    }

    /// The position of the class in [`Op::ALL`] (0..11), for per-class tables.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// True for the classes that change something (all but `read` and `exec`): the ones a
    /// read-only rule refuses.
    pub const fn mutates(self) -> bool {
        !matches!(self, Op::Read | Op::Exec)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an [`Op`]: the name was none of the eleven.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownOp(pub String);

impl fmt::Display for UnknownOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown operation `{}`", self.0)
    }
}

impl std::error::Error for UnknownOp {}

impl FromStr for Op {
    type Err = UnknownOp;

    /// The lower-case names of [`Op::name`]; anything else (including `"all"`, which is a set,
    /// not one class) is an error.
    fn from_str(s: &str) -> Result<Op, UnknownOp> {
        Op::ALL
            .into_iter()
            .find(|op| op.name() == s)
            .ok_or_else(|| UnknownOp(s.to_string()))
    }
}

/// A set of [`Op`]s, one bit each.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OpSet(u16);

impl OpSet {
    /// No class.
    pub const EMPTY: OpSet = OpSet(0);
    /// Every class.
    pub const ALL: OpSet = OpSet((1 << Op::ALL.len()) - 1);

    /// The set of the listed classes.
    pub fn of(ops: &[Op]) -> OpSet {
        let mut set = OpSet::EMPTY;
        for &op in ops {
            set.insert(op);
        }
        set
    }

    /// True if `op` is in the set.
    pub const fn contains(self, op: Op) -> bool {
        self.0 & (1 << op as u16) != 0
    }

    /// Adds `op`.
    pub fn insert(&mut self, op: Op) {
        self.0 |= 1 << op as u16;
    }

    /// True if the set has no class.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True if both sets share a class.
    pub const fn intersects(self, other: OpSet) -> bool {
        self.0 & other.0 != 0
    }

    /// The classes of `self` not in `other`.
    #[must_use]
    pub const fn minus(self, other: OpSet) -> OpSet {
        OpSet(self.0 & !other.0)
    }

    /// The classes in either set.
    #[must_use]
    pub const fn union(self, other: OpSet) -> OpSet {
        OpSet(self.0 | other.0)
    }

    /// The classes of `self` also in `other`.
    #[must_use]
    pub const fn and(self, other: OpSet) -> OpSet {
        OpSet(self.0 & other.0)
    }

    /// The classes in the set, in [`Op::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Op> {
        Op::ALL.into_iter().filter(move |&op| self.contains(op))
    }
}

impl FromIterator<Op> for OpSet {
    fn from_iter<I: IntoIterator<Item = Op>>(iter: I) -> OpSet {
        let mut set = OpSet::EMPTY;
        for op in iter {
            set.insert(op);
        }
        set
    }
}

impl fmt::Debug for OpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Op::name)).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for op in Op::ALL {
            assert_eq!(op.name().parse::<Op>(), Ok(op));
        }
        assert_eq!("all".parse::<Op>(), Err(UnknownOp("all".into())));
        assert_eq!("Read".parse::<Op>(), Err(UnknownOp("Read".into())));
    }

    #[test]
    fn sets() {
        let mut s = OpSet::of(&[Op::Read, Op::Exec]);
        assert!(s.contains(Op::Read) && s.contains(Op::Exec) && !s.contains(Op::Write));
        s.insert(Op::Write);
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            [Op::Read, Op::Write, Op::Exec]
        );
        assert_eq!(OpSet::ALL.iter().count(), 11);
        assert!(OpSet::EMPTY.is_empty());
        assert_eq!(OpSet::ALL.minus(s).iter().count(), 8);
        assert_eq!(format!("{:?}", OpSet::of(&[Op::Chmod])), "{\"chmod\"}");
    }
}
