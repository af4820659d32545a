//! Provider specs: the small language `--provider` takes.
//!
//! ```text
//! SPEC := memory | host:DIR | readonly:SPEC | overlay:UPPER:LOWER | mounts
//! ```
//!
//! A spec is a list of `:`-separated tokens read left to right: `memory` and `mounts` take one
//! token, `host` two (its directory), `readonly` one plus a nested spec, `overlay` one plus two
//! nested specs (the upper, then the lower, which is made read-only). A directory may contain
//! `:` only where it ends the spec, since it then takes the rest of the text.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// The kinds `--provider` knows, as shown in error messages.
const KNOWN: &str = "memory, host:DIR, readonly:SPEC, overlay:UPPER:LOWER, mounts";

/// A provider named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderSpec {
    /// `memory`: a fresh in-memory provider.
    Memory,
    /// `host:DIR`: the host provider over a directory of the host.
    Host(PathBuf),
    /// `readonly:SPEC`: a read-only view of another provider.
    ReadOnly(Box<ProviderSpec>),
    /// `overlay:UPPER:LOWER`: a writable upper provider over a read-only view of the lower.
    Overlay {
        /// The writable layer.
        upper: Box<ProviderSpec>,
        /// The layer below, made read-only.
        lower: Box<ProviderSpec>,
    },
    /// `mounts`: the built-in mount table mixing every kind of provider.
    Mounts,
}

/// Why a spec could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// A kind is not one vfsbox knows.
    #[error("unknown provider {kind:?} in {spec:?}; known providers: {KNOWN}")]
    UnknownKind { spec: String, kind: String },
    /// A kind needs an argument after `:`.
    #[error("provider {kind:?} needs an argument: {usage}")]
    MissingArgument {
        kind: &'static str,
        usage: &'static str,
    },
    /// The spec goes on after a complete provider.
    #[error("unexpected {rest:?} after provider {kind:?} in {spec:?}; a {kind} spec is complete without it")]
    UnexpectedArgument {
        kind: &'static str,
        rest: String,
        spec: String,
    },
}

impl ProviderSpec {
    /// Parses one spec.
    ///
    /// # Errors
    /// [`SpecError`] for an unknown kind, a missing argument, or text after a complete spec.
    pub fn parse(spec: &str) -> Result<ProviderSpec, SpecError> {
        let tokens: Vec<&str> = spec.split(':').collect();
        let (parsed, used) = Parser {
            spec,
            tokens: &tokens,
        }
        .prefix(0)?;
        if used < tokens.len() {
            return Err(SpecError::UnexpectedArgument {
                kind: parsed.kind(),
                rest: tokens[used..].join(":"),
                spec: spec.to_string(),
            });
        }
        Ok(parsed)
    }

    /// The kind's keyword.
    fn kind(&self) -> &'static str {
        match self {
            ProviderSpec::Memory => "memory",
            ProviderSpec::Host(_) => "host",
            ProviderSpec::ReadOnly(_) => "readonly",
            ProviderSpec::Overlay { .. } => "overlay",
            ProviderSpec::Mounts => "mounts",
        }
    }
}

/// A left-to-right reader of spec tokens.
struct Parser<'a> {
    spec: &'a str,
    tokens: &'a [&'a str],
}

impl Parser<'_> {
    /// Parses the spec starting at token `at`; returns it and the index after its last token.
    fn prefix(&self, at: usize) -> Result<(ProviderSpec, usize), SpecError> {
        let kind = self.tokens.get(at).copied().unwrap_or("");
        match kind {
            "memory" => Ok((ProviderSpec::Memory, at + 1)),
            "mounts" => Ok((ProviderSpec::Mounts, at + 1)),
            "host" => {
                self.need(at + 1, "host", "host:DIR")?;
                // A host directory that ends the spec takes the rest, colons included.
                let end = if self.ends_here(at + 1) {
                    self.tokens.len()
                } else {
                    at + 2
                };
                let dir = PathBuf::from(self.tokens[at + 1..end].join(":"));
                Ok((ProviderSpec::Host(dir), end))
            }
            "readonly" => {
                self.need(at + 1, "readonly", "readonly:SPEC")?;
                let (inner, used) = self.prefix(at + 1)?;
                Ok((ProviderSpec::ReadOnly(Box::new(inner)), used))
            }
            "overlay" => {
                let usage = "overlay:UPPER:LOWER";
                self.need(at + 1, "overlay", usage)?;
                let (upper, used) = self.prefix(at + 1)?;
                self.need(used, "overlay", usage)?;
                let (lower, used) = self.prefix(used)?;
                Ok((
                    ProviderSpec::Overlay {
                        upper: Box::new(upper),
                        lower: Box::new(lower),
                    },
                    used,
                ))
            }
            _ => Err(SpecError::UnknownKind {
                spec: self.spec.to_string(),
                kind: kind.to_string(),
            }),
        }
    }

    /// True when no spec may follow token `at` (it is the last, or only host arguments do).
    fn ends_here(&self, at: usize) -> bool {
        !self.tokens[at + 1..].iter().any(|t| is_kind(t))
    }

    /// `MissingArgument` unless there is a token at `at`.
    fn need(&self, at: usize, kind: &'static str, usage: &'static str) -> Result<(), SpecError> {
        match self.tokens.get(at) {
            Some(token) if !token.is_empty() => Ok(()),
            _ => Err(SpecError::MissingArgument { kind, usage }),
        }
    }
}

/// True for a token that starts a spec.
fn is_kind(token: &str) -> bool {
    matches!(token, "memory" | "host" | "readonly" | "overlay" | "mounts")
}

impl FromStr for ProviderSpec {
    type Err = SpecError;
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        ProviderSpec::parse(spec)
    }
}

impl fmt::Display for ProviderSpec {
    /// The spec as it would be written on the command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderSpec::Memory => f.write_str("memory"),
            ProviderSpec::Host(dir) => write!(f, "host:{}", dir.display()),
            ProviderSpec::ReadOnly(inner) => write!(f, "readonly:{inner}"),
            ProviderSpec::Overlay { upper, lower } => write!(f, "overlay:{upper}:{lower}"),
            ProviderSpec::Mounts => f.write_str("mounts"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_memory() {
        assert_eq!(ProviderSpec::parse("memory"), Ok(ProviderSpec::Memory));
    }

    #[test]
    fn parses_host_with_dir() {
        assert_eq!(
            ProviderSpec::parse("host:/tmp/x"),
            Ok(ProviderSpec::Host(PathBuf::from("/tmp/x")))
        );
    }

    #[test]
    fn host_dir_may_contain_colons() {
        assert_eq!(
            ProviderSpec::parse("host:/tmp/a:b"),
            Ok(ProviderSpec::Host(PathBuf::from("/tmp/a:b")))
        );
    }

    #[test]
    fn host_without_dir_is_an_error() {
        for spec in ["host", "host:"] {
            assert_eq!(
                ProviderSpec::parse(spec),
                Err(SpecError::MissingArgument {
                    kind: "host",
                    usage: "host:DIR"
                })
            );
        }
    }

    #[test]
    fn memory_with_argument_is_an_error() {
        assert_eq!(
            ProviderSpec::parse("memory:x"),
            Err(SpecError::UnexpectedArgument {
                kind: "memory",
                rest: "x".to_string(),
                spec: "memory:x".to_string()
            })
        );
    }

    #[test]
    fn parses_nested_specs() {
        let host = |d: &str| Box::new(ProviderSpec::Host(PathBuf::from(d)));
        assert_eq!(
            ProviderSpec::parse("readonly:memory"),
            Ok(ProviderSpec::ReadOnly(Box::new(ProviderSpec::Memory)))
        );
        assert_eq!(
            ProviderSpec::parse("overlay:memory:memory"),
            Ok(ProviderSpec::Overlay {
                upper: Box::new(ProviderSpec::Memory),
                lower: Box::new(ProviderSpec::Memory)
            })
        );
        assert_eq!(
            ProviderSpec::parse("overlay:memory:host:/tmp/a:b"),
            Ok(ProviderSpec::Overlay {
                upper: Box::new(ProviderSpec::Memory),
                lower: host("/tmp/a:b")
            })
        );
        assert_eq!(
            ProviderSpec::parse("overlay:host:/up:readonly:host:/low"),
            Ok(ProviderSpec::Overlay {
                upper: host("/up"),
                lower: Box::new(ProviderSpec::ReadOnly(host("/low")))
            })
        );
        assert_eq!(ProviderSpec::parse("mounts"), Ok(ProviderSpec::Mounts));
    }

    #[test]
    fn incomplete_nested_specs_are_errors() {
        assert_eq!(
            ProviderSpec::parse("overlay:memory"),
            Err(SpecError::MissingArgument {
                kind: "overlay",
                usage: "overlay:UPPER:LOWER"
            })
        );
        assert_eq!(
            ProviderSpec::parse("readonly"),
            Err(SpecError::MissingArgument {
                kind: "readonly",
                usage: "readonly:SPEC"
            })
        );
        assert!(matches!(
            ProviderSpec::parse("overlay:memory:nfs"),
            Err(SpecError::UnknownKind { kind, .. }) if kind == "nfs"
        ));
        assert!(matches!(
            ProviderSpec::parse("mounts:x"),
            Err(SpecError::UnexpectedArgument { kind: "mounts", .. })
        ));
    }

    #[test]
    fn unknown_kind_is_an_error_naming_known_ones() {
        let err = ProviderSpec::parse("nfs:/x").unwrap_err();
        assert_eq!(
            err,
            SpecError::UnknownKind {
                spec: "nfs:/x".to_string(),
                kind: "nfs".to_string()
            }
        );
        assert!(err.to_string().contains(KNOWN));
        assert!(ProviderSpec::parse("").is_err_and(|e| matches!(e, SpecError::UnknownKind { .. })));
    }

    #[test]
    fn display_round_trips() {
        for spec in [
            "memory",
            "host:/tmp/dir",
            "readonly:memory",
            "overlay:memory:host:/tmp/d",
            "mounts",
        ] {
            assert_eq!(ProviderSpec::parse(spec).unwrap().to_string(), spec);
        }
    }
}
