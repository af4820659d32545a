//! What one case concludes: pass, fail (with the expected and actual values) or skip.

use std::fmt;

/// The result of running one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The provider behaved as Linux does.
    Pass,
    /// The provider did something else.
    Fail(Failure),
    /// Neither the behaviour nor its refusal can be checked on this provider; the reason says why.
    Skip(String),
}

impl Outcome {
    /// True for [`Outcome::Fail`].
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Fail(_))
    }
}

/// Why a case failed: what was checked, and (for value checks) what was expected and got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The step that failed, e.g. `rmdir("d") of a non-empty directory`.
    pub message: String,
    /// The expected errno name or value, when the failure compares values.
    pub expected: Option<String>,
    /// The errno name or value the provider gave.
    pub got: Option<String>,
}

impl Failure {
    /// A failure that compares an expected value with the one obtained.
    pub fn mismatch(
        message: impl Into<String>,
        expected: impl Into<String>,
        got: impl Into<String>,
    ) -> Self {
        Failure {
            message: message.into(),
            expected: Some(expected.into()),
            got: Some(got.into()),
        }
    }

    /// A failure described by a message alone (a broken invariant, a panic).
    pub fn message(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            expected: None,
            got: None,
        }
    }
}

impl fmt::Display for Failure {
    /// `expected ENOTEMPTY, got EEXIST (rmdir("d") of a non-empty directory)`, or the message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.expected, &self.got) {
            (Some(expected), Some(got)) => {
                write!(f, "expected {expected}, got {got} ({})", self.message)
            }
            _ => f.write_str(&self.message),
        }
    }
}

/// How a case stops early: the `Err` side of [`CaseResult`], so helpers can use `?`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The case failed.
    Fail(Failure),
    /// The case cannot be checked on this provider.
    Skip(String),
}

impl From<Failure> for Stop {
    fn from(failure: Failure) -> Self {
        Stop::Fail(failure)
    }
}

/// What a case function returns: `Ok(())` is a pass.
pub type CaseResult = Result<(), Stop>;

impl From<CaseResult> for Outcome {
    fn from(result: CaseResult) -> Self {
        match result {
            Ok(()) => Outcome::Pass,
            Err(Stop::Fail(failure)) => Outcome::Fail(failure),
            Err(Stop::Skip(reason)) => Outcome::Skip(reason),
        }
    }
}
