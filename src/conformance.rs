//! `vfsbox conformance`: runs the suite on the provider of a spec and reports each case.

use crate::cli::{ConformanceArgs, Format};
use crate::providers::SpecFactory;
use crate::report::{text_line, CaseRecord, JsonReport};
use std::process::ExitCode;

/// Runs the command; exit status 0 if no case failed, 1 if one did, 2 if the provider could
/// not be set up.
pub fn run(args: &ConformanceArgs) -> ExitCode {
    let factory = match SpecFactory::new(&args.provider) {
        Ok(factory) => factory,
        Err(e) => {
            eprintln!("vfsbox conformance: {e}");
            return ExitCode::from(2);
        }
    };
    // Panics in cases are caught and reported with their message; keep the default hook from
    // also printing them between the result lines.
    std::panic::set_hook(Box::new(|_| {}));
    let filter = args.filter.as_deref();
    let summary = match args.format {
        Format::Text => vfsbox_conformance::run_each(&factory, filter, |case, outcome| {
            println!("{}", text_line(case, outcome));
        }),
        Format::Json => {
            let mut cases = Vec::new();
            let summary = vfsbox_conformance::run_each(&factory, filter, |case, outcome| {
                cases.push(CaseRecord::new(case, outcome));
            });
            let report = JsonReport {
                provider: args.provider.to_string(),
                cases,
                summary: summary.into(),
            };
            match serde_json::to_string_pretty(&report) {
                Ok(json) => println!("{json}"),
                Err(e) => {
                    eprintln!("vfsbox conformance: cannot encode the report: {e}");
                    return ExitCode::from(2);
                }
            }
            summary
        }
    };
    let _ = std::panic::take_hook();
    if args.format == Format::Text {
        println!("{summary}");
    }
    if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
