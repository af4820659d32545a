//! Running a provider-specific case list (the fixture-tree and mount-table suites) as Rust
//! tests, the way [`provider_tests!`](crate::provider_tests) runs the generic one.

use crate::fixture::Factory;
use crate::outcome::Outcome;
use crate::runner::Case;

/// Runs the case `full_name` (`topic::name`) of `cases` as a Rust test: panics on failure,
/// prints the reason of a skip to stderr.
#[doc(hidden)]
pub fn run_listed_test(cases: &'static [Case], full_name: &str, factory: &dyn Factory) {
    let Some(case) = cases.iter().find(|c| c.full_name() == full_name) else {
        panic!("no case named {full_name}");
    };
    match case.run(factory) {
        Outcome::Pass => {}
        Outcome::Skip(reason) => eprintln!("{full_name}: skipped ({reason})"),
        Outcome::Fail(failure) => panic!("{full_name} FAILED {failure}"),
    }
}

/// The body of the provider-specific instantiation macros: one `#[test]` per listed case.
#[doc(hidden)]
#[macro_export]
macro_rules! __vfsbox_listed_tests {
    ([$registry:path, $provider:ident, $factory:expr] $($topic:ident: [$($case:ident),* $(,)?]),* $(,)?) => {
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
                            $crate::run_listed_test(
                                $registry(),
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
