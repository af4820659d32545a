//! `PolicyError`: one problem in a policy file, positioned rustc-style.

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// One problem in a policy file: where it is (1-based line and column of the offending key
/// or value), the line it is on, and what to do about it.
///
/// `Display` renders it as rustc renders a diagnostic:
/// ```text
/// error: unknown key `provder` in [[mount]]
///   --> build.toml:12:1
///    |
/// 12 | provder = "memory"
///    | ^^^^^^^
///    = hint: expected one of: at, provider, root, ...
/// ```
/// `Serialize` gives the same fields for `--format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyError {
    /// The policy file, as it was given.
    pub file: PathBuf,
    /// 1-based line of the offending text.
    pub line: usize,
    /// 1-based column (in characters) of the offending text.
    pub column: usize,
    /// How many characters of the line the caret underlines (at least 1).
    pub width: usize,
    /// What is wrong.
    pub message: String,
    /// The source line the error is on (without its line break).
    pub snippet: String,
    /// What would be right, if there is something to say.
    pub hint: Option<String>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        writeln!(f, "error: {}", self.message)?;
        writeln!(
            f,
            "{pad}--> {}:{}:{}",
            self.file.display(),
            self.line,
            self.column
        )?;
        writeln!(f, "{pad} |")?;
        writeln!(f, "{number} | {}", self.snippet)?;
        // Tabs before the caret stay tabs, so the caret lines up however tabs are shown.
        let lead: String = self
            .snippet
            .chars()
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{pad} | {lead}{}", "^".repeat(self.width.max(1)))?;
        if let Some(hint) = &self.hint {
            write!(f, "\n{pad} = hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// Renders several errors as `check` prints them: each error, a blank line between, and a
/// closing count.
pub fn render_errors(errors: &[PolicyError]) -> String {
    let mut out = String::new();
    for e in errors {
        out.push_str(&e.to_string());
        out.push_str("\n\n");
    }
    let n = errors.len();
    out.push_str(&format!(
        "error: the policy has {n} error{}",
        if n == 1 { "" } else { "s" }
    ));
    out
}
