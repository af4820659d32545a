//! `policy show`: the view a policy gives, as a tree of mounts with the rules under each.

use crate::describe;
use crate::explain::is_within;
use crate::model::{
    action_name, symlink_mode_name, Identity, KindSpec, LimitsSpec, Logging, ProviderSpec,
};
use crate::policy::Policy;
use crate::size::format_size;
use serde::Serialize;
use std::fmt;
use vfsbox_guard::Action;

/// A policy as data: what `policy show` prints, and serializes for `--format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Show {
    /// The policy's name.
    pub name: String,
    /// The file it was read from.
    pub file: String,
    /// The virtual identity.
    pub identity: Identity,
    /// The umask, as four octal digits.
    pub umask: String,
    /// The initial working directory.
    pub cwd: String,
    /// Limits, in bytes and counts.
    pub limits: LimitsSpec,
    /// Logging.
    pub logging: Logging,
    /// Every mount, in path order, with its parent mount.
    pub mounts: Vec<ShowMount>,
    /// Every rule, in order.
    pub rules: Vec<ShowRule>,
}

/// One mount in [`Show`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShowMount {
    /// Where it is mounted.
    pub at: String,
    /// The mount it is nested in (`None` at the top).
    pub parent: Option<String>,
    /// The line of its `[[mount]]`.
    pub line: usize,
    /// One-line description of its provider.
    pub description: String,
    /// The provider in detail.
    pub provider: ShowProvider,
    /// The numbers (1-based) of the rules that can match a path in it.
    pub rules: Vec<usize>,
}

/// A provider in [`Show`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShowProvider {
    /// Its kind.
    pub kind: String,
    /// `read-only = true`.
    pub read_only: bool,
    /// memory: `max-bytes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// memory: `max-inodes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_inodes: Option<u64>,
    /// host: `root` as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// host: `symlinks`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symlinks: Option<String>,
    /// overlay: the upper layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper: Option<Box<ShowProvider>>,
    /// overlay: the lower layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lower: Option<Box<ShowProvider>>,
    /// readonly: the provider shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inner: Option<Box<ShowProvider>>,
}

/// A rule in [`Show`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShowRule {
    /// Its number, 1-based.
    pub number: usize,
    /// The line of its `[[rule]]`.
    pub line: usize,
    /// Its glob.
    pub path: String,
    /// Its operation classes (`["all"]` for all).
    pub ops: Vec<&'static str>,
    /// `hide`, `deny`, `read-only` or `allow`.
    pub action: &'static str,
    /// deny: `EACCES` or `EPERM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errno: Option<String>,
}

fn provider(spec: &ProviderSpec) -> ShowProvider {
    let mut p = ShowProvider {
        kind: spec.kind.name().to_string(),
        read_only: spec.read_only,
        max_bytes: None,
        max_inodes: None,
        root: None,
        symlinks: None,
        upper: None,
        lower: None,
        inner: None,
    };
    match &spec.kind {
        KindSpec::Memory {
            max_bytes,
            max_inodes,
        } => {
            p.max_bytes = *max_bytes;
            p.max_inodes = *max_inodes;
        }
        KindSpec::Host { root, symlinks, .. } => {
            p.root = Some(root.clone());
            p.symlinks = Some(symlink_mode_name(*symlinks).to_string());
        }
        KindSpec::Overlay { upper, lower } => {
            p.upper = Some(Box::new(provider(upper)));
            p.lower = Some(Box::new(provider(lower)));
        }
        KindSpec::ReadOnly { inner } => p.inner = Some(Box::new(provider(inner))),
        KindSpec::Plugin { .. } => {}
    }
    p
}

impl Policy {
    /// The policy as data: mounts nested by path with the rules that can apply in each.
    pub fn show(&self) -> Show {
        let mut order: Vec<_> = self.mounts.iter().collect();
        order.sort_by(|a, b| a.at.cmp(&b.at));
        let mounts = order
            .iter()
            .map(|m| {
                let parent = order
                    .iter()
                    .filter(|o| o.at != m.at && is_within(&m.at, &o.at))
                    .max_by_key(|o| o.at.len())
                    .map(|o| o.at.clone());
                ShowMount {
                    at: m.at.clone(),
                    parent,
                    line: m.line,
                    description: m.description.clone(),
                    provider: provider(&m.provider),
                    rules: self
                        .rules
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| describe::can_apply(&r.path, &m.at))
                        .map(|(i, _)| i + 1)
                        .collect(),
                }
            })
            .collect();
        let rules = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| ShowRule {
                number: i + 1,
                line: r.line,
                path: r.path.clone(),
                ops: describe::ops(r.ops),
                action: action_name(r.action),
                errno: match r.action {
                    Action::Deny { errno } => errno.name().map(str::to_string),
                    _ => None,
                },
            })
            .collect();
        Show {
            name: self.name.clone(),
            file: self.file().display().to_string(),
            identity: self.identity.clone(),
            umask: format!("{:04o}", self.umask),
            cwd: self.cwd.clone(),
            limits: self.limits,
            logging: self.logging.clone(),
            mounts,
            rules,
        }
    }
}

impl fmt::Display for Show {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "policy {}", self.name)?;
        let groups: Vec<String> = self.identity.groups.iter().map(u32::to_string).collect();
        writeln!(
            f,
            "  identity  uid {}, gid {}, groups [{}]",
            self.identity.uid,
            self.identity.gid,
            groups.join(", ")
        )?;
        writeln!(f, "  umask     {}", self.umask)?;
        writeln!(f, "  cwd       {}", self.cwd)?;
        let l = &self.limits;
        let mut limits = Vec::new();
        if let Some(n) = l.open_files {
            limits.push(format!("open-files {n} (EMFILE)"));
        }
        if let Some(n) = l.file_size {
            limits.push(format!("file-size {} (EFBIG)", format_size(n)));
        }
        if let Some(n) = l.bytes_written {
            limits.push(format!("bytes-written {} (EDQUOT)", format_size(n)));
        }
        if limits.is_empty() {
            limits.push("none".to_string());
        }
        writeln!(f, "  limits    {}", limits.join(", "))?;
        writeln!(
            f,
            "  logging   audit {} (level {}), compat-level {}, strict {}",
            self.logging.audit.as_deref().unwrap_or("off"),
            self.logging.audit_level.name(),
            self.logging.compat_level.name(),
            self.logging.strict
        )?;
        writeln!(f, "mounts")?;
        let rule_text = |n: usize| {
            self.rules.get(n - 1).map_or_else(String::new, |r| {
                let action = match &r.errno {
                    Some(e) => format!("{} {e}", r.action),
                    None => r.action.to_string(),
                };
                format!(
                    "rule {n} (line {}): {} [{}] -> {action}",
                    r.line,
                    r.path,
                    r.ops.join(", ")
                )
            })
        };
        if !self.mounts.iter().any(|m| m.at == "/") {
            writeln!(f, "/  (no mount: read-only directories holding the mount points; nothing else exists)")?;
        }
        let roots: Vec<&ShowMount> = self.mounts.iter().filter(|m| m.parent.is_none()).collect();
        // Children of the synthesized root are drawn as a tree below it; a mount at `/` is
        // the tree's root itself.
        let synthesized_root = !self.mounts.iter().any(|m| m.at == "/");
        for (i, m) in roots.iter().enumerate() {
            let last = i + 1 == roots.len();
            let (branch, rest) = if synthesized_root {
                (
                    if last { "└── " } else { "├── " },
                    if last { "    " } else { "│   " },
                )
            } else {
                ("", "")
            };
            self.write_mount(f, m, branch, rest, &rule_text)?;
        }
        writeln!(f, "rules (first match wins; no match allows)")?;
        if self.rules.is_empty() {
            writeln!(f, "  none")?;
        }
        for r in &self.rules {
            writeln!(f, "  {}", rule_text(r.number))?;
        }
        Ok(())
    }
}

impl Show {
    fn write_mount(
        &self,
        f: &mut fmt::Formatter<'_>,
        m: &ShowMount,
        branch: &str,
        rest: &str,
        rule_text: &dyn Fn(usize) -> String,
    ) -> fmt::Result {
        writeln!(f, "{branch}{}  {}  (line {})", m.at, m.description, m.line)?;
        let children: Vec<&ShowMount> = self
            .mounts
            .iter()
            .filter(|c| c.parent.as_deref() == Some(m.at.as_str()))
            .collect();
        let bar = if children.is_empty() { "  " } else { "│ " };
        for n in &m.rules {
            writeln!(f, "{rest}{bar}  {}", rule_text(*n))?;
        }
        for (i, c) in children.iter().enumerate() {
            let last = i + 1 == children.len();
            let b = format!("{rest}{}", if last { "└── " } else { "├── " });
            let r = format!("{rest}{}", if last { "    " } else { "│   " });
            self.write_mount(f, c, &b, &r, rule_text)?;
        }
        Ok(())
    }
}
