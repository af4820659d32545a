//! Calls into the rust-vfs filesystem that several operations share: metadata, whole-file
//! loads and write-backs, time setters, and moving an entry when rust-vfs has no `move_*`.

use crate::errors::errno_from_vfs;
use std::io::{Read, Write};
use std::time::SystemTime;
use vfs::error::VfsErrorKind;
use vfs::{FileSystem as VfsFileSystem, VfsFileType, VfsMetadata};
use vfsbox_api::{Errno, FileKind, Timestamp};

/// Which timestamp a setter changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Which {
    Access,
    Modification,
    Creation,
}

/// The errno of an `io::Error` met while streaming a rust-vfs file.
pub(crate) fn io_errno(err: &std::io::Error) -> Errno {
    Errno::from_io(err)
}

/// The metadata of `path`, `None` if it does not exist.
pub(crate) fn stat<F: VfsFileSystem>(fs: &F, path: &str) -> Result<Option<VfsMetadata>, Errno> {
    match fs.metadata(path) {
        Ok(meta) => Ok(Some(meta)),
        Err(err) => match errno_from_vfs(&err) {
            Errno::ENOENT | Errno::ENOTDIR => Ok(None),
            other => Err(other),
        },
    }
}

/// The vfsbox kind of a rust-vfs entry (rust-vfs knows only files and directories).
pub(crate) fn kind_of(meta: &VfsMetadata) -> FileKind {
    match meta.file_type {
        VfsFileType::Directory => FileKind::Directory,
        VfsFileType::File => FileKind::Regular,
    }
}

/// The whole contents of file `path`.
pub(crate) fn load<F: VfsFileSystem>(fs: &F, path: &str) -> Result<Vec<u8>, Errno> {
    let mut reader = fs.open_file(path).map_err(|e| errno_from_vfs(&e))?;
    let mut data = Vec::new();
    reader.read_to_end(&mut data).map_err(|e| io_errno(&e))?;
    Ok(data)
}

/// Replaces the contents of file `path` with `data` (rust-vfs can only rewrite a file from
/// the start), keeping its creation time where the filesystem lets it be set, and setting its
/// modification time to `mtime` if given.
pub(crate) fn store<F: VfsFileSystem>(
    fs: &F,
    path: &str,
    data: &[u8],
    mtime: Option<Timestamp>,
) -> Result<(), Errno> {
    let created = stat(fs, path)?.and_then(|m| m.created);
    let mut writer = fs.create_file(path).map_err(|e| errno_from_vfs(&e))?;
    writer.write_all(data).map_err(|e| io_errno(&e))?;
    writer.flush().map_err(|e| io_errno(&e))?;
    drop(writer);
    if let Some(created) = created {
        // Best effort: a filesystem without the setter keeps its own creation time.
        let _ = fs.set_creation_time(path, created);
    }
    if let Some(mtime) = mtime {
        set_time(fs, path, Which::Modification, mtime)?;
    }
    Ok(())
}

/// Sets one timestamp; `Ok(false)` if the filesystem cannot store it (`NotSupported`).
pub(crate) fn set_time<F: VfsFileSystem>(
    fs: &F,
    path: &str,
    which: Which,
    time: Timestamp,
) -> Result<bool, Errno> {
    let time = SystemTime::from(time);
    let result = match which {
        Which::Access => fs.set_access_time(path, time),
        Which::Modification => fs.set_modification_time(path, time),
        Which::Creation => fs.set_creation_time(path, time),
    };
    match result {
        Ok(()) => Ok(true),
        Err(err) if matches!(err.kind(), VfsErrorKind::NotSupported) => Ok(false),
        Err(err) => Err(errno_from_vfs(&err)),
    }
}

/// Copies the times of `meta` onto `path` (after a copy that stands in for a move).
fn keep_times<F: VfsFileSystem>(fs: &F, path: &str, meta: &VfsMetadata) -> Result<(), Errno> {
    for (which, time) in [
        (Which::Creation, meta.created),
        (Which::Modification, meta.modified),
        (Which::Access, meta.accessed),
    ] {
        if let Some(time) = time {
            set_time(fs, path, which, Timestamp::from(time))?;
        }
    }
    Ok(())
}

/// Moves `from` to the free path `to`: rust-vfs's `move_file`/`move_dir` where the filesystem
/// has them, else a copy (times kept) and a removal, recursively for directories. The copy is
/// not atomic: a failure half-way leaves both paths partly populated.
pub(crate) fn move_entry<F: VfsFileSystem>(
    fs: &F,
    from: &str,
    to: &str,
    kind: FileKind,
) -> Result<(), Errno> {
    let native = if kind == FileKind::Directory {
        fs.move_dir(from, to)
    } else {
        fs.move_file(from, to)
    };
    match native {
        Ok(()) => return Ok(()),
        Err(err) if matches!(err.kind(), VfsErrorKind::NotSupported) => {}
        Err(err) => return Err(errno_from_vfs(&err)),
    }
    let meta = stat(fs, from)?.ok_or(Errno::ENOENT)?;
    if kind == FileKind::Directory {
        fs.create_dir(to).map_err(|e| errno_from_vfs(&e))?;
        let children: Vec<String> = fs.read_dir(from).map_err(|e| errno_from_vfs(&e))?.collect();
        for child in children {
            let child_from = format!("{from}/{child}");
            let child_kind = stat(fs, &child_from)?.map_or(FileKind::Regular, |m| kind_of(&m));
            move_entry(fs, &child_from, &format!("{to}/{child}"), child_kind)?;
        }
        fs.remove_dir(from).map_err(|e| errno_from_vfs(&e))?;
    } else {
        let data = load(fs, from)?;
        store(fs, to, &data, None)?;
        fs.remove_file(from).map_err(|e| errno_from_vfs(&e))?;
    }
    keep_times(fs, to, &meta)
}
