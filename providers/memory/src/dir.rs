//! One directory's entries: a hash map for lookup by name, and a cookie-ordered map for
//! listing, so a listing resumes exactly where it stopped whatever changed meanwhile.

use crate::inode::{Content, Inode};
use crate::namehash::{NameHash, NameKey, NameKeyBuf};
use ref_cast::RefCast;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use vfsbox_api::{FileKind, Name};

/// A name stored once and shared by both maps.
pub(crate) type NameRc = Arc<[u8]>;

/// An entry as found by name.
#[derive(Clone)]
pub(crate) struct Slot {
    pub(crate) cookie: u64,
    pub(crate) node: Arc<Inode>,
}

/// An entry as listed: what `readdir` reports, without touching the child inode.
pub(crate) struct Listed {
    name: NameRc,
    pub(crate) ino: u64,
    pub(crate) kind: FileKind,
}

/// Entries copied out of a directory for `readdir`, so the sink runs without its lock.
#[derive(Default)]
pub(crate) struct Batch {
    entries: Vec<(u64, u64, FileKind, std::ops::Range<usize>)>,
    names: Vec<u8>,
}

impl Batch {
    /// Room for `entries` entries of names of a typical length, so filling it does not
    /// grow it step by step.
    pub(crate) fn with_capacity(entries: usize) -> Batch {
        Batch {
            entries: Vec::with_capacity(entries),
            names: Vec::with_capacity(entries * 16),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries: cookie, inode number, kind and name (validated when it was inserted).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, u64, FileKind, &Name)> {
        self.entries.iter().map(|(c, ino, kind, range)| {
            (*c, *ino, *kind, Name::ref_cast(&self.names[range.clone()]))
        })
    }
}

/// The entries of a directory. Cookies grow monotonically and are never reused, so an entry's
/// cookie orders it after every entry that existed when it was added.
#[derive(Default)]
pub(crate) struct Directory {
    by_name: HashMap<NameKeyBuf, Slot, NameHash>,
    by_cookie: BTreeMap<u64, Listed>,
    /// The last cookie issued (0: none yet; cookie 0 means "from the start").
    last_cookie: u64,
    /// Entries that are directories, for `nlink`.
    subdirs: u32,
}

impl Directory {
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
        self.by_cookie.insert(
            cookie,
            Listed {
                name: name.clone(),
                ino: node.id,
                kind: node.kind,
            },
        );
        self.by_name.insert(NameKeyBuf(name), Slot { cookie, node });
    }

    /// Removes an entry, returning its node.
    pub(crate) fn remove(&mut self, name: &Name) -> Option<Arc<Inode>> {
        let slot = self.by_name.remove(NameKey::new(name.as_bytes()))?;
        self.by_cookie.remove(&slot.cookie);
        if slot.node.kind == FileKind::Directory {
            self.subdirs -= 1;
        }
        Some(slot.node)
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
        if let Some(listed) = self.by_cookie.get_mut(&slot.cookie) {
            listed.ino = node.id;
            listed.kind = node.kind;
        }
        slot.node = node;
    }

    /// Copies up to `max` entries after `cookie` into `out` (cleared first): their cookies,
    /// inode numbers and kinds, with the names' bytes appended to `names`. Copying bytes
    /// instead of sharing the names costs no atomic reference counting per entry.
    pub(crate) fn list_after(&self, cookie: u64, max: usize, out: &mut Batch) {
        out.entries.clear();
        out.names.clear();
        for (&c, listed) in self.by_cookie.range(cookie.saturating_add(1)..).take(max) {
            let start = out.names.len();
            out.names.extend_from_slice(&listed.name);
            out.entries
                .push((c, listed.ino, listed.kind, start..out.names.len()));
        }
    }
}

/// Frees the entries with an explicit work list instead of recursion. A dropped node whose last
/// reference was held here gives its own entries to the list before it is dropped, so a chain
/// of any depth is freed in constant stack (bad input never panics: a 100,000-level chain
/// would otherwise overflow the stack through nested `Drop` calls).
impl Drop for Directory {
    fn drop(&mut self) {
        let mut pending: Vec<Arc<Inode>> =
            self.by_name.drain().map(|(_, slot)| slot.node).collect();
        while let Some(node) = pending.pop() {
            // Only the last reference frees the node; any other holder (the node table, a
            // handle, a parent via rename) keeps it, and frees it later the same way.
            let Some(mut inode) = Arc::into_inner(node) else {
                continue;
            };
            if let Content::Dir(dir) = &mut inode.state.get_mut().content {
                pending.extend(dir.by_name.drain().map(|(_, slot)| slot.node));
            }
            // `inode` drops here with an empty directory: no nested work.
        }
    }
}
