//! The command line: what `vfsbox` accepts, as clap derive types.

use crate::spec::ProviderSpec;
use clap::{Parser, Subcommand, ValueEnum};

/// A sandboxing virtual filesystem for Linux.
#[derive(Debug, Parser)]
#[command(name = "vfsbox", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the provider conformance suite and report each case.
    ///
    /// Exit status: 0 when no case failed, 1 when one did, 2 for a bad provider spec or a
    /// provider that cannot be set up.
    Conformance(ConformanceArgs),
}

#[derive(Debug, clap::Args)]
pub struct ConformanceArgs {
    /// The provider to test: `memory`, or `host:DIR` (each case runs in a fresh subdirectory
    /// of DIR, removed afterwards; DIR must exist).
    #[arg(long, value_name = "SPEC")]
    pub provider: ProviderSpec,

    /// Run only the cases whose name (or `topic::name`) contains this text.
    #[arg(long, value_name = "SUBSTRING")]
    pub filter: Option<String>,

    /// How to print the results.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output formats of `vfsbox conformance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per case, then `N passed, M failed, K skipped`.
    Text,
    /// One JSON document with every case and the counts.
    Json,
}
