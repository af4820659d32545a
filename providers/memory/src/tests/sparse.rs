//! Sparse files cost only what is written.

use super::*;
use vfsbox_api::{Errno, SeekHole, SetAttr};

#[test]
fn one_tib_file_with_one_byte_stays_small() {
    let fs = MemoryFs::new();
    let (entry, h) = create(&fs, ROOT, "big");
    let tib = 1u64 << 40;
    assert_eq!(fs.write(h, tib - 1, b"z"), Ok(1));
    let attr = fs.getattr(entry.node).unwrap();
    assert_eq!((attr.size, attr.blocks), (tib, 8));
    let usage = fs.memory_usage();
    assert_eq!(usage.data_pages, 1);
    assert!(usage.estimated_bytes < 64 * 1024, "{usage:?}");
    let mut buf = [9u8; 8];
    assert_eq!(fs.read(h, tib - 8, &mut buf), Ok(8));
    assert_eq!(&buf, b"\0\0\0\0\0\0\0z");
    assert_eq!(fs.read(h, 12345, &mut buf), Ok(8));
    assert_eq!(buf, [0u8; 8]);
    assert_eq!(fs.seek(h, 0, SeekHole::Data), Ok(tib - 4096));
    assert_eq!(fs.seek(h, tib - 1, SeekHole::Hole), Ok(tib));
    assert_eq!(fs.seek(h, tib, SeekHole::Data), Err(Errno::ENXIO));
    // Extending by setattr is a hole too.
    let grow = SetAttr {
        size: Some(1 << 50),
        ..Default::default()
    };
    assert_eq!(fs.setattr(entry.node, &grow, None).map(|a| a.blocks), Ok(8));
    let too_big = SetAttr {
        size: Some(1 << 63),
        ..Default::default()
    };
    assert_eq!(fs.setattr(entry.node, &too_big, None), Err(Errno::EFBIG));
    assert_eq!(fs.write(h, i64::MAX as u64, b"x"), Err(Errno::EFBIG));
}
