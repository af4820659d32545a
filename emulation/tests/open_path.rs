//! `open` of a path of several names to a non-directory takes one provider walk: the
//! descriptor behaves as one opened name by name.

mod common;

use common::{put, root, RW};
use vfsbox_api::{Errno, Posix};

#[test]
fn a_deep_file_opened_in_one_walk_behaves_as_any_descriptor() {
    let p = root();
    p.mkdir(b"a", 0o755).unwrap();
    p.mkdir(b"a/b", 0o755).unwrap();
    put(&p, "a/b/f", b"data");
    let fd = p.open(b"a//b/f", RW, 0).unwrap();
    let by_path = p.stat(b"/a/b/f").unwrap();
    assert_eq!(p.fstat(fd).unwrap().ino, by_path.ino);
    // Not a directory: nothing can be walked from it.
    assert_eq!(p.openat(fd, b"x", libc::O_RDONLY, 0), Err(Errno::ENOTDIR));
    assert_eq!(p.fchdir(fd), Err(Errno::ENOTDIR));
    // It follows the file through a rename of its directories and an unlink.
    p.rename(b"a", b"z").unwrap();
    p.write(fd, b"DA").unwrap();
    p.unlink(b"z/b/f").unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(p.pread(fd, &mut buf, 0), Ok(4));
    assert_eq!(&buf[..4], b"DAta");
    // AT_EMPTY_PATH acts on it.
    p.fchownat(fd, b"", 7, 8, libc::AT_EMPTY_PATH).unwrap();
    assert_eq!(p.fstat(fd).unwrap().uid, 7);
    p.close(fd).unwrap();
}

#[test]
fn the_walk_s_errors_and_flags_are_unchanged() {
    let p = root();
    p.mkdir(b"a", 0o755).unwrap();
    put(&p, "a/f", b"");
    p.symlink(b"f", b"a/l").unwrap();
    assert_eq!(p.open(b"a/missing", 0, 0), Err(Errno::ENOENT));
    assert_eq!(p.open(b"a/f/x", 0, 0), Err(Errno::ENOTDIR));
    assert_eq!(p.open(b"a/f/", 0, 0), Err(Errno::ENOTDIR));
    assert_eq!(
        p.open(b"a/f", libc::O_RDONLY | libc::O_DIRECTORY, 0),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(p.open(b"a/l", libc::O_NOFOLLOW, 0), Err(Errno::ELOOP));
    let fd = p.open(b"/a/l", libc::O_RDONLY, 0).unwrap();
    assert_eq!(p.fstat(fd).unwrap().ino, p.stat(b"a/f").unwrap().ino);
    p.close(fd).unwrap();
    // A directory still opens with its chain: `..` from it is its parent.
    let dir = p
        .open(b"/a/", libc::O_RDONLY | libc::O_DIRECTORY, 0)
        .unwrap();
    let up = p.fstatat(dir, b"..", 0).unwrap();
    assert_eq!(up.ino, p.stat(b"/").unwrap().ino);
    p.close(dir).unwrap();
}

#[test]
fn exclusive_creation_by_root_answers_as_linux() {
    let p = root();
    let excl = libc::O_CREAT | libc::O_EXCL | RW;
    put(&p, "f", b"keep");
    p.mkdir(b"d", 0o755).unwrap();
    p.symlink(b"nowhere", b"dangling").unwrap();
    assert_eq!(p.open(b"f", excl, 0o644), Err(Errno::EEXIST));
    assert_eq!(p.open(b"d", excl, 0o644), Err(Errno::EEXIST));
    assert_eq!(p.open(b"dangling", excl, 0o644), Err(Errno::EEXIST));
    assert_eq!(p.stat(b"nowhere"), Err(Errno::ENOENT));
    assert_eq!(p.stat(b"f").unwrap().size, 4);
    assert_eq!(p.open(b"missing/new", excl, 0o644), Err(Errno::ENOENT));
    assert_eq!(p.open(b"f/new", excl, 0o644), Err(Errno::ENOTDIR));
    let old = p.umask(0o027);
    let fd = p.open(b"d/new", excl, 0o666).unwrap();
    p.umask(old);
    let st = p.fstat(fd).unwrap();
    assert_eq!(st.mode & 0o7777, 0o640);
    assert_eq!(st.ino, p.stat(b"d/new").unwrap().ino);
    assert_eq!(p.write(fd, b"abc"), Ok(3));
    p.close(fd).unwrap();
    // In a removed directory nothing can be made.
    p.mkdir(b"gone", 0o755).unwrap();
    p.chdir(b"gone").unwrap();
    p.rmdir(b"/gone").unwrap();
    assert_eq!(p.open(b"x", excl, 0o644), Err(Errno::ENOENT));
}

#[test]
fn exclusive_creation_in_a_read_only_view_is_erofs_unless_the_name_exists() {
    let inner = std::sync::Arc::new(vfsbox_memory::MemoryFs::new());
    {
        let w = vfsbox_emulation::Emulated::new(inner.clone());
        put(&w, "f", b"");
    }
    let p =
        vfsbox_emulation::Emulated::new(std::sync::Arc::new(vfsbox_readonly::ReadOnly::new(inner)));
    let excl = libc::O_CREAT | libc::O_EXCL | RW;
    assert_eq!(p.open(b"f", excl, 0o644), Err(Errno::EEXIST));
    assert_eq!(p.open(b"new", excl, 0o644), Err(Errno::EROFS));
}
