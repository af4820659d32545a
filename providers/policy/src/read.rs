//! Typed reading of tree values, collecting every error instead of stopping at the first.

use crate::error::PolicyError;
use crate::size::{parse_size, SIZE_HINT};
use crate::source::{Source, Span};
use crate::tree::{Table, Value, ValueKind};

/// Reads values of one policy file and keeps the errors met on the way.
pub struct Reader<'s> {
    /// The text the spans point into.
    pub source: &'s Source,
    /// The errors so far, in the order met.
    pub errors: Vec<PolicyError>,
}

impl<'s> Reader<'s> {
    /// A reader of `source` with no errors yet.
    pub fn new(source: &'s Source) -> Reader<'s> {
        Reader {
            source,
            errors: Vec::new(),
        }
    }

    /// Records an error at `span`.
    pub fn error(&mut self, span: Span, message: impl Into<String>, hint: Option<String>) {
        let e = self.source.error(span, message, hint);
        self.errors.push(e);
    }

    fn wrong_type(&mut self, v: &Value, key: &str, expected: &str) {
        self.error(
            v.span.clone(),
            format!(
                "wrong type for `{key}`: expected {expected}, found {}",
                v.kind.type_name()
            ),
            None,
        );
    }

    /// The value as a table.
    pub fn table<'v>(&mut self, v: &'v Value, key: &str) -> Option<&'v Table> {
        match &v.kind {
            ValueKind::Table(t) => Some(t),
            _ => {
                self.wrong_type(v, key, "a table");
                None
            }
        }
    }

    /// The value as a string.
    pub fn string<'v>(&mut self, v: &'v Value, key: &str) -> Option<&'v str> {
        match &v.kind {
            ValueKind::String(s) => Some(s),
            _ => {
                self.wrong_type(v, key, "a string");
                None
            }
        }
    }

    /// The value as a boolean.
    pub fn boolean(&mut self, v: &Value, key: &str) -> Option<bool> {
        match v.kind {
            ValueKind::Boolean(b) => Some(b),
            _ => {
                self.wrong_type(v, key, "a boolean (true or false)");
                None
            }
        }
    }

    /// The value as an integer in `0..=max`.
    pub fn unsigned(&mut self, v: &Value, key: &str, max: u64) -> Option<u64> {
        match v.kind {
            ValueKind::Integer(i) if i < 0 => {
                self.error(
                    v.span.clone(),
                    format!("`{key}` must not be negative"),
                    None,
                );
                None
            }
            ValueKind::Integer(i) if i as u64 > max => {
                self.error(
                    v.span.clone(),
                    format!("`{key}` is too large: at most {max}"),
                    None,
                );
                None
            }
            ValueKind::Integer(i) => Some(i as u64),
            _ => {
                self.wrong_type(v, key, "an integer");
                None
            }
        }
    }

    /// A byte size: an integer, or a string such as `"64 MiB"`.
    pub fn size(&mut self, v: &Value, key: &str) -> Option<u64> {
        match &v.kind {
            ValueKind::Integer(_) => self.unsigned(v, key, u64::MAX),
            ValueKind::String(s) => match parse_size(s) {
                Some(n) => Some(n),
                None => {
                    self.error(
                        v.span.clone(),
                        format!("invalid size `{s}` for `{key}`"),
                        Some(SIZE_HINT.to_string()),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(v, key, "a size (an integer or a string such as \"64 MiB\")");
                None
            }
        }
    }

    /// One of `choices` (a string).
    pub fn choice(&mut self, v: &Value, key: &str, choices: &[&str]) -> Option<usize> {
        let s = self.string(v, key)?;
        match choices.iter().position(|c| *c == s) {
            Some(i) => Some(i),
            None => {
                self.error(
                    v.span.clone(),
                    format!("invalid value `{s}` for `{key}`"),
                    Some(format!("expected one of: {}", choices.join(", "))),
                );
                None
            }
        }
    }

    /// Reports every key of `t` not in `allowed`, in `context` (`[limits]`, `[[mount]]`).
    pub fn unknown_keys(&mut self, t: &Table, allowed: &[&str], context: &str) {
        for e in &t.entries {
            if !allowed.contains(&e.key.as_str()) {
                self.error(
                    e.key_span.clone(),
                    format!("unknown key `{}` in {context}", e.key),
                    Some(format!("expected one of: {}", allowed.join(", "))),
                );
            }
        }
    }
}
