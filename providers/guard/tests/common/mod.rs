//! Helpers shared by the integration tests: a populated memory provider under a guard.
#![allow(dead_code)]

use std::sync::Arc;
use vfsbox_api::{Entry, Errno, FileSystem, HandleId, Name, NodeId, OpenFlags, Owner};
use vfsbox_guard::{Action, Glob, Guard, Guarded, Op, OpSet, Rule, Rules};
use vfsbox_memory::MemoryFs;

pub const ME: Owner = Owner { uid: 0, gid: 0 };

pub fn n(s: &str) -> &Name {
    Name::new(s.as_bytes()).unwrap()
}

pub fn rule(glob: &str, ops: &[Op], action: Action) -> Rule {
    Rule {
        glob: Glob::new(glob).unwrap(),
        ops: if ops.is_empty() {
            OpSet::ALL
        } else {
            OpSet::of(ops)
        },
        action,
    }
}

pub const EPERM: Action = Action::Deny {
    errno: Errno::EPERM,
};
pub const EACCES: Action = Action::Deny {
    errno: Errno::EACCES,
};

/// Makes `path` (directories for every component but a last `file` one) in `fs`.
pub fn populate(fs: &dyn FileSystem, dirs: &[&str], files: &[&str]) {
    for d in dirs {
        let (parent, name) = walk_parent(fs, d);
        let e = fs.mkdir(parent, n(name), 0o755, ME).unwrap();
        fs.forget(e.node, 1);
    }
    for f in files {
        let (parent, name) = walk_parent(fs, f);
        let (e, h) = fs
            .create(parent, n(name), 0o755, OpenFlags::READ_WRITE, ME)
            .unwrap();
        fs.write(h, 0, b"data").unwrap();
        fs.release(h).unwrap();
        fs.forget(e.node, 1);
    }
}

fn walk_parent<'a>(fs: &dyn FileSystem, path: &'a str) -> (NodeId, &'a str) {
    let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let last = parts.pop().unwrap();
    let mut node = fs.root();
    for p in parts {
        node = fs.lookup(node, n(p)).unwrap().node;
    }
    (node, last)
}

/// A memory provider with `dirs` and `files` (mode 0755, "data") under `guard`.
pub fn guarded(dirs: &[&str], files: &[&str], guard: Guard) -> Guarded {
    let mem = MemoryFs::new();
    populate(&mem, dirs, files);
    Guarded::new(Arc::new(mem), guard)
}

pub fn with_rules(dirs: &[&str], files: &[&str], rules: Vec<Rule>) -> Guarded {
    guarded(
        dirs,
        files,
        Guard {
            rules: Rules::new(rules),
            ..Guard::default()
        },
    )
}

/// Looks up every component of `path` from the root.
pub fn walk(fs: &dyn FileSystem, path: &str) -> Result<Entry, Errno> {
    let mut entry: Option<Entry> = None;
    let mut node = fs.root();
    for p in path.split('/').filter(|p| !p.is_empty()) {
        let e = fs.lookup(node, n(p))?;
        node = e.node;
        entry = Some(e);
    }
    entry.ok_or(Errno::EINVAL)
}

pub fn node(fs: &dyn FileSystem, path: &str) -> NodeId {
    walk(fs, path).unwrap().node
}

pub fn names(fs: &dyn FileSystem, dir: NodeId) -> Vec<String> {
    let h = fs.opendir(dir).unwrap();
    let mut out = Vec::new();
    fs.readdir(h, 0, &mut |e| {
        out.push(e.name.to_string_lossy().into_owned());
        true
    })
    .unwrap();
    fs.releasedir(h).unwrap();
    out.sort();
    out
}

pub fn open(fs: &dyn FileSystem, path: &str, flags: OpenFlags) -> Result<HandleId, Errno> {
    fs.open(node(fs, path), flags)
}
