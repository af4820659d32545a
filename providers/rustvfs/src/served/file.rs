//! An open provider file as a rust-vfs reader or writer (`Read`/`Write` + `Seek`), with its
//! own position; the handle is released and the node forgotten on drop.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Arc;
use vfs::VfsResult;
use vfsbox_api::{FileSystem, HandleId, NodeId, OpenFlags};

pub(super) struct ProviderFile {
    fs: Arc<dyn FileSystem>,
    node: NodeId,
    /// Whether `node` holds a lookup to forget on drop.
    counted: bool,
    handle: HandleId,
    flags: OpenFlags,
    pos: u64,
}

impl ProviderFile {
    pub(super) fn new(
        fs: Arc<dyn FileSystem>,
        (node, counted): (NodeId, bool),
        handle: HandleId,
        flags: OpenFlags,
    ) -> ProviderFile {
        ProviderFile {
            fs,
            node,
            counted,
            handle,
            flags,
            pos: 0,
        }
    }

    fn size(&self) -> io::Result<u64> {
        Ok(self.fs.getattr(self.node)?.size)
    }

    pub(super) fn seek_to_end(&mut self) -> VfsResult<()> {
        self.pos = self.size()?;
        Ok(())
    }
}

impl Read for ProviderFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.fs.read(self.handle, self.pos, buf)?;
        self.pos += count as u64;
        Ok(count)
    }
}

impl Write for ProviderFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let count = self.fs.write(self.handle, self.pos, data)?;
        self.pos = if self.flags.contains(OpenFlags::APPEND) {
            self.size()?
        } else {
            self.pos + count as u64
        };
        Ok(count)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(self.fs.flush(self.handle)?)
    }
}

impl Seek for ProviderFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let (base, delta) = match pos {
            SeekFrom::Start(offset) => {
                self.pos = offset;
                return Ok(offset);
            }
            SeekFrom::Current(delta) => (self.pos, delta),
            SeekFrom::End(delta) => (self.size()?, delta),
        };
        self.pos = base.checked_add_signed(delta).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the file",
            )
        })?;
        Ok(self.pos)
    }
}

impl Drop for ProviderFile {
    fn drop(&mut self) {
        // rust-vfs writers report nothing on drop; errors surface at flush.
        let _ = self.fs.flush(self.handle);
        let _ = self.fs.release(self.handle);
        if self.counted {
            self.fs.forget(self.node, 1);
        }
    }
}
