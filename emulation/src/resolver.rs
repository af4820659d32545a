//! The one path resolver of vfsbox (DESIGN.md, "One resolver").
//!
//! A small state machine in the manner of cap-std's `manually` resolver: a [`Location`] is
//! the stack of held parent nodes (so `..` pops it and never asks a provider, and `/..` is
//! `/`), and a work list of path texts that symlink targets are pushed onto (an absolute
//! target restarts at the sandbox root). Symlinks are counted in one place,
//! [`Resolver::read_link`]: the 41st in one resolution is `ELOOP`. Search (`x`) permission is
//! checked on every directory a component is looked up in, the last one included, as
//! Linux's `link_path_walk` does.
//!
//! Resolution has two halves, because creating and removing calls stop before the last
//! component: [`Resolver::walk_parent`] walks all but the last component and returns it as
//! a [`Last`]; [`Resolver::finish`] looks the last one up, following a symlink there when
//! asked to (or when a trailing slash demands a directory).

use crate::identity::{Cred, MAY_EXEC};
use crate::node::{LinkName, Location, NodeRef};
use std::sync::Arc;
use vfsbox_api::{Attr, Entry, Errno, FileKind, FileSystem, Name, NodeId, SearchCheck};

/// Linux's `PATH_MAX`: a path of this many bytes or more is `ENAMETOOLONG`.
pub(crate) const PATH_MAX: usize = 4096;
/// Linux's `MAXSYMLINKS`: symlinks followed in one resolution.
pub(crate) const MAX_SYMLINKS: u32 = 40;
/// The most names a path may have for [`Resolver::quick_walk`] (longer ones walk as usual).
const QUICK_NAMES: usize = 32;
/// Names [`Resolver::quick_walk`] first makes room for: most paths have no more, and
/// filling an array of [`QUICK_NAMES`] costs a single-name `stat` a tenth of its time.
const SHORT_NAMES: usize = 8;

/// What the last component of a path is (Linux's `LAST_NORM`, `LAST_DOT`, `LAST_DOTDOT`,
/// `LAST_ROOT`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LastKind {
    /// The path was `/` (or only slashes).
    Root,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// A name, not yet validated (its length is checked where Linux's lookup checks it).
    Name(LinkName),
}

/// The last component of a path and whether slashes followed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Last {
    pub(crate) kind: LastKind,
    pub(crate) trailing_slash: bool,
}

impl Last {
    /// The name, validated where Linux's lookup in `dir` validates it (see [`name_in`]),
    /// or `None` for `/`, `.`, `..`.
    pub(crate) fn name(
        &self,
        fs: &Arc<dyn FileSystem>,
        dir: &Location,
    ) -> Result<Option<&Name>, Errno> {
        match &self.kind {
            LastKind::Name(bytes) => name_in(fs, dir.node().id(), bytes).map(Some),
            _ => Ok(None),
        }
    }
}

/// Whether `attr` is a removed directory (`IS_DEADDIR`): no new name can appear in it.
pub(crate) fn is_dead_dir(attr: &Attr) -> bool {
    attr.kind == FileKind::Directory && attr.nlink == 0
}

/// `bytes` as a name to look up in `dir`: `ENAMETOOLONG` over 255 bytes, except in a removed
/// directory, where every lookup is `ENOENT` before the name is looked at (`IS_DEADDIR`).
pub(crate) fn name_in<'n>(
    fs: &Arc<dyn FileSystem>,
    dir: NodeId,
    bytes: &'n [u8],
) -> Result<&'n Name, Errno> {
    Name::new(bytes).map_err(|e| {
        let dead = fs.getattr(dir).is_ok_and(|a| is_dead_dir(&a));
        if e == Errno::ENAMETOOLONG && dead {
            Errno::ENOENT
        } else {
            e
        }
    })
}

/// The directories a walk holds: a [`Location`] for callers that keep where they got (open,
/// chdir, the parent of a creating call), or [`Held`] for those that only need the object's
/// attributes, which then allocates nothing per component.
pub(crate) trait Chain: Sized {
    /// The chain of the sandbox root.
    fn from_root(root: &Location) -> Self;
    /// The node at its end.
    fn end(&self) -> NodeId;
    /// Steps into `name`, held as `node`.
    fn step_down(&mut self, node: NodeRef, name: &[u8]);
    /// Steps to the parent (`..`); the root's parent is the root.
    fn step_up(&mut self);
}

impl Chain for Location {
    fn from_root(root: &Location) -> Location {
        root.clone()
    }

    fn end(&self) -> NodeId {
        self.node().id()
    }

    fn step_down(&mut self, node: NodeRef, name: &[u8]) {
        self.push(node, name);
    }

    fn step_up(&mut self) {
        self.pop();
    }
}

/// A [`Location`] to start from and the nodes walked below it, held in one vector: the
/// names are not kept and no link is allocated (`stat` and the like keep nothing).
pub(crate) struct Held {
    base: Location,
    below: Vec<NodeRef>,
}

impl Held {
    /// Starts at `base`.
    pub(crate) fn new(base: Location) -> Held {
        Held {
            base,
            below: Vec::new(),
        }
    }
}

impl Chain for Held {
    fn from_root(root: &Location) -> Held {
        Held::new(root.clone())
    }

    fn end(&self) -> NodeId {
        match self.below.last() {
            Some(node) => node.id(),
            None => self.base.node().id(),
        }
    }

    fn step_down(&mut self, node: NodeRef, _name: &[u8]) {
        if self.below.capacity() == 0 {
            self.below.reserve(8);
        }
        self.below.push(node);
    }

    fn step_up(&mut self) {
        if self.below.pop().is_none() {
            self.base.pop();
        }
    }
}

/// The object a path names and its attributes at resolution time: either the end of
/// `parent` itself (for `.`, `..`, `/`, or an empty path) or a node held below it.
pub(crate) struct FoundIn<C> {
    pub(crate) parent: C,
    pub(crate) leaf: Option<(NodeRef, LinkName)>,
    pub(crate) attr: Attr,
}

/// What most callers resolve to: the object with the chain that reached it.
pub(crate) type Found = FoundIn<Location>;

impl<C: Chain> FoundIn<C> {
    /// The object's node.
    pub(crate) fn id(&self) -> NodeId {
        match &self.leaf {
            Some((node, _)) => node.id(),
            None => self.parent.end(),
        }
    }

    /// The end of `loc` itself.
    fn at_end(loc: C, attr: Attr) -> FoundIn<C> {
        FoundIn {
            parent: loc,
            leaf: None,
            attr,
        }
    }
}

impl Found {
    /// The end of `loc` itself.
    pub(crate) fn at(loc: Location, attr: Attr) -> Found {
        Found {
            parent: loc,
            leaf: None,
            attr,
        }
    }

    /// The object's node.
    pub(crate) fn node(&self) -> &NodeRef {
        match &self.leaf {
            Some((node, _)) => node,
            None => self.parent.node(),
        }
    }

    /// The chain ending at the object (what a descriptor or the cwd keeps).
    pub(crate) fn into_location(self) -> Location {
        match self.leaf {
            Some((node, name)) => self.parent.child_named(node, name),
            None => self.parent,
        }
    }
}

/// Checks what Linux's `getname` checks before any walking: `ENOENT` for an empty path,
/// `EINVAL` for an interior NUL (which no C caller can pass), `ENAMETOOLONG` at `PATH_MAX`.
pub(crate) fn check_path(path: &[u8]) -> Result<(), Errno> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    if has_nul(path) {
        return Err(Errno::EINVAL);
    }
    if path.len() >= PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(())
}

/// Whether `bytes` holds a NUL, a word at a time. Every path of every call is checked, and
/// for paths of a few dozen bytes `contains` spends three times as many instructions on its
/// byte-by-byte start.
fn has_nul(bytes: &[u8]) -> bool {
    has_byte(bytes, 0)
}

/// Whether `path` is one name to look up in its start directory: no `/`, not `.` or `..`
/// (the name itself is validated where it is looked up).
#[inline]
pub(crate) fn is_plain_name(path: &[u8]) -> bool {
    !matches!(path, b"." | b"..") && !has_slash(path)
}

/// Whether `path` has a `/` (a path of one plain name has none), a word at a time: for a
/// short name `contains` spends more on setting up its search than on the search.
#[inline]
pub(crate) fn has_slash(path: &[u8]) -> bool {
    has_byte(path, b'/')
}

/// Whether `bytes` holds `byte`, a word at a time (the usual bit trick: a byte of `w` is
/// zero exactly when its subtraction borrows into a high bit `w` did not have set; `byte`
/// is found as a zero of `w ^ [byte; 8]`).
#[inline]
fn has_byte(bytes: &[u8], byte: u8) -> bool {
    const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let pattern = u64::from_ne_bytes([byte; 8]);
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_ne_bytes(word) ^ pattern;
        if w.wrapping_sub(LOW) & !w & HIGH != 0 {
            return true;
        }
    }
    // At most seven bytes: a loop, not `contains`'s memchr, whose setup costs more.
    #[allow(clippy::manual_contains)]
    words.remainder().iter().any(|&b| b == byte)
}

/// The texts still to walk: the path (borrowed), then symlink targets pushed on top of what
/// remains. A text is popped once its last component has been taken, so every text below
/// the top still has components: the component taken is the last one when its text ends
/// and it is the only text left. The first text is kept apart from the targets so that a
/// walk without symlinks allocates nothing.
struct Work<'p> {
    /// The text the walk started with and its cursor; `None` once it is used up.
    base: Option<(std::borrow::Cow<'p, [u8]>, usize)>,
    /// Symlink targets `(text, cursor)` above it; the last is walked first.
    targets: Vec<(Vec<u8>, usize)>,
    /// Where the most recent component is in the top text.
    component: std::ops::Range<usize>,
}

/// One component taken from the work list.
struct Step {
    /// Nothing remains after it.
    last: bool,
    /// Slashes followed it in its text.
    trailing_slash: bool,
}

impl<'p> Work<'p> {
    fn new(text: std::borrow::Cow<'p, [u8]>) -> Work<'p> {
        Work {
            base: Some((text, 0)),
            targets: Vec::new(),
            component: 0..0,
        }
    }

    /// The text walked now and its cursor.
    #[inline]
    fn top(&self) -> Option<(&[u8], usize)> {
        match self.targets.last() {
            Some((text, cursor)) => Some((text, *cursor)),
            None => self
                .base
                .as_ref()
                .map(|(text, cursor)| (&text[..], *cursor)),
        }
    }

    /// Drops the text walked now.
    #[inline]
    fn pop(&mut self) {
        if self.targets.pop().is_none() {
            self.base = None;
        }
    }

    /// How many texts remain.
    #[inline]
    fn depth(&self) -> usize {
        self.targets.len() + usize::from(self.base.is_some())
    }

    /// Pushes a symlink target; the text it interrupts is dropped if nothing remains of it.
    fn push(&mut self, text: Vec<u8>) {
        if let Some((top, cursor)) = self.top() {
            if cursor == top.len() {
                self.pop();
            }
        }
        self.targets.push((text, 0));
    }

    /// The component most recently taken.
    #[inline]
    fn component(&self) -> &[u8] {
        match self.top() {
            Some((text, _)) => &text[self.component.clone()],
            None => &[],
        }
    }

    /// Takes the next component.
    #[inline]
    fn next(&mut self) -> Option<Step> {
        loop {
            let depth = self.depth();
            let (text, mut cursor) = self.top()?;
            while cursor < text.len() && text[cursor] == b'/' {
                cursor += 1;
            }
            if cursor == text.len() {
                self.pop();
                continue;
            }
            let start = cursor;
            while cursor < text.len() && text[cursor] != b'/' {
                cursor += 1;
            }
            let end = cursor;
            while cursor < text.len() && text[cursor] == b'/' {
                cursor += 1;
            }
            let done = cursor == text.len();
            let step = Step {
                last: done && depth == 1,
                trailing_slash: cursor > end,
            };
            match self.targets.last_mut() {
                Some((_, at)) => *at = cursor,
                None => {
                    if let Some((_, at)) = self.base.as_mut() {
                        *at = cursor;
                    }
                }
            }
            self.component = start..end;
            return Some(step);
        }
    }
}

/// Puts the names of `path` after `at` into `names` after the first (which the caller put
/// there): `Some(Some(count))` with the count of names, `Some(None)` when they do not fit,
/// `None` when one is not a valid [`Name`].
fn fill_names<'p>(path: &'p [u8], at: usize, names: &mut [&'p Name]) -> Option<Option<usize>> {
    let (_, rest) = names.split_first_mut()?;
    let count = Name::split_path(path.get(at..)?, rest)?;
    Some((count <= rest.len()).then_some(count + 1))
}

/// One resolution (its symlink count lives here) with one set of credentials.
pub(crate) struct Resolver<'a> {
    fs: &'a Arc<dyn FileSystem>,
    root: &'a Location,
    cred: &'a Cred,
    links: u32,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(
        fs: &'a Arc<dyn FileSystem>,
        root: &'a Location,
        cred: &'a Cred,
    ) -> Resolver<'a> {
        Resolver {
            fs,
            root,
            cred,
            links: 0,
        }
    }

    /// Walks `path` from `start` (or from the root if it is absolute) up to its last
    /// component, which is returned unlooked-up together with the directory holding it.
    /// The caller has already passed `path` through [`check_path`] (before choosing
    /// `start`, as Linux copies the name in before it looks at the directory fd), so it is
    /// not checked a second time here.
    pub(crate) fn walk_parent(
        &mut self,
        start: &Location,
        path: &[u8],
    ) -> Result<(Location, Last), Errno> {
        debug_assert_eq!(check_path(path), Ok(()));
        // One plain name (the most common path): what the walk would do, without setting
        // up its work list — the search check on `start`, then the name as the last one.
        if is_plain_name(path) {
            self.check_search(start.node().id(), &mut None)?;
            return Ok((
                start.clone(),
                Last {
                    kind: LastKind::Name(LinkName::new(path)),
                    trailing_slash: false,
                },
            ));
        }
        self.walk_text(start.clone(), path.into())
    }

    /// The search check [`Resolver::walk_parent`] makes on `start` for a path that
    /// [`is_plain_name`], for callers that take such a path without a walk.
    #[inline]
    pub(crate) fn search_start(&self, start: &Location) -> Result<(), Errno> {
        self.check_search(start.node().id(), &mut None)
    }

    /// Walks `text` (a path or a symlink target) from `loc`.
    fn walk_text<C: Chain>(
        &mut self,
        mut loc: C,
        text: std::borrow::Cow<'_, [u8]>,
    ) -> Result<(C, Last), Errno> {
        if text.first() == Some(&b'/') {
            loc = C::from_root(self.root);
        }
        let mut work = Work::new(text);
        // Attributes of the directory at the top of `loc`, when known to be fresh.
        let mut here: Option<Attr> = None;
        loop {
            let Some(step) = work.next() else {
                return Ok((
                    loc,
                    Last {
                        kind: LastKind::Root,
                        trailing_slash: false,
                    },
                ));
            };
            self.check_search(loc.end(), &mut here)?;
            if step.last {
                let kind = match work.component() {
                    b"." => LastKind::Dot,
                    b".." => LastKind::DotDot,
                    name => LastKind::Name(LinkName::new(name)),
                };
                return Ok((
                    loc,
                    Last {
                        kind,
                        trailing_slash: step.trailing_slash,
                    },
                ));
            }
            match work.component() {
                b"." => {}
                b".." => {
                    loc.step_up();
                    here = None;
                }
                bytes => {
                    let name = name_in(self.fs, loc.end(), bytes)?;
                    let entry = self.fs.lookup(loc.end(), name)?;
                    let node = NodeRef::adopt(self.fs, entry.node);
                    match entry.attr.kind {
                        FileKind::Directory => {
                            loc.step_down(node, name.as_bytes());
                            here = Some(entry.attr);
                        }
                        FileKind::Symlink => {
                            let target = self.read_link(&node)?;
                            drop(node);
                            if target[0] == b'/' {
                                loc = C::from_root(self.root);
                            }
                            here = None;
                            work.push(target);
                        }
                        _ => return Err(Errno::ENOTDIR),
                    }
                }
            }
        }
    }

    /// Looks the last component up. A symlink there is followed when `follow` is set or a
    /// trailing slash asks for a directory; a trailing slash on a non-directory is `ENOTDIR`.
    pub(crate) fn finish<C: Chain>(
        &mut self,
        mut loc: C,
        mut last: Last,
        mut follow: bool,
    ) -> Result<FoundIn<C>, Errno> {
        let mut must_dir = false;
        loop {
            if last.trailing_slash {
                follow = true;
                must_dir = true;
            }
            let found = match last.kind {
                LastKind::Root => {
                    let attr = self.fs.getattr(self.root.node().id())?;
                    FoundIn::at_end(C::from_root(self.root), attr)
                }
                LastKind::Dot => {
                    let attr = self.fs.getattr(loc.end())?;
                    FoundIn::at_end(loc, attr)
                }
                LastKind::DotDot => {
                    loc.step_up();
                    let attr = self.fs.getattr(loc.end())?;
                    FoundIn::at_end(loc, attr)
                }
                LastKind::Name(bytes) => {
                    let name = name_in(self.fs, loc.end(), &bytes)?;
                    let entry = self.fs.lookup(loc.end(), name)?;
                    let node = NodeRef::adopt(self.fs, entry.node);
                    if entry.attr.kind == FileKind::Symlink && follow {
                        let target = self.read_link(&node)?;
                        drop(node);
                        (loc, last) = self.walk_text(loc, target.into())?;
                        continue;
                    }
                    FoundIn {
                        parent: loc,
                        leaf: Some((node, bytes)),
                        attr: entry.attr,
                    }
                }
            };
            if must_dir && found.attr.kind != FileKind::Directory {
                return Err(Errno::ENOTDIR);
            }
            return Ok(found);
        }
    }

    /// Resolves `path` (already passed through [`check_path`]) from `start` to the object it
    /// names.
    pub(crate) fn resolve(
        &mut self,
        start: &Location,
        path: &[u8],
        follow: bool,
    ) -> Result<Found, Errno> {
        let (loc, last) = self.walk_parent(start, path)?;
        self.finish(loc, last, follow)
    }

    /// The attributes of what `path` names from `start`: the same walk as
    /// [`Resolver::resolve`], holding the directories in a [`Held`] (nothing allocated per
    /// component) since the caller keeps no chain. Like [`Resolver::walk_parent`], it
    /// expects a `path` that already passed [`check_path`]. What the caller makes of the
    /// attributes (`with`) is made where they are, so they are not copied out of the
    /// provider's answer first.
    #[inline]
    pub(crate) fn resolve_attr<R>(
        &mut self,
        start: &Location,
        path: &[u8],
        follow: bool,
        with: impl FnOnce(&Attr) -> R,
    ) -> Result<R, Errno> {
        match self.quick_walk(start, path, follow, false) {
            Some(Ok(entry)) => Ok(with(&entry.attr)),
            Some(Err(e)) => Err(e),
            None => Ok(with(&self.walk_held(start, path, follow)?.attr)),
        }
    }

    /// The walk of a path without `.`, `..` or symlinks (but a last one not followed) in one
    /// provider call ([`FileSystem::lookup_path`]), when the provider offers it: the same
    /// search checks on every directory, the same errors, no chain. `None` means the
    /// ordinary walk has to do it: the path has `.`, `..`, an invalid name (whose errno
    /// depends on where the walk gets), more than [`QUICK_NAMES`] names, or a symlink on
    /// the way, a symlink to follow at the end, or a trailing slash after a non-directory;
    /// or the provider declined. With `hold` the object's lookup is counted, and the
    /// caller adopts it from the entry. The path is split in one pass and the provider's
    /// entry is handed on as it came, so its attributes are not copied from one wrapper
    /// into the next.
    fn quick_walk(
        &mut self,
        start: &Location,
        path: &[u8],
        follow: bool,
        hold: bool,
    ) -> Option<Result<Entry, Errno>> {
        let dir = if path.first() == Some(&b'/') {
            self.root.node().id()
        } else {
            start.node().id()
        };
        // One pass over the bytes, a word at a time (`Name::next_in`): skip slashes, take a
        // name up to the next one. A name `Name::new` refuses (`.`, `..`, over-long) is the
        // ordinary walk's to judge.
        let mut at = 0;
        let first = Name::next_in(path, &mut at)?.ok()?;
        if at == path.len() {
            // One name and nothing after it: no array of names to fill.
            return self.quick_lookup(dir, path, &[first], follow, hold);
        }
        let mut short = [first; SHORT_NAMES];
        if let Some(count) = fill_names(path, at, &mut short)? {
            return self.quick_lookup(dir, path, &short[..count], follow, hold);
        }
        self.quick_walk_long(dir, path, first, at, follow, hold)
    }

    /// [`Resolver::quick_walk`] of a path of more than [`SHORT_NAMES`] names.
    #[cold]
    #[inline(never)]
    fn quick_walk_long(
        &mut self,
        dir: NodeId,
        path: &[u8],
        first: &Name,
        at: usize,
        follow: bool,
        hold: bool,
    ) -> Option<Result<Entry, Errno>> {
        let mut long = [first; QUICK_NAMES];
        let count = fill_names(path, at, &mut long)??;
        self.quick_lookup(dir, path, &long[..count], follow, hold)
    }

    /// The provider's [`FileSystem::lookup_path`] of `names` (the names of `path`) from
    /// `dir`, for [`Resolver::quick_walk`].
    #[inline]
    fn quick_lookup(
        &mut self,
        dir: NodeId,
        path: &[u8],
        names: &[&Name],
        follow: bool,
        hold: bool,
    ) -> Option<Result<Entry, Errno>> {
        let trailing_slash = path.last() == Some(&b'/');
        let cred = self.cred;
        let mut check = |attr: &Attr| cred.may(attr, MAY_EXEC);
        let search: Option<SearchCheck<'_>> = if cred.is_root() {
            None
        } else {
            Some(&mut check)
        };
        // The provider's answer is returned as it came (not moved out and wrapped again),
        // so its attributes are not copied on the way.
        let found = self.fs.lookup_path(dir, names, search, hold);
        if let Some(Ok(entry)) = &found {
            let kind = entry.attr.kind;
            if (kind == FileKind::Symlink && (follow || trailing_slash))
                || (trailing_slash && kind != FileKind::Directory)
            {
                if hold {
                    // The lookup is given back; the walk takes its own.
                    drop(NodeRef::adopt(self.fs, entry.node));
                }
                return None;
            }
        }
        found
    }

    /// What `path` names from `start`, held in a [`Held`] (nothing allocated per component),
    /// for callers that use the object while they hold it but keep no chain (`access`,
    /// `statvfs`, the xattr calls). Expects a `path` that already passed [`check_path`].
    pub(crate) fn resolve_held(
        &mut self,
        start: &Location,
        path: &[u8],
        follow: bool,
    ) -> Result<FoundIn<Held>, Errno> {
        debug_assert_eq!(check_path(path), Ok(()));
        if let Some(quick) = self.quick_walk(start, path, follow, true) {
            let entry = quick?;
            let node = NodeRef::adopt(self.fs, entry.node);
            let last = path.rsplit(|&b| b == b'/').find(|part| !part.is_empty());
            return Ok(FoundIn {
                parent: Held::new(start.clone()),
                leaf: Some((node, LinkName::new(last.unwrap_or_default()))),
                attr: entry.attr,
            });
        }
        self.walk_held(start, path, follow)
    }

    /// [`Resolver::resolve_held`] name by name, for what [`Resolver::quick_walk`] declined.
    fn walk_held(
        &mut self,
        start: &Location,
        path: &[u8],
        follow: bool,
    ) -> Result<FoundIn<Held>, Errno> {
        let (held, last) = self.walk_text(Held::new(start.clone()), path.into())?;
        self.finish(held, last, follow)
    }

    /// [`Resolver::resolve`] of a path of several names to a non-directory in one provider
    /// call ([`Resolver::quick_walk`], the object held), without a lookup and forget and a
    /// chain link per directory on the way: a non-directory is never walked from (it
    /// cannot be a cwd or a `dirfd`, and `..` of it is never taken), so its descriptor
    /// keeps only the object, under `start` with the path's names as one step (which spells
    /// the same path). `None`: walk as usual — a path of one name (the walk is as cheap),
    /// a directory (whose descriptor needs each parent held for `..`), or whatever
    /// `quick_walk` declines.
    pub(crate) fn resolve_quick(
        &mut self,
        start: &Location,
        path: &[u8],
        follow: bool,
    ) -> Option<Result<Found, Errno>> {
        let begin = path.iter().position(|&b| b != b'/')?;
        let end = path.iter().rposition(|&b| b != b'/')?;
        let inner = &path[begin..=end];
        if !has_slash(inner) {
            return None;
        }
        let (node, attr) = match self.quick_walk(start, path, follow, true)? {
            Ok(entry) => (NodeRef::adopt(self.fs, entry.node), entry.attr),
            Err(e) => return Some(Err(e)),
        };
        if attr.kind == FileKind::Directory {
            // Dropping `node` gives its lookup back; the walk holds each directory.
            return None;
        }
        let name = LinkName::new(inner);
        let parent = if path.first() == Some(&b'/') {
            self.root.clone()
        } else {
            start.clone()
        };
        Some(Ok(Found {
            parent,
            leaf: Some((node, name)),
            attr,
        }))
    }

    /// Resolves `path` following symlinks, without the `PATH_MAX` limit on its length (for
    /// `realpath`, which libc implements by walking).
    pub(crate) fn resolve_any_length(
        &mut self,
        start: &Location,
        path: &[u8],
    ) -> Result<Found, Errno> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path.contains(&0) {
            return Err(Errno::EINVAL);
        }
        let (loc, last) = self.walk_text(start.clone(), path.into())?;
        self.finish(loc, last, true)
    }

    /// Continues a resolution at a symlink's target (for `open` with `O_CREAT`, which follows
    /// a final symlink itself): the target is walked from `dir`, the link's directory.
    pub(crate) fn follow_link(
        &mut self,
        dir: Location,
        link: &NodeRef,
    ) -> Result<(Location, Last), Errno> {
        let target = self.read_link(link)?;
        self.walk_text(dir, target.into())
    }

    /// Reads a symlink on the way: the one place symlinks are counted.
    fn read_link(&mut self, node: &NodeRef) -> Result<Vec<u8>, Errno> {
        self.links += 1;
        if self.links > MAX_SYMLINKS {
            return Err(Errno::ELOOP);
        }
        let target = self.fs.readlink(node.id())?;
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        Ok(target)
    }

    /// `may_lookup`: search permission on the directory a component is looked up in.
    #[inline]
    fn check_search(&self, dir: NodeId, here: &mut Option<Attr>) -> Result<(), Errno> {
        if self.cred.is_root() {
            return Ok(());
        }
        let attr = match here {
            Some(attr) => *attr,
            None => {
                let attr = self.fs.getattr(dir)?;
                *here = Some(attr);
                attr
            }
        };
        self.cred.may(&attr, MAY_EXEC)
    }
}

#[cfg(test)]
mod tests {
    use super::{has_nul, has_slash};

    #[test]
    fn a_slash_is_found_at_every_position_and_only_there() {
        for len in 0..40 {
            let clean: Vec<u8> = (0..len).map(|i| b'a' + (i as u8 % 26)).collect();
            assert!(!has_slash(&clean), "{len}");
            let near = vec![b'/' ^ 0x80; len];
            assert!(!has_slash(&near), "{len}");
            for at in 0..len {
                for bytes in [&clean, &near] {
                    let mut with = bytes.clone();
                    with[at] = b'/';
                    assert!(has_slash(&with), "{len} {at}");
                }
            }
        }
    }

    #[test]
    fn a_nul_is_found_at_every_position_and_only_there() {
        for len in 0..40 {
            let clean: Vec<u8> = (0..len).map(|i| 1 + (i as u8 % 255)).collect();
            assert!(!has_nul(&clean), "{len}");
            let high = vec![0xffu8; len];
            assert!(!has_nul(&high), "{len}");
            for at in 0..len {
                let mut with = clean.clone();
                with[at] = 0;
                assert!(has_nul(&with), "{len} {at}");
                let mut with = high.clone();
                with[at] = 0;
                assert!(has_nul(&with), "{len} {at}");
            }
        }
    }
}
