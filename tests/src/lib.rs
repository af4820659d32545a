//! The vfsbox conformance suite: holds any [`FileSystem`](vfsbox_api::FileSystem) provider to
//! the behaviour of the Linux kernel.
//!
//! Each case checks one errno rule or one behaviour of the trait (its `# Errors` sections, in
//! precedence order) and names, in its doc comment, the Linux syscall sequence it mirrors. The
//! expectations come from Linux: the host provider over a temporary directory runs the same
//! syscalls on a real filesystem and must pass every case. Features a provider declares
//! unsupported in its [`Capabilities`](vfsbox_api::Capabilities) are not skipped: the case
//! asserts the refusal errno instead. A case is skipped only when neither the behaviour nor a
//! refusal can be checked, and the skip says why.
//!
//! Every case gets a fresh provider from a factory, so cases never see each other's files.
//!
//! # Running the suite on your provider
//!
//! With the macro, in an integration test of your crate (e.g. `tests/conformance.rs`), one
//! `#[test]` per case is generated, named `<provider>::<topic>::<case>`. The list of cases is
//! the suite's, so your provider cannot miss one:
//!
//! ```
//! use vfsbox_conformance::{provider_tests, Fixture};
//!
//! provider_tests!(memory, || Fixture::new(vfsbox_memory::MemoryFs::new()));
//! # fn main() {}
//! ```
//!
//! A provider that stands on something it must outlive (a temporary directory, a server)
//! hands it to the fixture as a guard, dropped after the provider:
//!
//! ```no_run
//! use vfsbox_conformance::{provider_tests, Fixture};
//!
//! fn host_fixture() -> Fixture {
//!     let dir = tempfile::tempdir().expect("temporary directory");
//!     let fs = vfsbox_host::HostFs::open(dir.path()).expect("open host provider");
//!     Fixture::new(fs).with_guard(dir)
//! }
//!
//! provider_tests!(host, host_fixture);
//! # fn main() {}
//! ```
//!
//! With the runner API, for a report of your own (this is what `vfsbox conformance` does):
//!
//! ```
//! use vfsbox_conformance::{run_each, Fixture, Outcome};
//!
//! let factory = || Fixture::new(vfsbox_memory::MemoryFs::new());
//! let summary = run_each(&factory, Some("rmdir_"), |case, outcome| match outcome {
//!     Outcome::Pass => println!("{} ... ok", case.name),
//!     Outcome::Fail(failure) => println!("{} ... FAILED {failure}", case.name),
//!     Outcome::Skip(reason) => println!("{} ... skipped ({reason})", case.name),
//! });
//! println!("{summary}");
//! assert!(summary.passed > 0);
//! ```
//!
//! [`cases`] lists every case with its name, topic and doc comment.
// Denied, not forbidden: the native oracle's child makes a few raw calls (close_range,
// setuid), all in `posix::oracle::sys`.
#![deny(unsafe_code)]
#![deny(dead_code)]
#![warn(missing_docs)]

/// Defines cases: each becomes a `pub(crate) fn name(t: &Ctx) -> CaseResult` carrying the doc
/// comment, plus a same-named module holding the doc text for the registry. A case defined but
/// missing from [`foreach_case!`] is dead code, which this crate denies, so the build fails.
macro_rules! cases {
    ($($(#[doc = $doc:literal])+ fn $name:ident($t:ident) $body:block)*) => {
        $(
            $(#[doc = $doc])+
            pub(crate) fn $name($t: &$crate::helpers::Ctx) -> $crate::outcome::CaseResult $body

            #[doc(hidden)]
            pub(crate) mod $name {
                pub(crate) const DOC: &str = concat!($($doc, "\n"),+);
            }
        )*
    };
}

mod fixture;
mod helpers;
mod outcome;
mod runner;

/// The cases, one module per topic.
mod cases;

pub mod overlay;

pub mod posix;

mod listed;
pub mod populate;
pub mod tree;

pub use fixture::{Factory, Fixture};
pub use outcome::{Failure, Outcome};
pub use overlay::{overlay_cases, OverlayCase, OverlayFactory, OverlayFixture};
pub use runner::{run_each, Case, Summary};

#[doc(hidden)]
pub use listed::run_listed_test;
#[doc(hidden)]
pub use runner::run_test;

include!("list.rs");

/// Builds [`cases`] from the list: a case named in the list but not defined fails to resolve.
macro_rules! registry {
    ([] $($topic:ident: [$($case:ident),* $(,)?]),* $(,)?) => {
        /// Every case of the suite, in the order of [`foreach_case!`].
        pub fn cases() -> &'static [Case] {
            static CASES: &[Case] = &[
                $($(Case {
                    name: stringify!($case),
                    topic: stringify!($topic),
                    doc: cases::$topic::$case::DOC,
                    run: cases::$topic::$case,
                },)*)*
            ];
            CASES
        }
    };
}

foreach_case!((registry) []);

/// Instantiates the whole suite for one provider: `provider_tests!(name, factory)` expands to
/// a module `name` with one `#[test]` per case (`name::topic::case`), each on a fresh
/// [`Fixture`] from `factory` (a closure or function returning one). A failed case panics with
/// the expected and actual errno; a skipped case passes and prints its reason to stderr.
#[macro_export]
macro_rules! provider_tests {
    ($provider:ident, $factory:expr $(,)?) => {
        $crate::foreach_case!(($crate::__vfsbox_provider_tests) [$provider, $factory]);
    };
}

/// The body of [`provider_tests!`], called back by [`foreach_case!`] with the case list.
#[doc(hidden)]
#[macro_export]
macro_rules! __vfsbox_provider_tests {
    ([$provider:ident, $factory:expr] $($topic:ident: [$($case:ident),* $(,)?]),* $(,)?) => {
        mod $provider {
            #[allow(unused_imports)]
            use super::*;

            fn __vfsbox_fixture() -> $crate::Fixture {
                let factory = $factory;
                factory()
            }

            $(
                mod $topic {
                    $(
                        #[test]
                        fn $case() {
                            $crate::run_test(
                                concat!(stringify!($topic), "::", stringify!($case)),
                                &super::__vfsbox_fixture,
                            );
                        }
                    )*
                }
            )*
        }
    };
}
