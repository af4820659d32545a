//! The final tree under the working directory, as record steps.

use std::collections::HashMap;

use vfsbox_api::{Errno, Posix};

use super::record::{Record, Step};
use super::run::{kind, read_whole, show_bytes, show_stat, strip};
use super::WORK;

/// Records the tree under `root` + [`WORK`] through `posix` (which must be allowed to read
/// everything: run it as root): for each name, in sorted order, its kind, permission bits,
/// `nlink`, size, owner, the contents of regular files, the text of symlinks (root stripped),
/// and the first earlier name sharing its inode.
pub fn snapshot(posix: &dyn Posix, root: &[u8]) -> Record {
    let mut record = Record::default();
    let mut inodes = HashMap::new();
    let mut top = root.to_vec();
    top.extend_from_slice(WORK);
    walk(posix, root, &top, b".", &mut inodes, &mut record);
    record
}

fn push(record: &mut Record, rel: &[u8], result: String) {
    record.steps.push(Step {
        call: format!("tree {}", show_bytes(rel)),
        result,
    });
}

fn walk(
    posix: &dyn Posix,
    root: &[u8],
    path: &[u8],
    rel: &[u8],
    inodes: &mut HashMap<(u64, u64), Vec<u8>>,
    record: &mut Record,
) {
    let st = match posix.lstat(path) {
        Ok(st) => st,
        Err(e) => return push(record, rel, format!("{e:?}")),
    };
    let mut line = show_stat(&st);
    if let Some(first) = inodes.get(&(st.dev, st.ino)) {
        line.push_str(&format!(" same_inode_as={}", show_bytes(first)));
    } else {
        inodes.insert((st.dev, st.ino), rel.to_vec());
    }
    match kind(st.mode) {
        "file" => match read_whole(posix, path) {
            Ok(data) => line.push_str(&format!(" data={}", show_bytes(&data))),
            Err(e) => line.push_str(&format!(" data={e:?}")),
        },
        "symlink" => match posix.readlink(path) {
            Ok(t) => line.push_str(&format!(" target={}", show_bytes(&strip(root, &t)))),
            Err(e) => line.push_str(&format!(" target={e:?}")),
        },
        _ => {}
    }
    push(record, rel, line);
    if kind(st.mode) != "dir" {
        return;
    }
    let mut names = match list(posix, path) {
        Ok(names) => names,
        Err(e) => return push(record, rel, format!("readdir {e:?}")),
    };
    names.sort();
    for name in names {
        let mut child = path.to_vec();
        child.push(b'/');
        child.extend_from_slice(&name);
        let mut child_rel = rel.to_vec();
        child_rel.push(b'/');
        child_rel.extend_from_slice(&name);
        walk(posix, root, &child, &child_rel, inodes, record);
    }
}

fn list(posix: &dyn Posix, path: &[u8]) -> Result<Vec<Vec<u8>>, Errno> {
    let dir = posix.opendir(path)?;
    let mut names = Vec::new();
    let result = loop {
        match posix.readdir(dir) {
            Ok(Some(e)) if e.name == b"." || e.name == b".." => {}
            Ok(Some(e)) => names.push(e.name),
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    posix.closedir(dir)?;
    result.map(|()| names)
}
