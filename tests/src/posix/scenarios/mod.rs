//! The scenarios, one module per topic, and their registry.
//!
//! Each topic module defines its scenarios with [`scenarios!`], which also builds the
//! module's `ALL` list, so a scenario cannot be defined without being registered.

/// Defines scenarios and the module's `ALL` list. Each scenario is
/// `/// doc` + `root fn name(r) { body }` (runs as root only) or `both fn …` (runs as root
/// and again as uid/gid 65534), optionally with `setup { … }` before the body, which always
/// runs as root.
macro_rules! scenarios {
    ($topic:ident; $($(#[doc = $doc:literal])+ $kind:ident fn $name:ident($r:ident)
        $(setup $setup:block)? $body:block)*) => {
        $(
            $(#[doc = $doc])+
            fn $name($r: &mut $crate::posix::Run<'_>) $body
        )*

        /// Every scenario of this topic.
        pub(crate) const ALL: &[$crate::posix::Scenario] = &[
            $($crate::posix::Scenario {
                name: concat!(stringify!($topic), "::", stringify!($name)),
                doc: concat!($($doc, "\n"),+),
                unprivileged: scenarios!(@kind $kind),
                setup: scenarios!(@setup $r $($setup)?),
                body: $name,
            },)*
        ];
    };
    (@kind both) => { true };
    (@kind root) => { false };
    (@setup $r:ident) => { None };
    (@setup $r:ident $setup:block) => {
        Some({
            fn setup($r: &mut $crate::posix::Run<'_>) $setup
            setup
        })
    };
}

mod attrs;
mod cwd;
mod dirs;
mod fds;
mod io;
mod locks;
mod misc;
mod names;
mod open;
mod perm;
mod stat;
mod xattr;

use super::Scenario;

/// Every scenario, topic by topic.
pub fn scenarios() -> Vec<Scenario> {
    [
        open::ALL,
        io::ALL,
        fds::ALL,
        stat::ALL,
        names::ALL,
        attrs::ALL,
        cwd::ALL,
        dirs::ALL,
        locks::ALL,
        xattr::ALL,
        misc::ALL,
        perm::ALL,
    ]
    .concat()
}

/// A name of `len` bytes (`NAME_MAX` is 255).
pub(crate) fn long_name(len: usize) -> Vec<u8> {
    vec![b'n'; len]
}

/// A relative path of at least `len` bytes made of existing-looking components.
pub(crate) fn long_path(len: usize) -> Vec<u8> {
    let mut p = Vec::new();
    while p.len() < len {
        p.extend_from_slice(b"d/");
    }
    p.truncate(len);
    p
}
