//! The read-only fixture suite: a provider that shows `fixtures/tree` read-only must show
//! exactly what `fixtures/tree.manifest` describes (listings, kinds, modes, sizes, contents,
//! symlink targets) and refuse every change.
//!
//! Its own list ([`foreach_tree_case!`](crate::foreach_tree_case)), registry ([`tree_cases`]) and instantiation macro
//! ([`readonly_tree_tests!`](crate::readonly_tree_tests)), in the style of the generic suite, because its fixture is not
//! an empty provider but the tree.

use crate::helpers::*;
use crate::runner::Case;
use std::collections::BTreeMap;
use std::path::PathBuf;
use vfsbox_api::{Errno, FileKind, NodeId, OpenFlags, RenameFlags, SetAttr};

/// The host directory holding the fixture tree (`fixtures/tree` of the repository).
pub fn fixture_tree_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/tree"))
}

/// The manifest text, compiled in so a run never depends on the working directory.
const MANIFEST: &str = include_str!("../../fixtures/tree.manifest");

/// What one path of the tree must be.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expect {
    File { perm: u32, size: u64, fnv: u64 },
    Symlink { target: String },
    Dir,
}

/// The manifest: path (relative, `/`-separated) → what it must be. The root is "".
fn manifest() -> BTreeMap<String, Expect> {
    let mut map = BTreeMap::new();
    map.insert(String::new(), Expect::Dir);
    for line in MANIFEST
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let expect = match fields.as_slice() {
            [_, "dir"] => Expect::Dir,
            [_, "symlink", target] => Expect::Symlink {
                target: (*target).to_string(),
            },
            [_, "file", perm, size, fnv] => Expect::File {
                perm: u32::from_str_radix(perm, 8).expect("manifest: octal mode"),
                size: size.parse().expect("manifest: size"),
                fnv: u64::from_str_radix(fnv, 16).expect("manifest: hex hash"),
            },
            _ => panic!("suite bug: bad manifest line {line:?}"),
        };
        map.insert(fields[0].to_string(), expect);
    }
    map
}

/// The parent path and last name of a manifest path.
fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// The names the manifest lists directly in directory `dir`, sorted.
fn children(map: &BTreeMap<String, Expect>, dir: &str) -> Vec<String> {
    map.keys()
        .filter(|p| !p.is_empty() && split(p).0 == dir)
        .map(|p| split(p).1.to_string())
        .collect()
}

/// FNV-1a, 64 bits: the manifest's contents hash (no dependency, enough to catch a change).
fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Looks `path` up from the root one name at a time (no symlink is followed), giving back
/// every lookup but the last's, which the caller forgets.
fn walk(t: &Ctx, path: &str) -> Result<NodeId, crate::outcome::Stop> {
    let mut node = t.root;
    if path.is_empty() {
        return Ok(node);
    }
    for name in path.split('/') {
        let next = t.lookup(node, name)?.node;
        if node != t.root {
            t.fs.forget(node, 1);
        }
        node = next;
    }
    Ok(node)
}

fn forget(t: &Ctx, node: NodeId) {
    if node != t.root {
        t.fs.forget(node, 1);
    }
}

cases! {
    /// Every directory lists exactly the manifest's names (`ls -A` of each directory).
    fn tree_listings_exact(t) {
        let map = manifest();
        for (path, expect) in &map {
            if *expect != Expect::Dir {
                continue;
            }
            let node = walk(t, path)?;
            let names = t.names(node)?;
            forget(t, node);
            eq(names, children(&map, path), &format!("listing of /{path}"))?;
        }
        Ok(())
    }

    /// Regular files: kind, permission bits, size, one link, and contents (`stat`, `cat`).
    fn tree_files_exact(t) {
        for (path, expect) in manifest() {
            let Expect::File { perm, size, fnv } = expect else { continue };
            let node = walk(t, &path)?;
            let attr = t.attr(node)?;
            let data = t.contents(node)?;
            forget(t, node);
            eq(attr.kind, FileKind::Regular, &format!("kind of /{path}"))?;
            eq(format!("{:04o}", attr.perm), format!("{perm:04o}"), &format!("mode of /{path}"))?;
            eq(attr.size, size, &format!("size of /{path}"))?;
            eq(attr.nlink, 1, &format!("nlink of /{path}"))?;
            eq(data.len() as u64, size, &format!("bytes read from /{path}"))?;
            eq(format!("{:016x}", fnv1a64(&data)), format!("{fnv:016x}"), &format!("contents hash of /{path}"))?;
        }
        Ok(())
    }

    /// Symbolic links (relative, dangling, absolute): kind, target byte for byte, size
    /// (`readlink`, `lstat`).
    fn tree_symlinks_exact(t) {
        for (path, expect) in manifest() {
            let Expect::Symlink { target } = expect else { continue };
            let node = walk(t, &path)?;
            let attr = t.attr(node)?;
            let got = ok(t.fs.readlink(node), &format!("readlink(/{path})"))?;
            forget(t, node);
            eq(attr.kind, FileKind::Symlink, &format!("kind of /{path}"))?;
            eq(String::from_utf8_lossy(&got).into_owned(), target.clone(), &format!("target of /{path}"))?;
            eq(attr.size, target.len() as u64, &format!("size of /{path}"))?;
        }
        Ok(())
    }

    /// Directories: kind, and `nlink` of 2 plus the number of subdirectories.
    fn tree_directories_exact(t) {
        let map = manifest();
        for (path, expect) in &map {
            if *expect != Expect::Dir {
                continue;
            }
            let subdirs = map
                .iter()
                .filter(|(p, e)| !p.is_empty() && split(p).0 == path && **e == Expect::Dir)
                .count() as u32;
            let node = walk(t, path)?;
            let attr = t.attr(node)?;
            forget(t, node);
            eq(attr.kind, FileKind::Directory, &format!("kind of /{path}"))?;
            eq(attr.nlink, 2 + subdirs, &format!("nlink of /{path}"))?;
        }
        Ok(())
    }

    /// `readdir` reports for each entry the kind and inode number `lstat` reports.
    fn tree_readdir_matches_lookup(t) {
        for (path, expect) in manifest() {
            if expect != Expect::Dir {
                continue;
            }
            let dir = walk(t, &path)?;
            for entry in t.list(dir)? {
                let found = ok(t.fs.lookup(dir, &entry.name), &format!("lookup({:?})", entry.name))?;
                t.fs.forget(found.node, 1);
                eq(entry.kind, found.attr.kind, &format!("d_type of {:?} in /{path}", entry.name))?;
                eq(entry.ino, found.attr.ino, &format!("d_ino of {:?} in /{path}", entry.name))?;
            }
            forget(t, dir);
        }
        Ok(())
    }

    /// The tree is read-only: declared, reported by `statvfs`, and every change to an existing
    /// entry refused (EROFS; EEXIST first for making an existing name).
    fn tree_refuses_changes(t) {
        eq(t.caps.read_only, true, "Capabilities::read_only")?;
        eq(ok(t.fs.statfs(t.root), "statfs")?.read_only, true, "ST_RDONLY")?;
        let file = walk(t, "docs/big.bin")?;
        let docs = walk(t, "docs")?;
        errno(t.fs.open(file, OpenFlags::WRITE), Errno::EROFS, "open(O_WRONLY)")?;
        errno(t.fs.open(file, OpenFlags::READ | OpenFlags::TRUNCATE), Errno::EROFS, "open(O_TRUNC)")?;
        errno(t.fs.setattr(file, &SetAttr { perm: Some(0o600), ..SetAttr::default() }, None), Errno::EROFS, "chmod")?;
        errno(t.fs.setattr(file, &SetAttr { size: Some(0), ..SetAttr::default() }, None), Errno::EROFS, "truncate")?;
        errno(t.fs.unlink(docs, n("big.bin")), Errno::EROFS, "unlink")?;
        errno(t.fs.rmdir(t.root, n("docs")), Errno::EROFS, "rmdir")?;
        errno(t.fs.rename(docs, n("big.bin"), t.root, n("x"), RenameFlags::Replace), Errno::EROFS, "rename")?;
        errno(t.fs.mkdir(t.root, n("docs"), 0o755, t.owner), Errno::EEXIST, "mkdir(existing)")?;
        errno(t.fs.link(file, docs, n("with space.txt")), Errno::EEXIST, "link(existing)")?;
        errno(t.fs.create(docs, n("new"), 0o644, OpenFlags::WRITE, t.owner), Errno::EROFS, "create")?;
        forget(t, file);
        forget(t, docs);
        Ok(())
    }
}

/// Names every fixture-tree case once and hands the list to a callback macro, as
/// [`foreach_case!`](crate::foreach_case) does for the generic suite.
#[macro_export]
macro_rules! foreach_tree_case {
    (($($callback:tt)*) [$($extra:tt)*]) => {
        $($callback)*! {
            [$($extra)*]
            tree: [
                tree_listings_exact,
                tree_files_exact,
                tree_symlinks_exact,
                tree_directories_exact,
                tree_readdir_matches_lookup,
                tree_refuses_changes,
            ],
        }
    };
}

macro_rules! tree_registry {
    ([] $($topic:ident: [$($case:ident),* $(,)?]),* $(,)?) => {
        /// Every fixture-tree case, in the order of [`foreach_tree_case!`](crate::foreach_tree_case).
        pub fn tree_cases() -> &'static [Case] {
            static CASES: &[Case] = &[
                $($(Case {
                    name: stringify!($case),
                    topic: stringify!($topic),
                    doc: $case::DOC,
                    run: $case,
                },)*)*
            ];
            CASES
        }
    };
}

foreach_tree_case!((tree_registry) []);

/// Instantiates the fixture-tree suite: `readonly_tree_tests!(name, factory)`, where the
/// factory returns a [`Fixture`](crate::Fixture) showing `fixtures/tree` read-only (see
/// [`fixture_tree_dir`] and [`copy_host_tree`](crate::populate::copy_host_tree)).
#[macro_export]
macro_rules! readonly_tree_tests {
    ($provider:ident, $factory:expr $(,)?) => {
        $crate::foreach_tree_case!(($crate::__vfsbox_listed_tests) [$crate::tree::tree_cases, $provider, $factory]);
    };
}
