//! Renaming a directory must not change the verdict of anything below it: such a rename is
//! `EXDEV` (what `mv` answers by copying file by file, each through the rules).

mod common;

use common::*;
use vfsbox_api::{Errno, FileSystem, OpenFlags, RenameFlags};
use vfsbox_guard::{Action, Guard, Op, SymlinkMode};

fn tree() -> vfsbox_guard::Guarded {
    with_rules(
        &[
            "/shared",
            "/shared/secrets",
            "/shared/docs",
            "/out",
            "/out/protected",
            "/out/free",
            "/out/free/sub",
            "/plain",
            "/plain/d",
            "/repo",
            "/repo/a",
            "/repo/a/.git",
        ],
        &[
            "/shared/secrets/key",
            "/shared/docs/readme",
            "/out/protected/f",
            "/out/free/f",
            "/plain/d/f",
            "/repo/a/.git/config",
        ],
        vec![
            rule("/shared/secrets/**", &[], Action::Hide),
            rule("/out/protected/**", &[Op::Write], EACCES),
            rule("/**/.git/**", &[], Action::Hide),
        ],
    )
}

#[test]
fn renaming_a_parent_of_a_hidden_tree_is_exdev() {
    let fs = tree();
    let root = fs.root();
    assert_eq!(
        fs.rename(root, n("shared"), root, n("x"), RenameFlags::Replace),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        fs.rename(root, n("shared"), root, n("x"), RenameFlags::NoReplace),
        Err(Errno::EXDEV)
    );
    // Nothing moved, and the secret is still hidden.
    assert_eq!(walk(&fs, "/x").unwrap_err(), Errno::ENOENT);
    assert_eq!(walk(&fs, "/shared/secrets").unwrap_err(), Errno::ENOENT);
    // Moving a directory onto the hidden tree's place would expose nothing, but it would put
    // a visible tree under a hide rule: EXDEV too (the destination side).
    let plain = node(&fs, "/plain");
    let shared = node(&fs, "/shared");
    assert_eq!(
        fs.rename(plain, n("d"), shared, n("secrets2"), RenameFlags::Replace),
        Ok(()),
        "no rule below either side"
    );
    // The copy `mv` falls back to cannot remove the source: the hidden entry remains.
    assert_eq!(fs.rmdir(root, n("shared")), Err(Errno::ENOTEMPTY));
}

#[test]
fn renaming_a_protected_directory_is_exdev() {
    let fs = tree();
    let out = node(&fs, "/out");
    assert_eq!(
        fs.rename(out, n("protected"), out, n("p2"), RenameFlags::Replace),
        Err(Errno::EXDEV)
    );
    // Into the protected tree: what is moved would become protected.
    assert_eq!(
        fs.rename(
            out,
            n("free"),
            node(&fs, "/out/protected"),
            n("in"),
            RenameFlags::Replace
        ),
        Err(Errno::EXDEV)
    );
    // The file is still refused for writing under its old path.
    assert_eq!(
        open(&fs, "/out/protected/f", OpenFlags::WRITE).unwrap_err(),
        Errno::EACCES
    );
}

#[test]
fn a_directory_with_no_rule_below_still_renames() {
    let fs = tree();
    let out = node(&fs, "/out");
    assert_eq!(
        fs.rename(out, n("free"), out, n("open"), RenameFlags::Replace),
        Ok(())
    );
    assert_eq!(names(&fs, out), ["open", "protected"]);
    let h = open(&fs, "/out/open/f", OpenFlags::WRITE).unwrap();
    fs.release(h).unwrap();
    // `/**/.git/**` matches alike below any two directories outside a `.git`.
    let repo = node(&fs, "/repo");
    assert_eq!(
        fs.rename(repo, n("a"), repo, n("b"), RenameFlags::Replace),
        Ok(())
    );
    assert_eq!(walk(&fs, "/repo/b/.git").unwrap_err(), Errno::ENOENT);
}

#[test]
fn a_file_rename_checks_source_and_destination_as_before() {
    let fs = tree();
    let out = node(&fs, "/out");
    let free = node(&fs, "/out/free");
    let protected = node(&fs, "/out/protected");
    // A write rule does not refuse renames, but a file may not leave (or enter) its regime:
    // out of the write-denied tree it would become writable.
    assert_eq!(
        fs.rename(protected, n("f"), free, n("g"), RenameFlags::Replace),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        fs.rename(free, n("f"), protected, n("g"), RenameFlags::Replace),
        Err(Errno::EXDEV)
    );
    // Within one regime, renames work.
    assert_eq!(
        fs.rename(protected, n("f"), protected, n("g"), RenameFlags::Replace),
        Ok(())
    );
    assert_eq!(
        fs.rename(free, n("f"), out, n("h"), RenameFlags::Replace),
        Ok(())
    );
    let shared = node(&fs, "/shared");
    assert_eq!(
        fs.rename(out, n("h"), shared, n("secrets"), RenameFlags::Replace),
        Err(Errno::EACCES),
        "onto a hidden name"
    );
    assert_eq!(
        fs.rename(shared, n("secrets"), out, n("s"), RenameFlags::Replace),
        Err(Errno::ENOENT),
        "a hidden source"
    );
    // A missing source is the inner provider's ENOENT, not EXDEV.
    assert_eq!(
        fs.rename(out, n("protected2"), out, n("p3"), RenameFlags::Replace),
        Err(Errno::ENOENT)
    );
}

#[test]
fn rename_exchange_involving_a_directory() {
    let fs = tree();
    let out = node(&fs, "/out");
    let free = node(&fs, "/out/free");
    // A directory swapped with a file: what is below the directory would change verdicts.
    assert_eq!(
        fs.rename(out, n("protected"), free, n("f"), RenameFlags::Exchange),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        fs.rename(free, n("f"), out, n("protected"), RenameFlags::Exchange),
        Err(Errno::EXDEV)
    );
    // Two files of different regimes do not swap; two directories with no rule below do.
    assert_eq!(
        fs.rename(
            free,
            n("f"),
            node(&fs, "/out/protected"),
            n("f"),
            RenameFlags::Exchange
        ),
        Err(Errno::EXDEV)
    );
    assert_eq!(
        fs.rename(
            free,
            n("sub"),
            node(&fs, "/plain"),
            n("d"),
            RenameFlags::Exchange
        ),
        Ok(())
    );
    assert_eq!(names(&fs, node(&fs, "/plain/d")), Vec::<String>::new());
}

#[test]
fn relative_inside_links_cannot_be_moved_out() {
    let fs = guarded(
        &["/out", "/out/a", "/out/a/b", "/out/c", "/out/c/d"],
        &[],
        Guard {
            symlinks: vec![("/out".to_string(), SymlinkMode::RelativeInside)],
            ..Guard::default()
        },
    );
    let out = node(&fs, "/out");
    let a = node(&fs, "/out/a");
    let b = node(&fs, "/out/a/b");
    // `../../x` from /out/a/b resolves to /out/x: inside.
    fs.symlink(b, n("up"), b"../../x", ME).unwrap();
    // Moved one level up, the same target would leave the mount.
    assert_eq!(
        fs.rename(a, n("b"), out, n("b"), RenameFlags::Replace),
        Err(Errno::EXDEV)
    );
    // The same depth (or deeper) keeps every link inside.
    let c = node(&fs, "/out/c");
    assert_eq!(
        fs.rename(a, n("b"), c, n("b"), RenameFlags::Replace),
        Ok(())
    );
    let d = node(&fs, "/out/c/d");
    assert_eq!(
        fs.rename(c, n("b"), d, n("b"), RenameFlags::Replace),
        Ok(())
    );
    // The link itself, moved where it would escape, is refused as making it there would be.
    let deep = node(&fs, "/out/c/d/b");
    assert_eq!(
        fs.rename(deep, n("up"), out, n("up"), RenameFlags::Replace),
        Err(Errno::EPERM)
    );
    assert_eq!(
        fs.rename(deep, n("up"), d, n("up"), RenameFlags::Replace),
        Ok(()),
        "from /out/c/d, ../../x is /out/x"
    );
}
