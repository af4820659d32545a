//! One `FileSystem` call on a mount table (or, with `bare`, on the memory provider itself) in
//! a loop, for instruction counts: `valgrind --tool=callgrind
//! target/release/examples/mounts_hot_loop SUBJECT OP N` with SUBJECT `bare` or `mounts` (four
//! memory providers at `/`, `/a`, `/b`, `/c`, the file in `/a`) and OP `lookup` (+forget),
//! `getattr` or `open_read` (open, read 4 KiB, release). Instruction counts are stable on
//! a loaded machine, where timings are not; run N and 10N and take the difference.

use std::sync::Arc;
use vfsbox_api::{FileSystem, Name, OpenFlags, Owner};
use vfsbox_memory::MemoryFs;
use vfsbox_mounts::MountTable;

fn main() {
    let mut args = std::env::args().skip(1);
    let subject = args.next().unwrap_or_else(|| "mounts".into());
    let op = args.next().unwrap_or_else(|| "getattr".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let owner = Owner { uid: 0, gid: 0 };
    let fs: Arc<dyn FileSystem> = match subject.as_str() {
        "bare" => Arc::new(MemoryFs::new()),
        _ => Arc::new(
            MountTable::builder()
                .mount_new("/", MemoryFs::new())
                .and_then(|b| b.mount_new("/a", MemoryFs::new()))
                .and_then(|b| b.mount_new("/b", MemoryFs::new()))
                .and_then(|b| b.mount_new("/c", MemoryFs::new()))
                .and_then(|b| b.build())
                .expect("mount table"),
        ),
    };
    let data = Name::new(b"data").expect("name");
    let dir = if subject == "bare" {
        fs.root()
    } else {
        fs.lookup(fs.root(), Name::new(b"a").expect("name"))
            .expect("lookup /a")
            .node
    };
    let (file, handle) = fs
        .create(dir, data, 0o644, OpenFlags::WRITE, owner)
        .expect("create");
    fs.write(handle, 0, &[0x5a; 4096]).expect("write");
    fs.release(handle).expect("release");
    let mut buf = [0u8; 4096];
    for _ in 0..n {
        match op.as_str() {
            "lookup" => {
                let e = fs.lookup(dir, data).expect("lookup");
                fs.forget(e.node, 1);
            }
            "getattr" => drop(fs.getattr(file.node).expect("getattr")),
            "open_read" => {
                let h = fs.open(file.node, OpenFlags::READ).expect("open");
                fs.read(h, 0, &mut buf).expect("read");
                fs.release(h).expect("release");
            }
            other => panic!("unknown OP {other}"),
        }
    }
}
