//! What every case uses: the context handed to a case, step helpers that turn unexpected
//! errors into failures with context, and exact-value assertions.

use crate::outcome::{CaseResult, Failure, Stop};
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;
use vfsbox_api::{
    Attr, Capabilities, DirEntry, Entry, Errno, FileKind, FileSystem, HandleId, Name, NameBuf,
    NodeId, OpenFlags, Owner, SetAttr, TimeSet, Timestamp,
};

/// The context of one case: a fresh provider, its capabilities, its root and the owner new
/// nodes get (the root's owner, so a host provider is never asked to give away files).
pub struct Ctx {
    /// The provider under test.
    pub fs: Arc<dyn FileSystem>,
    /// What it declares.
    pub caps: Capabilities,
    /// Its root directory.
    pub root: NodeId,
    /// The owner passed to creating calls.
    pub owner: Owner,
}

/// One `readdir` entry, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub name: NameBuf,
    pub ino: u64,
    pub kind: FileKind,
    pub cookie: u64,
}

impl Listed {
    fn from_entry(entry: &DirEntry<'_>) -> Listed {
        Listed {
            name: entry.name.to_owned(),
            ino: entry.ino,
            kind: entry.kind,
            cookie: entry.cookie,
        }
    }
}

/// A name from a literal of the suite; every literal passed here is a valid name.
pub fn n(text: &str) -> &Name {
    match Name::new(text.as_bytes()) {
        Ok(name) => name,
        Err(e) => panic!("suite bug: {text:?} is not a valid name ({e:?})"),
    }
}

/// A node id no provider hands out in a fresh instance.
pub const BOGUS_NODE: NodeId = NodeId(u64::MAX - 7);
/// A handle id no provider hands out in a fresh instance.
pub const BOGUS_HANDLE: HandleId = HandleId(u64::MAX - 7);
/// The time `pin_times` sets: 2001-09-09, far before any test run, with nanoseconds.
pub const PINNED: Timestamp = Timestamp {
    sec: 1_000_000_000,
    nsec: 123_456_789,
};

/// The name of an errno for messages (`ENOENT`).
pub fn errno_name(e: Errno) -> String {
    format!("{e:?}")
}

/// A skip with a reason.
pub fn skip(reason: impl Into<String>) -> Stop {
    Stop::Skip(reason.into())
}

/// Fails unless `result` is exactly `Err(want)`.
pub fn errno<T>(result: Result<T, Errno>, want: Errno, what: &str) -> CaseResult {
    match result {
        Err(got) if got == want => Ok(()),
        Err(got) => Err(Failure::mismatch(what, errno_name(want), errno_name(got)).into()),
        Ok(_) => Err(Failure::mismatch(what, errno_name(want), "success").into()),
    }
}

/// The value of a step that must succeed; an error fails the case with the step's name.
pub fn ok<T>(result: Result<T, Errno>, what: &str) -> Result<T, Stop> {
    result.map_err(|got| Failure::mismatch(what, "success", errno_name(got)).into())
}

/// Fails unless `got == want`.
pub fn eq<T: PartialEq + Debug>(got: T, want: T, what: &str) -> CaseResult {
    if got == want {
        Ok(())
    } else {
        Err(Failure::mismatch(what, format!("{want:?}"), format!("{got:?}")).into())
    }
}

/// Fails with `what` unless `cond` holds.
pub fn check(cond: bool, what: &str) -> CaseResult {
    if cond {
        Ok(())
    } else {
        Err(Failure::message(what).into())
    }
}

/// Fails unless `got` is strictly later than `before`.
pub fn later(got: Timestamp, before: Timestamp, what: &str) -> CaseResult {
    if got > before {
        Ok(())
    } else {
        Err(Failure::mismatch(what, format!("later than {before:?}"), format!("{got:?}")).into())
    }
}

/// Waits long enough that a coarse kernel clock (one tick, up to 10 ms) moves on, so a time
/// taken after it is strictly later than one taken before.
pub fn tick() {
    std::thread::sleep(Duration::from_millis(25));
}

impl Ctx {
    /// The context for `fs`.
    pub fn new(fs: Arc<dyn FileSystem>) -> Ctx {
        let caps = fs.capabilities();
        let root = fs.root();
        let owner = match fs.getattr(root) {
            Ok(attr) => Owner {
                uid: attr.uid,
                gid: attr.gid,
            },
            Err(_) => Owner { uid: 0, gid: 0 },
        };
        Ctx {
            fs,
            caps,
            root,
            owner,
        }
    }

    /// Skips the case on a read-only provider, whose refusals the `readonly` cases check.
    pub fn writable(&self) -> CaseResult {
        if self.caps.read_only {
            Err(skip("read-only provider: the case needs to build a fixture (the readonly cases check its refusals)"))
        } else {
            Ok(())
        }
    }

    /// Makes directory `name` (0755) in `dir`.
    pub fn mkdir(&self, dir: NodeId, name: &str) -> Result<NodeId, Stop> {
        self.writable()?;
        let what = format!("mkdir({name:?})");
        Ok(ok(self.fs.mkdir(dir, n(name), 0o755, self.owner), &what)?.node)
    }

    /// Makes regular file `name` (0644) in `dir` holding `data`.
    pub fn file(&self, dir: NodeId, name: &str, data: &[u8]) -> Result<NodeId, Stop> {
        let (node, handle) = self.create(dir, name)?;
        if !data.is_empty() {
            self.write_all(handle, 0, data)?;
        }
        self.release(handle)?;
        Ok(node)
    }

    /// Creates regular file `name` (0644) in `dir` and returns it open read-write.
    pub fn create(&self, dir: NodeId, name: &str) -> Result<(NodeId, HandleId), Stop> {
        self.writable()?;
        let what = format!("create({name:?})");
        let (entry, handle) = ok(
            self.fs.create(
                dir,
                n(name),
                0o644,
                OpenFlags::READ_WRITE | OpenFlags::EXCLUSIVE,
                self.owner,
            ),
            &what,
        )?;
        Ok((entry.node, handle))
    }

    /// Makes symlink `name` in `dir`; skips without `Capabilities::symlinks`.
    pub fn symlink(&self, dir: NodeId, name: &str, target: &[u8]) -> Result<NodeId, Stop> {
        self.need_symlinks()?;
        self.writable()?;
        let what = format!("symlink({name:?})");
        Ok(ok(self.fs.symlink(dir, n(name), target, self.owner), &what)?.node)
    }

    /// Skips when the provider cannot make symlinks (the refusal is its own case).
    pub fn need_symlinks(&self) -> CaseResult {
        if self.caps.symlinks {
            Ok(())
        } else {
            Err(skip("needs a symlink, which this provider cannot make (symlink_unsupported_is_eperm checks the refusal)"))
        }
    }

    /// Skips when the provider cannot make FIFOs (the refusal is its own case).
    pub fn need_fifos(&self) -> CaseResult {
        if self.caps.fifos {
            Ok(())
        } else {
            Err(skip("needs a FIFO, which this provider cannot make (mknod_fifo_or_eperm checks the refusal)"))
        }
    }

    /// Makes a FIFO `name` in `dir`; skips without `Capabilities::fifos`.
    pub fn fifo(&self, dir: NodeId, name: &str) -> Result<NodeId, Stop> {
        self.need_fifos()?;
        self.writable()?;
        let what = format!("mknod({name:?}, S_IFIFO)");
        Ok(ok(
            self.fs
                .mknod(dir, n(name), FileKind::Fifo, 0o644, 0, self.owner),
            &what,
        )?
        .node)
    }

    /// Looks `name` up in `dir`.
    pub fn lookup(&self, dir: NodeId, name: &str) -> Result<Entry, Stop> {
        ok(self.fs.lookup(dir, n(name)), &format!("lookup({name:?})"))
    }

    /// The attributes of `node`.
    pub fn attr(&self, node: NodeId) -> Result<Attr, Stop> {
        ok(self.fs.getattr(node), "getattr")
    }

    /// Opens `node` with `flags`.
    pub fn open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Stop> {
        ok(self.fs.open(node, flags), &format!("open({flags:?})"))
    }

    /// Releases `handle`.
    pub fn release(&self, handle: HandleId) -> CaseResult {
        ok(self.fs.release(handle), "release")
    }

    /// Writes all of `data` at `offset`, failing on a short write.
    pub fn write_all(&self, handle: HandleId, offset: u64, data: &[u8]) -> CaseResult {
        let written = ok(
            self.fs.write(handle, offset, data),
            &format!("write at {offset}"),
        )?;
        eq(written, data.len(), &format!("bytes written at {offset}"))
    }

    /// Reads up to `len` bytes at `offset` in one call.
    pub fn read_at(&self, handle: HandleId, offset: u64, len: usize) -> Result<Vec<u8>, Stop> {
        let mut buf = vec![0xA5; len];
        let got = ok(
            self.fs.read(handle, offset, &mut buf),
            &format!("read at {offset}"),
        )?;
        check(got <= len, "read returned more than the buffer holds")?;
        buf.truncate(got);
        Ok(buf)
    }

    /// The whole contents of file `node`, through a fresh read-only handle.
    pub fn contents(&self, node: NodeId) -> Result<Vec<u8>, Stop> {
        let handle = self.open(node, OpenFlags::READ)?;
        let data = self.read_handle(handle)?;
        self.release(handle)?;
        Ok(data)
    }

    /// Everything readable through `handle` from offset 0.
    pub fn read_handle(&self, handle: HandleId) -> Result<Vec<u8>, Stop> {
        let mut data = Vec::new();
        loop {
            let chunk = self.read_at(handle, data.len() as u64, 64 * 1024)?;
            if chunk.is_empty() {
                return Ok(data);
            }
            data.extend_from_slice(&chunk);
        }
    }

    /// A full listing of directory `dir` through a fresh handle.
    pub fn list(&self, dir: NodeId) -> Result<Vec<Listed>, Stop> {
        let handle = ok(self.fs.opendir(dir), "opendir")?;
        let entries = self.list_from(handle, 0, usize::MAX)?;
        ok(self.fs.releasedir(handle), "releasedir")?;
        Ok(entries)
    }

    /// At most `max` entries after `cookie`, stopping the sink after `max` (so the next entry
    /// is offered and refused, as a full buffer does).
    pub fn list_from(
        &self,
        handle: HandleId,
        cookie: u64,
        max: usize,
    ) -> Result<Vec<Listed>, Stop> {
        let mut entries = Vec::new();
        ok(
            self.fs.readdir(handle, cookie, &mut |entry| {
                if entries.len() >= max {
                    return false;
                }
                entries.push(Listed::from_entry(&entry));
                true
            }),
            &format!("readdir from cookie {cookie}"),
        )?;
        Ok(entries)
    }

    /// The names of a full listing of `dir`, sorted.
    pub fn names(&self, dir: NodeId) -> Result<Vec<String>, Stop> {
        let mut names: Vec<String> = self
            .list(dir)?
            .into_iter()
            .map(|e| e.name.to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    /// Applies `changes` to `node`.
    pub fn setattr(&self, node: NodeId, changes: SetAttr) -> Result<Attr, Stop> {
        ok(
            self.fs.setattr(node, &changes, None),
            &format!("setattr({changes:?})"),
        )
    }

    /// Sets atime and mtime of `node` to [`PINNED`], so a later update is seen as a change
    /// whatever the clock's granularity.
    pub fn pin_times(&self, node: NodeId) -> CaseResult {
        self.setattr(
            node,
            SetAttr {
                atime: Some(TimeSet::At(PINNED)),
                mtime: Some(TimeSet::At(PINNED)),
                ..SetAttr::default()
            },
        )?;
        Ok(())
    }
}
