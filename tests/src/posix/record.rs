//! A run's record: one line per step, compared line by line.

use std::fmt;

/// One recorded step: what was called, and what it answered (normalised text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The call, e.g. `open("a", O_RDONLY)`.
    pub call: String,
    /// The answer, e.g. `3`, `ENOENT`, `b"abc"`.
    pub result: String,
}

/// The steps of one run (and, appended by the harness, the final tree).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// The steps in order.
    pub steps: Vec<Step>,
}

impl Record {
    /// One line per step, `call\tresult` (tabs and newlines escaped by the steps).
    pub fn to_lines(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            out.push_str(&step.call);
            out.push('\t');
            out.push_str(&step.result);
            out.push('\n');
        }
        out
    }

    /// Parses [`to_lines`](Record::to_lines).
    pub fn from_lines(text: &str) -> Record {
        let steps = text
            .lines()
            .map(|line| match line.split_once('\t') {
                Some((call, result)) => Step {
                    call: call.to_string(),
                    result: result.to_string(),
                },
                None => Step {
                    call: line.to_string(),
                    result: String::new(),
                },
            })
            .collect();
        Record { steps }
    }
}

/// The first difference between an expected and an actual record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// Index of the first differing step.
    pub index: usize,
    /// The expected step (`None`: the actual run has extra steps).
    pub expected: Option<Step>,
    /// The actual step (`None`: the actual run stopped early).
    pub got: Option<Step>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |s: &Option<Step>| match s {
            Some(s) => format!("{} = {}", s.call, s.result),
            None => "(no step)".to_string(),
        };
        write!(
            f,
            "step {}: expected {} | got {}",
            self.index,
            show(&self.expected),
            show(&self.got)
        )
    }
}

/// The first step where `got` differs from `expected`, if any.
pub fn compare(expected: &Record, got: &Record) -> Option<Mismatch> {
    let len = expected.steps.len().max(got.steps.len());
    (0..len).find_map(|i| {
        let e = expected.steps.get(i);
        let g = got.steps.get(i);
        (e != g).then(|| Mismatch {
            index: i,
            expected: e.cloned(),
            got: g.cloned(),
        })
    })
}
