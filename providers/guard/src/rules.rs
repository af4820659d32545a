//! Ordered rules and the decision they make for one path and one operation class.

use crate::{Glob, Op, OpSet};
use vfsbox_api::Errno;

/// What a matching rule does to the operations it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// The path does not exist: `ENOENT` for lookups, absent from listings, `EACCES` for
    /// making a name there (never `EEXIST`, which would tell that it exists).
    Hide,
    /// Refused with `errno` (`EACCES` or `EPERM`).
    Deny {
        /// The refusal: `EACCES` (the default) or `EPERM`.
        errno: Errno,
    },
    /// Every mutating class it covers is `EROFS`; `read` and `exec` pass.
    ReadOnly,
    /// Passes.
    Allow,
}

impl Action {
    /// The errno `op` fails with under this action, `None` when it passes. `Hide` answers
    /// `ENOENT` (what a lookup of the path sees).
    pub fn errno(self, op: Op) -> Option<Errno> {
        match self {
            Action::Hide => Some(Errno::ENOENT),
            Action::Deny { errno } => Some(errno),
            Action::ReadOnly if op.mutates() => Some(Errno::EROFS),
            Action::ReadOnly | Action::Allow => None,
        }
    }

    /// How restrictive the action is, for combining the verdicts of a node reached by several
    /// paths: hide > deny (`EPERM` > `EACCES`) > read-only > allow.
    pub(crate) fn severity(self) -> u8 {
        match self {
            Action::Allow => 0,
            Action::ReadOnly => 1,
            Action::Deny { errno } if errno == Errno::EPERM => 3,
            Action::Deny { .. } => 2,
            Action::Hide => 4,
        }
    }
}

/// One rule: the paths it applies to, the classes it covers, and what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The paths.
    pub glob: Glob,
    /// The classes (`Hide` rules should cover all; the policy parser enforces it).
    pub ops: OpSet,
    /// The action.
    pub action: Action,
}

/// The outcome for one path and one class: the action and the rule that chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The action; `Allow` when no rule matched.
    pub action: Action,
    /// The index of the deciding rule in [`Rules`], `None` when none matched.
    pub rule: Option<usize>,
}

impl Decision {
    /// What `op` fails with under this decision; `None` means it is allowed. `Hide` is
    /// `ENOENT` (what a lookup sees; making a hidden name is `EACCES`, see the crate docs).
    pub fn errno(&self, op: Op) -> Option<Errno> {
        self.action.errno(op)
    }
}

/// Rules in order; for a path and a class the first rule whose glob matches and whose classes
/// contain the class decides, and no match allows.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    rules: Vec<Rule>,
    /// Union of the classes of every rule, to skip matching for classes no rule mentions.
    covered: OpSet,
}

impl Rules {
    /// The rules, in the order they are tried.
    pub fn new(rules: Vec<Rule>) -> Rules {
        let covered = rules.iter().fold(OpSet::EMPTY, |set, r| set.union(r.ops));
        Rules { rules, covered }
    }

    /// The decision for `path` (sandbox-absolute) and `op`.
    pub fn decide(&self, path: &[u8], op: Op) -> Decision {
        if !self.covered.contains(op) {
            return ALLOW;
        }
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.ops.contains(op) && rule.glob.matches(path) {
                return Decision {
                    action: rule.action,
                    rule: Some(i),
                };
            }
        }
        ALLOW
    }

    /// Whether renaming the directory `from` to `to` (sandbox-absolute) could change the
    /// verdict of something below it, and why: the index of a rule that is not `allow` and
    /// can match a path strictly below `from` or below `to`, given that some rule matches
    /// differently below the two (for some suffix `x`, one of `from/x`, `to/x` matches and
    /// the other not). `None`: every path below gets the same verdicts after the move as
    /// before, so the rename is safe to pass as one operation.
    ///
    /// Why both conditions: with no restrictive rule below either side, every path below
    /// both is allowed before and after; with every rule matching alike below both sides,
    /// the first matching rule is the same for every suffix and class. Allow rules count for
    /// the second (an earlier allow can shadow a later deny on one side only). The second
    /// keeps `/**/.git/**`-style rules from refusing every directory rename in the tree.
    pub fn rename_conflict(&self, from: &[u8], to: &[u8]) -> Option<usize> {
        let restrictive = self.rules.iter().position(|r| {
            r.action != Action::Allow
                && (r.glob.can_match_below(from) || r.glob.can_match_below(to))
        })?;
        self.rules
            .iter()
            .any(|r| !r.glob.same_below(from, to))
            .then_some(restrictive)
    }

    /// The index of the deciding rule for every class at once, each glob matched at most
    /// once (what the node table stores).
    pub(crate) fn decide_all(&self, path: &[u8]) -> [Option<usize>; 11] {
        let mut decided = [None; 11];
        let mut open = self.covered;
        for (i, rule) in self.rules.iter().enumerate() {
            if open.is_empty() {
                break;
            }
            let ops = rule.ops.and(open);
            if !ops.is_empty() && rule.glob.matches(path) {
                for op in ops.iter() {
                    decided[op.index()] = Some(i);
                }
                open = open.minus(ops);
            }
        }
        decided
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there are no rules (everything is allowed).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule at `index`.
    pub fn get(&self, index: usize) -> Option<&Rule> {
        self.rules.get(index)
    }

    /// The rules, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Rule> {
        self.rules.iter()
    }

    /// True if some rule covering one of `ops` has an action `pred` accepts: lets the
    /// wrapper skip work (hidden-entry filtering, x-bit clearing) no rule can require.
    pub(crate) fn any(&self, ops: OpSet, pred: impl Fn(Action) -> bool) -> bool {
        self.rules
            .iter()
            .any(|r| r.ops.intersects(ops) && pred(r.action))
    }
}

const ALLOW: Decision = Decision {
    action: Action::Allow,
    rule: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(glob: &str, ops: &[Op], action: Action) -> Rule {
        Rule {
            glob: Glob::new(glob).unwrap(),
            ops: OpSet::of(ops),
            action,
        }
    }

    const EPERM: Action = Action::Deny {
        errno: Errno::EPERM,
    };

    #[test]
    fn first_match_wins() {
        let rules = Rules::new(vec![
            rule("/src/keep", &[Op::Write], Action::Allow),
            rule("/src/**", &[Op::Write, Op::Delete], Action::ReadOnly),
            rule("/src/**", &Op::ALL, EPERM),
            rule("/**", &Op::ALL, Action::Hide),
        ]);
        let d = rules.decide(b"/src/keep", Op::Write);
        assert_eq!((d.action, d.rule), (Action::Allow, Some(0)));
        assert_eq!(d.errno(Op::Write), None);
        let d = rules.decide(b"/src/other", Op::Write);
        assert_eq!((d.action, d.rule), (Action::ReadOnly, Some(1)));
        assert_eq!(d.errno(Op::Write), Some(Errno::EROFS));
        let d = rules.decide(b"/src/keep", Op::Read);
        assert_eq!((d.action, d.rule), (EPERM, Some(2)));
        assert_eq!(d.errno(Op::Read), Some(Errno::EPERM));
        let d = rules.decide(b"/etc", Op::Chmod);
        assert_eq!((d.action, d.rule), (Action::Hide, Some(3)));
        assert_eq!(d.errno(Op::Chmod), Some(Errno::ENOENT));
        assert_eq!(rules.len(), 4);
        assert_eq!(rules.get(1).unwrap().glob.as_str(), "/src/**");
    }

    #[test]
    fn no_match_allows() {
        let rules = Rules::new(vec![rule("/a", &[Op::Read], Action::Hide)]);
        let d = rules.decide(b"/b", Op::Read);
        assert_eq!(d, ALLOW);
        assert_eq!(rules.decide(b"/a", Op::Write), ALLOW);
        assert_eq!(Rules::new(vec![]).decide(b"/a", Op::Read), ALLOW);
    }

    #[test]
    fn read_only_passes_read_and_exec() {
        for op in Op::ALL {
            let expected = (op != Op::Read && op != Op::Exec).then_some(Errno::EROFS);
            assert_eq!(Action::ReadOnly.errno(op), expected, "{op}");
        }
    }

    #[test]
    fn decide_all_agrees_with_decide() {
        let rules = Rules::new(vec![
            rule("/a/*", &[Op::Write, Op::Exec], EPERM),
            rule("/a/**", &[Op::Write, Op::Read], Action::ReadOnly),
            rule("/**/x", &Op::ALL, Action::Hide),
        ]);
        for path in ["/a", "/a/b", "/a/x", "/a/b/x", "/q"] {
            let all = rules.decide_all(path.as_bytes());
            for op in Op::ALL {
                assert_eq!(all[op.index()], rules.decide(path.as_bytes(), op).rule);
            }
        }
    }
}
