//! Opening files (copying them up when opened to change) and I/O on open handles, passed to
//! the layer each handle was opened in.

use crate::handles::{Handle, Layer};
use crate::Overlay;
use vfsbox_api::{Errno, FileKind, FileSystem, HandleId, OpenFlags};

impl Overlay {
    /// The provider of a layer.
    pub(crate) fn layer(&self, layer: Layer) -> &dyn FileSystem {
        match layer {
            Layer::Upper => self.upper.as_ref(),
            Layer::Lower => self.lower.as_ref(),
        }
    }

    /// `open`.
    pub(crate) fn do_open(&self, id: u64, flags: OpenFlags) -> Result<HandleId, Errno> {
        let changes = flags.writable() || flags.contains(OpenFlags::TRUNCATE);
        if changes {
            let _ns = self.ns.write();
            self.open_locked(id, flags)
        } else {
            let _ns = self.ns.read();
            self.open_locked(id, flags)
        }
    }

    /// `open` with the namespace lock held (for writing if `flags` change the file).
    pub(crate) fn open_locked(&self, id: u64, flags: OpenFlags) -> Result<HandleId, Errno> {
        let node = self.node(id)?;
        match node.kind {
            FileKind::Directory => return Err(Errno::EISDIR),
            FileKind::Symlink => return Err(Errno::ELOOP),
            _ => {}
        }
        let changes = flags.writable() || flags.contains(OpenFlags::TRUNCATE);
        let (layer, target) = match (node.upper, node.lower) {
            (Some(u), _) => (Layer::Upper, u),
            (None, Some(_)) if changes => (Layer::Upper, self.copy_up(id)?),
            (None, Some(l)) => (Layer::Lower, l),
            (None, None) => return Err(Errno::ESTALE),
        };
        let h = self.layer(layer).open(target, flags)?;
        Ok(self.handles.insert(Handle::File(layer, h)))
    }

    /// `read`.
    pub(crate) fn do_read(&self, h: HandleId, offset: u64, buf: &mut [u8]) -> Result<usize, Errno> {
        let (layer, h) = self.handles.file(h)?;
        self.layer(layer).read(h, offset, buf)
    }

    /// `write`: only upper handles can be open for writing; a lower one answers as a
    /// read-only handle does (`EBADF`).
    pub(crate) fn do_write(&self, h: HandleId, offset: u64, data: &[u8]) -> Result<usize, Errno> {
        let (layer, h) = self.handles.file(h)?;
        self.layer(layer).write(h, offset, data)
    }

    /// `backing_file`: the upper layer's, for handles open in the upper layer; none for
    /// lower handles.
    ///
    /// An upper file stays the node's file for as long as the node lives, so every handle
    /// of the node gives the same file, as the kernel requires (one backing file per FUSE
    /// inode at a time). A lower handle's file does not: a later opening for writing copies
    /// the node up, and the kernel refuses (`EIO`) to open the same inode with a second,
    /// different backing file while the first is in use, so a passthrough reader of the lower
    /// file would make every writer's `open` fail. Lower reads therefore come through the
    /// provider (and the kernel's page cache), which also keeps the documented semantics that
    /// a handle opened before a copy-up keeps reading the lower data.
    pub(crate) fn do_backing_file(&self, h: HandleId) -> Option<std::os::fd::OwnedFd> {
        match self.handles.file(h).ok()? {
            (Layer::Upper, h) => self.upper.backing_file(h),
            (Layer::Lower, _) => None,
        }
    }

    /// `release`.
    pub(crate) fn do_release(&self, h: HandleId) -> Result<(), Errno> {
        let (layer, h) = self.handles.remove_file(h)?;
        self.layer(layer).release(h)
    }
}
