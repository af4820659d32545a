//! What a policy says, once parsed and validated.

use crate::source::Span;
use crate::tree::Table;
use serde::Serialize;
use std::path::PathBuf;
use vfsbox_guard::{Action, AuditLevel, OpSet, SymlinkMode};

/// The sandbox's virtual identity (the emulated layer's uid, gid and groups).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Identity {
    /// User id; default 0.
    pub uid: u32,
    /// Group id; default 0.
    pub gid: u32,
    /// Supplementary groups; default none.
    pub groups: Vec<u32>,
}

/// At what `tracing` level compatibility events are logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompatLevel {
    /// Not logged (still counted).
    Off,
    /// `warn` (the default).
    #[default]
    Warn,
    /// `info`.
    Info,
    /// `debug`.
    Debug,
}

impl CompatLevel {
    /// The names policy files use, in declaration order.
    pub const NAMES: [&'static str; 4] = ["off", "warn", "info", "debug"];

    /// The policy-file name.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The `[limits]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LimitsSpec {
    /// `open-files`: handles alive at once (`EMFILE`).
    pub open_files: Option<u64>,
    /// `file-size`: the largest a file may grow (`EFBIG`).
    pub file_size: Option<u64>,
    /// `bytes-written`: total bytes accepted by `write` (`EDQUOT`).
    pub bytes_written: Option<u64>,
}

/// An [`AuditLevel`] as its policy-file name.
fn audit_level_name<S: serde::Serializer>(level: &AuditLevel, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(level.name())
}

/// The `[logging]` table.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Logging {
    /// `audit` as written.
    pub audit: Option<String>,
    /// `audit` resolved against the policy file's directory.
    #[serde(skip)]
    pub audit_path: Option<PathBuf>,
    /// Where `audit` is written.
    #[serde(skip)]
    pub audit_span: Option<Span>,
    /// `audit-level`: which calls the audit log records (default `access`).
    #[serde(serialize_with = "audit_level_name")]
    pub audit_level: AuditLevel,
    /// `compat-level`.
    pub compat_level: CompatLevel,
    /// `strict`: compatibility events become `ENOTSUP`.
    pub strict: bool,
}

/// One `[[mount]]`.
#[derive(Debug, Clone)]
pub struct MountSpec {
    /// `at`: the normalized sandbox path.
    pub at: String,
    /// What is mounted.
    pub provider: ProviderSpec,
    /// The line of its `[[mount]]` header.
    pub line: usize,
    /// Where `at` is written.
    pub at_span: Span,
    /// One line describing the provider (`host "src" (symlinks deny), read-only`), for
    /// `show` and `explain`; made at load, when the registry is at hand.
    pub description: String,
}

/// A provider table: a mount's, or a nested `upper`/`lower`/`inner`.
#[derive(Debug, Clone)]
pub struct ProviderSpec {
    /// The kind and its options.
    pub kind: KindSpec,
    /// `read-only = true`: wrapped in a read-only view.
    pub read_only: bool,
    /// The table's span (its header or its braces).
    pub span: Span,
}

/// A provider kind with its options.
#[derive(Debug, Clone)]
pub enum KindSpec {
    /// `memory`.
    Memory {
        /// `max-bytes` (`ENOSPC`).
        max_bytes: Option<u64>,
        /// `max-inodes` (`ENOSPC`).
        max_inodes: Option<u64>,
    },
    /// `host`.
    Host {
        /// `root` as written.
        root: String,
        /// `root` resolved against the policy directory and canonicalized.
        path: PathBuf,
        /// `symlinks`.
        symlinks: SymlinkMode,
        /// Where `root` is written.
        root_span: Span,
    },
    /// `overlay`.
    Overlay {
        /// The writable upper layer.
        upper: Box<ProviderSpec>,
        /// The lower layer (made read-only).
        lower: Box<ProviderSpec>,
    },
    /// `readonly`.
    ReadOnly {
        /// The provider shown read-only.
        inner: Box<ProviderSpec>,
    },
    /// A registered kind.
    Plugin {
        /// The kind's name.
        name: String,
        /// Its options (every key but `provider`, `at` and `read-only`).
        options: Table,
    },
}

impl ProviderSpec {
    /// Calls `f` on this provider's kind and on every nested one (an overlay's layers, a
    /// read-only view's inner provider), outer first.
    pub(crate) fn each_kind<'a>(&'a self, f: &mut impl FnMut(&'a KindSpec)) {
        f(&self.kind);
        match &self.kind {
            KindSpec::Overlay { upper, lower } => {
                upper.each_kind(f);
                lower.each_kind(f);
            }
            KindSpec::ReadOnly { inner } => inner.each_kind(f),
            KindSpec::Memory { .. } | KindSpec::Host { .. } | KindSpec::Plugin { .. } => {}
        }
    }
}

impl KindSpec {
    /// The kind's name as policy files write it.
    pub fn name(&self) -> &str {
        match self {
            KindSpec::Memory { .. } => "memory",
            KindSpec::Host { .. } => "host",
            KindSpec::Overlay { .. } => "overlay",
            KindSpec::ReadOnly { .. } => "readonly",
            KindSpec::Plugin { name, .. } => name,
        }
    }
}

/// One `[[rule]]`.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    /// `path`: the glob as written.
    pub path: String,
    /// `ops`.
    pub ops: OpSet,
    /// `action` (with `errno` for deny).
    pub action: Action,
    /// The line of its `[[rule]]` header.
    pub line: usize,
}

/// The name of a symlink mode as policy files write it.
pub fn symlink_mode_name(mode: SymlinkMode) -> &'static str {
    match mode {
        SymlinkMode::Allow => "allow",
        SymlinkMode::RelativeInside => "relative-inside",
        SymlinkMode::Deny => "deny",
    }
}

/// The name of an action as policy files write it.
pub fn action_name(action: Action) -> &'static str {
    match action {
        Action::Hide => "hide",
        Action::Deny { .. } => "deny",
        Action::ReadOnly => "read-only",
        Action::Allow => "allow",
    }
}
