//! The upper layer of a host-backed overlay is an OCI image layer: after new files, modified
//! lower files, deleted lower files and a replaced lower directory, `tar` of the upper directory
//! holds exactly the changed entries, the whiteouts and the opaque marker.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use vfsbox_api::{FileSystem, Name, NodeId, OpenFlags, Owner};
use vfsbox_overlay::{Overlay, OverlayError};
use vfsbox_readonly::ReadOnly;

fn n(s: &str) -> &Name {
    Name::new(s.as_bytes()).expect("valid name")
}

fn owner(fs: &dyn FileSystem) -> Owner {
    let a = fs.getattr(fs.root()).expect("root attributes");
    Owner {
        uid: a.uid,
        gid: a.gid,
    }
}

fn write_file(fs: &dyn FileSystem, dir: NodeId, name: &str, data: &[u8]) {
    let flags = OpenFlags::WRITE | OpenFlags::EXCLUSIVE;
    let (_, h) = fs
        .create(dir, n(name), 0o644, flags, owner(fs))
        .expect("create");
    fs.write(h, 0, data).expect("write");
    fs.release(h).expect("release");
}

fn tar_entries(dir: &Path, archive: &Path) -> BTreeSet<String> {
    let status = Command::new("tar")
        .arg("-cf")
        .arg(archive)
        .arg("-C")
        .arg(dir)
        .arg(".")
        .status()
        .expect("run tar -cf");
    assert!(status.success(), "tar -cf failed");
    let out = Command::new("tar")
        .arg("-tf")
        .arg(archive)
        .output()
        .expect("run tar -tf");
    assert!(out.status.success(), "tar -tf failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn host_upper_is_an_oci_layer() {
    let lower_dir = tempfile::tempdir().expect("lower dir");
    let upper_dir = tempfile::tempdir().expect("upper dir");
    let scratch = tempfile::tempdir().expect("scratch dir");
    {
        let lower = vfsbox_host::HostFs::open(lower_dir.path()).expect("open lower");
        let root = lower.root();
        for name in ["keep.txt", "modify.txt", "delete.txt"] {
            write_file(&lower, root, name, b"lower");
        }
        let dir = lower
            .mkdir(root, n("dir"), 0o755, owner(&lower))
            .expect("mkdir")
            .node;
        write_file(&lower, dir, "old.txt", b"old");
    }
    let lower = vfsbox_host::HostFs::open(lower_dir.path()).expect("open lower");
    let upper = vfsbox_host::HostFs::open(upper_dir.path()).expect("open upper");
    let ov = Overlay::new(Arc::new(upper), Arc::new(ReadOnly::wrap(lower))).expect("overlay");
    let root = ov.root();
    let me = owner(&ov);

    write_file(&ov, root, "new.txt", b"new");
    let modify = ov.lookup(root, n("modify.txt")).expect("lookup").node;
    let h = ov.open(modify, OpenFlags::WRITE).expect("open for writing");
    ov.write(h, 0, b"UPPER").expect("write");
    ov.release(h).expect("release");
    ov.unlink(root, n("delete.txt")).expect("unlink");
    let dir = ov.lookup(root, n("dir")).expect("lookup dir").node;
    ov.unlink(dir, n("old.txt")).expect("unlink dir/old.txt");
    ov.rmdir(root, n("dir")).expect("rmdir dir");
    let dir = ov.mkdir(root, n("dir"), 0o755, me).expect("mkdir dir").node;
    write_file(&ov, dir, "fresh.txt", b"fresh");

    let entries = tar_entries(upper_dir.path(), &scratch.path().join("layer.tar"));
    let want: BTreeSet<String> = [
        "./",
        "./new.txt",
        "./modify.txt",
        "./.wh.delete.txt",
        "./dir/",
        "./dir/.wh..wh..opq",
        "./dir/fresh.txt",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(entries, want);
    assert_eq!(
        std::fs::read(upper_dir.path().join("modify.txt")).expect("read copy"),
        b"UPPER" as &[u8]
    );
    assert_eq!(
        std::fs::metadata(upper_dir.path().join(".wh.delete.txt"))
            .expect("whiteout")
            .len(),
        0
    );
}

#[test]
fn construction_refuses_unfit_layers() {
    let writable: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
    let read_only: Arc<dyn FileSystem> = Arc::new(ReadOnly::wrap(vfsbox_memory::MemoryFs::new()));
    let err = Overlay::new(writable.clone(), writable.clone()).expect_err("writable lower");
    assert_eq!(err, OverlayError::LowerWritable);
    assert!(err.to_string().contains("must be read-only"), "{err}");
    let err = Overlay::new(read_only.clone(), read_only.clone()).expect_err("read-only upper");
    assert_eq!(err, OverlayError::UpperReadOnly);
    assert!(err.to_string().contains("must be writable"), "{err}");
    assert!(Overlay::new(writable, read_only).is_ok());
}

/// An overlay node holds a lookup of its upper node while it lives (the upper id stays valid
/// after the caller gave back its own lookup), and is ESTALE once forgotten.
#[test]
fn forget_releases_layer_nodes() {
    let upper = Arc::new(vfsbox_memory::MemoryFs::new());
    let lower: Arc<dyn FileSystem> = Arc::new(ReadOnly::wrap(vfsbox_memory::MemoryFs::new()));
    let ov = Overlay::new(upper.clone(), lower).expect("overlay");
    let root = ov.root();
    let d = ov.mkdir(root, n("d"), 0o755, owner(&ov)).expect("mkdir");
    let upper_d = upper.lookup(upper.root(), n("d")).expect("upper lookup");
    upper.forget(upper_d.node, 1);
    // The overlay still holds one lookup of the upper node.
    assert!(upper.getattr(upper_d.node).is_ok());
    ov.forget(d.node, 1);
    assert_eq!(ov.getattr(d.node), Err(vfsbox_api::Errno::ESTALE));
}
