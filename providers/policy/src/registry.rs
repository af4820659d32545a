//! The provider kinds a policy may name: the four built in, plus any an embedding program
//! registers.

use crate::error::PolicyError;
use crate::source::{Source, Span};
use crate::tree::Table;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use vfsbox_api::FileSystem;

/// The kinds every registry knows, in the order hints list them.
pub const BUILTIN_KINDS: [&str; 4] = ["memory", "host", "overlay", "readonly"];

/// A provider kind added by an embedding program: it turns the options of a
/// `provider = "NAME"` table into a provider.
pub trait ProviderKind: Send + Sync {
    /// Checks the options when the policy is loaded, before anything is built. Return every
    /// problem found, positioned with [`Options::error`]. The default accepts any options.
    ///
    /// # Errors
    /// The problems found.
    fn check(&self, options: &Options<'_>) -> Result<(), Vec<PolicyError>> {
        let _ = options;
        Ok(())
    }

    /// Builds the provider.
    ///
    /// # Errors
    /// Why it could not be built, positioned with [`Options::error`].
    fn build(&self, options: &Options<'_>) -> Result<Arc<dyn FileSystem>, PolicyError>;

    /// A short description of the provider for `policy show` (after the kind name); empty by
    /// default.
    fn describe(&self, options: &Options<'_>) -> String {
        let _ = options;
        String::new()
    }
}

/// What a [`ProviderKind`] is given: its table (every key except `at`, `provider` and
/// `read-only`), the policy file's directory, and a way to position errors.
pub struct Options<'a> {
    pub(crate) table: &'a Table,
    pub(crate) span: Span,
    pub(crate) dir: &'a Path,
    pub(crate) source: &'a Source,
}

impl<'a> Options<'a> {
    /// The options, as written.
    pub fn table(&self) -> &'a Table {
        self.table
    }

    /// The directory of the policy file, against which relative host paths are resolved.
    pub fn dir(&self) -> &'a Path {
        self.dir
    }

    /// The span of the provider's table (its `[[mount]]` header or its `{ … }`), for errors
    /// about the table as a whole (a missing key).
    pub fn span(&self) -> Span {
        self.span.clone()
    }

    /// An error at `span` (a key's or value's span from [`Options::table`]).
    pub fn error(
        &self,
        span: Span,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> PolicyError {
        self.source.error(span, message, hint)
    }
}

/// Why [`Registry::register`] refused a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterError {
    /// The name is one of the built-in kinds.
    Builtin(String),
    /// The name was registered before.
    Duplicate(String),
    /// The name is empty or has characters other than ASCII letters, digits, `-` and `_`.
    BadName(String),
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::Builtin(n) => write!(f, "`{n}` is a built-in provider kind"),
            RegisterError::Duplicate(n) => write!(f, "provider kind `{n}` is already registered"),
            RegisterError::BadName(n) => write!(
                f,
                "bad provider kind name `{n}`: use ASCII letters, digits, '-' and '_'"
            ),
        }
    }
}

impl std::error::Error for RegisterError {}

/// The provider kinds a policy may name.
#[derive(Clone, Default)]
pub struct Registry {
    plugins: BTreeMap<String, Arc<dyn ProviderKind>>,
}

impl Registry {
    /// The built-in kinds: `memory`, `host`, `overlay`, `readonly`.
    pub fn builtin() -> Registry {
        Registry::default()
    }

    /// Adds kind `name`, usable as `provider = "name"` in mounts and nested provider tables.
    ///
    /// # Errors
    /// [`RegisterError`] for a built-in, already registered or malformed name.
    pub fn register(
        &mut self,
        name: &str,
        kind: impl ProviderKind + 'static,
    ) -> Result<(), RegisterError> {
        if BUILTIN_KINDS.contains(&name) {
            return Err(RegisterError::Builtin(name.to_string()));
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(RegisterError::BadName(name.to_string()));
        }
        if self.plugins.contains_key(name) {
            return Err(RegisterError::Duplicate(name.to_string()));
        }
        self.plugins.insert(name.to_string(), Arc::new(kind));
        Ok(())
    }

    /// Every kind name: the built-in ones, then the registered ones in name order.
    pub fn kinds(&self) -> Vec<&str> {
        BUILTIN_KINDS
            .iter()
            .copied()
            .chain(self.plugins.keys().map(String::as_str))
            .collect()
    }

    /// The registered (non-built-in) kind `name`.
    pub fn plugin(&self, name: &str) -> Option<&Arc<dyn ProviderKind>> {
        self.plugins.get(name)
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.kinds())
            .finish()
    }
}
