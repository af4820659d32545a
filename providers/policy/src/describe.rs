//! Short human descriptions of providers, rules and limits, shared by `show` and `explain`.

use crate::model::{symlink_mode_name, KindSpec, ProviderSpec};
use crate::registry::{Options, Registry};
use crate::size::format_size;
use crate::source::Source;
use std::path::Path;
use vfsbox_guard::{Glob, OpSet};

/// `memory (max-bytes 64 MiB)`, `host "src" (symlinks deny), read-only`, ….
pub fn provider(source: &Source, dir: &Path, spec: &ProviderSpec, registry: &Registry) -> String {
    let mut s = match &spec.kind {
        KindSpec::Memory {
            max_bytes,
            max_inodes,
        } => {
            let mut opts = Vec::new();
            if let Some(b) = max_bytes {
                opts.push(format!("max-bytes {}", format_size(*b)));
            }
            if let Some(n) = max_inodes {
                opts.push(format!("max-inodes {n}"));
            }
            if opts.is_empty() {
                "memory".to_string()
            } else {
                format!("memory ({})", opts.join(", "))
            }
        }
        KindSpec::Host { root, symlinks, .. } => {
            format!("host {root:?} (symlinks {})", symlink_mode_name(*symlinks))
        }
        KindSpec::Overlay { upper, lower } => format!(
            "overlay of upper {} over lower {}",
            provider(source, dir, upper, registry),
            provider(source, dir, lower, registry)
        ),
        KindSpec::ReadOnly { inner } => {
            format!(
                "readonly view of {}",
                provider(source, dir, inner, registry)
            )
        }
        KindSpec::Plugin { name, options } => {
            let text = registry.plugin(name).map_or_else(String::new, |k| {
                k.describe(&Options {
                    table: options,
                    span: spec.span.clone(),
                    dir,
                    source,
                })
            });
            if text.is_empty() {
                name.clone()
            } else {
                format!("{name} {text}")
            }
        }
    };
    if spec.read_only {
        s.push_str(", read-only");
    }
    s
}

/// `all` or `write, create`.
pub fn ops(ops: OpSet) -> Vec<&'static str> {
    if ops == OpSet::ALL {
        vec!["all"]
    } else {
        ops.iter().map(|o| o.name()).collect()
    }
}

/// True if the glob `pattern` can match `at` or a path below it (the glob crate's own
/// component-wise [`Glob::can_match_below`], so `show` and the rename check agree).
pub fn can_apply(pattern: &str, at: &str) -> bool {
    Glob::new(pattern).is_ok_and(|g| g.matches(at.as_bytes()) || g.can_match_below(at.as_bytes()))
}
