//! The overlay's own cases: copy-up, whiteouts, opaque directories, merged listings, inode
//! numbers, link counts and rename rules. They need layers to pre-populate, so they have their
//! own fixture ([`OverlayFixture`], made by an [`OverlayFactory`] that first hands both raw
//! layers to the case), case list ([`foreach_overlay_case!`](crate::foreach_overlay_case)), registry ([`overlay_cases`])
//! and instantiation macro ([`overlay_tests!`](crate::overlay_tests)), in the style of the generic suite.
//!
//! ```no_run
//! use std::sync::Arc;
//! use vfsbox_api::FileSystem;
//! use vfsbox_conformance::{overlay_tests, OverlayFixture};
//!
//! fn layered(populate: &mut dyn FnMut(Arc<dyn FileSystem>, Arc<dyn FileSystem>)) -> OverlayFixture {
//!     let lower: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
//!     let upper: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
//!     populate(lower.clone(), upper.clone());
//!     let overlay = my_overlay(upper.clone(), lower); // wraps the lower read-only
//!     OverlayFixture::new(overlay, upper)
//! }
//! # fn my_overlay(u: Arc<dyn FileSystem>, l: Arc<dyn FileSystem>) -> Arc<dyn FileSystem> { u }
//!
//! overlay_tests!(my_overlay_own, layered);
//! # fn main() {}
//! ```

use crate::fixture::Fixture;
use crate::helpers::Ctx;
use crate::outcome::{CaseResult, Failure, Outcome, Stop};
use std::any::Any;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use vfsbox_api::FileSystem;

/// Defines overlay cases: `fn name(o) { ... }` becomes `pub(crate) fn name(o: &Layers) ->
/// CaseResult` plus a module holding its doc text, as `cases!` does for the generic suite.
macro_rules! overlay_cases {
    ($($(#[doc = $doc:literal])+ fn $name:ident($o:ident) $body:block)*) => {
        $(
            $(#[doc = $doc])+
            pub(crate) fn $name($o: &$crate::overlay::Layers<'_>) -> $crate::outcome::CaseResult $body

            #[doc(hidden)]
            pub(crate) mod $name {
                pub(crate) const DOC: &str = concat!($($doc, "\n"),+);
            }
        )*
    };
}

mod cases;
mod list;

/// An overlay under test, the raw upper layer it writes to (where cases check whiteouts and
/// copies), and a guard kept alive until after both.
pub struct OverlayFixture {
    fixture: Fixture,
    upper: Arc<dyn FileSystem>,
}

impl OverlayFixture {
    /// The overlay `overlay` whose upper layer is `upper`.
    pub fn new(overlay: Arc<dyn FileSystem>, upper: Arc<dyn FileSystem>) -> OverlayFixture {
        OverlayFixture {
            fixture: Fixture::from_arc(overlay),
            upper,
        }
    }

    /// Keeps `guard` alive until after the providers (e.g. temporary directories).
    #[must_use]
    pub fn with_guard(mut self, guard: impl Any + Send) -> OverlayFixture {
        self.fixture = self.fixture.with_guard(guard);
        self
    }

    /// The overlay as a plain [`Fixture`], for the generic suite.
    pub fn into_fixture(self) -> Fixture {
        self.fixture
    }
}

/// Makes an overlay for one case: gives `populate` the raw lower layer (still writable) and
/// the raw upper layer, then builds the overlay with the lower wrapped read-only.
pub trait OverlayFactory: Sync {
    /// A fresh overlay over layers `populate` has filled.
    fn make(
        &self,
        populate: &mut dyn FnMut(Arc<dyn FileSystem>, Arc<dyn FileSystem>),
    ) -> OverlayFixture;
}

impl<F> OverlayFactory for F
where
    F: Fn(&mut dyn FnMut(Arc<dyn FileSystem>, Arc<dyn FileSystem>)) -> OverlayFixture + Sync,
{
    fn make(
        &self,
        populate: &mut dyn FnMut(Arc<dyn FileSystem>, Arc<dyn FileSystem>),
    ) -> OverlayFixture {
        self(populate)
    }
}

/// What an overlay case gets: a way to build its overlay over layers it fills first.
pub struct Layers<'a> {
    factory: &'a dyn OverlayFactory,
    fixture: RefCell<Option<OverlayFixture>>,
}

/// A built overlay: a context on the overlay and one on its raw upper layer.
pub(crate) struct Built {
    /// The overlay.
    pub t: Ctx,
    /// The raw upper layer, to check what the overlay wrote.
    pub upper: Ctx,
}

impl Layers<'_> {
    /// Builds the overlay after `lower` filled the lower layer (through a context on it).
    pub(crate) fn build(&self, lower: impl Fn(&Ctx) -> CaseResult) -> Result<Built, Stop> {
        self.build_both(lower, |_| Ok(()))
    }

    /// Builds the overlay after `lower` and `upper` filled the raw layers (an existing layer).
    pub(crate) fn build_both(
        &self,
        lower: impl Fn(&Ctx) -> CaseResult,
        upper: impl Fn(&Ctx) -> CaseResult,
    ) -> Result<Built, Stop> {
        let mut result = Ok(());
        let fixture = self.factory.make(&mut |l, u| {
            result = lower(&Ctx::new(l)).and_then(|()| upper(&Ctx::new(u)));
        });
        result?;
        let built = Built {
            t: Ctx::new(fixture.fixture.fs().clone()),
            upper: Ctx::new(fixture.upper.clone()),
        };
        *self.fixture.borrow_mut() = Some(fixture);
        Ok(built)
    }
}

/// One overlay case.
#[derive(Clone, Copy)]
pub struct OverlayCase {
    /// Its name, unique among overlay cases.
    pub name: &'static str,
    /// Its topic module.
    pub topic: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
    run: fn(&Layers<'_>) -> CaseResult,
}

impl OverlayCase {
    /// `topic::name`.
    pub fn full_name(&self) -> String {
        format!("{}::{}", self.topic, self.name)
    }

    /// Runs the case on overlays from `factory`; panics are failures.
    pub fn run(&self, factory: &dyn OverlayFactory) -> Outcome {
        let result = catch_unwind(AssertUnwindSafe(|| {
            let layers = Layers {
                factory,
                fixture: RefCell::new(None),
            };
            let outcome = Outcome::from((self.run)(&layers));
            drop(layers);
            outcome
        }));
        result.unwrap_or_else(|_| Outcome::Fail(Failure::message("panicked")))
    }
}

impl std::fmt::Debug for OverlayCase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.full_name())
    }
}

/// Builds [`overlay_cases`] from the list.
macro_rules! overlay_registry {
    ([] $($topic:ident: [$($case:ident),* $(,)?]),* $(,)?) => {
        /// Every overlay case, in the order of [`foreach_overlay_case!`](crate::foreach_overlay_case).
        pub fn overlay_cases() -> &'static [OverlayCase] {
            static CASES: &[OverlayCase] = &[
                $($(OverlayCase {
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

crate::foreach_overlay_case!((overlay_registry) []);

/// Runs the overlay case `full_name` as a Rust test (used by [`overlay_tests!`](crate::overlay_tests)).
#[doc(hidden)]
pub fn run_overlay_test(full_name: &str, factory: &dyn OverlayFactory) {
    let Some(case) = overlay_cases().iter().find(|c| c.full_name() == full_name) else {
        panic!("no overlay case named {full_name}");
    };
    match case.run(factory) {
        Outcome::Pass => {}
        Outcome::Skip(reason) => eprintln!("{full_name}: skipped ({reason})"),
        Outcome::Fail(failure) => panic!("{full_name} FAILED {failure}"),
    }
}

/// Instantiates every overlay case for one overlay composition: `overlay_tests!(name,
/// factory)` makes a module `name` with one `#[test]` per case, each on fresh layers.
#[macro_export]
macro_rules! overlay_tests {
    ($provider:ident, $factory:expr $(,)?) => {
        $crate::foreach_overlay_case!(($crate::__vfsbox_overlay_tests) [$provider, $factory]);
    };
}

/// The body of [`overlay_tests!`](crate::overlay_tests).
#[doc(hidden)]
#[macro_export]
macro_rules! __vfsbox_overlay_tests {
    ([$provider:ident, $factory:expr] $($topic:ident: [$($case:ident),* $(,)?]),* $(,)?) => {
        mod $provider {
            #[allow(unused_imports)]
            use super::*;

            fn __vfsbox_overlay(
                populate: &mut dyn FnMut(
                    ::std::sync::Arc<dyn ::vfsbox_api::FileSystem>,
                    ::std::sync::Arc<dyn ::vfsbox_api::FileSystem>,
                ),
            ) -> $crate::OverlayFixture {
                let factory = $factory;
                factory(populate)
            }

            $(
                mod $topic {
                    $(
                        #[test]
                        fn $case() {
                            $crate::overlay::run_overlay_test(
                                concat!(stringify!($topic), "::", stringify!($case)),
                                &super::__vfsbox_overlay,
                            );
                        }
                    )*
                }
            )*
        }
    };
}
