//! `vfsbox`: the command-line program of vfsbox, a sandboxing virtual filesystem for Linux.
//!
//! For now its one command is `vfsbox conformance`, which runs the provider conformance suite
//! on a provider named by a spec (`memory`, `host:DIR`) and reports each case.
#![forbid(unsafe_code)]

mod cli;
mod conformance;
mod mount;
mod providers;
mod report;
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
    }
}
