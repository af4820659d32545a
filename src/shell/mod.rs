//! `vfsbox shell`: an interactive shell over the emulated layer, for trying out what a
//! sandbox's programs would see. Each command is a thin layer over `Posix` calls on one
//! emulated process (root identity, umask 0022, cwd at the provider's root; or, with
//! `--policy`, the policy's identity, umask, cwd and limits), so errors are the emulated
//! layer's own: `name: strerror (ERRNO)`.
//!
//! Commands are read from standard input line by line. A prompt (`vfsbox:CWD$ `) is printed
//! only when standard input is a terminal, so a script piped in gives just the commands'
//! output. The exit status is 0 at `exit` or end of input whatever the commands did (the
//! shell is for exploring, not for scripting decisions); 2 when the provider cannot be set
//! up or standard input cannot be read.
//!
//! Modules: `parse` (words and redirections), `commands` (dispatch and the commands that
//! change the tree), `listing` (`ls`, `stat`, `tree`), `format` (modes and times), `io`
//! (output, redirected output and error lines).

mod commands;
mod format;
mod io;
mod listing;
mod parse;

use crate::cli::ShellArgs;
use crate::providers::{self, HostDirs};
use crate::sandbox;
use crate::spec::ProviderSpec;
use commands::{Flow, Shell};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use vfsbox_emulation::Emulated;

/// Exit status when the shell cannot start or its input fails.
const FAILED: u8 = 2;

/// Runs `vfsbox shell` until `exit` or the end of standard input.
pub fn run(args: &ShellArgs) -> ExitCode {
    match start(args) {
        Ok((process, what, guards)) => {
            let shell = Shell::new(Box::new(process));
            let interactive = std::io::stdin().is_terminal();
            if interactive {
                eprintln!("vfsbox shell over {what}; type help for the commands, exit to leave");
            }
            let status = repl(&shell, interactive);
            drop(shell);
            drop(guards);
            status
        }
        Err(message) => {
            eprint!("vfsbox shell: {}", crate::policy::with_newline(message));
            ExitCode::from(FAILED)
        }
    }
}

/// The emulated process to explore, what to call it, and what its provider stands on.
fn start(args: &ShellArgs) -> Result<(Emulated, String, Box<dyn std::any::Any>), String> {
    if let Some(file) = &args.policy {
        let registry = sandbox::registry();
        let policy = sandbox::load(Some(file), &registry)?;
        let built = sandbox::build(&policy, &registry)?;
        let process = sandbox::emulated(&built)?;
        return Ok((
            process,
            format!("policy {:?}", policy.name),
            Box::new(built),
        ));
    }
    let spec = match (&args.provider, &args.host) {
        (Some(spec), _) => spec.clone(),
        (None, Some(dir)) => ProviderSpec::Host(dir.clone()),
        (None, None) => ProviderSpec::Memory,
    };
    let built = providers::build(&spec, HostDirs::AsGiven).map_err(|e| e.to_string())?;
    let process = Emulated::builder(built.fs.clone()).build();
    Ok((process, spec.to_string(), Box::new(built)))
}

fn repl(shell: &Shell, interactive: bool) -> ExitCode {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr();
    let mut line = Vec::new();
    loop {
        if interactive {
            let cwd = shell.posix().getcwd().unwrap_or_else(|_| b"?".to_vec());
            let _ = stdout.write_all(b"vfsbox:");
            let _ = stdout.write_all(&cwd);
            let _ = stdout.write_all(b"$ ");
            let _ = stdout.flush();
        }
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => {
                if interactive {
                    let _ = stdout.write_all(b"\n");
                }
                return ExitCode::SUCCESS;
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("vfsbox shell: cannot read standard input: {e}");
                return ExitCode::from(FAILED);
            }
        }
        if line.ends_with(b"\n") {
            line.pop();
        }
        let mut io = io::Io::new(&mut stdout, &mut stderr);
        match parse::parse(&line) {
            Ok(None) => {}
            Ok(Some(parsed)) => {
                if shell.execute(&parsed, &mut io) == Flow::Exit {
                    io.flush();
                    return ExitCode::SUCCESS;
                }
            }
            Err(e) => io.message("vfsbox shell", &e.to_string()),
        }
        io.flush();
    }
}
