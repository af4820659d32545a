//! The native `readdir_batch` lists what `readdir` lists, in the same order, sharing the
//! stream's position.

use vfsbox_api::{DirBatch, DirStream, Errno, Posix};
use vfsbox_native::Native;

#[test]
fn batches_list_what_readdir_lists() {
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..700 {
        std::fs::write(tmp.path().join(format!("f{i}")), b"").unwrap();
    }
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    let path = tmp.path().as_os_str().as_encoded_bytes();
    let p = Native::new();
    let dir = p.opendir(path).unwrap();
    let mut expected = Vec::new();
    while let Some(e) = p.readdir(dir).unwrap() {
        expected.push((e.ino, e.kind, e.name));
    }
    assert_eq!(expected.len(), 703);
    let mut batch = DirBatch::new();
    for max in [1, 5, 256, 10_000] {
        p.rewinddir(dir).unwrap();
        let mut seen = Vec::new();
        // A single readdir first: the batch goes on from where it left the stream.
        let e = p.readdir(dir).unwrap().unwrap();
        seen.push((e.ino, e.kind, e.name));
        while p.readdir_batch(dir, &mut batch, max).unwrap() > 0 {
            assert!(batch.len() <= max);
            seen.extend(batch.iter().map(|e| (e.ino, e.kind, e.name.to_vec())));
        }
        assert_eq!(seen, expected, "batches of {max}");
    }
    assert_eq!(p.readdir_batch(dir, &mut batch, 0), Ok(0));
    p.closedir(dir).unwrap();
    assert_eq!(p.readdir_batch(dir, &mut batch, 4), Err(Errno::EBADF));
    assert_eq!(
        p.readdir_batch(DirStream(u64::MAX), &mut batch, 4),
        Err(Errno::EBADF)
    );
}
