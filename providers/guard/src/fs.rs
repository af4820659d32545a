//! [`Guarded`]: the wrapper that enforces a [`Guard`] on any provider.

use crate::audit::{AuditLog, AuditPath, Bytes, Outcome};
use crate::handles::{HandleInfo, HandleTable};
use crate::levels::{AuditLevel, Class, When};
use crate::limits::{Limits, Meter};
use crate::paths::{child_path, PathBuf, PathTable};
use crate::refuse;
use crate::symlinks::{SymlinkMode, SymlinkModes};
use crate::verdicts::Verdicts;
use crate::{Action, Op, OpSet, Rules};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use vfsbox_api::{
    Attr, Capabilities, DirEntry, Entry, Errno, FallocateMode, FileKind, FileSystem, HandleId,
    Name, NodeId, OpenFlags, Owner, RenameFlags, SeekHole, SetAttr, StatFs, XattrSet,
};

/// What a sandbox enforces: rules, limits, symlink modes per mount, and where to audit.
#[derive(Debug, Default)]
pub struct Guard {
    /// Path rules, first match wins.
    pub rules: Rules,
    /// Resource limits.
    pub limits: Limits,
    /// Symlink creation per mount path (e.g. `"/out"`); the longest prefix applies, and paths
    /// under no listed mount allow every symlink.
    pub symlinks: Vec<(String, SymlinkMode)>,
    /// Where calls are recorded, if anywhere.
    pub audit: Option<Arc<AuditLog>>,
    /// Which calls are recorded (failures always are).
    pub audit_level: AuditLevel,
}

/// A provider seen through a [`Guard`]: node ids, handle ids and cookies are the inner
/// provider's; hidden paths vanish, refused calls fail with the rule's errno, limits apply,
/// and calls are audited at the guard's [`AuditLevel`]. See the crate docs for the full semantics.
pub struct Guarded {
    inner: Arc<dyn FileSystem>,
    rules: Rules,
    meter: Meter,
    symlinks: SymlinkModes,
    audit: Option<Arc<AuditLog>>,
    level: AuditLevel,
    table: PathTable,
    handles: HandleTable,
    /// Some rule hides: listings must be filtered and lookups checked.
    hides: bool,
    /// Some rule denies exec: reported attributes may lose their x bits.
    exec_denied: bool,
    /// Held by every rename while some rule or symlink mode exists, from looking at what it
    /// moves to the rename itself: another rename cannot put a directory in the place of the
    /// file just looked at (which would carry a tree across a rule boundary unchecked).
    renaming: parking_lot::Mutex<()>,
}

/// The paths of one call, for its audit line; filled only when there is a log. A name is
/// borrowed from the call (`'n`), never copied here.
struct Trail<'n> {
    /// Gather paths as the call goes (it will be recorded, or may be).
    on: bool,
    path: AuditPath<'n>,
    path2: AuditPath<'n>,
    /// The call changed something (a handle that wrote): recorded at `When::IfMarked`.
    keep: bool,
    /// A file handle's totals, for its `release` line.
    bytes: Option<Bytes>,
}

/// What a call is about, to find its paths after a failure of a call that gathered none.
#[derive(Clone, Copy)]
enum Subject<'n> {
    Node(NodeId),
    Handle(HandleId),
    Name(NodeId, &'n Name),
    Names(NodeId, &'n Name, NodeId, &'n Name),
    Link(NodeId, NodeId, &'n Name),
}

impl<'n> Trail<'n> {
    fn new(on: bool) -> Trail<'n> {
        Trail {
            on,
            path: AuditPath::None,
            path2: AuditPath::None,
            keep: false,
            bytes: None,
        }
    }

    fn shared(&mut self, path: &PathBuf) {
        if self.on {
            self.path = AuditPath::Shared(path.clone());
        }
    }

    fn shared_opt(&mut self, path: Option<PathBuf>) {
        if self.on {
            if let Some(path) = path {
                self.path = AuditPath::Shared(path);
            }
        }
    }

    fn joined(&mut self, dir: &PathBuf, name: &'n Name) {
        if self.on {
            self.path = AuditPath::Joined(dir.clone(), name);
        }
    }

    fn joined2(&mut self, dir: &PathBuf, name: &'n Name) {
        if self.on {
            self.path2 = AuditPath::Joined(dir.clone(), name);
        }
    }
}

/// The two names of a rename, for [`Guarded::moved_refusal`].
struct Moved<'a> {
    dir: NodeId,
    name: &'a Name,
    new_dir: NodeId,
    new_name: &'a Name,
    from: &'a [u8],
    to: &'a [u8],
    exchange: bool,
}

impl Guarded {
    /// `inner` under `guard`. Globs are already compiled (in `guard.rules`); the root's
    /// verdicts are computed here.
    pub fn new(inner: Arc<dyn FileSystem>, guard: Guard) -> Guarded {
        let rules = guard.rules;
        let table = PathTable::new(inner.root(), &rules);
        let hides = rules.any(OpSet::ALL, |a| a == Action::Hide);
        let exec_denied = rules.any(OpSet::of(&[Op::Exec]), |a| matches!(a, Action::Deny { .. }));
        Guarded {
            inner,
            meter: Meter::new(guard.limits),
            symlinks: SymlinkModes::new(&guard.symlinks),
            audit: guard.audit,
            level: guard.audit_level,
            table,
            handles: HandleTable::default(),
            rules,
            hides,
            exec_denied,
            renaming: parking_lot::Mutex::new(()),
        }
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &Arc<dyn FileSystem> {
        &self.inner
    }

    /// The rules enforced.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The limits enforced.
    pub fn limits(&self) -> &Limits {
        &self.meter.limits
    }

    /// The audit log, if any.
    pub fn audit(&self) -> Option<&Arc<AuditLog>> {
        self.audit.as_ref()
    }

    /// Runs one call of `class`: `f` fills the trail; the result is recorded if the audit
    /// level says so. A call recorded only on failure reads no clock and gathers no path
    /// unless it fails; then its paths are found from `subject` and the line has no
    /// duration.
    #[inline]
    fn audited<'n, T>(
        &self,
        op: &'static str,
        class: Class,
        subject: Subject<'n>,
        f: impl FnOnce(&mut Trail<'n>) -> Result<T, Errno>,
    ) -> Result<T, Errno> {
        let Some(log) = &self.audit else {
            return f(&mut Trail::new(false));
        };
        let when = self.level.when(class);
        if when == When::Failures {
            let mut trail = Trail::new(false);
            let result = f(&mut trail);
            if let Err(errno) = &result {
                trail.on = true;
                self.late_trail(subject, &mut trail);
                let outcome = Outcome {
                    start: None,
                    end: log.now(),
                    errno: Some(*errno),
                    bytes: trail.bytes,
                };
                log.record(op, outcome, &trail.path, &trail.path2);
            }
            return result;
        }
        // Two raw clock readings per recorded call; the writer thread turns them into times.
        let start = log.now();
        let mut trail = Trail::new(true);
        let result = f(&mut trail);
        if when == When::Always || trail.keep || result.is_err() {
            let outcome = Outcome {
                start: Some(start),
                end: log.now(),
                errno: result.as_ref().err().copied(),
                bytes: trail.bytes,
            };
            log.record(op, outcome, &trail.path, &trail.path2);
        }
        result
    }

    /// The paths of a failed call that gathered none, from what it was about.
    fn late_trail<'n>(&self, subject: Subject<'n>, trail: &mut Trail<'n>) {
        let dir_path = |dir: NodeId| self.table.get(dir).and_then(|(p, _)| p);
        match subject {
            Subject::Node(node) => self.node_trail(node, trail),
            Subject::Handle(handle) => self.handle_trail(handle, trail),
            Subject::Name(dir, name) => {
                if let Some(p) = dir_path(dir) {
                    trail.joined(&p, name);
                }
            }
            Subject::Names(dir, name, new_dir, new_name) => {
                if let Some(p) = dir_path(dir) {
                    trail.joined(&p, name);
                }
                if let Some(p) = dir_path(new_dir) {
                    trail.joined2(&p, new_name);
                }
            }
            Subject::Link(node, new_dir, new_name) => {
                self.node_trail(node, trail);
                if let Some(p) = dir_path(new_dir) {
                    trail.joined2(&p, new_name);
                }
            }
        }
    }

    /// Adds a data call's bytes to its handle's totals (only with a log: the `release` line
    /// reports them) and, for a call being recorded, takes the handle's path: one table
    /// lookup for both.
    fn tally(&self, handle: HandleId, bytes: Option<Bytes>, trail: &mut Trail<'_>) {
        if self.audit.is_none() {
            return;
        }
        let on = trail.on;
        let path = self.handles.with(handle, |h| {
            if let Some(b) = bytes {
                h.read.fetch_add(b.read, Ordering::Relaxed);
                h.written.fetch_add(b.written, Ordering::Relaxed);
            }
            if on {
                h.path.clone()
            } else {
                None
            }
        });
        trail.shared_opt(path.flatten());
    }

    /// The path and verdicts of a node the wrapper handed out; `ESTALE` for any other.
    fn node(&self, node: NodeId) -> Result<(Option<PathBuf>, Verdicts), Errno> {
        self.table.get(node).ok_or(Errno::ESTALE)
    }

    /// The path of a directory a name is made or removed in. `ESTALE` for an unknown node;
    /// `ENOENT`/`ENOTDIR` for a node with no path left (a removed directory, an unlinked
    /// file).
    fn dir_path(&self, dir: NodeId) -> Result<(PathBuf, Verdicts), Errno> {
        match self.node(dir)? {
            (Some(path), verdicts) => Ok((path, verdicts)),
            (None, _) => Err(refuse::pathless_dir(&*self.inner, dir)),
        }
    }

    /// The action of `op` under `verdicts`.
    fn action(&self, verdicts: &Verdicts, op: Op) -> Action {
        verdicts.action(&self.rules, op)
    }

    /// What a node-level call of class `op` fails with: `ENOENT` if the node is hidden, the
    /// refusal of its verdicts otherwise.
    fn node_refusal(&self, verdicts: &Verdicts, op: Op) -> Option<Errno> {
        if self.hides && verdicts.hidden(&self.rules) {
            return Some(Errno::ENOENT);
        }
        self.action(verdicts, op).errno(op)
    }

    /// Attributes as the wrapper reports them: a denied exec clears the x bits of regular
    /// files, so neither the emulated layer nor the kernel will execute them.
    fn shown(&self, mut attr: Attr, verdicts: &Verdicts) -> Attr {
        if self.exec_denied
            && attr.kind == FileKind::Regular
            && matches!(self.action(verdicts, Op::Exec), Action::Deny { .. })
        {
            attr.perm &= !0o111;
        }
        attr
    }

    /// Records a node just handed out by the inner provider under `parent/name` and returns
    /// the entry as reported.
    fn handed_out(
        &self,
        entry: Entry,
        parent: &PathBuf,
        name: &Name,
        verdicts: Verdicts,
        trail: &mut Trail<'_>,
    ) -> Entry {
        let is_dir = entry.attr.kind == FileKind::Directory;
        let (path, all) =
            self.table
                .record(entry.node, is_dir, parent, name, verdicts, &self.rules);
        trail.shared(&path);
        Entry {
            node: entry.node,
            attr: self.shown(entry.attr, &all),
        }
    }

    /// Runs `open` holding the open-files slot `counted` (given back if it fails), and
    /// records the handle.
    fn open_handle(
        &self,
        node: NodeId,
        path: Option<PathBuf>,
        verdicts: Verdicts,
        flags: OpenFlags,
        counted: bool,
        open: impl FnOnce() -> Result<HandleId, Errno>,
    ) -> Result<HandleId, Errno> {
        match open() {
            Ok(handle) => {
                self.handles.insert(
                    handle,
                    HandleInfo {
                        node,
                        path,
                        verdicts,
                        counted,
                        writable: flags.writable(),
                        append: flags.contains(OpenFlags::APPEND),
                        read: AtomicU64::new(0),
                        written: AtomicU64::new(0),
                    },
                );
                Ok(handle)
            }
            Err(e) => {
                self.meter.release_handle(counted);
                Err(e)
            }
        }
    }

    /// What an open with `flags` is for the audit level: `O_TRUNC` changes the file.
    fn open_class(flags: OpenFlags) -> Class {
        if flags.contains(OpenFlags::TRUNCATE) {
            Class::Change
        } else {
            Class::Access
        }
    }

    /// The classes an open with `flags` is checked as.
    fn open_ops(flags: OpenFlags) -> [Option<Op>; 2] {
        [
            flags.readable().then_some(Op::Read),
            (flags.writable() || flags.contains(OpenFlags::TRUNCATE)).then_some(Op::Write),
        ]
    }

    /// The first refusal of an open with `flags` under `verdicts` (not counting hiding).
    fn open_refusal(&self, verdicts: &Verdicts, flags: OpenFlags) -> Option<Errno> {
        Self::open_ops(flags)
            .into_iter()
            .flatten()
            .find_map(|op| self.action(verdicts, op).errno(op))
    }

    /// The refusal of making `name` (class `op`) under `verdicts` (the new path's): hidden is
    /// `EACCES` at once; a deny or read-only after Linux's name checks.
    fn making_refusal(
        &self,
        dir: NodeId,
        name: &Name,
        verdicts: &Verdicts,
        op: Op,
    ) -> Result<(), Errno> {
        if self.hides && verdicts.hidden(&self.rules) {
            return Err(Errno::EACCES);
        }
        match self.action(verdicts, op).errno(op) {
            Some(errno) => Err(refuse::new_name(&*self.inner, dir, name, errno)),
            None => Ok(()),
        }
    }

    fn do_lookup<'n>(
        &self,
        dir: NodeId,
        name: &'n Name,
        trail: &mut Trail<'n>,
    ) -> Result<Entry, Errno> {
        let (parent, dir_verdicts) = self.node(dir)?;
        let Some(parent) = parent else {
            return Err(refuse::pathless_dir(&*self.inner, dir));
        };
        trail.joined(&parent, name);
        if self.hides && dir_verdicts.hidden(&self.rules) {
            return Err(Errno::ENOENT);
        }
        let entry = self.inner.lookup(dir, name)?;
        if let Some((path, own, all)) = self.table.count_known(entry.node, &parent, name) {
            if self.hides && own.hidden(&self.rules) {
                self.table.forget(entry.node, 1);
                self.inner.forget(entry.node, 1);
                return Err(Errno::ENOENT);
            }
            trail.shared(&path);
            return Ok(Entry {
                node: entry.node,
                attr: self.shown(entry.attr, &all),
            });
        }
        let verdicts = PathTable::verdicts_of(&self.rules, &parent, name);
        if self.hides && verdicts.hidden(&self.rules) {
            self.inner.forget(entry.node, 1);
            return Err(Errno::ENOENT);
        }
        Ok(self.handed_out(entry, &parent, name, verdicts, trail))
    }

    /// `getattr` when its success is logged or some node's attributes are changed (the
    /// plain case passes straight through in `getattr`; the inner provider's `ESTALE` for a
    /// node it does not know is the one the table would give).
    fn do_getattr(&self, node: NodeId, trail: &mut Trail<'_>) -> Result<Attr, Errno> {
        let verdicts = if trail.on {
            let (path, verdicts) = self.node(node)?;
            trail.shared_opt(path);
            verdicts
        } else {
            self.table.verdicts(node).ok_or(Errno::ESTALE)?
        };
        if self.hides && verdicts.hidden(&self.rules) {
            return Err(Errno::ENOENT);
        }
        Ok(self.shown(self.inner.getattr(node)?, &verdicts))
    }

    fn do_setattr(
        &self,
        node: NodeId,
        changes: &SetAttr,
        handle: Option<HandleId>,
        trail: &mut Trail<'_>,
    ) -> Result<Attr, Errno> {
        let (path, verdicts) = match self.table.get(node) {
            Some(known) => known,
            // A node forgotten while a handle of it is open (`ftruncate`): the handle's.
            None => handle
                .and_then(|h| {
                    self.handles
                        .with(h, |info| {
                            (info.node == node).then(|| (info.path.clone(), info.verdicts))
                        })
                        .flatten()
                })
                .ok_or(Errno::ESTALE)?,
        };
        trail.shared_opt(path);
        if changes.is_empty() {
            return Ok(self.shown(self.inner.setattr(node, changes, handle)?, &verdicts));
        }
        let classes = [
            (changes.uid.is_some() || changes.gid.is_some(), Op::Chown),
            (changes.perm.is_some(), Op::Chmod),
            (
                changes.size.is_some() || changes.atime.is_some() || changes.mtime.is_some(),
                Op::Write,
            ),
        ];
        for op in classes
            .iter()
            .filter(|(applies, _)| *applies)
            .map(|&(_, op)| op)
        {
            if let Some(errno) = self.node_refusal(&verdicts, op) {
                return Err(match changes.size {
                    Some(_) if errno != Errno::ENOENT => {
                        refuse::truncate(&*self.inner, node, errno)
                    }
                    _ => errno,
                });
            }
        }
        if let Some(size) = changes.size {
            if let Err(errno) = self.meter.check_size(size) {
                return Err(refuse::truncate(&*self.inner, node, errno));
            }
        }
        Ok(self.shown(self.inner.setattr(node, changes, handle)?, &verdicts))
    }

    fn do_readlink(&self, node: NodeId, trail: &mut Trail<'_>) -> Result<Vec<u8>, Errno> {
        let (path, verdicts) = self.node(node)?;
        trail.shared_opt(path);
        if let Some(errno) = self.node_refusal(&verdicts, Op::Read) {
            return Err(errno);
        }
        self.inner.readlink(node)
    }

    fn do_mkdir<'n>(
        &self,
        dir: NodeId,
        name: &'n Name,
        perm: u32,
        owner: Owner,
        trail: &mut Trail<'n>,
    ) -> Result<Entry, Errno> {
        let (parent, _) = self.dir_path(dir)?;
        trail.joined(&parent, name);
        let verdicts = PathTable::verdicts_of(&self.rules, &parent, name);
        self.making_refusal(dir, name, &verdicts, Op::Create)?;
        let entry = self.inner.mkdir(dir, name, perm, owner)?;
        Ok(self.handed_out(entry, &parent, name, verdicts, trail))
    }

    #[allow(clippy::too_many_arguments)]
    fn do_mknod<'n>(
        &self,
        dir: NodeId,
        name: &'n Name,
        kind: FileKind,
        perm: u32,
        rdev: u64,
        owner: Owner,
        trail: &mut Trail<'n>,
    ) -> Result<Entry, Errno> {
        let (parent, _) = self.dir_path(dir)?;
        trail.joined(&parent, name);
        match kind {
            FileKind::Directory => return Err(Errno::EPERM),
            FileKind::Symlink => return Err(Errno::EINVAL),
            _ => {}
        }
        let verdicts = PathTable::verdicts_of(&self.rules, &parent, name);
        self.making_refusal(dir, name, &verdicts, Op::Create)?;
        let entry = self.inner.mknod(dir, name, kind, perm, rdev, owner)?;
        Ok(self.handed_out(entry, &parent, name, verdicts, trail))
    }

    fn do_create<'n>(
        &self,
        dir: NodeId,
        name: &'n Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
        trail: &mut Trail<'n>,
    ) -> Result<(Entry, HandleId), Errno> {
        let (parent, _) = self.dir_path(dir)?;
        trail.joined(&parent, name);
        // Linux takes the descriptor before resolving anything: EMFILE first.
        let counted = self.meter.reserve_handle()?;
        let result = self.create_counted(dir, name, perm, flags, owner, &parent, trail);
        match result {
            Ok((entry, handle, path, verdicts)) => {
                self.handles.insert(
                    handle,
                    HandleInfo {
                        node: entry.node,
                        path: Some(path),
                        verdicts,
                        counted,
                        writable: flags.writable(),
                        append: flags.contains(OpenFlags::APPEND),
                        read: AtomicU64::new(0),
                        written: AtomicU64::new(0),
                    },
                );
                Ok((entry, handle))
            }
            Err(e) => {
                self.meter.release_handle(counted);
                Err(e)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn create_counted<'n>(
        &self,
        dir: NodeId,
        name: &'n Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
        parent: &PathBuf,
        trail: &mut Trail<'n>,
    ) -> Result<(Entry, HandleId, PathBuf, Verdicts), Errno> {
        let verdicts = PathTable::verdicts_of(&self.rules, parent, name);
        if self.hides && verdicts.hidden(&self.rules) {
            return Err(Errno::EACCES);
        }
        let make_refusal = self.action(&verdicts, Op::Create).errno(Op::Create);
        // An existing name whose node the table holds to stricter verdicts (a hard link also
        // reached by a protected path) must not be opened, or truncated, by its free name.
        let known = if self.rules.is_empty() {
            None
        } else {
            self.table.verdicts_at(parent, name)
        };
        let open_refusal = self.open_refusal(
            &known.map_or(verdicts, |v| v.strictest(verdicts, &self.rules)),
            flags,
        );
        if make_refusal.is_some() || open_refusal.is_some() {
            // Which applies depends on whether the name exists: look first.
            match self.inner.lookup(dir, name) {
                Ok(existing) => {
                    let node_verdicts = self
                        .table
                        .verdicts(existing.node)
                        .map_or(verdicts, |v| v.strictest(verdicts, &self.rules));
                    let refusal = if flags.contains(OpenFlags::EXCLUSIVE) {
                        Some(Errno::EEXIST)
                    } else {
                        self.open_refusal(&node_verdicts, flags)
                    };
                    let outcome = match refusal {
                        Some(errno) if errno == Errno::EEXIST => Err(errno),
                        Some(errno) => refuse::open(&*self.inner, existing.node, errno),
                        None => Ok(()),
                    };
                    self.inner.forget(existing.node, 1);
                    outcome?;
                }
                Err(Errno::ENOENT) => {
                    if let Some(errno) = make_refusal {
                        return Err(refuse::missing_name(&*self.inner, dir, errno));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        let (entry, handle) = self.inner.create(dir, name, perm, flags, owner)?;
        let is_dir = entry.attr.kind == FileKind::Directory;
        let (path, all) =
            self.table
                .record(entry.node, is_dir, parent, name, verdicts, &self.rules);
        trail.shared(&path);
        let entry = Entry {
            node: entry.node,
            attr: self.shown(entry.attr, &all),
        };
        Ok((entry, handle, path, all))
    }

    fn do_symlink<'n>(
        &self,
        dir: NodeId,
        name: &'n Name,
        target: &[u8],
        owner: Owner,
        trail: &mut Trail<'n>,
    ) -> Result<Entry, Errno> {
        refuse::symlink_target(target)?;
        let (parent, _) = self.dir_path(dir)?;
        trail.joined(&parent, name);
        let verdicts = PathTable::verdicts_of(&self.rules, &parent, name);
        self.making_refusal(dir, name, &verdicts, Op::Symlink)?;
        if self.symlinks.restricts() {
            if let Err(errno) = self.symlinks.check(&parent, target) {
                return Err(refuse::new_name(&*self.inner, dir, name, errno));
            }
        }
        let entry = self.inner.symlink(dir, name, target, owner)?;
        Ok(self.handed_out(entry, &parent, name, verdicts, trail))
    }

    fn do_link<'n>(
        &self,
        node: NodeId,
        new_dir: NodeId,
        new_name: &'n Name,
        trail: &mut Trail<'n>,
    ) -> Result<Entry, Errno> {
        let (source, source_verdicts) = self.node(node)?;
        trail.shared_opt(source);
        let (parent, _) = self.dir_path(new_dir)?;
        trail.joined2(&parent, new_name);
        if self.hides && source_verdicts.hidden(&self.rules) {
            return Err(Errno::ENOENT);
        }
        let verdicts = PathTable::verdicts_of(&self.rules, &parent, new_name);
        if self.hides && verdicts.hidden(&self.rules) {
            return Err(Errno::EACCES);
        }
        let refusal = self
            .action(&source_verdicts, Op::Link)
            .errno(Op::Link)
            .or_else(|| self.action(&verdicts, Op::Link).errno(Op::Link));
        if let Some(errno) = refusal {
            return Err(refuse::new_name(&*self.inner, new_dir, new_name, errno));
        }
        // A link between two regimes would make one content reachable by a path the other
        // regime's rules do not cover: held to the strictest verdicts only while the table
        // knows both paths, and free for good once the node is forgotten (or in the next
        // session over the same host tree). Refused as a cross-device link, after `EEXIST`
        // as Linux orders them; `cp` or `ln` users copy instead.
        if !source_verdicts.same_regime(&verdicts, &self.rules) {
            return Err(refuse::new_name(
                &*self.inner,
                new_dir,
                new_name,
                Errno::EXDEV,
            ));
        }
        // A hard link to a symbolic link is a new name for the link itself: under a mount
        // that restricts links it is checked as if made there, as a rename is.
        if self.symlinks.restricts() && self.inner.getattr(node)?.kind == FileKind::Symlink {
            let target = self.inner.readlink(node)?;
            if let Err(errno) = self.symlinks.check(&parent, &target) {
                return Err(refuse::new_name(&*self.inner, new_dir, new_name, errno));
            }
        }
        let entry = self.inner.link(node, new_dir, new_name)?;
        let (path, all) =
            self.table
                .record(entry.node, false, &parent, new_name, verdicts, &self.rules);
        if trail.on {
            trail.path2 = AuditPath::Shared(path);
        }
        Ok(Entry {
            node: entry.node,
            attr: self.shown(entry.attr, &all),
        })
    }

    fn do_remove<'n>(
        &self,
        dir: NodeId,
        name: &'n Name,
        trail: &mut Trail<'n>,
        remove: impl FnOnce() -> Result<(), Errno>,
    ) -> Result<(), Errno> {
        let (parent, _) = self.dir_path(dir)?;
        trail.joined(&parent, name);
        let verdicts = PathTable::verdicts_of(&self.rules, &parent, name);
        if self.hides && verdicts.hidden(&self.rules) {
            return Err(Errno::ENOENT);
        }
        if let Some(errno) = self.action(&verdicts, Op::Delete).errno(Op::Delete) {
            return Err(refuse::removal(&*self.inner, dir, name, errno));
        }
        remove()?;
        self.table.unlinked(&parent, name, &self.rules);
        Ok(())
    }

    fn do_rename<'n>(
        &self,
        dir: NodeId,
        name: &'n Name,
        new_dir: NodeId,
        new_name: &'n Name,
        flags: RenameFlags,
        trail: &mut Trail<'n>,
    ) -> Result<(), Errno> {
        let (parent, _) = self.dir_path(dir)?;
        let (new_parent, _) = self.dir_path(new_dir)?;
        let from = child_path(&parent, name);
        let to = child_path(&new_parent, new_name);
        if trail.on {
            trail.path = AuditPath::Shared(from.clone());
            trail.path2 = AuditPath::Shared(to.clone());
        }
        let from_verdicts = Verdicts::of(&self.rules, &from);
        let to_verdicts = Verdicts::of(&self.rules, &to);
        if self.hides && from_verdicts.hidden(&self.rules) {
            return Err(Errno::ENOENT);
        }
        if self.hides && to_verdicts.hidden(&self.rules) {
            return Err(Errno::EACCES);
        }
        let refusals = [
            self.action(&from_verdicts, Op::Rename).errno(Op::Rename),
            self.action(&to_verdicts, Op::Rename).errno(Op::Rename),
        ];
        // A read-only refusal comes first (the mount is asked before the names are seen).
        let refusal = refusals
            .iter()
            .flatten()
            .find(|&&e| e == Errno::EROFS)
            .or_else(|| refusals.iter().flatten().next());
        if let Some(&errno) = refusal {
            return Err(refuse::removal(&*self.inner, dir, name, errno));
        }
        let exchange = flags == RenameFlags::Exchange;
        self.replaced_refusal(
            &from_verdicts,
            &to_verdicts,
            (dir, name),
            (new_dir, new_name),
            flags,
        )?;
        let rules_differ = self.rules.rename_conflict(&from, &to).is_some();
        let regime_differs = !from_verdicts.same_regime(&to_verdicts, &self.rules);
        // Every rename is serialised when some check may look at what a rename moves: the
        // rename that swaps a directory in need not be one that is checked itself.
        let _serialized =
            (!self.rules.is_empty() || self.symlinks.restricts()).then(|| self.renaming.lock());
        if rules_differ || regime_differs || self.symlinks.restricts() {
            let moved = Moved {
                dir,
                name,
                new_dir,
                new_name,
                from: &from,
                to: &to,
                exchange,
            };
            self.moved_refusal(&moved, &parent, &new_parent, rules_differ, regime_differs)?;
        }
        self.inner.rename(dir, name, new_dir, new_name, flags)?;
        self.table.renamed(&from, &to, exchange, &self.rules);
        Ok(())
    }

    /// What a permitted rename must still refuse because of what it moves. A directory
    /// whose move would change a verdict below it (see [`Rules::rename_conflict`]) or could
    /// take a relative link out of a `relative-inside` mount is `EXDEV`: rules are path
    /// globs, so a rename of a parent must not carry hidden or protected paths to where no
    /// rule covers them. `mv` answers `EXDEV` by copying and removing file by file, each
    /// through the rules (hidden entries stay invisible to the copy, and the source
    /// directory then stays, `ENOTEMPTY`). A symbolic link moved into a `relative-inside`
    /// mount is checked as if made there (`EPERM`). A source that cannot be looked up is
    /// left to the inner provider, which answers the right error.
    fn moved_refusal(
        &self,
        m: &Moved<'_>,
        parent: &PathBuf,
        new_parent: &PathBuf,
        rules_differ: bool,
        regime_differs: bool,
    ) -> Result<(), Errno> {
        let Some((kind, target)) = self.peek(m.dir, m.name) else {
            return Ok(());
        };
        let (other_kind, other_target) = if m.exchange {
            match self.peek(m.new_dir, m.new_name) {
                Some(found) => found,
                None => return Ok(()),
            }
        } else {
            (FileKind::Regular, None)
        };
        let moves_dir = kind == FileKind::Directory || other_kind == FileKind::Directory;
        // What is moved keeps its verdicts: a node whose own path changes regime (a tool out
        // of an exec-denied tree, a file out of a write-denied one) is EXDEV, as a whole tree
        // whose paths below would change regime is.
        if regime_differs
            || (moves_dir
                && (rules_differ || self.symlinks.dir_move_may_escape(m.from, m.to, m.exchange)))
        {
            return Err(Errno::EXDEV);
        }
        if let Some(target) = target {
            self.symlinks.check(new_parent, &target)?;
        }
        if let Some(target) = other_target {
            self.symlinks.check(parent, &target)?;
        }
        Ok(())
    }

    /// A rename that replaces what is at the destination deletes it: refused as a removal
    /// there when the rules deny `delete` (an exchange replaces both names). Checked only when
    /// `delete` is refused, with one lookup of the destination (a new name deletes nothing).
    fn replaced_refusal(
        &self,
        from_verdicts: &Verdicts,
        to_verdicts: &Verdicts,
        (dir, name): (NodeId, &Name),
        (new_dir, new_name): (NodeId, &Name),
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        if flags == RenameFlags::NoReplace {
            return Ok(());
        }
        let exchange = flags == RenameFlags::Exchange;
        for verdicts in [Some(to_verdicts), exchange.then_some(from_verdicts)]
            .into_iter()
            .flatten()
        {
            if let Some(errno) = self.action(verdicts, Op::Delete).errno(Op::Delete) {
                // A missing source is the provider's ENOENT, first (as Linux orders it).
                let exists = |dir, name| {
                    self.inner
                        .lookup(dir, name)
                        .map(|entry| self.inner.forget(entry.node, 1))
                        .is_ok()
                };
                if exists(dir, name) && exists(new_dir, new_name) {
                    return Err(errno);
                }
            }
        }
        Ok(())
    }

    /// The kind of `dir/name` in the inner provider, and a symbolic link's target when some
    /// mount restricts links; `None` if it cannot be looked up. The lookup is given back.
    fn peek(&self, dir: NodeId, name: &Name) -> Option<(FileKind, Option<Vec<u8>>)> {
        let entry = self.inner.lookup(dir, name).ok()?;
        let kind = entry.attr.kind;
        let target = (kind == FileKind::Symlink && self.symlinks.restricts())
            .then(|| self.inner.readlink(entry.node).ok())
            .flatten();
        self.inner.forget(entry.node, 1);
        Some((kind, target))
    }

    fn do_open(
        &self,
        node: NodeId,
        flags: OpenFlags,
        trail: &mut Trail<'_>,
    ) -> Result<HandleId, Errno> {
        let (path, verdicts) = self.node(node)?;
        trail.shared_opt(path.clone());
        // Linux takes the descriptor first: EMFILE before any other refusal.
        let counted = self.meter.reserve_handle()?;
        let checked = if self.hides && verdicts.hidden(&self.rules) {
            Err(Errno::ENOENT)
        } else {
            match self.open_refusal(&verdicts, flags) {
                Some(errno) => refuse::open(&*self.inner, node, errno),
                None => Ok(()),
            }
        };
        if let Err(e) = checked {
            self.meter.release_handle(counted);
            return Err(e);
        }
        self.open_handle(node, path, verdicts, flags, counted, || {
            self.inner.open(node, flags)
        })
    }

    fn do_opendir(&self, node: NodeId, trail: &mut Trail<'_>) -> Result<HandleId, Errno> {
        let (path, verdicts) = self.node(node)?;
        trail.shared_opt(path.clone());
        let counted = self.meter.reserve_handle()?;
        if let Some(errno) = self.node_refusal(&verdicts, Op::Read) {
            self.meter.release_handle(counted);
            return Err(match errno {
                Errno::ENOENT => errno,
                _ => refuse::opendir(&*self.inner, node, errno),
            });
        }
        self.open_handle(node, path, verdicts, OpenFlags::READ, counted, || {
            self.inner.opendir(node)
        })
    }

    fn do_write(&self, handle: HandleId, offset: u64, data: &[u8]) -> Result<usize, Errno> {
        if !self.meter.limits_writes() {
            return self.inner.write(handle, offset, data);
        }
        let (node, writable, append) = self
            .handles
            .with(handle, |h| (h.node, h.writable, h.append))
            .ok_or(Errno::EBADF)?;
        if !writable || data.is_empty() {
            return self.inner.write(handle, offset, data);
        }
        let at = if append && self.meter.limits.max_file_size.is_some() {
            self.inner.getattr(node)?.size
        } else {
            offset
        };
        let fits = self.meter.fit_file_size(at, data.len())?;
        let granted = self.meter.reserve_bytes(fits)?;
        match self.inner.write(handle, offset, &data[..granted]) {
            Ok(n) => {
                self.meter.refund(granted.saturating_sub(n));
                Ok(n)
            }
            Err(e) => {
                self.meter.refund(granted);
                Err(e)
            }
        }
    }

    fn do_readdir(
        &self,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
        trail: &mut Trail<'_>,
    ) -> Result<(), Errno> {
        if !self.hides {
            if trail.on {
                trail.shared_opt(self.handles.path(handle));
            }
            return self.inner.readdir(handle, cookie, sink);
        }
        let Some(dir) = self.handles.path(handle) else {
            // Not a handle of ours: the inner provider gives the right error.
            return self.inner.readdir(handle, cookie, sink);
        };
        trail.shared(&dir);
        let rules = &self.rules;
        // Hidden entries are consumed silently: the inner provider's cookies stay valid.
        self.inner.readdir(handle, cookie, &mut |entry| {
            let hidden = crate::paths::with_child_path(&dir, entry.name, |path| {
                rules.decide(path, Op::Read).action == Action::Hide
            });
            hidden || sink(entry)
        })
    }

    fn do_fallocate(
        &self,
        handle: HandleId,
        mode: FallocateMode,
        offset: u64,
        len: u64,
        trail: &mut Trail<'_>,
    ) -> Result<(), Errno> {
        let info = self.handles.with(handle, |h| (h.writable, h.path.clone()));
        if let Some((writable, path)) = info {
            trail.shared_opt(path);
            // `KeepSize` too: it leaves the size alone but allocates the blocks, so a file
            // of four bytes could hold any amount of storage past the limit.
            if writable && len > 0 && mode != FallocateMode::PunchHole {
                let end = offset.checked_add(len).ok_or(Errno::EFBIG)?;
                self.meter.check_size(end)?;
            }
        }
        self.inner.fallocate(handle, mode, offset, len)
    }

    /// `file`: a file handle, whose line carries its byte totals (and is a change if it
    /// wrote).
    fn do_release(
        &self,
        handle: HandleId,
        file: bool,
        trail: &mut Trail<'_>,
        release: impl FnOnce() -> Result<(), Errno>,
    ) -> Result<(), Errno> {
        if let Some(info) = self.handles.remove(handle) {
            self.meter.release_handle(info.counted);
            if file && self.audit.is_some() {
                let bytes = info.bytes();
                trail.keep = bytes.written > 0;
                trail.bytes = Some(bytes);
            }
            trail.shared_opt(info.path);
        }
        release()
    }

    fn do_xattr<T>(
        &self,
        node: NodeId,
        mutates: bool,
        trail: &mut Trail<'_>,
        precheck: impl FnOnce() -> Result<(), Errno>,
        call: impl FnOnce() -> Result<T, Errno>,
    ) -> Result<T, Errno> {
        let (path, verdicts) = self.node(node)?;
        trail.shared_opt(path);
        if self.hides && verdicts.hidden(&self.rules) {
            return Err(Errno::ENOENT);
        }
        match self.action(&verdicts, Op::Xattr) {
            Action::Deny { errno } => return Err(errno),
            Action::ReadOnly if mutates => {
                precheck()?;
                return Err(Errno::EROFS);
            }
            _ => {}
        }
        call()
    }

    /// The handle's path for the audit line, looked up only when there is a log.
    fn handle_trail(&self, handle: HandleId, trail: &mut Trail<'_>) {
        if trail.on {
            trail.shared_opt(self.handles.path(handle));
        }
    }

    /// The node's path for the audit line, looked up only when there is a log.
    fn node_trail(&self, node: NodeId, trail: &mut Trail<'_>) {
        if trail.on {
            if let Some((path, _)) = self.table.get(node) {
                trail.shared_opt(path);
            }
        }
    }
}

impl std::fmt::Debug for Guarded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guarded")
            .field("rules", &self.rules.len())
            .field("limits", &self.meter.limits)
            .field("audit", &self.audit)
            .finish()
    }
}

impl FileSystem for Guarded {
    vfsbox_api::forward_filesystem!(inner: root);

    /// The inner provider's, with `max_file_size` lowered to the file-size limit.
    fn capabilities(&self) -> Capabilities {
        let caps = self.inner.capabilities();
        Capabilities {
            max_file_size: self
                .meter
                .limits
                .max_file_size
                .map_or(caps.max_file_size, |max| max.min(caps.max_file_size)),
            ..caps
        }
    }

    /// The inner provider's backing file, only when nothing here acts on `read`/`write` of an
    /// open handle: no audit log (each read and write is a line, or counted for the handle's
    /// `release` line) and no file-size or
    /// bytes-written limit (writes are cut short here). Rules and the open-files limit are
    /// checked at `open`, which still comes here, so they do not stop it.
    fn backing_file(&self, handle: HandleId) -> Option<std::os::fd::OwnedFd> {
        if self.audit.is_some() || self.meter.limits_writes() {
            return None;
        }
        self.inner.backing_file(handle)
    }

    fn lookup(&self, dir: NodeId, name: &Name) -> Result<Entry, Errno> {
        self.audited("lookup", Class::Query, Subject::Name(dir, name), |t| {
            self.do_lookup(dir, name, t)
        })
    }

    /// Mirrored in the node table, then forwarded. Not audited (the kernel sends many).
    fn forget(&self, node: NodeId, count: u64) {
        self.table.forget(node, count);
        self.inner.forget(node, count);
    }

    fn getattr(&self, node: NodeId) -> Result<Attr, Errno> {
        // The common case first, without the audit machinery: a success that is not logged
        // and attributes no rule changes are the inner provider's answer as it is.
        let logs_success = self.audit.is_some() && self.level.when(Class::Query) != When::Failures;
        if !logs_success && !((self.hides || self.exec_denied) && self.table.attrs_changed()) {
            return match self.inner.getattr(node) {
                Ok(attr) => Ok(attr),
                Err(e) => self.audited("getattr", Class::Query, Subject::Node(node), |_| Err(e)),
            };
        }
        self.audited("getattr", Class::Query, Subject::Node(node), |t| {
            self.do_getattr(node, t)
        })
    }

    fn setattr(
        &self,
        node: NodeId,
        changes: &SetAttr,
        handle: Option<HandleId>,
    ) -> Result<Attr, Errno> {
        self.audited("setattr", Class::Change, Subject::Node(node), |t| {
            self.do_setattr(node, changes, handle, t)
        })
    }

    fn readlink(&self, node: NodeId) -> Result<Vec<u8>, Errno> {
        self.audited("readlink", Class::Query, Subject::Node(node), |t| {
            self.do_readlink(node, t)
        })
    }

    fn mkdir(&self, dir: NodeId, name: &Name, perm: u32, owner: Owner) -> Result<Entry, Errno> {
        self.audited("mkdir", Class::Change, Subject::Name(dir, name), |t| {
            self.do_mkdir(dir, name, perm, owner, t)
        })
    }

    fn mknod(
        &self,
        dir: NodeId,
        name: &Name,
        kind: FileKind,
        perm: u32,
        rdev: u64,
        owner: Owner,
    ) -> Result<Entry, Errno> {
        self.audited("mknod", Class::Change, Subject::Name(dir, name), |t| {
            self.do_mknod(dir, name, kind, perm, rdev, owner, t)
        })
    }

    fn create(
        &self,
        dir: NodeId,
        name: &Name,
        perm: u32,
        flags: OpenFlags,
        owner: Owner,
    ) -> Result<(Entry, HandleId), Errno> {
        self.audited("create", Class::Change, Subject::Name(dir, name), |t| {
            self.do_create(dir, name, perm, flags, owner, t)
        })
    }

    fn symlink(
        &self,
        dir: NodeId,
        name: &Name,
        target: &[u8],
        owner: Owner,
    ) -> Result<Entry, Errno> {
        self.audited("symlink", Class::Change, Subject::Name(dir, name), |t| {
            self.do_symlink(dir, name, target, owner, t)
        })
    }

    fn link(&self, node: NodeId, new_dir: NodeId, new_name: &Name) -> Result<Entry, Errno> {
        self.audited(
            "link",
            Class::Change,
            Subject::Link(node, new_dir, new_name),
            |t| self.do_link(node, new_dir, new_name, t),
        )
    }

    fn unlink(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        self.audited("unlink", Class::Change, Subject::Name(dir, name), |t| {
            self.do_remove(dir, name, t, || self.inner.unlink(dir, name))
        })
    }

    fn rmdir(&self, dir: NodeId, name: &Name) -> Result<(), Errno> {
        self.audited("rmdir", Class::Change, Subject::Name(dir, name), |t| {
            self.do_remove(dir, name, t, || self.inner.rmdir(dir, name))
        })
    }

    fn rename(
        &self,
        dir: NodeId,
        name: &Name,
        new_dir: NodeId,
        new_name: &Name,
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        self.audited(
            "rename",
            Class::Change,
            Subject::Names(dir, name, new_dir, new_name),
            |t| self.do_rename(dir, name, new_dir, new_name, flags, t),
        )
    }

    fn open(&self, node: NodeId, flags: OpenFlags) -> Result<HandleId, Errno> {
        self.audited("open", Self::open_class(flags), Subject::Node(node), |t| {
            self.do_open(node, flags, t)
        })
    }

    /// Checked at open; passes through (the handle's path only for the audit line).
    fn read(&self, handle: HandleId, offset: u64, buf: &mut [u8]) -> Result<usize, Errno> {
        self.audited("read", Class::Data, Subject::Handle(handle), |t| {
            let result = self.inner.read(handle, offset, buf);
            let bytes = result.as_ref().ok().map(|&n| Bytes {
                read: n as u64,
                written: 0,
            });
            self.tally(handle, bytes, t);
            result
        })
    }

    fn write(&self, handle: HandleId, offset: u64, data: &[u8]) -> Result<usize, Errno> {
        self.audited("write", Class::Data, Subject::Handle(handle), |t| {
            let result = self.do_write(handle, offset, data);
            let bytes = result.as_ref().ok().map(|&n| Bytes {
                read: 0,
                written: n as u64,
            });
            self.tally(handle, bytes, t);
            result
        })
    }

    fn flush(&self, handle: HandleId) -> Result<(), Errno> {
        self.audited("flush", Class::Data, Subject::Handle(handle), |t| {
            self.handle_trail(handle, t);
            self.inner.flush(handle)
        })
    }

    fn fsync(&self, handle: HandleId, datasync: bool) -> Result<(), Errno> {
        self.audited("fsync", Class::Access, Subject::Handle(handle), |t| {
            self.handle_trail(handle, t);
            self.inner.fsync(handle, datasync)
        })
    }

    fn release(&self, handle: HandleId) -> Result<(), Errno> {
        self.audited("release", Class::Release, Subject::Handle(handle), |t| {
            self.do_release(handle, true, t, || self.inner.release(handle))
        })
    }

    fn seek(&self, handle: HandleId, offset: u64, what: SeekHole) -> Result<u64, Errno> {
        self.audited("seek", Class::Data, Subject::Handle(handle), |t| {
            self.handle_trail(handle, t);
            self.inner.seek(handle, offset, what)
        })
    }

    fn opendir(&self, node: NodeId) -> Result<HandleId, Errno> {
        self.audited("opendir", Class::Access, Subject::Node(node), |t| {
            self.do_opendir(node, t)
        })
    }

    fn readdir(
        &self,
        handle: HandleId,
        cookie: u64,
        sink: &mut dyn FnMut(DirEntry<'_>) -> bool,
    ) -> Result<(), Errno> {
        self.audited("readdir", Class::Access, Subject::Handle(handle), |t| {
            self.do_readdir(handle, cookie, sink, t)
        })
    }

    fn releasedir(&self, handle: HandleId) -> Result<(), Errno> {
        self.audited("releasedir", Class::Access, Subject::Handle(handle), |t| {
            self.do_release(handle, false, t, || self.inner.releasedir(handle))
        })
    }

    fn statfs(&self, node: NodeId) -> Result<StatFs, Errno> {
        self.audited("statfs", Class::Query, Subject::Node(node), |t| {
            self.node_trail(node, t);
            self.inner.statfs(node)
        })
    }

    fn fallocate(
        &self,
        handle: HandleId,
        mode: FallocateMode,
        offset: u64,
        len: u64,
    ) -> Result<(), Errno> {
        self.audited("fallocate", Class::Change, Subject::Handle(handle), |t| {
            self.do_fallocate(handle, mode, offset, len, t)
        })
    }

    fn getxattr(&self, node: NodeId, name: &[u8]) -> Result<Vec<u8>, Errno> {
        self.audited("getxattr", Class::Query, Subject::Node(node), |t| {
            self.do_xattr(
                node,
                false,
                t,
                || Ok(()),
                || self.inner.getxattr(node, name),
            )
        })
    }

    fn setxattr(
        &self,
        node: NodeId,
        name: &[u8],
        value: &[u8],
        how: XattrSet,
    ) -> Result<(), Errno> {
        self.audited("setxattr", Class::Change, Subject::Node(node), |t| {
            self.do_xattr(
                node,
                true,
                t,
                || refuse::xattr_args(name, value.len()),
                || self.inner.setxattr(node, name, value, how),
            )
        })
    }

    fn listxattr(&self, node: NodeId) -> Result<Vec<Vec<u8>>, Errno> {
        self.audited("listxattr", Class::Query, Subject::Node(node), |t| {
            self.do_xattr(node, false, t, || Ok(()), || self.inner.listxattr(node))
        })
    }

    fn removexattr(&self, node: NodeId, name: &[u8]) -> Result<(), Errno> {
        self.audited("removexattr", Class::Change, Subject::Node(node), |t| {
            self.do_xattr(
                node,
                true,
                t,
                || refuse::xattr_args(name, 0),
                || self.inner.removexattr(node, name),
            )
        })
    }
}
