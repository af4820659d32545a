//! `vfsbox conformance`: runs the suite on the provider of a spec and reports each case.

use crate::cli::{ConformanceArgs, Format};
use crate::providers::{SpecFactory, BUILTIN_WRITABLE_MOUNTS};
use crate::report::{text_line, CaseRecord, JsonReport};
use crate::spec::ProviderSpec;
use std::process::ExitCode;
use vfsbox_conformance::Summary;

/// Runs the command; exit status 0 if no case failed, 1 if one did, 2 if the provider could
/// not be set up.
pub fn run(args: &ConformanceArgs) -> ExitCode {
    // The generic cases need an empty writable root; the built-in mount table's root lists
    // its mount points, so the suite runs inside each of its writable mounts instead.
    let places: &[&str] = match args.provider {
        ProviderSpec::Mounts => &BUILTIN_WRITABLE_MOUNTS,
        _ => &["/"],
    };
    let mut targets = Vec::new();
    for &at in places {
        match SpecFactory::new(&args.provider, at) {
            Ok(factory) => targets.push(((at != "/").then_some(at), factory)),
            Err(e) => {
                eprintln!("vfsbox conformance: {e}");
                return ExitCode::from(2);
            }
        }
    }
    // Panics in cases are caught and reported with their message; keep the default hook from
    // also printing them between the result lines.
    std::panic::set_hook(Box::new(|_| {}));
    let filter = args.filter.as_deref();
    let mut summary = Summary::default();
    let mut records = Vec::new();
    for (at, factory) in &targets {
        let part =
            vfsbox_conformance::run_each(factory, filter, |case, outcome| match args.format {
                Format::Text => println!("{}", text_line(*at, case, outcome)),
                Format::Json => records.push(CaseRecord::new(*at, case, outcome)),
            });
        summary.passed += part.passed;
        summary.failed += part.failed;
        summary.skipped += part.skipped;
    }
    let _ = std::panic::take_hook();
    match args.format {
        Format::Text => println!("{summary}"),
        Format::Json => {
            let report = JsonReport {
                provider: args.provider.to_string(),
                cases: records,
                summary: summary.into(),
            };
            match serde_json::to_string_pretty(&report) {
                Ok(json) => println!("{json}"),
                Err(e) => {
                    eprintln!("vfsbox conformance: cannot encode the report: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
