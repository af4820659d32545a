//! Unit tests of the provider as a whole: what a cross-provider conformance suite cannot see
//! easily (concurrency, memory use, quotas, exact clock times, node lifecycles).

mod concurrency;
mod lifecycle;
mod namespace;
mod quota;
mod sparse;
mod times;

use crate::{ManualClock, MemoryConfig, MemoryFs};
use std::sync::Arc;
use vfsbox_api::{Entry, FileSystem, HandleId, Name, NodeId, OpenFlags, Owner, Timestamp};

pub(crate) const ROOT: NodeId = NodeId(1);
pub(crate) const OWNER: Owner = Owner {
    uid: 1000,
    gid: 1000,
};

pub(crate) fn name(s: &str) -> &Name {
    Name::new(s.as_bytes()).expect("valid test name")
}

pub(crate) fn ts(sec: i64, nsec: u32) -> Timestamp {
    Timestamp::new(sec, nsec).expect("valid test time")
}

/// A filesystem on a manual clock at 1000.000000001 s.
pub(crate) fn manual_fs() -> (MemoryFs, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(ts(1000, 1)));
    let fs = MemoryFs::with_config(MemoryConfig {
        clock: clock.clone(),
        ..MemoryConfig::default()
    });
    (fs, clock)
}

pub(crate) fn create(fs: &MemoryFs, dir: NodeId, n: &str) -> (Entry, HandleId) {
    fs.create(dir, name(n), 0o644, OpenFlags::READ_WRITE, OWNER)
        .expect("create")
}

pub(crate) fn mkdir(fs: &MemoryFs, dir: NodeId, n: &str) -> Entry {
    fs.mkdir(dir, name(n), 0o755, OWNER).expect("mkdir")
}

/// Every name of a directory listing, in order, read in small chunks.
pub(crate) fn list(fs: &MemoryFs, dir: NodeId) -> Vec<String> {
    let handle = fs.opendir(dir).expect("opendir");
    let mut names = Vec::new();
    let mut cookie = 0;
    loop {
        let mut got = 0;
        fs.readdir(handle, cookie, &mut |e| {
            if got == 7 {
                return false;
            }
            got += 1;
            names.push(String::from_utf8_lossy(e.name.as_bytes()).into_owned());
            cookie = e.cookie;
            true
        })
        .expect("readdir");
        if got < 7 {
            break;
        }
    }
    fs.releasedir(handle).expect("releasedir");
    names
}
