//! [`ProviderAsVfs`]: a vfsbox provider served as a rust-vfs filesystem.

mod file;
mod walk;

use crate::errors::{vfs_from_errno, Existing};
use file::ProviderFile;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;
use vfs::error::VfsErrorKind;
use vfs::{SeekAndRead, SeekAndWrite, VfsError, VfsFileType, VfsMetadata, VfsResult};
use vfsbox_api::{
    Errno, FileKind, FileSystem, NameBuf, OpenFlags, Owner, RenameFlags, SetAttr, TimeSet,
};
use walk::{Held, Walk};

/// Any vfsbox provider served as a [`vfs::FileSystem`], so code written for rust-vfs
/// (`VfsPath`, `walk_dir`, …) can use vfsbox providers.
///
/// Each rust-vfs path is split into names and resolved from the provider's root one
/// `lookup` at a time; every node looked up is forgotten once the call (or the returned
/// reader/writer) is done. There is no general path resolver here (that is the emulated
/// layer's): rust-vfs paths never hold `.` or `..`, and rust-vfs has no symbolic links, so a
/// symbolic link met anywhere in a path is an error, `ELOOP`, as `openat2` answers with
/// `RESOLVE_NO_SYMLINKS`. A special file (FIFO, socket, device) is reported as a file.
///
/// New files get permissions 0644 and directories 0755 (0666/0777 under the usual 022
/// umask), owned by [`with_owner`](Self::with_owner) (default: the root directory's owner).
/// Errors are converted by [`vfs_from_errno`](crate::errors::vfs_from_errno): the errno is
/// kept as the raw OS error of an `IoError`, or in the cause's message.
pub struct ProviderAsVfs {
    // Field order is drop order: the provider goes before what it stands on.
    fs: Arc<dyn FileSystem>,
    owner: Owner,
    guard: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl fmt::Debug for ProviderAsVfs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderAsVfs")
            .field("capabilities", &self.fs.capabilities())
            .finish()
    }
}

const NEW_FILE_PERM: u32 = 0o644;
const NEW_DIR_PERM: u32 = 0o755;

/// The rust-vfs error for `errno` (no knowledge of what exists).
fn err(errno: Errno) -> VfsError {
    vfs_from_errno(errno, Existing::Unknown, false)
}

impl ProviderAsVfs {
    /// Serves `fs`; new nodes belong to the owner of its root directory.
    pub fn new(fs: Arc<dyn FileSystem>) -> Self {
        let owner = fs
            .getattr(fs.root())
            .map(|a| Owner {
                uid: a.uid,
                gid: a.gid,
            })
            .unwrap_or(Owner { uid: 0, gid: 0 });
        ProviderAsVfs {
            fs,
            owner,
            guard: None,
        }
    }

    /// Keeps `guard` (e.g. the `tempfile::TempDir` a host provider is opened on) alive for
    /// as long as this filesystem, dropping it after the provider: rust-vfs takes filesystems
    /// by value, so this is where such a resource can live.
    #[must_use]
    pub fn keeping(mut self, guard: impl std::any::Any + Send + Sync) -> Self {
        self.guard = Some(Box::new(guard));
        self
    }

    /// Makes new nodes with this owner.
    #[must_use]
    pub fn with_owner(mut self, owner: Owner) -> Self {
        self.owner = owner;
        self
    }

    fn walk(&self) -> Walk<'_> {
        Walk::new(&*self.fs)
    }

    /// Opens the file at `path` with `flags`, keeping its node until the file is dropped.
    fn open_path(&self, path: &str, flags: OpenFlags) -> VfsResult<ProviderFile> {
        let node = self.walk().node(path)?;
        if node.attr.kind == FileKind::Directory {
            return Err(err(Errno::EISDIR));
        }
        let handle = self.fs.open(node.id, flags).map_err(err)?;
        Ok(ProviderFile::new(
            self.fs.clone(),
            node.keep(),
            handle,
            flags,
        ))
    }

    fn set_time(&self, path: &str, atime: bool, time: SystemTime) -> VfsResult<()> {
        let node = self.walk().node(path)?;
        let set = Some(TimeSet::At(time.into()));
        let changes = if atime {
            SetAttr {
                atime: set,
                ..SetAttr::default()
            }
        } else {
            SetAttr {
                mtime: set,
                ..SetAttr::default()
            }
        };
        self.fs.setattr(node.id, &changes, None).map_err(err)?;
        Ok(())
    }

    /// Renames `src` to `dest` (the destination replaced, as `rename(2)`).
    fn rename(&self, src: &str, dest: &str) -> VfsResult<()> {
        let walk = self.walk();
        let (from_dir, from_name) = walk.parent(src)?;
        let (to_dir, to_name) = walk.parent(dest)?;
        self.fs
            .rename(
                from_dir.id,
                &from_name,
                to_dir.id,
                &to_name,
                RenameFlags::Replace,
            )
            .map_err(err)
    }

    fn make(&self, parent: &Held<'_>, name: &NameBuf) -> VfsResult<ProviderFile> {
        let flags = OpenFlags::WRITE | OpenFlags::TRUNCATE;
        let (entry, handle) = self
            .fs
            .create(parent.id, name, NEW_FILE_PERM, flags, self.owner)
            .map_err(err)?;
        let node = Held::adopt(&*self.fs, entry);
        Ok(ProviderFile::new(
            self.fs.clone(),
            node.keep(),
            handle,
            flags,
        ))
    }
}

impl vfs::FileSystem for ProviderAsVfs {
    fn read_dir(&self, path: &str) -> VfsResult<Box<dyn Iterator<Item = String> + Send>> {
        let node = self.walk().node(path)?;
        let handle = self.fs.opendir(node.id).map_err(err)?;
        let mut names = Vec::new();
        let listed = self.fs.readdir(handle, 0, &mut |entry| {
            // rust-vfs names are text: a name that is not UTF-8 is shown lossily.
            names.push(entry.name.to_string_lossy().into_owned());
            true
        });
        let released = self.fs.releasedir(handle);
        listed.and(released).map_err(err)?;
        Ok(Box::new(names.into_iter()))
    }

    fn create_dir(&self, path: &str) -> VfsResult<()> {
        let walk = self.walk();
        let (parent, name) = walk.parent(path)?;
        match self.fs.mkdir(parent.id, &name, NEW_DIR_PERM, self.owner) {
            Ok(entry) => {
                Held::adopt(&*self.fs, entry);
                Ok(())
            }
            Err(Errno::EEXIST) => {
                let existing = match walk.node(path) {
                    Ok(node) if node.attr.kind == FileKind::Directory => Existing::Directory,
                    _ => Existing::File,
                };
                Err(vfs_from_errno(Errno::EEXIST, existing, false))
            }
            Err(e) => Err(err(e)),
        }
    }

    fn open_file(&self, path: &str) -> VfsResult<Box<dyn SeekAndRead + Send>> {
        Ok(Box::new(self.open_path(path, OpenFlags::READ)?))
    }

    fn create_file(&self, path: &str) -> VfsResult<Box<dyn SeekAndWrite + Send>> {
        let walk = self.walk();
        let (parent, name) = walk.parent(path)?;
        Ok(Box::new(self.make(&parent, &name)?))
    }

    fn append_file(&self, path: &str) -> VfsResult<Box<dyn SeekAndWrite + Send>> {
        let mut file = self.open_path(path, OpenFlags::WRITE | OpenFlags::APPEND)?;
        file.seek_to_end()?;
        Ok(Box::new(file))
    }

    fn metadata(&self, path: &str) -> VfsResult<VfsMetadata> {
        let attr = self.walk().node(path)?.attr;
        let (file_type, len) = match attr.kind {
            FileKind::Directory => (VfsFileType::Directory, 0),
            _ => (VfsFileType::File, attr.size),
        };
        Ok(VfsMetadata {
            file_type,
            len,
            created: attr.btime.map(SystemTime::from),
            modified: Some(attr.mtime.into()),
            accessed: Some(attr.atime.into()),
        })
    }

    /// vfsbox has no way to set a birth time.
    fn set_creation_time(&self, _path: &str, _time: SystemTime) -> VfsResult<()> {
        Err(VfsError::from(VfsErrorKind::NotSupported))
    }

    fn set_modification_time(&self, path: &str, time: SystemTime) -> VfsResult<()> {
        self.set_time(path, false, time)
    }

    fn set_access_time(&self, path: &str, time: SystemTime) -> VfsResult<()> {
        self.set_time(path, true, time)
    }

    fn exists(&self, path: &str) -> VfsResult<bool> {
        match self.walk().resolve(path) {
            Ok(_) => Ok(true),
            Err(Errno::ENOENT | Errno::ENOTDIR) => Ok(false),
            Err(e) => Err(err(e)),
        }
    }

    fn remove_file(&self, path: &str) -> VfsResult<()> {
        let walk = self.walk();
        let (parent, name) = walk.parent(path)?;
        self.fs.unlink(parent.id, &name).map_err(err)
    }

    fn remove_dir(&self, path: &str) -> VfsResult<()> {
        let walk = self.walk();
        let (parent, name) = walk.parent(path)?;
        self.fs.rmdir(parent.id, &name).map_err(err)
    }

    /// Copies through an open handle pair (the provider has no copy operation).
    fn copy_file(&self, src: &str, dest: &str) -> VfsResult<()> {
        let mut from = self.open_path(src, OpenFlags::READ)?;
        let walk = self.walk();
        let (parent, name) = walk.parent(dest)?;
        let mut to = self.make(&parent, &name)?;
        std::io::copy(&mut from, &mut to)?;
        std::io::Write::flush(&mut to)?;
        Ok(())
    }

    fn move_file(&self, src: &str, dest: &str) -> VfsResult<()> {
        self.rename(src, dest)
    }

    fn move_dir(&self, src: &str, dest: &str) -> VfsResult<()> {
        self.rename(src, dest)
    }
}
