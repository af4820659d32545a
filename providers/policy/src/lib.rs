//! Sandbox policy files (TOML): parsed with exact line and column errors, and compiled into
//! one provider stack that the emulated layer and the FUSE mount both consume.
//!
//! ```text
//! Policy::load(path, &registry)   parse + validate (every error, positioned) + host roots
//!   .build(&registry) -> Sandbox  { fs: Guarded(MountTable(providers…)), identity, umask, … }
//!   .explain(path, op)            what one operation on one path gets, and why
//!   .show()                       the mounts as a tree, with the rules under each
//! ```
//!
//! The file format is documented field by field in `docs/policy.md`. In short:
//!
//! - `name`, `[identity]` (uid, gid, groups), `umask`, `cwd`, `[limits]` (open-files →
//!   `EMFILE`, file-size → `EFBIG`, bytes-written → `EDQUOT`), `[logging]` (audit, audit-level,
//!   compat-level, strict);
//! - `[[mount]]`s: `at` and a `provider` (`memory`, `host`, `overlay`, `readonly`, or a kind
//!   an embedding program added with [`Registry::register`]);
//! - `[[rule]]`s, tried in order, the first whose glob matches the path and whose ops contain
//!   the operation decides; no match allows. Paths are sandbox-absolute: the guard's root is
//!   `/`. Globs match component by component: `*` any run of bytes within one name (dotfiles
//!   included: there is no special rule for a leading `.`), `?` one byte, `[abc]`, `[a-z]`,
//!   `[!x]` a class, and `**` as a whole component zero or more components (so `/src/**`
//!   matches `/src` itself and everything below it);
//! - `hide` covers every operation: a hidden path is `ENOENT` and absent from listings, and
//!   creating, linking or renaming onto a hidden name is `EACCES` whether it exists or not
//!   (`EEXIST` would reveal it); hiding a directory hides everything below it. `deny` answers
//!   `EACCES` (or `EPERM`), `read-only` answers `EROFS` to every mutating operation it covers
//!   (read and exec pass), `allow` lets the operation through to the providers.
//!
//! Errors are [`PolicyError`]s: file, 1-based line and column of the offending key or value,
//! the source line, a caret and a hint, rendered like rustc's diagnostics. Validation collects
//! every error it can instead of stopping at the first.
//!
//! The crate depends on the providers and the guard only: the command-line program turns a
//! [`Sandbox`] into an emulated POSIX layer or a FUSE mount.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod build;
mod describe;
mod error;
mod explain;
mod model;
mod parse;
mod policy;
mod read;
mod registry;
mod show;
mod size;
mod source;
mod tree;

pub use build::Sandbox;
pub use error::{render_errors, PolicyError};
pub use explain::{DecisionInfo, Explanation, MountInfo, RuleInfo};
pub use model::{
    CompatLevel, Identity, KindSpec, LimitsSpec, Logging, MountSpec, ProviderSpec, RuleSpec,
};
pub use policy::Policy;
pub use registry::{Options, ProviderKind, RegisterError, Registry, BUILTIN_KINDS};
pub use show::{Show, ShowMount, ShowProvider, ShowRule};
pub use size::{format_size, parse_size};
pub use source::{Source, Span};
pub use tree::{Entry, Table, Value, ValueKind};
pub use vfsbox_guard::Op;
