//! Limits: file size (EFBIG), bytes written (EDQUOT), open files (EMFILE).

mod common;

use common::*;
use vfsbox_api::{Errno, FallocateMode, FileSystem, OpenFlags, SetAttr};
use vfsbox_guard::{Guard, Limits};

fn limited(limits: Limits) -> vfsbox_guard::Guarded {
    guarded(
        &["/d"],
        &["/d/f"],
        Guard {
            limits,
            ..Guard::default()
        },
    )
}

#[test]
fn file_size_short_write_then_efbig() {
    let fs = limited(Limits {
        max_file_size: Some(10),
        ..Limits::default()
    });
    assert_eq!(fs.capabilities().max_file_size, 10);
    let h = open(&fs, "/d/f", OpenFlags::WRITE).unwrap();
    assert_eq!(
        fs.write(h, 6, b"abcdefgh"),
        Ok(4),
        "short write up to the limit"
    );
    assert_eq!(fs.write(h, 10, b"x"), Err(Errno::EFBIG));
    assert_eq!(fs.write(h, 20, b"x"), Err(Errno::EFBIG));
    assert_eq!(fs.write(h, 0, b"xy"), Ok(2), "below the limit still works");
    let f = node(&fs, "/d/f");
    let size = |s| SetAttr {
        size: Some(s),
        ..SetAttr::default()
    };
    assert_eq!(fs.setattr(f, &size(11), None), Err(Errno::EFBIG));
    assert_eq!(fs.setattr(f, &size(10), None).map(|a| a.size), Ok(10));
    assert_eq!(
        fs.fallocate(h, FallocateMode::Allocate, 8, 4),
        Err(Errno::EFBIG)
    );
    assert_eq!(fs.fallocate(h, FallocateMode::Allocate, 0, 10), Ok(()));
    fs.release(h).unwrap();
    // Appending: the end of file is the offset that counts.
    let h = open(&fs, "/d/f", OpenFlags::WRITE | OpenFlags::APPEND).unwrap();
    assert_eq!(fs.write(h, 0, b"x"), Err(Errno::EFBIG));
    fs.release(h).unwrap();
}

#[test]
fn bytes_written_short_write_then_edquot() {
    let fs = limited(Limits {
        max_bytes_written: Some(10),
        ..Limits::default()
    });
    let h = open(&fs, "/d/f", OpenFlags::WRITE).unwrap();
    assert_eq!(fs.write(h, 0, b"123456"), Ok(6));
    assert_eq!(
        fs.write(h, 6, b"abcdef"),
        Ok(4),
        "short write up to the quota"
    );
    assert_eq!(fs.write(h, 10, b"x"), Err(Errno::EDQUOT));
    // Across files: the quota is the sandbox's.
    let d = node(&fs, "/d");
    let (_, h2) = fs.create(d, n("g"), 0o644, OpenFlags::WRITE, ME).unwrap();
    assert_eq!(fs.write(h2, 0, b"x"), Err(Errno::EDQUOT));
    assert_eq!(fs.write(h2, 0, b""), Ok(0), "an empty write is not refused");
    // A read-only handle gets EBADF, before the quota.
    let r = open(&fs, "/d/f", OpenFlags::READ).unwrap();
    assert_eq!(fs.write(r, 0, b"x"), Err(Errno::EBADF));
}

#[test]
fn open_files_emfile_then_recovers() {
    let fs = limited(Limits {
        max_open_files: Some(3),
        ..Limits::default()
    });
    let f = node(&fs, "/d/f");
    let d = node(&fs, "/d");
    let a = fs.open(f, OpenFlags::READ).unwrap();
    let b = fs.opendir(d).unwrap();
    let (_, c) = fs.create(d, n("g"), 0o644, OpenFlags::WRITE, ME).unwrap();
    assert_eq!(fs.open(f, OpenFlags::READ), Err(Errno::EMFILE), "the 4th");
    assert_eq!(fs.opendir(d), Err(Errno::EMFILE));
    assert_eq!(
        fs.create(d, n("h"), 0o644, OpenFlags::WRITE, ME)
            .unwrap_err(),
        Errno::EMFILE
    );
    assert_eq!(
        fs.lookup(d, n("h")).unwrap_err(),
        Errno::ENOENT,
        "nothing made"
    );
    fs.release(a).unwrap();
    let a = fs.open(f, OpenFlags::READ).unwrap();
    assert_eq!(fs.open(f, OpenFlags::READ), Err(Errno::EMFILE));
    fs.releasedir(b).unwrap();
    fs.release(c).unwrap();
    let more = [
        fs.open(f, OpenFlags::READ).unwrap(),
        fs.open(f, OpenFlags::READ).unwrap(),
    ];
    assert_eq!(fs.open(f, OpenFlags::READ), Err(Errno::EMFILE));
    for h in more.into_iter().chain([a]) {
        fs.release(h).unwrap();
    }
    // Failed opens take no slot.
    assert_eq!(fs.open(d, OpenFlags::READ), Err(Errno::EISDIR));
    let hs: Vec<_> = (0..3)
        .map(|_| fs.open(f, OpenFlags::READ).unwrap())
        .collect();
    assert_eq!(hs.len(), 3);
}
