//! Quotas with tmpfs semantics.

use super::*;
use vfsbox_api::{Errno, FallocateMode, FileKind};

fn limited(max_bytes: Option<u64>, max_inodes: Option<u64>) -> MemoryFs {
    MemoryFs::with_config(MemoryConfig {
        max_bytes,
        max_inodes,
        ..MemoryConfig::default()
    })
}

#[test]
fn short_write_then_enospc_then_reuse_after_free() {
    let fs = limited(Some(4 * 4096), None);
    let (entry, h) = create(&fs, ROOT, "f");
    // Crossing the limit writes what fits, in whole pages.
    assert_eq!(fs.write(h, 100, &[7u8; 20_000]), Ok(4 * 4096 - 100));
    assert_eq!(fs.write(h, 4 * 4096, b"x"), Err(Errno::ENOSPC));
    // Rewriting allocated pages costs nothing.
    assert_eq!(fs.write(h, 0, &[1u8; 4096]), Ok(4096));
    let st = fs.statfs(ROOT).unwrap();
    assert_eq!((st.blocks, st.blocks_free, st.block_size), (4, 0, 4096));
    // Holes are free: a far write needs one page and there is none.
    assert_eq!(fs.write(h, 1 << 40, b"y"), Err(Errno::ENOSPC));
    // Truncating frees whole pages past the new size.
    let size = vfsbox_api::SetAttr {
        size: Some(4096),
        ..Default::default()
    };
    fs.setattr(NodeId(0), &size, Some(h)).unwrap();
    assert_eq!(fs.statfs(ROOT).unwrap().blocks_free, 3);
    assert_eq!(fs.write(h, 1 << 40, b"y"), Ok(1));
    // Punching a hole frees too.
    fs.fallocate(h, FallocateMode::PunchHole, 0, 4096).unwrap();
    assert_eq!(fs.statfs(ROOT).unwrap().blocks_free, 3);
    // fallocate is all or nothing.
    assert_eq!(
        fs.fallocate(h, FallocateMode::KeepSize, 0, 4 * 4096),
        Err(Errno::ENOSPC)
    );
    fs.fallocate(h, FallocateMode::KeepSize, 0, 3 * 4096)
        .unwrap();
    assert_eq!(fs.statfs(ROOT).unwrap().blocks_free, 0);
    // Unlink and last release give everything back.
    fs.unlink(ROOT, name("f")).unwrap();
    assert_eq!(fs.statfs(ROOT).unwrap().blocks_free, 0);
    fs.release(h).unwrap();
    fs.forget(entry.node, 1);
    assert_eq!(fs.statfs(ROOT).unwrap().blocks_free, 4);
    let (_, h2) = create(&fs, ROOT, "g");
    assert_eq!(fs.write(h2, 0, &[0u8; 4 * 4096]), Ok(4 * 4096));
}

#[test]
fn inode_limit_counts_root_and_refuses_every_kind() {
    let fs = limited(None, Some(3));
    mkdir(&fs, ROOT, "d");
    let (_, h) = create(&fs, ROOT, "f");
    fs.release(h).unwrap();
    let st = fs.statfs(ROOT).unwrap();
    assert_eq!((st.files, st.files_free), (3, 0));
    assert_eq!(
        fs.mkdir(ROOT, name("x"), 0o755, OWNER).map(|e| e.node),
        Err(Errno::ENOSPC)
    );
    assert_eq!(
        fs.mknod(ROOT, name("x"), FileKind::Fifo, 0o644, 0, OWNER)
            .map(|e| e.node),
        Err(Errno::ENOSPC)
    );
    assert_eq!(
        fs.symlink(ROOT, name("x"), b"t", OWNER).map(|e| e.node),
        Err(Errno::ENOSPC)
    );
    assert_eq!(
        fs.create(ROOT, name("x"), 0o644, OpenFlags::WRITE, OWNER)
            .map(|(e, _)| e.node),
        Err(Errno::ENOSPC)
    );
    // An existing name does not need an inode: EEXIST wins over ENOSPC.
    assert_eq!(
        fs.mkdir(ROOT, name("d"), 0o755, OWNER).map(|e| e.node),
        Err(Errno::EEXIST)
    );
    let d = fs.lookup(ROOT, name("d")).unwrap();
    fs.rmdir(ROOT, name("d")).unwrap();
    fs.forget(d.node, 2);
    mkdir(&fs, ROOT, "again");
}

#[test]
fn long_symlinks_take_a_page_like_tmpfs() {
    let fs = limited(Some(4096), None);
    let short = fs.symlink(ROOT, name("s"), &[b'a'; 127], OWNER).unwrap();
    assert_eq!((short.attr.size, short.attr.blocks), (127, 0));
    let long = fs.symlink(ROOT, name("l"), &[b'a'; 128], OWNER).unwrap();
    assert_eq!((long.attr.size, long.attr.blocks), (128, 8));
    assert_eq!(
        fs.symlink(ROOT, name("m"), &[b'a'; 200], OWNER)
            .map(|e| e.node),
        Err(Errno::ENOSPC)
    );
}
