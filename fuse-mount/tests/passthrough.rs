//! FUSE passthrough for host files: reads and writes of a host provider's regular files are
//! served by the kernel from the host file (the adapter sees none of them), with the same
//! results as without passthrough, and sizes the kernel caches stay right.

mod common;

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use vfsbox_api::FileSystem;
use vfsbox_fuse::{Invalidating, IoStats, MountOptions};

/// Options with caches long enough that a right size after a passthrough write can only come
/// from the kernel's own bookkeeping or an invalidation, not from a timeout.
fn options(passthrough: bool) -> MountOptions {
    MountOptions {
        entry_timeout: Duration::from_secs(600),
        attr_timeout: Duration::from_secs(600),
        passthrough,
        ..common::options()
    }
}

fn host(passthrough: bool) -> (common::Mounted, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let host_path = dir.path().to_path_buf();
    let fs: Arc<dyn FileSystem> = Arc::new(vfsbox_host::HostFs::open(dir.path()).unwrap());
    (
        common::mount_with(fs, dir, &options(passthrough)),
        host_path,
    )
}

fn size(path: &Path) -> u64 {
    fs::metadata(path).unwrap().len()
}

/// A workload of writes, reads, truncations and appends on one file, recording everything it
/// observes (sizes from `stat` and `fstat`, data read back), to compare runs.
fn workload(dir: &Path) -> Vec<String> {
    let mut seen = Vec::new();
    let path = dir.join("data");
    let block: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    fs::write(&path, &block).unwrap();
    seen.push(format!("after write: {}", size(&path)));
    assert_eq!(fs::read(&path).unwrap(), block);

    // Overwrite in the middle and extend past the end through one descriptor.
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    f.write_all_at(b"middle", 1000).unwrap();
    f.write_all_at(b"tail", 400_000).unwrap();
    seen.push(format!(
        "fstat after extend: {}",
        f.metadata().unwrap().len()
    ));
    seen.push(format!("stat after extend: {}", size(&path)));
    let mut buf = [0u8; 6];
    f.read_exact_at(&mut buf, 1000).unwrap();
    seen.push(format!("middle: {:?}", String::from_utf8_lossy(&buf)));
    let mut hole = [1u8; 16];
    f.read_exact_at(&mut hole, 350_000).unwrap();
    seen.push(format!("hole: {hole:?}"));

    // Shrink, then grow by truncation.
    f.set_len(5000).unwrap();
    seen.push(format!(
        "after shrink: {} {}",
        size(&path),
        f.metadata().unwrap().len()
    ));
    let mut all = Vec::new();
    File::open(&path).unwrap().read_to_end(&mut all).unwrap();
    seen.push(format!(
        "read after shrink: {} bytes, head {:?}",
        all.len(),
        &all[..8]
    ));
    assert_eq!(&all[1000..1006], b"middle");
    f.set_len(8192).unwrap();
    seen.push(format!("after grow: {}", size(&path)));
    drop(f);

    // Appends, with a reader holding the file open and seeing each one.
    let reader = File::open(&path).unwrap();
    let mut appender = OpenOptions::new().append(true).open(&path).unwrap();
    for i in 0..5u8 {
        appender.write_all(&[b'A' + i; 100]).unwrap();
        let end = 8192 + 100 * u64::from(i);
        let mut got = [0u8; 100];
        reader.read_exact_at(&mut got, end).unwrap();
        assert_eq!(got, [b'A' + i; 100], "the open reader sees append {i}");
        seen.push(format!("after append {i}: {}", size(&path)));
    }
    drop(appender);
    drop(reader);

    // O_TRUNC open and rewrite.
    fs::write(&path, b"short").unwrap();
    seen.push(format!("after O_TRUNC rewrite: {}", size(&path)));
    seen.push(format!("content: {:?}", fs::read_to_string(&path).unwrap()));
    seen
}

#[test]
fn host_file_reads_and_writes_bypass_the_adapter() {
    let (m, host_dir) = host(true);
    let seen = workload(m.path());
    let stats = m.mount().io_stats();
    assert!(stats.passthrough_opens >= 6, "{stats:?}");
    assert_eq!(
        (stats.reads, stats.writes),
        (0, 0),
        "no read or write reached the adapter: {stats:?}"
    );
    // The data is the host file's.
    assert_eq!(fs::read(host_dir.join("data")).unwrap(), b"short");
    assert_eq!(seen.last().unwrap(), "content: \"short\"");
}

#[test]
fn without_passthrough_the_same_workload_gives_the_same_results() {
    let (on, _) = host(true);
    let (off, _) = host(false);
    let with = workload(on.path());
    let without = workload(off.path());
    assert_eq!(with, without);
    let stats = off.mount().io_stats();
    assert_eq!(stats.passthrough_opens, 0);
    assert!(stats.reads > 0 && stats.writes > 0, "{stats:?}");
    // The memory provider has no backing files: served as before with passthrough on.
    let m = common::mount_with(Arc::new(vfsbox_memory::MemoryFs::new()), (), &options(true));
    assert_eq!(workload(m.path()), with);
    let stats = m.mount().io_stats();
    assert_eq!(stats.passthrough_opens, 0);
    assert!(stats.reads > 0 && stats.writes > 0, "{stats:?}");
}

#[test]
fn sizes_stay_right_after_passthrough_writes_with_long_attribute_caches() {
    let (m, host_dir) = host(true);
    let path = m.join("f");
    fs::write(&path, b"0123456789").unwrap();
    assert_eq!(size(&path), 10); // cached for 600 s from here
    let f = OpenOptions::new().write(true).open(&path).unwrap();
    f.write_all_at(b"x", 99).unwrap();
    assert_eq!(size(&path), 100, "extended by a passthrough write");
    assert_eq!(f.metadata().unwrap().len(), 100);
    f.write_all_at(b"y", 5).unwrap();
    assert_eq!(size(&path), 100, "a write inside does not change the size");
    drop(f);
    let data = fs::read(&path).unwrap();
    assert_eq!(data.len(), 100);
    assert_eq!((data[5], data[99], data[50]), (b'y', b'x', 0));
    assert_eq!(fs::read(host_dir.join("f")).unwrap(), data);
    // mtime moved with the writes, as the host file's.
    let host_mtime = fs::metadata(host_dir.join("f"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), host_mtime);
    assert_eq!(m.mount().io_stats().writes, 0);
}

#[test]
fn mmap_of_a_passthrough_file_is_the_host_file() {
    use nix::sys::mman::{mmap, msync, munmap, MapFlags, MsFlags, ProtFlags};
    use std::num::NonZeroUsize;
    let (m, host_dir) = host(true);
    let path = m.join("mapped");
    fs::write(&path, vec![b'.'; 8192]).unwrap();
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    let len = NonZeroUsize::new(8192).unwrap();
    // SAFETY: a fresh shared mapping of an open file, at an address the kernel chooses.
    let ptr = unsafe {
        mmap(
            None,
            len,
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            MapFlags::MAP_SHARED,
            &f,
            0,
        )
    }
    .unwrap();
    // SAFETY: the mapping is 8192 bytes long and only this thread uses it.
    let bytes = unsafe { std::slice::from_raw_parts_mut(ptr.as_ptr().cast::<u8>(), 8192) };
    bytes[4096..4101].copy_from_slice(b"hello");
    // SAFETY: the mapping is valid until munmap below.
    unsafe { msync(ptr, 8192, MsFlags::MS_SYNC) }.unwrap();
    // SAFETY: unmapped once, not used after.
    unsafe { munmap(ptr, 8192) }.unwrap();
    drop(f);
    assert_eq!(&fs::read(&path).unwrap()[4096..4101], b"hello");
    assert_eq!(
        &fs::read(host_dir.join("mapped")).unwrap()[4096..4101],
        b"hello"
    );
    let IoStats { reads, writes, .. } = m.mount().io_stats();
    assert_eq!((reads, writes), (0, 0));
}

#[test]
fn in_process_changes_show_through_passthrough_files() {
    use vfsbox_api::{Name, OpenFlags};
    let dir = tempfile::tempdir().unwrap();
    let host: Arc<dyn FileSystem> = Arc::new(vfsbox_host::HostFs::open(dir.path()).unwrap());
    let m = common::mount_with(host.clone(), (), &options(true));
    let fs = Invalidating::new(host.clone(), m.mount().invalidator());
    fs::write(m.join("f"), b"aaaa").unwrap();
    let reader = File::open(m.join("f")).unwrap();
    let mut buf = [0u8; 4];
    reader.read_exact_at(&mut buf, 0).unwrap();
    assert_eq!(&buf, b"aaaa");
    // Same size, new data, in-process.
    let entry = fs.lookup(fs.root(), Name::new(b"f").unwrap()).unwrap();
    let h = fs.open(entry.node, OpenFlags::WRITE).unwrap();
    assert!(
        fs.backing_file(h).is_some(),
        "Invalidating forwards backing files"
    );
    fs.write(h, 0, b"bbbbbb").unwrap();
    fs.release(h).unwrap();
    reader.read_exact_at(&mut buf, 0).unwrap();
    assert_eq!(
        &buf, b"bbbb",
        "the open passthrough reader sees the host file"
    );
    assert_eq!(
        size(&m.join("f")),
        6,
        "the invalidator dropped the cached size"
    );
    // And a write through the mount is what the provider sees in-process.
    OpenOptions::new()
        .append(true)
        .open(m.join("f"))
        .unwrap()
        .write_all(b"cc")
        .unwrap();
    assert_eq!(fs.getattr(entry.node).unwrap().size, 8);
    fs.forget(entry.node, 1);
    assert_eq!(m.mount().io_stats().writes, 0);
}

#[test]
fn overlay_upper_files_use_passthrough_and_lower_readers_do_not_block_writers() {
    let lower_dir = tempfile::tempdir().unwrap();
    let upper_dir = tempfile::tempdir().unwrap();
    fs::write(lower_dir.path().join("l"), b"lower data").unwrap();
    let lower = vfsbox_host::HostFs::open(lower_dir.path()).unwrap();
    let upper: Arc<dyn FileSystem> = Arc::new(vfsbox_host::HostFs::open(upper_dir.path()).unwrap());
    let overlay =
        vfsbox_overlay::Overlay::new(upper, Arc::new(vfsbox_readonly::ReadOnly::wrap(lower)))
            .unwrap();
    let m = common::mount_with(Arc::new(overlay), (lower_dir, upper_dir), &options(true));

    // A reader of the lower file goes through the adapter.
    let reader = File::open(m.join("l")).unwrap();
    let mut buf = [0u8; 10];
    reader.read_exact_at(&mut buf, 0).unwrap();
    assert_eq!(&buf, b"lower data");
    let before = m.mount().io_stats();
    assert!(before.reads > 0, "{before:?}");
    assert_eq!(before.passthrough_opens, 0);

    // A writer while the reader is open: copied up, opened without EIO.
    let writer = OpenOptions::new().write(true).open(m.join("l")).unwrap();
    writer.write_all_at(b"upper", 0).unwrap();
    drop(writer);
    drop(reader);
    assert_eq!(fs::read(m.join("l")).unwrap(), b"upper data");

    // With nothing open, the upper file is served by passthrough.
    let stats = m.mount().io_stats();
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(m.join("l"))
        .unwrap();
    f.write_all_at(b"UPPER", 0).unwrap();
    let mut again = [0u8; 10];
    f.read_exact_at(&mut again, 0).unwrap();
    assert_eq!(&again, b"UPPER data");
    drop(f);
    let after = m.mount().io_stats();
    assert_eq!(
        after.passthrough_opens,
        stats.passthrough_opens + 1,
        "{after:?}"
    );
    assert_eq!((after.reads, after.writes), (stats.reads, stats.writes));

    // A new upper-only file too.
    fs::write(m.join("new"), b"fresh").unwrap();
    assert_eq!(fs::read(m.join("new")).unwrap(), b"fresh");
    assert_eq!(m.mount().io_stats().writes, after.writes);
}

#[test]
fn mount_table_and_read_only_views_pass_host_files_through() {
    let host_dir = tempfile::tempdir().unwrap();
    fs::write(host_dir.path().join("h"), b"host file").unwrap();
    let ro_dir = tempfile::tempdir().unwrap();
    fs::write(ro_dir.path().join("r"), b"read-only file").unwrap();
    let table = vfsbox_mounts::MountTable::builder()
        .mount_new("/", vfsbox_memory::MemoryFs::new())
        .and_then(|b| b.mount_new("/host", vfsbox_host::HostFs::open(host_dir.path()).unwrap()))
        .and_then(|b| {
            b.mount_new(
                "/ro",
                vfsbox_readonly::ReadOnly::wrap(vfsbox_host::HostFs::open(ro_dir.path()).unwrap()),
            )
        })
        .and_then(|b| b.build())
        .unwrap();
    let m = common::mount_with(Arc::new(table), (host_dir, ro_dir), &options(true));

    assert_eq!(fs::read(m.join("host/h")).unwrap(), b"host file");
    OpenOptions::new()
        .append(true)
        .open(m.join("host/h"))
        .unwrap()
        .write_all(b"!")
        .unwrap();
    assert_eq!(fs::read(m.join("host/h")).unwrap(), b"host file!");
    assert_eq!(fs::read(m.join("ro/r")).unwrap(), b"read-only file");
    assert_eq!(
        OpenOptions::new()
            .write(true)
            .open(m.join("ro/r"))
            .unwrap_err()
            .raw_os_error(),
        Some(libc::EROFS)
    );
    let stats = m.mount().io_stats();
    assert_eq!(stats.passthrough_opens, 4, "{stats:?}");
    assert_eq!((stats.reads, stats.writes), (0, 0));

    // The memory root's files go through the adapter.
    fs::write(m.join("mem"), b"memory").unwrap();
    assert_eq!(fs::read(m.join("mem")).unwrap(), b"memory");
    let stats = m.mount().io_stats();
    assert_eq!(stats.passthrough_opens, 4);
    assert!(stats.reads > 0 && stats.writes > 0);
}

#[test]
fn concurrent_readers_and_a_writer_share_one_backing_file() {
    let (m, _host) = host(true);
    let path = m.join("shared");
    let size = 1 << 20;
    fs::write(&path, vec![0u8; size]).unwrap();
    let writer = OpenOptions::new().write(true).open(&path).unwrap();
    std::thread::scope(|s| {
        for _ in 0..3 {
            let path = path.clone();
            s.spawn(move || {
                let f = File::open(&path).unwrap();
                let mut buf = vec![0u8; 4096];
                for round in 0..200 {
                    let block = round % (size / 4096);
                    f.read_exact_at(&mut buf, (block * 4096) as u64).unwrap();
                    // Each byte is the old one or the new one (a read racing a write may
                    // see part of each, as on the host filesystem).
                    let new = (block % 251) as u8 + 1;
                    assert!(buf.iter().all(|&b| b == 0 || b == new), "block {block}");
                }
            });
        }
        for round in 0..256u32 {
            let at = u64::from(round) * 4096;
            writer
                .write_all_at(&[(round % 251) as u8 + 1; 4096], at)
                .unwrap();
        }
    });
    drop(writer);
    let data = fs::read(&path).unwrap();
    for (i, block) in data.chunks(4096).enumerate() {
        assert!(block.iter().all(|&b| b == (i % 251) as u8 + 1), "block {i}");
    }
    let stats = m.mount().io_stats();
    assert_eq!((stats.reads, stats.writes), (0, 0), "{stats:?}");
}

#[test]
fn a_backing_file_stays_registered_for_the_next_opens_of_its_inode() {
    let (m, host_dir) = host(true);
    fs::write(host_dir.join("f"), b"data").unwrap();
    let before = m.mount().io_stats();
    for _ in 0..5 {
        assert_eq!(fs::read(m.path().join("f")).unwrap(), b"data");
    }
    fs::write(m.path().join("f"), b"new").unwrap();
    assert_eq!(fs::read(m.path().join("f")).unwrap(), b"new");
    let stats = m.mount().io_stats();
    assert_eq!(
        stats.passthrough_opens - before.passthrough_opens,
        7,
        "{stats:?}"
    );
    assert_eq!(
        stats.backing_registrations - before.backing_registrations,
        1,
        "one registration serves every open of the inode: {stats:?}"
    );
    assert_eq!((stats.reads, stats.writes), (0, 0), "{stats:?}");
    // A host-side replacement is another host file: the idle registration is replaced.
    fs::write(host_dir.join("g"), b"other").unwrap();
    fs::rename(host_dir.join("g"), host_dir.join("f")).unwrap();
    // The kernel may still hold its entry for f (600 s): opening that node by its name finds
    // another host file, which the host provider refuses with ESTALE; a fresh lookup opens
    // the new file, through a new registration.
    let read = fs::read(m.path().join("f"));
    match read {
        Ok(data) => assert_eq!(data, b"other"),
        Err(e) => assert_eq!(e.raw_os_error(), Some(libc::ESTALE)),
    }
}
