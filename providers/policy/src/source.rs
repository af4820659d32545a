//! The policy text and its file name: turns byte spans into positioned errors.

use crate::error::PolicyError;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A byte range in the policy text.
pub type Span = Range<usize>;

/// The text of a policy file and the name it is reported under.
#[derive(Debug, Clone)]
pub struct Source {
    file: PathBuf,
    text: String,
}

impl Source {
    /// `text`, reported as `file`.
    pub fn new(file: impl Into<PathBuf>, text: impl Into<String>) -> Source {
        Source {
            file: file.into(),
            text: text.into(),
        }
    }

    /// The file name errors are reported under.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = self.floor(offset);
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[start..].chars().count() + 1)
    }

    /// The 1-based line of byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.position(offset).0
    }

    /// The text of 1-based line `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let text = self
            .text
            .split('\n')
            .nth(line.saturating_sub(1))
            .unwrap_or("");
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// An error at `span` (the caret underlines the part of it on its first line).
    pub fn error(
        &self,
        span: Span,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> PolicyError {
        let start = self.floor(span.start);
        let (line, column) = self.position(start);
        let snippet = self.line_text(line).to_string();
        let end = self.floor(span.end.max(start));
        let rest_of_line = (snippet.chars().count() + 1).saturating_sub(column);
        let width = self.text[start..end]
            .chars()
            .count()
            .min(rest_of_line)
            .max(1);
        PolicyError {
            file: self.file.clone(),
            line,
            column,
            width,
            message: message.into(),
            snippet,
            hint,
        }
    }

    /// The largest char boundary at or before `offset`, within the text.
    fn floor(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }
}
