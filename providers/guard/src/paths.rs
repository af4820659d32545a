//! The node table: for each inner node id the wrapper has handed out, the paths it was reached
//! by, its lookup count (mirroring the inner provider's) and its precomputed verdicts.
//!
//! A lookup of a node already known under the same path only bumps the count: no allocation,
//! no glob. A node whose count drops to zero is invalid to callers (`ESTALE`, as in the inner
//! provider) but its entry is kept as a cache, because the emulated layer gives back every
//! lookup right after a walk: the next lookup of the same name finds it again without
//! building its path or matching a glob. Idle entries are swept when more than
//! [`IDLE_MAX`] pile up (their ids are never reused by the inner provider, so a kept entry can
//! only be revived by a lookup that returns that very node). New paths, removals and renames go through one mutex that also guards the
//! path → node index (a `BTreeMap`, so a directory rename finds what is below it by range).
//! Lock order: that mutex, then a node's `DashMap` shard; never the other way round.

use crate::idhash::IdMap;
use crate::verdicts::Verdicts;
use crate::Rules;
use parking_lot::Mutex;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// How many forgotten entries are kept before a sweep drops them all.
pub(crate) const IDLE_MAX: usize = 4096;
use vfsbox_api::{Name, NodeId};

/// A sandbox-absolute path, shared between the table, handles and audit events.
pub(crate) type PathBuf = Arc<[u8]>;

/// What the table knows of one node.
#[derive(Debug)]
pub(crate) struct NodeInfo {
    /// The paths it was reached by, each with its own verdicts (a directory has exactly one;
    /// a hard-linked file may have several; an unlinked file none).
    pub(crate) paths: Vec<(PathBuf, Verdicts)>,
    /// The strictest of the paths' verdicts (kept after the last path is removed, so an
    /// unlinked file stays under the rules it was opened with).
    pub(crate) verdicts: Verdicts,
    /// Lookups handed out and not yet forgotten.
    lookups: u64,
}

impl NodeInfo {
    /// The first path, the one audit lines and children's paths use.
    pub(crate) fn path(&self) -> Option<&PathBuf> {
        self.paths.first().map(|(p, _)| p)
    }

    fn has_path(&self, parent: &[u8], name: &Name) -> Option<&PathBuf> {
        self.paths
            .iter()
            .map(|(p, _)| p)
            .find(|p| is_child_path(p, parent, name))
    }

    /// Sets the node's verdicts to the strictest of its paths'; returns true if a node with
    /// them has its attributes reported differently (see [`Verdicts::changes_attrs`]).
    fn recombine(&mut self, rules: &Rules) -> bool {
        if let Some(((_, first), rest)) = self.paths.split_first() {
            self.verdicts = rest
                .iter()
                .fold(*first, |acc, (_, v)| acc.strictest(*v, rules));
        }
        self.verdicts.changes_attrs(rules)
    }
}

/// The node table.
pub(crate) struct PathTable {
    root: NodeId,
    nodes: IdMap<NodeId, NodeInfo>,
    by_path: Mutex<BTreeMap<PathBuf, NodeId>>,
    /// Entries whose count reached zero (approximate: it only triggers sweeps).
    idle: AtomicUsize,
    /// Set (for good) once some node's verdicts hide it or deny its exec: until then no
    /// reported attribute differs from the inner provider's, and `getattr` needs no table
    /// lookup. Set before the node is handed out or the rename that made it returns.
    attrs_changed: AtomicBool,
}

impl PathTable {
    /// A table that knows the root, at path `/`.
    pub(crate) fn new(root: NodeId, rules: &Rules) -> PathTable {
        let path: PathBuf = Arc::from(&b"/"[..]);
        let verdicts = Verdicts::of(rules, &path);
        let nodes = IdMap::default();
        nodes.insert(
            root,
            NodeInfo {
                paths: vec![(path.clone(), verdicts)],
                verdicts,
                lookups: 0,
            },
        );
        let mut by_path = BTreeMap::new();
        by_path.insert(path, root);
        PathTable {
            root,
            nodes,
            by_path: Mutex::new(by_path),
            idle: AtomicUsize::new(0),
            attrs_changed: AtomicBool::new(verdicts.changes_attrs(rules)),
        }
    }

    /// False while no node's reported attributes can differ from the inner provider's (no
    /// node hidden, none with exec denied, ever): `getattr` may then pass straight through.
    pub(crate) fn attrs_changed(&self) -> bool {
        self.attrs_changed.load(Ordering::Acquire)
    }

    fn note(&self, changes_attrs: bool) {
        if changes_attrs && !self.attrs_changed.load(Ordering::Relaxed) {
            self.attrs_changed.store(true, Ordering::Release);
        }
    }

    /// True if callers may use the node: the root, or a node with lookups held.
    fn live(&self, node: NodeId, info: &NodeInfo) -> bool {
        node == self.root || info.lookups > 0
    }

    /// The node's first path and verdicts, `None` for a node never handed out (or forgotten).
    pub(crate) fn get(&self, node: NodeId) -> Option<(Option<PathBuf>, Verdicts)> {
        let info = self.nodes.get(&node)?;
        self.live(node, &info)
            .then(|| (info.path().cloned(), info.verdicts))
    }

    /// The node's verdicts only (no reference count traffic): the getattr path.
    pub(crate) fn verdicts(&self, node: NodeId) -> Option<Verdicts> {
        let info = self.nodes.get(&node)?;
        self.live(node, &info).then_some(info.verdicts)
    }

    /// True if the table knows the node and it is live.
    #[cfg(test)]
    pub(crate) fn contains(&self, node: NodeId) -> bool {
        self.get(node).is_some()
    }

    /// If `node` is already known under `parent/name`: counts one lookup and returns that
    /// path, its verdicts and the node's (strictest) verdicts. `None` when the path is new for
    /// the node (then call [`PathTable::record`]).
    pub(crate) fn count_known(
        &self,
        node: NodeId,
        parent: &[u8],
        name: &Name,
    ) -> Option<(PathBuf, Verdicts, Verdicts)> {
        let mut info = self.nodes.get_mut(&node)?;
        let (path, verdicts) = info
            .paths
            .iter()
            .find(|(p, _)| is_child_path(p, parent, name))
            .map(|(p, v)| (p.clone(), *v))?;
        self.count_one(node, &mut info);
        Some((path, verdicts, info.verdicts))
    }

    /// The verdicts `parent/name` would have, computed without allocating the path.
    pub(crate) fn verdicts_of(rules: &Rules, parent: &[u8], name: &Name) -> Verdicts {
        if rules.is_empty() {
            return Verdicts::ALLOW;
        }
        with_child_path(parent, name, |path| Verdicts::of(rules, path))
    }

    /// Records that `node` was handed out under `parent/name` (one lookup), whose verdicts
    /// are `verdicts`; returns the path and the node's (strictest) verdicts. Another node the
    /// index had under that path loses it; a directory keeps only its newest path.
    pub(crate) fn record(
        &self,
        node: NodeId,
        is_dir: bool,
        parent: &[u8],
        name: &Name,
        verdicts: Verdicts,
        rules: &Rules,
    ) -> (PathBuf, Verdicts) {
        if let Some((path, _, all)) = self.count_known(node, parent, name) {
            return (path, all);
        }
        let path: PathBuf = child_path(parent, name);
        let mut by_path = self.by_path.lock();
        if let Some(old) = by_path.insert(path.clone(), node) {
            if old != node {
                self.drop_path(old, &path, rules);
            }
        }
        let mut fresh = false;
        let mut info = self.nodes.entry(node).or_insert_with(|| {
            fresh = true;
            NodeInfo {
                paths: Vec::new(),
                verdicts,
                lookups: 0,
            }
        });
        // A racing lookup may have recorded the same path meanwhile.
        if info.has_path(parent, name).is_none() {
            if is_dir {
                for (stale, _) in info.paths.drain(..) {
                    if by_path.get(&stale) == Some(&node) {
                        by_path.remove(&stale);
                    }
                }
            }
            info.paths.push((path.clone(), verdicts));
            self.note(info.recombine(rules));
        }
        if fresh {
            // A new entry was never idle: count it without touching the idle tally.
            if node != self.root {
                info.lookups = 1;
            }
        } else {
            self.count_one(node, &mut info);
        }
        (path, info.verdicts)
    }

    /// Counts one lookup (none for the root, which is never forgotten).
    fn count_one(&self, node: NodeId, info: &mut NodeInfo) {
        if node != self.root {
            if info.lookups == 0 {
                let _ = self
                    .idle
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
            }
            info.lookups += 1;
        }
    }

    /// Gives back `count` lookups, as the inner provider's `forget` does: the root, unknown
    /// nodes and counts larger than held are ignored. At zero the node is invalid to callers;
    /// its entry stays as a cache until a sweep.
    pub(crate) fn forget(&self, node: NodeId, count: u64) {
        if node == self.root || count == 0 {
            return;
        }
        let last = match self.nodes.get_mut(&node) {
            Some(mut info) if info.lookups >= count => {
                info.lookups -= count;
                info.lookups == 0
            }
            _ => false,
        };
        if last && self.idle.fetch_add(1, Ordering::Relaxed) + 1 > IDLE_MAX {
            self.sweep();
        }
    }

    /// Drops every idle entry and its paths.
    fn sweep(&self) {
        let mut by_path = self.by_path.lock();
        let root = self.root;
        self.nodes.retain(|&node, info| {
            let keep = node == root || info.lookups > 0;
            if !keep {
                for (path, _) in &info.paths {
                    if by_path.get(path) == Some(&node) {
                        by_path.remove(path);
                    }
                }
            }
            keep
        });
        self.idle.store(0, Ordering::Relaxed);
    }

    /// The verdicts of the live node the table knows at `parent/name`, if any: what an
    /// existing name's node is held to, which may be stricter than its path's own verdicts
    /// when the node is a hard link also reached by a protected path.
    pub(crate) fn verdicts_at(&self, parent: &[u8], name: &Name) -> Option<Verdicts> {
        let node = with_child_path(parent, name, |path| self.by_path.lock().get(path).copied())?;
        self.verdicts(node)
    }

    /// `parent/name` was removed (`unlink`, `rmdir`): the node it named loses that path.
    pub(crate) fn unlinked(&self, parent: &[u8], name: &Name, rules: &Rules) {
        with_child_path(parent, name, |path| {
            let mut by_path = self.by_path.lock();
            if let Some(node) = by_path.remove(path) {
                self.drop_path(node, path, rules);
            }
        });
    }

    /// `from` was renamed to `to` (swapped with it for `exchange`): every tracked path at or
    /// below each moves, and its verdicts are recomputed.
    pub(crate) fn renamed(&self, from: &[u8], to: &[u8], exchange: bool, rules: &Rules) {
        if from == to {
            return;
        }
        let mut by_path = self.by_path.lock();
        let moved_from = take_subtree(&mut by_path, from);
        let moved_to = take_subtree(&mut by_path, to);
        // What was at the destination is replaced (unless swapped): it loses its paths.
        let mut moves: Vec<(PathBuf, PathBuf, NodeId)> = Vec::new();
        for (path, node) in &moved_from {
            moves.push((path.clone(), rebase(path, from, to), *node));
        }
        if exchange {
            for (path, node) in &moved_to {
                moves.push((path.clone(), rebase(path, to, from), *node));
            }
        } else {
            for (path, node) in &moved_to {
                self.drop_path(*node, path, rules);
            }
        }
        for (old, new, node) in moves {
            by_path.insert(new.clone(), node);
            if let Some(mut info) = self.nodes.get_mut(&node) {
                let verdicts = Verdicts::of(rules, &new);
                if let Some(slot) = info.paths.iter_mut().find(|(p, _)| *p == old) {
                    *slot = (new, verdicts);
                }
                self.note(info.recombine(rules));
            }
        }
    }

    /// Removes `path` from `node`'s paths and recombines its verdicts (caller holds the index).
    fn drop_path(&self, node: NodeId, path: &[u8], rules: &Rules) {
        if let Some(mut info) = self.nodes.get_mut(&node) {
            info.paths.retain(|(p, _)| **p != *path);
            self.note(info.recombine(rules));
        }
    }

    /// Lookups held for `node` (tests check the mirror); `None` when not live.
    #[cfg(test)]
    pub(crate) fn lookups(&self, node: NodeId) -> Option<u64> {
        self.nodes
            .get(&node)
            .map(|i| i.lookups)
            .filter(|&n| n > 0 || node == self.root)
    }

    /// Entries kept, live or idle.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> usize {
        self.nodes.len()
    }
}

/// Removes from the index `path` and every path below it, returning them.
fn take_subtree(by_path: &mut BTreeMap<PathBuf, NodeId>, path: &[u8]) -> Vec<(PathBuf, NodeId)> {
    let mut taken = Vec::new();
    if let Some((key, node)) = by_path.remove_entry(path) {
        taken.push((key, node));
    }
    // Below `/a` sorts between `/a/` and `/a0` ('0' follows '/').
    let mut lo = path.to_vec();
    lo.push(b'/');
    let mut hi = path.to_vec();
    hi.push(b'/' + 1);
    if path == b"/" {
        return taken;
    }
    let below: Vec<PathBuf> = by_path
        .range::<[u8], _>((Bound::Included(&lo[..]), Bound::Excluded(&hi[..])))
        .map(|(k, _)| k.clone())
        .collect();
    for key in below {
        if let Some(entry) = by_path.remove_entry(&key) {
            taken.push(entry);
        }
    }
    taken
}

/// `path` with its prefix `from` replaced by `to`.
fn rebase(path: &[u8], from: &[u8], to: &[u8]) -> PathBuf {
    let rest = &path[from.len()..];
    to.iter().chain(rest).copied().collect()
}

/// True if `path` is `parent/name`, compared without building it.
fn is_child_path(path: &[u8], parent: &[u8], name: &Name) -> bool {
    let name = name.as_bytes();
    let sep = usize::from(parent != b"/");
    path.len() == parent.len() + sep + name.len()
        && path.starts_with(parent)
        && (sep == 0 || path[parent.len()] == b'/')
        && path.ends_with(name)
}

/// `parent/name` as a shared path, allocated once (`parent` is `/` for the root's children).
pub(crate) fn child_path(parent: &[u8], name: &Name) -> PathBuf {
    let sep: &[u8] = if parent == b"/" { b"" } else { b"/" };
    parent
        .iter()
        .chain(sep)
        .chain(name.as_bytes())
        .copied()
        .collect()
}

thread_local! {
    /// A reused buffer for paths that are only matched, never kept.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Calls `f` with `parent/name` built in a per-thread buffer (no allocation once warm).
pub(crate) fn with_child_path<T>(parent: &[u8], name: &Name, f: impl FnOnce(&[u8]) -> T) -> T {
    let fill = |buf: &mut Vec<u8>| {
        buf.clear();
        buf.extend_from_slice(parent);
        if parent != b"/" {
            buf.push(b'/');
        }
        buf.extend_from_slice(name.as_bytes());
    };
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            fill(&mut buf);
            f(&buf)
        }
        // Re-entered from inside `f` (never by this crate): use a fresh buffer.
        Err(_) => {
            let mut buf = Vec::new();
            fill(&mut buf);
            f(&buf)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, Glob, Op, OpSet, Rule};

    fn n(s: &str) -> &Name {
        Name::new(s.as_bytes()).unwrap()
    }

    fn rules() -> Rules {
        Rules::new(vec![Rule {
            glob: Glob::new("/ro/**").unwrap(),
            ops: OpSet::ALL,
            action: Action::ReadOnly,
        }])
    }

    fn record(t: &PathTable, node: u64, dir: bool, parent: &str, name: &str, r: &Rules) {
        let v = PathTable::verdicts_of(r, parent.as_bytes(), n(name));
        t.record(NodeId(node), dir, parent.as_bytes(), n(name), v, r);
    }

    #[test]
    fn child_paths() {
        assert_eq!(&*child_path(b"/", n("a")), b"/a");
        assert_eq!(&*child_path(b"/a", n("b")), b"/a/b");
        assert!(is_child_path(b"/a/b", b"/a", n("b")));
        assert!(is_child_path(b"/a", b"/", n("a")));
        assert!(!is_child_path(b"/ab", b"/", n("b")));
        assert!(!is_child_path(b"/a/bb", b"/a", n("b")));
    }

    #[test]
    fn counts_mirror_and_forget_drops() {
        let r = rules();
        let t = PathTable::new(NodeId(1), &r);
        record(&t, 2, false, "/", "f", &r);
        record(&t, 2, false, "/", "f", &r);
        assert_eq!(t.lookups(NodeId(2)), Some(2));
        t.forget(NodeId(2), 3);
        assert_eq!(t.lookups(NodeId(2)), Some(2), "too many is ignored");
        t.forget(NodeId(2), 2);
        assert_eq!(t.lookups(NodeId(2)), None);
        t.forget(NodeId(1), 5);
        assert!(t.contains(NodeId(1)));
        assert!(!t.contains(NodeId(2)));
        // Revived by a lookup of the same node under the same path.
        record(&t, 2, false, "/", "f", &r);
        assert_eq!(t.lookups(NodeId(2)), Some(1));
    }

    #[test]
    fn idle_entries_are_swept() {
        let r = rules();
        let t = PathTable::new(NodeId(1), &r);
        for i in 0..(IDLE_MAX as u64 + 10) {
            let name = format!("f{i}");
            record(&t, 10 + i, false, "/", &name, &r);
            t.forget(NodeId(10 + i), 1);
        }
        assert!(t.entries() <= IDLE_MAX, "{}", t.entries());
        assert!(t.by_path.lock().len() <= IDLE_MAX);
        assert!(t.contains(NodeId(1)));
    }

    #[test]
    fn attrs_change_once_a_node_is_hidden_or_loses_exec() {
        let r = Rules::new(vec![
            Rule {
                glob: Glob::new("/bin/**").unwrap(),
                ops: OpSet::of(&[Op::Exec]),
                action: Action::Deny {
                    errno: vfsbox_api::Errno::EACCES,
                },
            },
            Rule {
                glob: Glob::new("/**/.git").unwrap(),
                ops: OpSet::ALL,
                action: Action::Hide,
            },
        ]);
        let t = PathTable::new(NodeId(1), &r);
        record(&t, 2, true, "/", "src", &r);
        record(&t, 3, false, "/src", "x", &r);
        assert!(!t.attrs_changed(), "nothing seen is hidden or exec-denied");
        t.renamed(b"/src/x", b"/src/.git", false, &r);
        assert!(t.attrs_changed(), "a held node renamed under a hidden name");
        let t = PathTable::new(NodeId(1), &r);
        record(&t, 2, true, "/", "bin", &r);
        assert!(t.attrs_changed(), "/bin itself loses its exec");
        let all = PathTable::new(NodeId(1), &rules());
        assert!(!all.attrs_changed(), "read-only changes no attribute");
    }

    #[test]
    fn directory_rename_moves_verdicts_below() {
        let r = rules();
        let t = PathTable::new(NodeId(1), &r);
        record(&t, 2, true, "/", "d", &r);
        record(&t, 3, false, "/d", "f", &r);
        record(&t, 4, false, "/", "dx", &r);
        let ro = |node| t.verdicts(NodeId(node)).unwrap().action(&r, Op::Write);
        assert_eq!(ro(3), Action::Allow);
        t.renamed(b"/d", b"/ro", false, &r);
        assert_eq!(&*t.get(NodeId(3)).unwrap().0.unwrap(), b"/ro/f");
        assert_eq!(ro(3), Action::ReadOnly);
        assert_eq!(ro(2), Action::ReadOnly);
        assert_eq!(
            ro(4),
            Action::Allow,
            "a sibling sharing the prefix is not moved"
        );
        assert_eq!(&*t.get(NodeId(4)).unwrap().0.unwrap(), b"/dx");
    }
}
