//! `vfsbox policy`: check a policy file, show the view it describes, explain one decision,
//! print the built-in default.

use crate::cli::{Format, PolicyArgs, PolicyCommand};
use crate::sandbox;
use std::process::ExitCode;
use vfsbox_policy::Op;

/// Exit status for a policy with errors, a missing file or a bad argument.
const BAD_POLICY: u8 = 2;

/// Runs `vfsbox policy …`.
pub fn run(args: &PolicyArgs) -> ExitCode {
    let registry = sandbox::registry();
    match &args.command {
        PolicyCommand::Default => {
            print!("{}", sandbox::DEFAULT_POLICY);
            return ExitCode::SUCCESS;
        }
        PolicyCommand::Check { file, format } => {
            return match vfsbox_policy::Policy::load(file, &registry) {
                Ok(policy) => {
                    match format {
                        Format::Text => println!(
                            "{}: ok ({} mounts, {} rules)",
                            file.display(),
                            policy.mounts.len(),
                            policy.rules.len()
                        ),
                        Format::Json => println!(
                            "{}",
                            serde_json::json!({
                                "file": file,
                                "ok": true,
                                "mounts": policy.mounts.len(),
                                "rules": policy.rules.len(),
                                "errors": [],
                            })
                        ),
                    }
                    ExitCode::SUCCESS
                }
                Err(errors) => {
                    match format {
                        Format::Text => {
                            eprint!("{}", with_newline(vfsbox_policy::render_errors(&errors)))
                        }
                        Format::Json => println!(
                            "{}",
                            serde_json::json!({ "file": file, "ok": false, "errors": errors })
                        ),
                    }
                    ExitCode::from(BAD_POLICY)
                }
            };
        }
        PolicyCommand::Show { file, format } => {
            let policy = match sandbox::load(Some(file), &registry) {
                Ok(policy) => policy,
                Err(rendered) => return bad(&rendered),
            };
            let show = policy.show();
            match format {
                Format::Text => print!("{}", with_newline(show.to_string())),
                Format::Json => println!("{}", json(&show)),
            }
        }
        PolicyCommand::Explain {
            file,
            path,
            op,
            format,
        } => {
            let op: Op = match op.parse() {
                Ok(op) => op,
                Err(_) => {
                    let names: Vec<&str> = Op::ALL.iter().map(|op| op.name()).collect();
                    eprintln!(
                        "vfsbox policy explain: unknown operation `{op}`; use one of: {}",
                        names.join(", ")
                    );
                    return ExitCode::from(BAD_POLICY);
                }
            };
            if !path.starts_with('/') {
                eprintln!(
                    "vfsbox policy explain: {path:?} is not a sandbox path; write it from the sandbox root, e.g. /{path}"
                );
                return ExitCode::from(BAD_POLICY);
            }
            let policy = match sandbox::load(Some(file), &registry) {
                Ok(policy) => policy,
                Err(rendered) => return bad(&rendered),
            };
            let explanation = policy.explain(path, op);
            match format {
                Format::Text => print!("{}", with_newline(explanation.to_string())),
                Format::Json => println!("{}", json(&explanation)),
            }
        }
    }
    ExitCode::SUCCESS
}

/// Prints the rendered policy errors and gives the exit status for them.
fn bad(rendered: &str) -> ExitCode {
    eprint!("{}", with_newline(rendered.to_string()));
    ExitCode::from(BAD_POLICY)
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("policy views serialize to JSON")
}

/// `text`, ending with a newline.
pub fn with_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
