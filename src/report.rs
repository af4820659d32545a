//! Printing conformance results: one text line per case, or one JSON document.

use serde::Serialize;
use vfsbox_conformance::{Case, Outcome, Summary};

/// The text line of one case: `name ... ok`, `name ... FAILED expected X, got Y (step)`,
/// `name ... skipped (reason)`; prefixed with `[DIR] ` for a run inside directory `at`.
pub fn text_line(at: Option<&str>, case: &Case, outcome: &Outcome) -> String {
    let prefix = at.map(|dir| format!("[{dir}] ")).unwrap_or_default();
    match outcome {
        Outcome::Pass => format!("{prefix}{} ... ok", case.name),
        Outcome::Fail(failure) => format!("{prefix}{} ... FAILED {failure}", case.name),
        Outcome::Skip(reason) => format!("{prefix}{} ... skipped ({reason})", case.name),
    }
}

/// One case in the JSON document.
#[derive(Debug, Serialize)]
pub struct CaseRecord {
    /// The directory of the provider the case ran in, when not its root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    pub name: &'static str,
    pub topic: &'static str,
    /// `pass`, `fail` or `skip`.
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub got: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl CaseRecord {
    pub fn new(at: Option<&str>, case: &Case, outcome: &Outcome) -> CaseRecord {
        let mut record = CaseRecord {
            at: at.map(String::from),
            name: case.name,
            topic: case.topic,
            outcome: "pass",
            message: None,
            expected: None,
            got: None,
            reason: None,
        };
        match outcome {
            Outcome::Pass => {}
            Outcome::Fail(failure) => {
                record.outcome = "fail";
                record.message = Some(failure.message.clone());
                record.expected.clone_from(&failure.expected);
                record.got.clone_from(&failure.got);
            }
            Outcome::Skip(reason) => {
                record.outcome = "skip";
                record.reason = Some(reason.clone());
            }
        }
        record
    }
}

/// The counts in the JSON document.
#[derive(Debug, Serialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl From<Summary> for Counts {
    fn from(s: Summary) -> Self {
        Counts {
            passed: s.passed,
            failed: s.failed,
            skipped: s.skipped,
        }
    }
}

/// The whole JSON document of a run.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    pub provider: String,
    pub cases: Vec<CaseRecord>,
    pub summary: Counts,
}
