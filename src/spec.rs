//! Provider specs: the small language `--provider` takes (`memory`, `host:DIR`).
//!
//! A spec is `KIND` or `KIND:ARGUMENT`. Each kind is one variant of [`ProviderSpec`] and one
//! arm in [`ProviderSpec::parse`]; later kinds (`readonly:SPEC`, `overlay:UPPER:LOWER`, mount
//! tables) nest specs the same way.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A provider named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderSpec {
    /// `memory`: a fresh in-memory provider.
    Memory,
    /// `host:DIR`: the host provider over a directory of the host.
    Host(PathBuf),
}

/// Why a spec could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The kind before the first `:` is not one vfsbox knows.
    #[error("unknown provider {kind:?} in {spec:?}; known providers: memory, host:DIR")]
    UnknownKind { spec: String, kind: String },
    /// The kind needs an argument after `:`.
    #[error("provider {kind:?} needs an argument: {usage}")]
    MissingArgument {
        kind: &'static str,
        usage: &'static str,
    },
    /// The kind takes no argument.
    #[error("provider {kind:?} takes no argument, got {spec:?}")]
    UnexpectedArgument { kind: &'static str, spec: String },
}

impl ProviderSpec {
    /// Parses one spec.
    ///
    /// # Errors
    /// [`SpecError`] for an unknown kind, or a missing or unexpected argument.
    pub fn parse(spec: &str) -> Result<ProviderSpec, SpecError> {
        let (kind, argument) = match spec.split_once(':') {
            Some((kind, argument)) => (kind, Some(argument)),
            None => (spec, None),
        };
        match kind {
            "memory" => match argument {
                None => Ok(ProviderSpec::Memory),
                Some(_) => Err(SpecError::UnexpectedArgument {
                    kind: "memory",
                    spec: spec.to_string(),
                }),
            },
            "host" => match argument {
                Some(dir) if !dir.is_empty() => Ok(ProviderSpec::Host(PathBuf::from(dir))),
                _ => Err(SpecError::MissingArgument {
                    kind: "host",
                    usage: "host:DIR",
                }),
            },
            _ => Err(SpecError::UnknownKind {
                spec: spec.to_string(),
                kind: kind.to_string(),
            }),
        }
    }
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
                spec: "memory:x".to_string()
            })
        );
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
        assert!(err.to_string().contains("memory, host:DIR"));
        assert!(ProviderSpec::parse("").is_err_and(|e| matches!(e, SpecError::UnknownKind { .. })));
    }

    #[test]
    fn display_round_trips() {
        for spec in ["memory", "host:/tmp/dir"] {
            assert_eq!(ProviderSpec::parse(spec).unwrap().to_string(), spec);
        }
    }
}
