//! Filling a provider from a host directory through the `FileSystem` trait, so a layer (a
//! read-only lower, a mount) can hold a known tree such as `fixtures/tree`.

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use vfsbox_api::{
    Errno, FileSystem, Name, NodeId, OpenFlags, Owner, SetAttr, TimeSet, Timestamp, PERM_MASK,
};

/// Copies the contents of host directory `src` into directory `dir` of `fs`: directories,
/// regular files (data and permission bits), and symbolic links (targets verbatim), with the
/// host's access and modification times. New nodes are owned by `dir`'s owner. Entries are
/// made in sorted name order, so node ids come out the same on every run. Other kinds (FIFOs,
/// sockets, devices) are an `EINVAL` error rather than silently dropped.
///
/// # Errors
/// The host error reading `src`, or the provider's `Errno` (as an `io::Error`) for the first
/// call that fails, e.g. `EEXIST` if `dir` already holds one of the names.
pub fn copy_host_tree(fs: &dyn FileSystem, dir: NodeId, src: &Path) -> io::Result<()> {
    let attr = fs.getattr(dir)?;
    let owner = Owner {
        uid: attr.uid,
        gid: attr.gid,
    };
    copy_dir(fs, dir, src, owner)
}

fn copy_dir(fs: &dyn FileSystem, dir: NodeId, src: &Path, owner: Owner) -> io::Result<()> {
    let mut entries = fs::read_dir(src)?.collect::<io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let file_name = entry.file_name();
        let name = Name::new(file_name.as_bytes())?;
        let meta = fs::symlink_metadata(&path)?;
        let perm = meta.permissions().mode() & PERM_MASK;
        let kind = meta.file_type();
        let node = if kind.is_dir() {
            let node = fs.mkdir(dir, name, perm, owner)?.node;
            copy_dir(fs, node, &path, owner)?;
            node
        } else if kind.is_symlink() {
            let target = fs::read_link(&path)?;
            fs.symlink(dir, name, target.as_os_str().as_bytes(), owner)?
                .node
        } else if kind.is_file() {
            let data = fs::read(&path)?;
            let (entry, handle) = fs.create(
                dir,
                name,
                perm,
                OpenFlags::WRITE | OpenFlags::EXCLUSIVE,
                owner,
            )?;
            let written = write_all(fs, handle, &data);
            fs.release(handle)?;
            written?;
            entry.node
        } else {
            return Err(Errno::EINVAL.into());
        };
        if !kind.is_symlink() {
            let times = SetAttr {
                atime: Some(TimeSet::At(time(meta.atime(), meta.atime_nsec()))),
                mtime: Some(TimeSet::At(time(meta.mtime(), meta.mtime_nsec()))),
                ..SetAttr::default()
            };
            fs.setattr(node, &times, None)?;
        }
        fs.forget(node, 1);
    }
    Ok(())
}

fn write_all(fs: &dyn FileSystem, handle: vfsbox_api::HandleId, data: &[u8]) -> io::Result<()> {
    let mut done = 0;
    while done < data.len() {
        match fs.write(handle, done as u64, &data[done..])? {
            0 => return Err(Errno::ENOSPC.into()),
            n => done += n,
        }
    }
    Ok(())
}

fn time(sec: i64, nsec: i64) -> Timestamp {
    Timestamp::new(sec, u32::try_from(nsec).unwrap_or(0)).unwrap_or(Timestamp::EPOCH)
}
