//! POSIX scenarios: written once against the [`Posix`](vfsbox_api::Posix) trait, run on the
//! native passthrough (the oracle: its record is the expectation, nothing is hand-written) and
//! on the emulated layer over every provider, whose records must be identical.
//!
//! A [`Scenario`] works inside a working directory, `/w` under a *root*: the temporary
//! directory for the native passthrough, `/` for an emulated layer. It uses relative paths
//! (it may `chdir`, set the umask, use `..` and symlinks); an absolute path is always built
//! with [`Run::abs`], and paths in results (`getcwd`, `realpath`, link text) are recorded with
//! the root stripped, so both runs see the same absolute layout.
//!
//! Each step's result is recorded as text ([`Record`]): return values, errno names, bytes
//! read, the meaningful fields of `stat` (see [`ACCEPTED`] for what is left out and why).
//! After the body, [`snapshot`] records the final tree under `/w` (kinds, modes, sizes,
//! contents, `nlink`, owners, link targets, which names share an inode).
//!
//! A scenario marked unprivileged runs twice: as root, and as uid/gid 65534 after its setup
//! (which always runs as root, to make files owned by someone else).
//!
//! # Running the scenarios on your `Posix`
//!
//! Implement [`Subject`] for it and call [`run_scenario`] for each of [`scenarios`], then
//! [`snapshot`] the working directory; compare with the native records using [`compare`].
//! The native records come from [`oracle`]: the scenario run in a child process on any
//! directory (a temporary one, or a subdirectory of a FUSE mount).

mod accepted;
pub mod oracle;
mod record;
mod run;
mod scenarios;
mod snapshot;

pub use accepted::{
    without_setid_bits, Accepted, FuseImposed, ACCEPTED, FUSE_IMPOSED, NEEDS_SETID_BITS,
};
pub use record::{compare, Mismatch, Record, Step};
pub use run::{run_body, run_scenario, Run, Subject, WORK};
pub use scenarios::scenarios;
pub use snapshot::snapshot;

/// One scenario: a named sequence of `Posix` calls whose results are recorded.
#[derive(Clone, Copy)]
pub struct Scenario {
    /// Unique name (`topic::name`).
    pub name: &'static str,
    /// What it checks, and the Linux behaviour it pins down.
    pub doc: &'static str,
    /// Runs a second time as uid/gid 65534 (after the setup, which runs as root).
    pub unprivileged: bool,
    /// Runs as root before the body; must leave no descriptor or stream open.
    pub setup: Option<fn(&mut Run<'_>)>,
    /// The scenario.
    pub body: fn(&mut Run<'_>),
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("name", &self.name)
            .field("unprivileged", &self.unprivileged)
            .finish_non_exhaustive()
    }
}
