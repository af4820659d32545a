//! Running cases: the registry entry of a case, one run with panics caught, and whole runs.

use crate::fixture::Factory;
use crate::helpers::Ctx;
use crate::outcome::{CaseResult, Failure, Outcome};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// One conformance case, as listed by [`cases`](crate::cases).
#[derive(Clone, Copy)]
pub struct Case {
    /// The case's name, e.g. `rmdir_nonempty_is_enotempty`. Unique across the suite.
    pub name: &'static str,
    /// The topic module it lives in, e.g. `remove`.
    pub topic: &'static str,
    /// Its doc comment: the behaviour and the Linux syscall sequence it mirrors.
    pub doc: &'static str,
    pub(crate) run: fn(&Ctx) -> CaseResult,
}

impl Case {
    /// `topic::name`, the path the generated `#[test]` gets inside the provider module.
    pub fn full_name(&self) -> String {
        format!("{}::{}", self.topic, self.name)
    }

    /// The doc comment as one line of text.
    pub fn summary(&self) -> String {
        self.doc.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Runs the case on a fresh provider from `factory`. A panic in the factory or the case is
    /// caught and reported as a failure carrying the panic message.
    pub fn run(&self, factory: &dyn Factory) -> Outcome {
        let result = catch_unwind(AssertUnwindSafe(|| {
            let fixture = factory.make();
            let ctx = Ctx::new(fixture.fs().clone());
            let outcome = Outcome::from((self.run)(&ctx));
            drop(ctx);
            drop(fixture);
            outcome
        }));
        match result {
            Ok(outcome) => outcome,
            Err(payload) => Outcome::Fail(Failure::message(format!(
                "panicked: {}",
                panic_message(payload.as_ref())
            ))),
        }
    }
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("name", &self.name)
            .field("topic", &self.topic)
            .finish()
    }
}

/// The text a panic carried (`panic!` with a literal or a formatted message), if any.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a non-text panic payload".to_string()
    }
}

/// Counts of one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases that were skipped.
    pub skipped: usize,
}

impl Summary {
    /// Counts one outcome.
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Pass => self.passed += 1,
            Outcome::Fail(_) => self.failed += 1,
            Outcome::Skip(_) => self.skipped += 1,
        }
    }
}

impl std::fmt::Display for Summary {
    /// The closing line: `N passed, M failed, K skipped`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// Runs every case whose name contains `filter` (all of them for `None`), in registry order,
/// each on a fresh provider, calling `report` after each one. Returns the counts.
pub fn run_each(
    factory: &dyn Factory,
    filter: Option<&str>,
    mut report: impl FnMut(&'static Case, &Outcome),
) -> Summary {
    let mut summary = Summary::default();
    for case in crate::cases() {
        if filter.is_some_and(|f| !case.name.contains(f) && !case.full_name().contains(f)) {
            continue;
        }
        let outcome = case.run(factory);
        summary.add(&outcome);
        report(case, &outcome);
    }
    summary
}

/// Runs the case named `full_name` (`topic::name`) as a Rust test: panics on failure, prints the
/// reason of a skip to stderr. Used by the tests that [`provider_tests!`](crate::provider_tests)
/// generates.
#[doc(hidden)]
pub fn run_test(full_name: &str, factory: &dyn Factory) {
    let Some(case) = crate::cases().iter().find(|c| c.full_name() == full_name) else {
        panic!("no conformance case named {full_name}");
    };
    match case.run(factory) {
        Outcome::Pass => {}
        Outcome::Skip(reason) => eprintln!("{full_name}: skipped ({reason})"),
        Outcome::Fail(failure) => panic!("{full_name} FAILED {failure}"),
    }
}
