//! `backing_file`: the one host descriptor that leaves the provider, for FUSE passthrough.
//! Only regular-file handles give one, it is that very file, and it outlives the handle
//! (a duplicate, not a borrow).

mod common;

use common::{me, name, Fixture};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use vfsbox_api::{Errno, FileKind, FileSystem, HandleId, OpenFlags};

#[test]
fn a_regular_file_handle_gives_its_own_file() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let entry = fx.write_file(root, "f", b"hello");
    let h = fx.fs.open(entry.node, OpenFlags::READ_WRITE).unwrap();
    let fd = fx
        .fs
        .backing_file(h)
        .expect("a regular file has a backing file");
    let mut file = std::fs::File::from(fd);
    let on_disk = std::fs::metadata(fx.root_path().join("f")).unwrap();
    let meta = file.metadata().unwrap();
    assert_eq!((meta.dev(), meta.ino()), (on_disk.dev(), on_disk.ino()));
    // The same data: what the provider wrote is read through it, and the other way round.
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    assert_eq!(text, "hello");
    file.seek(SeekFrom::Start(5)).unwrap();
    file.write_all(b" world").unwrap();
    assert_eq!(fx.read_all(h), b"hello world");
    // A duplicate: it stays valid after the handle is released.
    fx.fs.release(h).unwrap();
    assert_eq!(file.metadata().unwrap().len(), 11);
    assert!(
        fx.fs.backing_file(h).is_none(),
        "a released handle has none"
    );
}

#[test]
fn a_created_file_handle_gives_its_own_file() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let (entry, h) = fx
        .fs
        .create(root, name("new"), 0o644, OpenFlags::WRITE, me())
        .unwrap();
    let fd = fx
        .fs
        .backing_file(h)
        .expect("a created file has a backing file");
    let meta = std::fs::File::from(fd).metadata().unwrap();
    assert_eq!(meta.ino(), entry.attr.ino);
    fx.fs.release(h).unwrap();
}

#[test]
fn directories_fifos_and_unknown_handles_give_none() {
    let fx = Fixture::new();
    let root = fx.fs.root();
    let dir = fx.fs.opendir(root).unwrap();
    assert!(fx.fs.backing_file(dir).is_none(), "never for a directory");
    fx.fs.releasedir(dir).unwrap();

    let fifo = fx
        .fs
        .mknod(root, name("p"), FileKind::Fifo, 0o644, 0, me())
        .unwrap();
    // O_RDONLY|O_NONBLOCK opens a FIFO without a writer.
    let h = fx
        .fs
        .open(fifo.node, OpenFlags::READ.with(OpenFlags::NONBLOCK))
        .unwrap();
    assert!(fx.fs.backing_file(h).is_none(), "never for a FIFO");
    fx.fs.release(h).unwrap();

    assert!(fx.fs.backing_file(HandleId(999_999)).is_none());
    assert_eq!(fx.fs.release(HandleId(999_999)), Err(Errno::EBADF));
}
