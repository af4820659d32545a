//! `policy explain PATH OP`: what the sandbox answers for one operation on one path, and why.

use crate::model::{KindSpec, MountSpec};
use crate::parse::normalize;
use crate::policy::Policy;
use serde::Serialize;
use std::fmt;
use vfsbox_api::Errno;
use vfsbox_guard::{Action, Op};

/// The answer for one operation on one path, and what decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The path, normalized.
    pub path: String,
    /// The operation class.
    pub op: String,
    /// The mount the path is in, if any.
    pub mount: Option<MountInfo>,
    /// Why the mount refuses changes, if it does.
    pub read_only_reason: Option<String>,
    /// What the rules decided.
    pub decision: DecisionInfo,
    /// The errno the operation fails with; `None` when the policy lets it through (the
    /// provider's own checks, such as permissions, still apply).
    pub errno: Option<String>,
    /// One sentence: what made the answer.
    pub reason: String,
    /// For `rename`: why renaming the path, if it is a directory, can answer `EXDEV` (a rule
    /// that is not `allow` can match below it, so moving it could change verdicts there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory_rename: Option<String>,
}

/// The mount a path is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MountInfo {
    /// Where it is mounted.
    pub at: String,
    /// What is mounted there.
    pub provider: String,
    /// The line of its `[[mount]]`.
    pub line: usize,
}

/// What the rules decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionInfo {
    /// `hide`, `deny`, `read-only` or `allow` (allow when no rule matched).
    pub action: String,
    /// The errno of the action for this operation, if it refuses it.
    pub errno: Option<String>,
    /// The rule that decided, if one matched.
    pub rule: Option<RuleInfo>,
}

/// A rule that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// Its number, 1-based, in file order.
    pub number: usize,
    /// Its glob.
    pub path: String,
    /// The line of its `[[rule]]`.
    pub line: usize,
    /// The path it matched (the path itself, or a hidden directory above it).
    pub matched: String,
}

fn name(e: Errno) -> String {
    e.name().map_or_else(|| e.raw().to_string(), str::to_string)
}

impl Policy {
    /// What `op` on `path` (a sandbox path; normalized lexically first) gets, and why.
    pub fn explain(&self, path: &str, op: Op) -> Explanation {
        let path = normalize(path);
        let mount = self.mount_of(&path);
        let mount_info = mount.map(|m| MountInfo {
            at: m.at.clone(),
            provider: m.description.clone(),
            line: m.line,
        });
        let read_only_reason = mount.and_then(read_only_reason);
        let rule_info = |i: usize, matched: &str| {
            self.rules.get(i).map(|r| RuleInfo {
                number: i + 1,
                path: r.path.clone(),
                line: r.line,
                matched: matched.to_string(),
            })
        };
        // A hidden directory hides everything below it: it cannot be reached.
        let mut ancestors: Vec<String> = Vec::new();
        let mut at = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            ancestors.push(if at.is_empty() {
                "/".to_string()
            } else {
                at.clone()
            });
            at = format!("{at}/{part}");
        }
        for a in &ancestors {
            let d = self.compiled.decide(a.as_bytes(), Op::Read);
            if d.action == Action::Hide {
                let rule = d.rule.and_then(|i| rule_info(i, a));
                return Explanation {
                    reason: format!(
                        "{a} is hidden by rule {}: nothing below it can be reached",
                        d.rule.map_or(0, |i| i + 1)
                    ),
                    path,
                    op: op.name().to_string(),
                    mount: mount_info,
                    read_only_reason,
                    decision: DecisionInfo {
                        action: "hide".to_string(),
                        errno: Some("ENOENT".to_string()),
                        rule,
                    },
                    errno: Some("ENOENT".to_string()),
                    directory_rename: None,
                };
            }
        }
        let hidden = self.compiled.decide(path.as_bytes(), Op::Read);
        let d = if hidden.action == Action::Hide {
            hidden
        } else {
            self.compiled.decide(path.as_bytes(), op)
        };
        let rule = d.rule.and_then(|i| rule_info(i, &path));
        let number = d.rule.map_or(0, |i| i + 1);
        let (rule_errno, rule_reason) = match d.action {
            Action::Hide if creates_name(op) => (
                Some(Errno::EACCES),
                format!("rule {number} hides {path}: creating, linking or renaming onto a hidden name is EACCES whether or not it exists (EEXIST would reveal it)"),
            ),
            Action::Hide => (
                Some(Errno::ENOENT),
                format!("rule {number} hides {path}: it does not exist in the sandbox"),
            ),
            Action::Deny { errno } => (
                Some(errno),
                format!("rule {number} denies {} on {path}", op.name()),
            ),
            Action::ReadOnly if op.mutates() => (
                Some(Errno::EROFS),
                format!("rule {number} makes {path} read-only"),
            ),
            Action::ReadOnly | Action::Allow if d.rule.is_some() => {
                (None, format!("rule {number} allows {} on {path}", op.name()))
            }
            _ => (None, format!("no rule matches {} on {path}", op.name())),
        };
        let decision = DecisionInfo {
            action: crate::model::action_name(d.action).to_string(),
            errno: rule_errno.map(name),
            rule,
        };
        let (errno, reason) = if let Some(e) = rule_errno {
            (Some(e), rule_reason)
        } else if mount.is_none() {
            if self.is_skeleton(&path) {
                if op.mutates() {
                    (
                        Some(Errno::EROFS),
                        format!("{path} is a directory made to hold mount points: read-only"),
                    )
                } else {
                    (
                        None,
                        format!("{path} is a directory made to hold mount points"),
                    )
                }
            } else if creates_name(op) && self.is_skeleton(parent(&path)) {
                (
                    Some(Errno::EROFS),
                    format!(
                        "{} is a directory made to hold mount points: read-only",
                        parent(&path)
                    ),
                )
            } else {
                (
                    Some(Errno::ENOENT),
                    format!("no mount covers {path}: it does not exist in the sandbox"),
                )
            }
        } else if let (Some(why), true) = (&read_only_reason, op.mutates()) {
            (Some(Errno::EROFS), format!("{rule_reason}; {why}"))
        } else {
            (
                None,
                format!(
                    "{rule_reason}; the provider's own checks (permissions, existence) still apply"
                ),
            )
        };
        let directory_rename = (op == Op::Rename)
            .then(|| self.directory_rename(&path))
            .flatten();
        Explanation {
            path,
            op: op.name().to_string(),
            mount: mount_info,
            read_only_reason,
            decision,
            errno: errno.map(name),
            reason,
            directory_rename,
        }
    }

    /// Why a rename of the directory `path` can be `EXDEV`: the first rule that is not
    /// `allow` and can match below it (the guard refuses when some rule matches differently
    /// below the destination; which destinations do is not known here).
    fn directory_rename(&self, path: &str) -> Option<String> {
        let (i, r) =
            self.compiled.iter().enumerate().find(|(_, r)| {
                r.action != Action::Allow && r.glob.can_match_below(path.as_bytes())
            })?;
        let line = self.rules.get(i).map_or(0, |s| s.line);
        Some(format!(
            "if {path} is a directory, renaming it is EXDEV wherever the rules below the destination differ from those below it: rule {} (line {line}, {}) can match below it; `mv` then copies and removes file by file, each through the rules",
            i + 1,
            r.glob
        ))
    }

    /// The mount `path` (normalized) is in: the longest mount path that is it or above it.
    pub(crate) fn mount_of(&self, path: &str) -> Option<&MountSpec> {
        self.mounts
            .iter()
            .filter(|m| is_within(path, &m.at))
            .max_by_key(|m| m.at.len())
    }

    /// True for `/` and the directories leading to mount points when nothing is mounted there.
    fn is_skeleton(&self, path: &str) -> bool {
        self.mounts.iter().any(|m| is_within(&m.at, path))
    }
}

/// True for the classes that make a new name (or rename onto one).
fn creates_name(op: Op) -> bool {
    matches!(op, Op::Create | Op::Link | Op::Symlink | Op::Rename)
}

/// The directory holding normalized `path` (`/` for `/` itself).
fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// True if `path` is `at` or below it.
pub(crate) fn is_within(path: &str, at: &str) -> bool {
    at == "/"
        || path == at
        || (path.starts_with(at) && path.as_bytes().get(at.len()) == Some(&b'/'))
}

/// Why a mount refuses changes: `read-only = true`, a readonly provider.
fn read_only_reason(m: &MountSpec) -> Option<String> {
    if m.provider.read_only {
        return Some(format!(
            "the mount at {} is read-only (`read-only = true`, line {})",
            m.at, m.line
        ));
    }
    if matches!(m.provider.kind, KindSpec::ReadOnly { .. }) {
        return Some(format!(
            "the mount at {} is a readonly provider (line {})",
            m.at, m.line
        ));
    }
    None
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} {}: {}",
            self.op,
            self.path,
            self.errno.as_deref().unwrap_or("allowed")
        )?;
        match &self.mount {
            Some(m) => writeln!(f, "  mount:     {} (line {}): {}", m.at, m.line, m.provider)?,
            None => writeln!(f, "  mount:     none")?,
        }
        if let Some(r) = &self.read_only_reason {
            writeln!(f, "  read-only: {r}")?;
        }
        match &self.decision.rule {
            Some(r) => writeln!(
                f,
                "  rule:      rule {} (line {}): {} matched {} -> {}",
                r.number, r.line, r.path, r.matched, self.decision.action
            )?,
            None => writeln!(f, "  rule:      none matched")?,
        }
        write!(f, "  why:       {}", self.reason)?;
        if let Some(d) = &self.directory_rename {
            write!(f, "\n  directory: {d}")?;
        }
        Ok(())
    }
}
