//! The conformance suite through a mount table mixing providers: memory at `/`, a host temp
//! dir at `/host`, a read-only memory provider at `/ro`, memory at `/data/cache` (with `/data`
//! synthesized). The generic cases start from an empty root, and the table's root lists its
//! mount points, so each run starts at one mount of the table (`Rooted` re-roots the table at
//! a node it looked up): every call still goes through the table's node-id, handle, inode
//! and cookie translation.

use std::sync::Arc;
use vfsbox_api::*;
use vfsbox_conformance::{provider_tests, Fixture};
use vfsbox_memory::MemoryFs;
use vfsbox_mounts::MountTable;
use vfsbox_readonly::ReadOnly;

/// A provider whose root is node `root` of `fs`; everything else passes through.
struct Rooted {
    fs: MountTable,
    root: NodeId,
}

macro_rules! pass {
    ($($name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(fn $name(&self $(, $arg: $ty)*) -> $ret { self.fs.$name($($arg),*) })*
    };
}

impl FileSystem for Rooted {
    fn root(&self) -> NodeId {
        self.root
    }
    fn forget(&self, node: NodeId, count: u64) {
        if node != self.root {
            self.fs.forget(node, count);
        }
    }
    fn readdir(
        &self,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        self.fs.readdir(handle, cookie, sink)
    }
    pass! {
        capabilities(&self) -> Capabilities;
        lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno>;
        getattr(&self, node: NodeId) -> Result<Attr, Errno>;
        setattr(&self, node: NodeId, changes: &SetAttr, handle: Option<HandleId>) -> Result<Attr, Errno>;
        readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno>;
        mkdir(&self, dir: NodeId, name: &Name, perm: u32, owner: Owner) -> Result<Entry, Errno>;
        mknod(&self, dir: NodeId, name: &Name, kind: FileKind, perm: u32, rdev: u64, owner: Owner) -> Result<Entry, Errno>;
        create(&self, dir: NodeId, name: &Name, perm: u32, flags: OpenFlags, owner: Owner) -> Result<(Entry, HandleId), Errno>;
        symlink(&self, dir: NodeId, name: &Name, target: &[u8], owner: Owner) -> Result<Entry, Errno>;
        link(&self, node: NodeId, new_dir: NodeId, new_name: &Name) -> Result<Entry, Errno>;
        unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno>;
        rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno>;
        rename(&self, dir: NodeId, name: &Name, new_dir: NodeId, new_name: &Name, flags: RenameFlags) -> Result<(), Errno>;
        open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno>;
        read(&self, handle: HandleId, offset: u64, buf: &mut [u8]) -> Result<usize, Errno>;
        write(&self, handle: HandleId, offset: u64, data: &[u8]) -> Result<usize, Errno>;
        flush(&self, handle: HandleId) -> Result<(), Errno>;
        fsync(&self, handle: HandleId, datasync: bool) -> Result<(), Errno>;
        release(&self, handle: HandleId) -> Result<(), Errno>;
        seek(&self, handle: HandleId, offset: u64, what: SeekHole) -> Result<u64, Errno>;
        opendir(&self, node: NodeId) -> Result<HandleId, Errno>;
        releasedir(&self, handle: HandleId) -> Result<(), Errno>;
        statfs(&self, node: NodeId) -> Result<StatFs, Errno>;
        fallocate(&self, handle: HandleId, mode: FallocateMode, offset: u64, len: u64) -> Result<(), Errno>;
        getxattr(&self, node: NodeId, name: &[u8]) -> Result<Vec<u8>, Errno>;
        setxattr(&self, node: NodeId, name: &[u8], value: &[u8], how: XattrSet) -> Result<(), Errno>;
        listxattr(&self, node: NodeId) -> Result<Vec<Vec<u8>>, Errno>;
        removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno>;
    }
}

/// The mixed table, re-rooted at `at` (a path of mount components).
fn mixed_table_at(at: &[&str]) -> Fixture {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let host = vfsbox_host::HostFs::open(dir.path()).expect("open the host provider");
    let table = MountTable::builder()
        .mount("/", Arc::new(MemoryFs::new()))
        .and_then(|b| b.mount("/host", Arc::new(host)))
        .and_then(|b| b.mount("/ro", Arc::new(ReadOnly::wrap(MemoryFs::new()))))
        .and_then(|b| b.mount("/data/cache", Arc::new(MemoryFs::new())))
        .and_then(|b| b.build())
        .expect("build the mount table");
    let mut root = table.root();
    for part in at {
        let name = Name::new(part.as_bytes()).expect("a valid name");
        root = table.lookup(root, name).expect("look up the mount").node;
    }
    Fixture::new(Rooted { fs: table, root }).with_guard(dir)
}

provider_tests!(mounts_host, || mixed_table_at(&["host"]));
provider_tests!(mounts_data_cache, || mixed_table_at(&["data", "cache"]));
