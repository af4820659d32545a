//! Helpers shared by the policy tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use vfsbox_policy::{Policy, PolicyError, Registry};

/// `fixtures/policies` of the repository.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/policies")
}

/// Loads `fixtures/policies/NAME` with the built-in kinds.
pub fn load(name: &str) -> Result<Policy, Vec<PolicyError>> {
    Policy::load(fixtures().join(name), &Registry::builtin())
}

/// Loads an example that must load, printing its errors otherwise.
pub fn example(name: &str) -> Policy {
    load(name).unwrap_or_else(|errors| {
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("{name} does not load:\n{}", text.join("\n"))
    })
}

/// Parses `text` as `test.toml`, relative paths from `dir`.
pub fn parse_in(dir: &Path, text: &str) -> Result<Policy, Vec<PolicyError>> {
    Policy::parse("test.toml", text, dir, &Registry::builtin())
}

/// Copies the directory tree `from` to `to` (files and directories only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of `fixtures/policies` in a temporary directory, for policies that write to host
/// trees.
pub fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures(), dir.path());
    dir
}
