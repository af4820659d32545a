//! Symlink modes per mount path.

mod common;

use common::*;
use vfsbox_api::{Errno, FileSystem};
use vfsbox_guard::{Guard, SymlinkMode};

fn fs() -> vfsbox_guard::Guarded {
    guarded(
        &["/out", "/out/sub", "/out/sub/deep", "/nolinks", "/free"],
        &["/out/f"],
        Guard {
            symlinks: vec![
                ("/out".to_string(), SymlinkMode::RelativeInside),
                ("/nolinks".to_string(), SymlinkMode::Deny),
                ("/".to_string(), SymlinkMode::Allow),
            ],
            ..Guard::default()
        },
    )
}

#[test]
fn relative_inside() {
    let fs = fs();
    let out = node(&fs, "/out");
    let sub = node(&fs, "/out/sub");
    let deep = node(&fs, "/out/sub/deep");
    assert!(fs.symlink(out, n("ab"), b"a/b", ME).is_ok());
    assert!(
        fs.symlink(sub, n("up"), b"../x", ME).is_ok(),
        "../x stays inside"
    );
    assert!(fs.symlink(deep, n("up2"), b"../../f", ME).is_ok());
    assert_eq!(
        fs.symlink(out, n("abs"), b"/etc", ME).unwrap_err(),
        Errno::EPERM
    );
    assert_eq!(
        fs.symlink(deep, n("esc"), b"../../..", ME).unwrap_err(),
        Errno::EPERM
    );
    assert_eq!(
        fs.symlink(out, n("esc2"), b"../out/f", ME).unwrap_err(),
        Errno::EPERM
    );
    // An existing name is EEXIST first, as Linux checks the name before the filesystem.
    assert_eq!(
        fs.symlink(out, n("f"), b"/etc", ME).unwrap_err(),
        Errno::EEXIST
    );
    assert_eq!(
        fs.lookup(out, n("abs")).unwrap_err(),
        Errno::ENOENT,
        "nothing made"
    );
}

#[test]
fn deny_and_allow() {
    let fs = fs();
    let no = node(&fs, "/nolinks");
    assert_eq!(fs.symlink(no, n("l"), b"x", ME).unwrap_err(), Errno::EPERM);
    let free = node(&fs, "/free");
    assert!(fs.symlink(free, n("l"), b"/etc/passwd", ME).is_ok());
    assert!(fs.symlink(fs.root(), n("l"), b"../../..", ME).is_ok());
}
