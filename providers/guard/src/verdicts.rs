//! [`Verdicts`]: the decision of every operation class for one path (or one node), computed
//! once when the path is first seen so that later calls on the node match no glob.

use crate::{Action, Op, Rules};

/// For each class (by [`Op::index`]), the deciding rule's index plus one; 0 = no rule (allow).
/// Rule indices keep the table small (44 bytes) and the action exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Verdicts([u32; 11]);

impl Verdicts {
    /// Everything allowed: what a path gets when no rule matches it.
    pub(crate) const ALLOW: Verdicts = Verdicts([0; 11]);

    /// The verdicts for `path`, each glob matched at most once.
    pub(crate) fn of(rules: &Rules, path: &[u8]) -> Verdicts {
        if rules.is_empty() {
            return Verdicts::ALLOW;
        }
        let decided = rules.decide_all(path);
        Verdicts(decided.map(|rule| rule.map_or(0, |i| i as u32 + 1)))
    }

    /// The action for `op`.
    pub(crate) fn action(&self, rules: &Rules, op: Op) -> Action {
        match self.0[op.index()] {
            0 => Action::Allow,
            n => rules
                .get(n as usize - 1)
                .map_or(Action::Allow, |rule| rule.action),
        }
    }

    /// True when the path (or node) is hidden: its `read` decision is `Hide`.
    pub(crate) fn hidden(&self, rules: &Rules) -> bool {
        self.action(rules, Op::Read) == Action::Hide
    }

    /// True when the wrapper reports a node with these verdicts differently from the inner
    /// provider: hidden (`ENOENT`), or exec denied (x bits cleared).
    pub(crate) fn changes_attrs(&self, rules: &Rules) -> bool {
        self.hidden(rules) || matches!(self.action(rules, Op::Exec), Action::Deny { .. })
    }

    /// Whether `self` and `other` decide every class the same way (same action; a deny with
    /// the same errno), whichever rules decided them.
    pub(crate) fn same_regime(&self, other: &Verdicts, rules: &Rules) -> bool {
        Op::ALL
            .iter()
            .all(|&op| self.action(rules, op) == other.action(rules, op))
    }

    /// The most restrictive of both, class by class (hide > deny > read-only > allow): what a
    /// node reached by several paths gets.
    pub(crate) fn strictest(self, other: Verdicts, rules: &Rules) -> Verdicts {
        let mut table = self.0;
        for op in Op::ALL {
            let i = op.index();
            if other.action(rules, op).severity() > self.action(rules, op).severity() {
                table[i] = other.0[i];
            }
        }
        Verdicts(table)
    }
}
