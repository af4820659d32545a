//! `readdir_batch` hands out exactly what `readdir` would, one call at a time, across the
//! layer's fetches from the provider, mixed with `readdir`, rewinds and removals.

mod common;

use common::{put, root};
use std::sync::Arc;
use vfsbox_api::{DirBatch, DirStream, Errno, Posix};
use vfsbox_emulation::Emulated;

/// More entries than the layer fetches from the provider at once (1,024).
const N: usize = 2_500;

fn many(p: &Emulated) {
    p.mkdir(b"d", 0o755).unwrap();
    for i in 0..N {
        put(p, &format!("d/f{i}"), b"");
    }
}

fn one_by_one(p: &dyn Posix, dir: DirStream) -> Vec<(u64, u8, Vec<u8>)> {
    let mut out = Vec::new();
    while let Some(e) = p.readdir(dir).unwrap() {
        out.push((e.ino, e.kind, e.name));
    }
    out
}

fn batched(p: &dyn Posix, dir: DirStream, max: usize) -> Vec<(u64, u8, Vec<u8>)> {
    let mut batch = DirBatch::new();
    let mut out = Vec::new();
    loop {
        let n = p.readdir_batch(dir, &mut batch, max).unwrap();
        assert_eq!(n, batch.len());
        assert!(n <= max);
        if n == 0 {
            return out;
        }
        out.extend(batch.iter().map(|e| (e.ino, e.kind, e.name.to_vec())));
    }
}

#[test]
fn batches_of_any_size_list_what_readdir_lists() {
    let p = root();
    many(&p);
    let dir = p.opendir(b"d").unwrap();
    let expected = one_by_one(&p, dir);
    assert_eq!(expected.len(), N + 2);
    assert_eq!(expected[0].2, b".");
    assert_eq!(expected[1].2, b"..");
    for max in [1, 2, 3, 7, 256, 1023, 1024, 1025, 10_000] {
        p.rewinddir(dir).unwrap();
        assert_eq!(batched(&p, dir, max), expected, "batches of {max}");
    }
    p.closedir(dir).unwrap();
}

#[test]
fn batches_and_single_reads_share_one_position() {
    let p = root();
    many(&p);
    let dir = p.opendir(b"d").unwrap();
    let expected = one_by_one(&p, dir);
    p.rewinddir(dir).unwrap();
    let mut seen = Vec::new();
    let mut batch = DirBatch::new();
    while let Some(e) = p.readdir(dir).unwrap() {
        seen.push((e.ino, e.kind, e.name));
        if p.readdir_batch(dir, &mut batch, 300).unwrap() == 0 {
            break;
        }
        seen.extend(batch.iter().map(|e| (e.ino, e.kind, e.name.to_vec())));
    }
    assert_eq!(seen, expected);
    // At the end both agree that there is nothing more.
    assert_eq!(p.readdir_batch(dir, &mut batch, 10), Ok(0));
    assert!(batch.is_empty());
    assert_eq!(p.readdir(dir), Ok(None));
    p.closedir(dir).unwrap();
}

#[test]
fn the_batch_is_cleared_and_max_zero_reads_nothing() {
    let p = root();
    many(&p);
    let dir = p.opendir(b"d").unwrap();
    let mut batch = DirBatch::new();
    assert_eq!(p.readdir_batch(dir, &mut batch, 5), Ok(5));
    assert_eq!(p.readdir_batch(dir, &mut batch, 0), Ok(0));
    assert!(batch.is_empty());
    // Nothing was skipped by the empty call.
    assert_eq!(p.readdir_batch(dir, &mut batch, 1), Ok(1));
    // `.`, `..`, f0, f1, f2 came first.
    assert_eq!(batch.get(0).unwrap().name, b"f3");
    assert_eq!(batch.get(1), None);
    p.closedir(dir).unwrap();
}

#[test]
fn bad_streams_removed_directories_and_entries_removed_while_listed() {
    let p = root();
    let mut batch = DirBatch::new();
    assert_eq!(
        p.readdir_batch(DirStream(12345), &mut batch, 10),
        Err(Errno::EBADF)
    );
    many(&p);
    let dir = p.opendir(b"d").unwrap();
    p.closedir(dir).unwrap();
    assert_eq!(p.readdir_batch(dir, &mut batch, 10), Err(Errno::EBADF));

    // A removed directory lists nothing, as readdir reports.
    p.mkdir(b"gone", 0o755).unwrap();
    let dir = p.opendir(b"gone").unwrap();
    p.rmdir(b"gone").unwrap();
    assert_eq!(p.readdir_batch(dir, &mut batch, 10), Ok(0));
    p.closedir(dir).unwrap();
    // Removed after `.` and `..` were read: the provider's ENOENT is the end, too.
    p.mkdir(b"gone", 0o755).unwrap();
    let dir = p.opendir(b"gone").unwrap();
    assert_eq!(p.readdir_batch(dir, &mut batch, 2), Ok(2));
    p.rmdir(b"gone").unwrap();
    assert_eq!(p.readdir_batch(dir, &mut batch, 10), Ok(0));
    assert_eq!(p.readdir(dir), Ok(None));
    p.closedir(dir).unwrap();

    // Entries removed after the stream passed them do not come back, and the ones
    // still ahead of it that stay are listed once.
    let dir = p.opendir(b"d").unwrap();
    let first = batched_once(&p, dir, 1500);
    for i in 0..N {
        if i % 2 == 0 {
            p.unlink(format!("d/f{i}").as_bytes()).unwrap();
        }
    }
    let rest = batched(&p, dir, 97);
    let mut names: Vec<Vec<u8>> = first.into_iter().chain(rest).map(|e| e.2).collect();
    let total = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), total, "no entry listed twice");
    for i in (1..N).step_by(2) {
        let name = format!("f{i}").into_bytes();
        assert!(
            names.binary_search(&name).is_ok(),
            "f{i} stayed and is listed"
        );
    }
    p.closedir(dir).unwrap();
}

fn batched_once(p: &dyn Posix, dir: DirStream, max: usize) -> Vec<(u64, u8, Vec<u8>)> {
    let mut batch = DirBatch::new();
    p.readdir_batch(dir, &mut batch, max).unwrap();
    batch
        .iter()
        .map(|e| (e.ino, e.kind, e.name.to_vec()))
        .collect()
}

#[test]
fn over_host_too() {
    let tmp = tempfile::tempdir().unwrap();
    let fs = Arc::new(vfsbox_host::HostFs::open(tmp.path()).unwrap());
    let p = Emulated::new(fs);
    p.mkdir(b"d", 0o755).unwrap();
    for i in 0..1100 {
        put(&p, &format!("d/f{i}"), b"");
    }
    let dir = p.opendir(b"d").unwrap();
    let expected = one_by_one(&p, dir);
    assert_eq!(expected.len(), 1102);
    p.rewinddir(dir).unwrap();
    assert_eq!(batched(&p, dir, 333), expected);
    p.closedir(dir).unwrap();
}
