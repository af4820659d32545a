//! The parsed TOML as an owned tree in which every key and value keeps its byte span.
//!
//! toml_edit parses and keeps spans; this module copies its document into plain types, so
//! validation walks one shape for `[table]`s and `{ inline }` tables alike, and provider
//! kinds (plugins) receive their options without depending on toml_edit's version.

use crate::error::PolicyError;
use crate::source::{Source, Span};
use toml_edit::{Item, TableLike};

/// A TOML value with the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// Where the value's text is (for a `[table]`, its header).
    pub span: Span,
    /// The value.
    pub kind: ValueKind,
}

/// What a TOML value is.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// A string.
    String(String),
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Boolean(bool),
    /// A date or time, as written.
    Datetime(String),
    /// An array (of values, or of tables for `[[name]]`).
    Array(Vec<Value>),
    /// A table, standard or inline.
    Table(Table),
}

/// A TOML table: its entries in the order written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The entries.
    pub entries: Vec<Entry>,
}

/// One `key = value` of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub value: Value,
}

impl Table {
    /// The entry for `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entry(key).map(|e| &e.value)
    }
}

impl ValueKind {
    /// The TOML type name, for "expected …, found …" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueKind::String(_) => "a string",
            ValueKind::Integer(_) => "an integer",
            ValueKind::Float(_) => "a float",
            ValueKind::Boolean(_) => "a boolean",
            ValueKind::Datetime(_) => "a datetime",
            ValueKind::Array(_) => "an array",
            ValueKind::Table(_) => "a table",
        }
    }
}

/// Parses `source` into a table, or the syntax error.
pub fn parse(source: &Source) -> Result<Table, PolicyError> {
    let doc = toml_edit::Document::parse(source.text()).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = format!("invalid TOML: {}", e.message().trim_end());
        source.error(span, message, None)
    })?;
    Ok(table(doc.as_table(), 0..0))
}

/// Copies a table; `fallback` is the span for entries toml_edit has no span for.
fn table(t: &dyn TableLike, fallback: Span) -> Table {
    let entries = t
        .iter()
        .map(|(k, item)| {
            let key_span = t
                .key(k)
                .and_then(|k| k.span())
                .unwrap_or_else(|| fallback.clone());
            let value = item_value(item, key_span.clone());
            Entry {
                key: k.to_string(),
                key_span,
                value,
            }
        })
        .collect();
    Table { entries }
}

fn item_value(item: &Item, fallback: Span) -> Value {
    let span = item.span().unwrap_or_else(|| fallback.clone());
    let kind = match item {
        Item::None => ValueKind::Table(Table::default()),
        Item::Value(v) => return value(v, fallback),
        Item::Table(t) => ValueKind::Table(table(t, span.clone())),
        Item::ArrayOfTables(a) => ValueKind::Array(
            a.iter()
                .map(|t| {
                    let s = t.span().unwrap_or_else(|| span.clone());
                    Value {
                        span: s.clone(),
                        kind: ValueKind::Table(table(t, s)),
                    }
                })
                .collect(),
        ),
    };
    Value { span, kind }
}

fn value(v: &toml_edit::Value, fallback: Span) -> Value {
    use toml_edit::Value as V;
    let span = v.span().unwrap_or(fallback);
    let kind = match v {
        V::String(s) => ValueKind::String(s.value().clone()),
        V::Integer(i) => ValueKind::Integer(*i.value()),
        V::Float(x) => ValueKind::Float(*x.value()),
        V::Boolean(b) => ValueKind::Boolean(*b.value()),
        V::Datetime(d) => ValueKind::Datetime(d.value().to_string()),
        V::Array(a) => ValueKind::Array(a.iter().map(|x| value(x, span.clone())).collect()),
        V::InlineTable(t) => ValueKind::Table(table(t, span.clone())),
    };
    Value { span, kind }
}

/// Where byte `offset` of a string value's content is in the source, when the string is
/// written on one line without escapes; else the string's start.
pub fn offset_in_string(source: &Source, value: &Value, content: &str, offset: usize) -> usize {
    let raw = source.text().get(value.span.clone()).unwrap_or("");
    let one_line_quoted = raw.len() >= 2
        && !raw.starts_with("\"\"\"")
        && !raw.starts_with("'''")
        && (raw.starts_with('"') || raw.starts_with('\''));
    if one_line_quoted && raw.get(1..raw.len() - 1) == Some(content) {
        value.span.start + 1 + offset
    } else {
        value.span.start
    }
}
