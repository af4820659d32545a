//! [`Policy`]: a policy file loaded, validated and ready to build or explain.

use crate::error::PolicyError;
use crate::model::{Identity, KindSpec, LimitsSpec, Logging, MountSpec, ProviderSpec, RuleSpec};
use crate::parse;
use crate::read::Reader;
use crate::registry::Registry;
use crate::source::{Source, Span};
use crate::tree;
use std::path::{Path, PathBuf};
use vfsbox_guard::{Glob, Rule, Rules};

/// A validated policy. See the [crate documentation](crate) for the file format.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) source: Source,
    pub(crate) dir: PathBuf,
    /// `name`, or the file's stem.
    pub name: String,
    /// `[identity]`.
    pub identity: Identity,
    /// `umask`.
    pub umask: u32,
    /// `cwd`.
    pub cwd: String,
    /// `[limits]`.
    pub limits: LimitsSpec,
    /// The `[[mount]]`s, in file order.
    pub mounts: Vec<MountSpec>,
    /// The `[[rule]]`s, in file order (the order they are tried in).
    pub rules: Vec<RuleSpec>,
    /// `[logging]`.
    pub logging: Logging,
    pub(crate) compiled: Rules,
}

impl Policy {
    /// Reads, parses and validates the policy file at `path`, and checks its host roots.
    /// Relative host roots and the audit path are taken from the file's directory.
    ///
    /// # Errors
    /// Every problem found (syntax errors stop at the first; validation collects them all),
    /// each with line and column.
    pub fn load(path: impl AsRef<Path>, registry: &Registry) -> Result<Policy, Vec<PolicyError>> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            vec![PolicyError {
                file: path.to_path_buf(),
                line: 1,
                column: 1,
                width: 1,
                message: format!("cannot read the policy file: {e}"),
                snippet: String::new(),
                hint: None,
            }]
        })?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Policy::parse(path, &text, &dir, registry)
    }

    /// Parses and validates `text`, reported as `file`, with relative paths taken from `dir`
    /// (for policies that are not files, such as the built-in default).
    ///
    /// # Errors
    /// As [`Policy::load`].
    pub fn parse(
        file: impl Into<PathBuf>,
        text: &str,
        dir: &Path,
        registry: &Registry,
    ) -> Result<Policy, Vec<PolicyError>> {
        let source = Source::new(file, text);
        let doc = tree::parse(&source).map_err(|e| vec![e])?;
        let mut r = Reader::new(&source);
        let p = parse::policy(&mut r, &doc, dir, registry);
        overlapping_roots(&mut r, &p.mounts);
        if p.mounts.is_empty() && r.errors.is_empty() {
            r.error(
                0..0,
                "the policy mounts nothing",
                Some("add a [[mount]], e.g. at = \"/\" and provider = \"memory\"".to_string()),
            );
        }
        if !r.errors.is_empty() {
            let mut errors = r.errors;
            errors.sort_by_key(|e| (e.line, e.column));
            return Err(errors);
        }
        let compiled = compile_rules(&p.rules);
        let name = p.name.unwrap_or_else(|| {
            source.file().file_stem().map_or_else(
                || "policy".to_string(),
                |s| s.to_string_lossy().into_owned(),
            )
        });
        Ok(Policy {
            dir: dir.to_path_buf(),
            source,
            name,
            identity: p.identity,
            umask: p.umask,
            cwd: p.cwd,
            limits: p.limits,
            mounts: p.mounts,
            rules: p.rules,
            logging: p.logging,
            compiled,
        })
    }

    /// The file the policy was read from (as given).
    pub fn file(&self) -> &Path {
        self.source.file()
    }

    /// The directory relative paths are taken from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The policy's text.
    pub fn text(&self) -> &str {
        self.source.text()
    }

    /// The canonical root of every host provider, nested ones included: the host
    /// directories the sandbox exports (a FUSE mountpoint inside one would recurse).
    pub fn host_roots(&self) -> Vec<PathBuf> {
        let mut roots = Vec::new();
        for m in &self.mounts {
            host_roots(&m.provider, &mut roots);
        }
        roots
            .into_iter()
            .map(|(path, _, _)| path.to_path_buf())
            .collect()
    }

    /// The rules, compiled as the guard applies them.
    pub fn rules(&self) -> &Rules {
        &self.compiled
    }
}

/// The guard's rules from the validated specs (every glob compiled once already).
pub(crate) fn compile_rules(specs: &[RuleSpec]) -> Rules {
    Rules::new(
        specs
            .iter()
            .filter_map(|s| {
                Some(Rule {
                    glob: Glob::new(&s.path).ok()?,
                    ops: s.ops,
                    action: s.action,
                })
            })
            .collect(),
    )
}

/// Every host provider of `spec` (nested ones included): canonical root and `root` span.
pub(crate) fn host_roots<'a>(spec: &'a ProviderSpec, out: &mut Vec<(&'a Path, &'a str, Span)>) {
    spec.each_kind(&mut |kind| {
        if let KindSpec::Host {
            path,
            root,
            root_span,
            ..
        } = kind
        {
            out.push((path, root, root_span.clone()));
        }
    });
}

/// Two host roots that are the same directory or nest: a file would have two sandbox paths,
/// and a rule on one could be bypassed through the other.
fn overlapping_roots(r: &mut Reader<'_>, mounts: &[MountSpec]) {
    let mut seen: Vec<(&Path, &str, &MountSpec)> = Vec::new();
    for m in mounts {
        let mut roots = Vec::new();
        host_roots(&m.provider, &mut roots);
        for (path, text, span) in roots {
            if let Some((other, other_text, om)) = seen
                .iter()
                .find(|(p, _, _)| p.starts_with(path) || path.starts_with(p))
            {
                let how = if *other == path {
                    "is the same directory as"
                } else if other.starts_with(path) {
                    "contains"
                } else {
                    "is inside"
                };
                r.error(
                    span.clone(),
                    format!(
                        "host root `{text}` {how} host root `{other_text}` of the mount at `{}` (line {})",
                        om.at,
                        om.line
                    ),
                    Some("host roots must not overlap: a file would be reachable by two paths, so rules on one could be bypassed through the other; mount the directory once and write rules for its parts".to_string()),
                );
            } else {
                seen.push((path, text, m));
            }
        }
    }
}
