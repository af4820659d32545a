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
    log_to_stderr();
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Conformance(args) => conformance::run(&args),
        cli::Command::Mount(args) => mount::run(&args),
        cli::Command::Umount(args) => mount::run_umount(&args),
        cli::Command::Shell(args) => shell::run(&args),
        cli::Command::Policy(args) => policy::run(&args),
    }
}

/// Prints `tracing` events to stderr: compatibility events at whatever level the policy logs
/// them, warnings and errors from everything else. `VFSBOX_LOG` (a list of `target=level`)
/// replaces that filter; a malformed one is reported and ignored.
fn log_to_stderr() {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::prelude::*;
    const DEFAULT: &str = "warn,vfsbox::compat=trace";
    let filter = match std::env::var("VFSBOX_LOG") {
        Ok(text) => text.parse::<Targets>().unwrap_or_else(|e| {
            eprintln!("vfsbox: ignoring VFSBOX_LOG={text:?} ({e}); use e.g. vfsbox=debug");
            DEFAULT.parse().expect("the default filter parses")
        }),
        Err(_) => DEFAULT.parse().expect("the default filter parses"),
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time();
    tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .init();
}
