//! `vfsbox`: the command-line program of vfsbox, a sandboxing virtual filesystem for Linux.
//!
//! Commands: `mount` (serve a policy or a provider through FUSE), `umount`, `shell` (explore a
//! view through the emulated POSIX layer), `policy` (check, show, explain policy files) and
//! `conformance` (run the provider conformance suite on a provider spec).
#![forbid(unsafe_code)]

mod cli;
mod conformance;
mod mount;
mod policy;
mod providers;
mod report;
mod sandbox;
mod shell;
mod spec;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Conformance(args) => conformance::run(&args),
        cli::Command::Mount(args) => mount::run(&args),
        cli::Command::Umount(args) => mount::run_umount(&args),
        cli::Command::Shell(args) => shell::run(&args),
        cli::Command::Policy(args) => policy::run(&args),
    }
}
