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

    /// Serve a policy's view (or one provider) through FUSE at MOUNTPOINT, in the foreground,
    /// until Ctrl-C.
    ///
    /// With neither --policy nor --provider, serves the built-in default policy (`vfsbox
    /// policy default`): the demo sandbox, a memory filesystem holding a README.
    /// Exit status: 0 after a clean unmount, 2 when nothing could be mounted (bad spec,
    /// missing or non-empty mountpoint, already a mount point, no /dev/fuse, no permission).
    Mount(MountArgs),

    /// Unmount MOUNTPOINT, e.g. one left behind by a `vfsbox mount` that was killed.
    ///
    /// Exit status: 0 when unmounted, 2 when it is not a mount point or cannot be unmounted.
    Umount(UmountArgs),

    /// An interactive shell over the emulated POSIX layer (ls, cd, cat, echo > file, mkdir,
    /// rm, mv, ln, stat, chmod, umask, touch, tree; `help` lists them).
    ///
    /// Reads commands from standard input; prints a prompt only when it is a terminal, so a
    /// script can be piped in. Errors print as `name: strerror (ERRNO)`. Exit status: 0 at
    /// `exit` or end of input (whatever the commands did), 2 when the provider cannot be set
    /// up or the input cannot be read.
    Shell(ShellArgs),

    /// Policy files: check one, show the view it describes, explain one decision, or print
    /// the built-in default (see docs/policy.md for the format).
    ///
    /// Exit status: 0, or 2 for a policy with errors (each printed with file, line, column
    /// and a hint) or a bad argument.
    Policy(PolicyArgs),
}

#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check a policy file: `FILE: ok`, or every error found.
    Check {
        /// The policy file.
        file: std::path::PathBuf,
        /// How to print the result.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The view a policy describes, as a tree: mounts, providers, modes, limits, and the
    /// rules that can apply under each mount.
    Show {
        /// The policy file.
        file: std::path::PathBuf,
        /// How to print the view.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// What one operation on one sandbox path gets, and the rule or mount that decides it.
    Explain {
        /// The policy file.
        file: std::path::PathBuf,
        /// A sandbox path, e.g. /src/main.rs.
        path: String,
        /// One of read, write, create, delete, rename, link, symlink, chmod, chown, xattr,
        /// exec.
        op: String,
        /// How to print the explanation.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the built-in default policy (what `vfsbox mount` serves with no --policy).
    Default,
}

#[derive(Debug, clap::Args)]
pub struct ShellArgs {
    /// The provider to explore (as for `vfsbox conformance`; `host:DIR` is DIR itself).
    /// Default: a fresh, empty memory provider.
    #[arg(long, value_name = "SPEC", conflicts_with_all = ["host", "policy"])]
    pub provider: Option<ProviderSpec>,

    /// Explore the view of a policy file, as its identity, umask, cwd and limits say.
    #[arg(long, value_name = "FILE", conflicts_with = "host")]
    pub policy: Option<std::path::PathBuf>,

    /// Shorthand for `--provider host:DIR`.
    #[arg(long, value_name = "DIR")]
    pub host: Option<std::path::PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct MountArgs {
    /// The provider to serve (as for `vfsbox conformance`; `host:DIR` serves DIR itself).
    /// Default: the built-in default policy (`vfsbox policy default`).
    #[arg(long, value_name = "SPEC", conflicts_with = "policy")]
    pub provider: Option<ProviderSpec>,

    /// Serve the view of a policy file: its mounts, rules, limits and audit log.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<std::path::PathBuf>,

    /// Mount read-only: every change fails with EROFS.
    #[arg(long)]
    pub read_only: bool,

    /// Worker threads serving kernel requests (more help only when several processes use
    /// the mount at once).
    #[arg(long, value_name = "N", default_value_t = vfsbox_fuse::DEFAULT_THREADS as u16,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: u16,

    /// Let other users access the mount (the kernel checks their permissions).
    #[arg(long)]
    pub allow_other: bool,

    /// Serve host files through vfsbox even where the kernel could read and write them
    /// directly (FUSE passthrough, Linux 6.9+, as root): slower, for comparison.
    #[arg(long)]
    pub no_passthrough: bool,

    /// Let the kernel cache writes and send them in batches (faster small writes; errors such
    /// as ENOSPC may surface at fsync or close instead of at write). Turns passthrough off.
    #[arg(long)]
    pub writeback_cache: bool,

    /// An existing empty directory to mount on.
    pub mountpoint: std::path::PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct UmountArgs {
    /// Where the mount is.
    pub mountpoint: std::path::PathBuf,
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

/// Output formats of `vfsbox conformance` and `vfsbox policy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per case, then `N passed, M failed, K skipped`.
    Text,
    /// One JSON document with every case and the counts.
    Json,
}
