//! One directory's entries: a map for lookup by name, and a log in cookie order for listing,
//! so a listing resumes exactly where it stopped whatever changed meanwhile.

use crate::inode::{Content, Inode};
use crate::namehash::{NameKey, NameKeyBuf, NameMap};
use ref_cast::RefCast;
use std::collections::BTreeMap;
use std::sync::Arc;
use vfsbox_api::{FileKind, Name};

/// A name stored once and shared by the lookup map and, when long, the listing.
pub(crate) type NameRc = Arc<[u8]>;

/// Names up to this many bytes are kept inside their listed entry (most names are), so
/// listing one copies a fixed-size record and reads no other allocation.
const INLINE_NAME: usize = 22;

/// Removed entries the log keeps before it is compacted, at the least (fewer than the live
/// entries, so compacting costs amortized O(1) per removal).
const MIN_COMPACT: usize = 32;

/// An entry as found by name.
#[derive(Clone)]
pub(crate) struct Slot {
    pub(crate) cookie: u64,
    pub(crate) node: Arc<Inode>,
}

/// The `len` of a listed entry whose name is longer than [`INLINE_NAME`]: the name is in
/// [`Directory::long_names`].
const LONG: u8 = u8::MAX;

/// An entry as listed: what `readdir` reports, without touching the child inode. `Copy`, so
/// a batch of them leaves the directory in one `memcpy`.
#[derive(Clone, Copy)]
pub(crate) struct Listed {
    cookie: u64,
    ino: u64,
    kind: FileKind,
    /// False once removed: the entry waits in the log for the next compaction.
    live: bool,
    /// The name's length, or [`LONG`].
    len: u8,
    bytes: [u8; INLINE_NAME],
}

impl Listed {
    fn new(cookie: u64, node: &Inode, name: &[u8]) -> Listed {
        let mut bytes = [0u8; INLINE_NAME];
        let len = match bytes.get_mut(..name.len()) {
            Some(inline) => {
                inline.copy_from_slice(name);
                name.len() as u8
            }
            None => LONG,
        };
        Listed {
            cookie,
            ino: node.id,
            kind: node.kind,
            live: true,
            len,
            bytes,
        }
    }
}

/// Bytes of one record of the listing log (for memory estimates).
pub(crate) const LISTED_BYTES: u64 = std::mem::size_of::<Listed>() as u64;

/// Entries copied out of a directory for `readdir`, so the sink runs without its lock: the
/// records, and the bytes of the long names among them, in their order.
#[derive(Default)]
pub(crate) struct Batch {
    entries: Vec<Listed>,
    long_names: Vec<u8>,
    /// Where each long name ends in `long_names`, in the order of the entries.
    long_ends: Vec<usize>,
}

impl Batch {
    /// Room for `entries` entries, so filling it does not grow it step by step.
    pub(crate) fn with_capacity(entries: usize) -> Batch {
        Batch {
            entries: Vec::with_capacity(entries),
            ..Batch::default()
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries: cookie, inode number, kind and name (validated when it was inserted).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, u64, FileKind, &Name)> {
        let mut long = 0;
        self.entries.iter().map(move |e| {
            let name = if e.len == LONG {
                let start = match long {
                    0 => 0,
                    i => self.long_ends[i - 1],
                };
                long += 1;
                &self.long_names[start..self.long_ends[long - 1]]
            } else {
                &e.bytes[..usize::from(e.len)]
            };
            (e.cookie, e.ino, e.kind, Name::ref_cast(name))
        })
    }
}

/// The entries of a directory. Cookies grow monotonically and are never reused, so an entry's
/// cookie orders it after every entry that existed when it was added.
#[derive(Default)]
pub(crate) struct Directory {
    by_name: NameMap<Slot>,
    /// Every entry in cookie order (a new one has the largest cookie, so it is appended),
    /// removed ones marked until [`Directory::compact`] drops them: listing walks a vector
    /// instead of a tree, and finds where to resume by binary search.
    listing: Vec<Listed>,
    /// Removed entries still in `listing`.
    removed: usize,
    /// The names longer than [`INLINE_NAME`] of the entries in `listing`, by cookie.
    long_names: BTreeMap<u64, NameRc>,
    /// The last cookie issued (0: none yet; cookie 0 means "from the start").
    last_cookie: u64,
    /// Entries that are directories, for `nlink`.
    subdirs: u32,
}

impl Directory {
    #[inline]
    pub(crate) fn get(&self, name: &Name) -> Option<&Slot> {
        self.by_name.get(NameKey::new(name.as_bytes()))
    }

    pub(crate) fn len(&self) -> usize {
        self.by_name.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    pub(crate) fn subdirs(&self) -> u32 {
        self.subdirs
    }

    /// True if `cookie` is 0 or was issued by this directory.
    pub(crate) fn issued(&self, cookie: u64) -> bool {
        cookie <= self.last_cookie
    }

    /// Adds an entry that must not exist yet, with a fresh cookie.
    pub(crate) fn insert(&mut self, name: &Name, node: Arc<Inode>) {
        self.last_cookie += 1;
        let cookie = self.last_cookie;
        let name: NameRc = Arc::from(name.as_bytes());
        if node.kind == FileKind::Directory {
            self.subdirs += 1;
        }
        let listed = Listed::new(cookie, &node, &name);
        if listed.len == LONG {
            self.long_names.insert(cookie, Arc::clone(&name));
        }
        self.listing.push(listed);
        self.by_name
            .insert_new(NameKeyBuf(name), Slot { cookie, node });
    }

    /// Removes an entry, returning its node.
    pub(crate) fn remove(&mut self, name: &Name) -> Option<Arc<Inode>> {
        let slot = self.by_name.remove(NameKey::new(name.as_bytes()))?;
        if let Some(listed) = self.listed_mut(slot.cookie) {
            listed.live = false;
            if listed.len == LONG {
                self.long_names.remove(&slot.cookie);
            }
            self.removed += 1;
            if self.removed >= MIN_COMPACT && self.removed * 2 > self.listing.len() {
                self.compact();
            }
        }
        if slot.node.kind == FileKind::Directory {
            self.subdirs -= 1;
        }
        Some(slot.node)
    }

    /// Drops the removed entries from the log.
    fn compact(&mut self) {
        self.listing.retain(|listed| listed.live);
        self.removed = 0;
        if self.listing.capacity() > 4 * self.listing.len().max(MIN_COMPACT) {
            self.listing.shrink_to_fit();
        }
    }

    /// The logged entry of `cookie`.
    fn listed_mut(&mut self, cookie: u64) -> Option<&mut Listed> {
        let at = self
            .listing
            .binary_search_by_key(&cookie, |listed| listed.cookie)
            .ok()?;
        self.listing.get_mut(at)
    }

    /// Points an existing entry at another node, keeping its cookie (for `RENAME_EXCHANGE`:
    /// both names stay, so neither moves in the listing order).
    pub(crate) fn replace(&mut self, name: &Name, node: Arc<Inode>) {
        let Some(slot) = self.by_name.get_mut(NameKey::new(name.as_bytes())) else {
            return;
        };
        if slot.node.kind == FileKind::Directory {
            self.subdirs -= 1;
        }
        if node.kind == FileKind::Directory {
            self.subdirs += 1;
        }
        let cookie = slot.cookie;
        let (ino, kind) = (node.id, node.kind);
        slot.node = node;
        if let Some(listed) = self.listed_mut(cookie) {
            listed.ino = ino;
            listed.kind = kind;
        }
    }

    /// Copies up to `max` entries after `cookie` into `out` (cleared first): their cookies,
    /// inode numbers, kinds and names. Without removed entries in the way, the records are
    /// one block copy; long names are copied after them.
    pub(crate) fn list_after(&self, cookie: u64, max: usize, out: &mut Batch) {
        out.entries.clear();
        out.long_names.clear();
        out.long_ends.clear();
        let start = self
            .listing
            .partition_point(|listed| listed.cookie <= cookie);
        let rest = &self.listing[start..];
        if self.removed == 0 {
            out.entries.extend_from_slice(&rest[..rest.len().min(max)]);
        } else {
            out.entries
                .extend(rest.iter().filter(|listed| listed.live).take(max).copied());
        }
        if self.long_names.is_empty() {
            return;
        }
        for listed in out.entries.iter().filter(|listed| listed.len == LONG) {
            if let Some(name) = self.long_names.get(&listed.cookie) {
                out.long_names.extend_from_slice(name);
            }
            out.long_ends.push(out.long_names.len());
        }
    }
}

/// Frees the entries with an explicit work list instead of recursion. A dropped node whose last
/// reference was held here gives its own entries to the list before it is dropped, so a chain
/// of any depth is freed in constant stack (bad input never panics: a 100,000-level chain
/// would otherwise overflow the stack through nested `Drop` calls).
impl Drop for Directory {
    fn drop(&mut self) {
        let mut pending: Vec<Arc<Inode>> = self
            .by_name
            .take_values()
            .into_iter()
            .map(|slot| slot.node)
            .collect();
        while let Some(node) = pending.pop() {
            // Only the last reference frees the node; any other holder (the node table, a
            // handle, a parent via rename) keeps it, and frees it later the same way.
            let Some(mut inode) = Arc::into_inner(node) else {
                continue;
            };
            if let Content::Dir(dir) = &mut inode.state.get_mut().content {
                pending.extend(dir.by_name.take_values().into_iter().map(|slot| slot.node));
            }
            // `inode` drops here with an empty directory: no nested work.
        }
    }
}
