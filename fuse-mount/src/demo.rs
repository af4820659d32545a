//! The demo tree of the default sandbox: what `vfsbox mount DIR` shows with no `--provider`.
//!
//! ```text
//! README                  what this is and how to stop it
//! hello.txt               a line of text
//! docs/                   a directory
//! docs/providers.txt      the providers vfsbox knows
//! latest -> docs/providers.txt
//! ```
//!
//! Built through the `FileSystem` trait, so it fits any writable provider (the command puts it
//! in a fresh memory provider).

use vfsbox_api::{Errno, FileSystem, Name, OpenFlags, Owner};

/// The README at the root of the demo tree.
pub const README: &str = "\
This directory is a vfsbox sandbox: an in-memory filesystem served through FUSE.

Everything here lives in the memory of the `vfsbox mount` process. Create, edit, rename
and delete files with any tool; nothing reaches the disk, and it all disappears when the
mount stops.

Stop it with Ctrl-C in the terminal running `vfsbox mount`, or from anywhere with
`vfsbox umount MOUNTPOINT`. To serve a real directory instead:
`vfsbox mount --provider host:DIR MOUNTPOINT`, or a whole sandbox policy:
`vfsbox mount --policy FILE MOUNTPOINT` (see `vfsbox mount --help`).
";

const HELLO: &str = "Hello from vfsbox.\n";

const PROVIDERS: &str = "\
memory                an in-memory tree (this one)
host:DIR              a host directory, confined to it
readonly:SPEC         a read-only view of another provider
overlay:UPPER:LOWER   a writable upper layer over a read-only lower one
mounts                several providers combined in one tree
";

/// Fills the root of `fs` with the demo tree, owned by `owner`.
///
/// # Errors
/// The provider's errno if it refuses a step (`EEXIST` on a non-empty root, `EROFS`, …).
pub fn populate(fs: &dyn FileSystem, owner: Owner) -> Result<(), Errno> {
    let root = fs.root();
    write_file(fs, root, "README", 0o444, README, owner)?;
    write_file(fs, root, "hello.txt", 0o644, HELLO, owner)?;
    let docs = fs.mkdir(root, name("docs"), 0o755, owner)?;
    write_file(fs, docs.node, "providers.txt", 0o644, PROVIDERS, owner)?;
    fs.forget(docs.node, 1);
    let link = fs.symlink(root, name("latest"), b"docs/providers.txt", owner)?;
    fs.forget(link.node, 1);
    Ok(())
}

fn name(text: &str) -> &Name {
    Name::new(text.as_bytes()).expect("demo names are valid")
}

fn write_file(
    fs: &dyn FileSystem,
    dir: vfsbox_api::NodeId,
    file: &str,
    perm: u32,
    text: &str,
    owner: Owner,
) -> Result<(), Errno> {
    let (entry, handle) = fs.create(
        dir,
        name(file),
        perm,
        OpenFlags::WRITE.with(OpenFlags::EXCLUSIVE),
        owner,
    )?;
    let written = fs.write(handle, 0, text.as_bytes());
    fs.release(handle)?;
    fs.forget(entry.node, 1);
    match written {
        Ok(n) if n == text.len() => Ok(()),
        Ok(_) => Err(Errno::ENOSPC),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_tree_is_complete() {
        let fs = vfsbox_memory::MemoryFs::new();
        populate(&fs, Owner { uid: 0, gid: 0 }).unwrap();
        let root = fs.root();
        let readme = fs.lookup(root, name("README")).unwrap();
        assert_eq!(readme.attr.size, README.len() as u64);
        assert_eq!(readme.attr.perm, 0o444);
        let link = fs.lookup(root, name("latest")).unwrap();
        assert_eq!(fs.readlink(link.node).unwrap(), b"docs/providers.txt");
        assert_eq!(populate(&fs, Owner { uid: 0, gid: 0 }), Err(Errno::EEXIST));
    }
}
