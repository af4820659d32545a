//! Lookup counting, `forget`, `ESTALE`, and freeing of unlinked files after the last release.

use super::*;
use vfsbox_api::{Errno, FileKind};

#[test]
fn lookups_forget_and_estale() {
    let fs = MemoryFs::new();
    let (entry, handle) = create(&fs, ROOT, "f");
    fs.release(handle).unwrap();
    let again = fs.lookup(ROOT, name("f")).unwrap();
    assert_eq!(again.node, entry.node);
    // Two lookups held (create + lookup): one forget leaves the id valid.
    fs.forget(entry.node, 1);
    assert!(fs.getattr(entry.node).is_ok());
    // Forgetting more than held is ignored.
    fs.forget(entry.node, 5);
    assert_eq!(
        fs.getattr(entry.node).map(|a| a.kind),
        Ok(FileKind::Regular)
    );
    fs.forget(entry.node, 1);
    assert_eq!(fs.getattr(entry.node), Err(Errno::ESTALE));
    // Still linked: a new lookup brings the same node back.
    let back = fs.lookup(ROOT, name("f")).unwrap();
    assert_eq!(back.node, entry.node);
    // The root never goes stale.
    fs.forget(ROOT, 10);
    assert!(fs.getattr(ROOT).is_ok());
    assert_eq!(fs.getattr(NodeId(999_999)), Err(Errno::ESTALE));
}

#[test]
fn unlinked_open_file_lives_until_last_release_then_is_freed() {
    let fs = MemoryFs::new();
    let (entry, handle) = create(&fs, ROOT, "f");
    assert_eq!(fs.write(handle, 0, &[1u8; 10_000]), Ok(10_000));
    let second = fs.open(entry.node, OpenFlags::READ).unwrap();
    fs.unlink(ROOT, name("f")).unwrap();
    fs.forget(entry.node, 1);
    assert_eq!(fs.getattr(entry.node), Err(Errno::ESTALE));
    // Still readable and writable through the handles.
    assert_eq!(fs.write(handle, 10_000, b"tail"), Ok(4));
    let mut buf = [0u8; 4];
    assert_eq!(fs.read(second, 10_000, &mut buf), Ok(4));
    assert_eq!(&buf, b"tail");
    assert_eq!(fs.memory_usage().data_pages, 3);
    assert_eq!(fs.memory_usage().inodes, 2);
    fs.release(handle).unwrap();
    assert_eq!(fs.memory_usage().data_pages, 3);
    fs.release(second).unwrap();
    let usage = fs.memory_usage();
    assert_eq!((usage.inodes, usage.data_pages, usage.entries), (1, 0, 0));
    assert_eq!(fs.read(second, 0, &mut buf), Err(Errno::EBADF));
}

#[test]
fn looked_up_unlinked_file_is_freed_at_forget() {
    let fs = MemoryFs::new();
    let (entry, handle) = create(&fs, ROOT, "f");
    fs.write(handle, 0, b"x").unwrap();
    fs.release(handle).unwrap();
    fs.unlink(ROOT, name("f")).unwrap();
    let attr = fs.getattr(entry.node).unwrap();
    assert_eq!(attr.nlink, 0);
    assert_eq!(fs.link(entry.node, ROOT, name("g")), Err(Errno::ENOENT));
    assert_eq!(fs.memory_usage().inodes, 2);
    fs.forget(entry.node, 1);
    assert_eq!(fs.memory_usage().inodes, 1);
    assert_eq!(fs.memory_usage().data_pages, 0);
}

#[test]
fn hard_links_keep_node_and_count() {
    let fs = MemoryFs::new();
    let (entry, handle) = create(&fs, ROOT, "a");
    fs.release(handle).unwrap();
    let d = mkdir(&fs, ROOT, "d");
    let linked = fs.link(entry.node, d.node, name("b")).unwrap();
    assert_eq!(linked.attr.nlink, 2);
    assert_eq!(linked.attr.ino, entry.attr.ino);
    fs.unlink(ROOT, name("a")).unwrap();
    assert_eq!(fs.getattr(entry.node).unwrap().nlink, 1);
    // The node keeps the lookups of create and link.
    fs.forget(entry.node, 2);
    assert_eq!(fs.getattr(entry.node), Err(Errno::ESTALE));
    let found = fs.lookup(d.node, name("b")).unwrap();
    assert_eq!(found.node, entry.node);
}

#[test]
fn removed_directory_refuses_listing_and_creation() {
    let fs = MemoryFs::new();
    let d = mkdir(&fs, ROOT, "d");
    assert_eq!(fs.getattr(ROOT).unwrap().nlink, 3);
    let handle = fs.opendir(d.node).unwrap();
    fs.rmdir(ROOT, name("d")).unwrap();
    assert_eq!(fs.getattr(ROOT).unwrap().nlink, 2);
    assert_eq!(fs.getattr(d.node).unwrap().nlink, 0);
    assert_eq!(
        fs.mkdir(d.node, name("x"), 0o755, OWNER).map(|e| e.node),
        Err(Errno::ENOENT)
    );
    // getdents64 on a directory removed while open is ENOENT on Linux (tmpfs and ext4).
    let mut seen = 0;
    let listed = fs.readdir(handle, 0, &mut |_| {
        seen += 1;
        true
    });
    assert_eq!(listed, Err(Errno::ENOENT));
    assert_eq!(seen, 0);
    fs.releasedir(handle).unwrap();
    fs.forget(d.node, 1);
    assert_eq!(fs.memory_usage().inodes, 1);
}

/// Levels of the deep chains below: far more than a recursive free survives on a small stack.
const DEEP: usize = 100_000;

/// Runs `f` on a thread with a 256 KiB stack, so a recursion as deep as the chain overflows.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the small-stack thread finished without panicking");
}

/// Builds `d/d/d/…` `DEEP` levels under the root, forgetting each level once its child exists,
/// so only the deepest id is held (the chain is kept alive by its links alone). Returns the
/// ids from the top down when `keep` is set (their lookups kept), else only the deepest.
fn deep_chain(fs: &MemoryFs, keep: bool) -> Vec<NodeId> {
    let mut ids = Vec::new();
    let mut parent = ROOT;
    for _ in 0..DEEP {
        let child = mkdir(fs, parent, "d").node;
        if keep {
            ids.push(child);
        } else if parent != ROOT {
            fs.forget(parent, 1);
        }
        parent = child;
    }
    if !keep {
        ids.push(parent);
    }
    ids
}

#[test]
fn dropping_a_very_deep_tree_frees_it_without_recursion() {
    on_small_stack(|| {
        let fs = MemoryFs::new();
        let deepest = deep_chain(&fs, false);
        let usage = fs.memory_usage();
        assert_eq!(
            (usage.inodes, usage.entries),
            (DEEP as u64 + 1, DEEP as u64)
        );
        // Forgotten nodes are stale but stay linked: the whole chain lives on its links.
        fs.forget(deepest[0], 1);
        assert_eq!(fs.getattr(deepest[0]), Err(Errno::ESTALE));
        assert_eq!(
            fs.lookup(ROOT, name("d")).map(|e| e.attr.nlink),
            Ok(3),
            "the top of the chain has one subdirectory"
        );
        drop(fs);
    });
}

#[test]
fn removing_a_very_deep_chain_bottom_up_frees_every_level() {
    on_small_stack(|| {
        let fs = MemoryFs::new();
        let ids = deep_chain(&fs, true);
        for (i, &node) in ids.iter().enumerate().rev() {
            let parent = if i == 0 { ROOT } else { ids[i - 1] };
            assert_eq!(fs.rmdir(parent, name("d")), Ok(()));
            // Removed and forgotten: the level is freed at once.
            fs.forget(node, 1);
            assert_eq!(fs.getattr(node), Err(Errno::ESTALE));
        }
        let usage = fs.memory_usage();
        assert_eq!((usage.inodes, usage.entries), (1, 0));
        drop(fs);
    });
}
