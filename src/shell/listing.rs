//! The commands that show the tree: `ls`, `stat` and `tree`. Symlinks are shown, not
//! followed, except where `ls` (without `-l`) follows one named on the command line, as
//! coreutils does.

use super::commands::{is_dot, join, read_names, Args};
use super::format::{full_time, kind_name, mode_string, short_time};
use super::io::Io;
use vfsbox_api::{Posix, Stat};

fn is_dir(st: &Stat) -> bool {
    st.mode & libc::S_IFMT == libc::S_IFDIR
}

fn is_link(st: &Stat) -> bool {
    st.mode & libc::S_IFMT == libc::S_IFLNK
}

/// One line of a listing: the name shown, and for `-l` its metadata and link text.
struct Entry {
    name: Vec<u8>,
    long: Option<(Stat, Option<Vec<u8>>)>,
}

/// `ls [-l] [-a] [PATH...]`: files named on the command line first, then each directory's
/// entries (with a `DIR:` heading when there is more than one operand), one per line, sorted
/// bytewise. `-l` shows mode, links, uid, gid, size, UTC modification time and name (no
/// `total` line).
pub fn ls(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "ls [-l] [-a] [PATH...]";
    let Some(args) = Args::parse("ls", USAGE, "la", args, io) else {
        return;
    };
    let long = args.has(b'l');
    let all = args.has(b'a');
    let operands = if args.operands.is_empty() {
        vec![&b"."[..]]
    } else {
        args.operands.clone()
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for path in &operands {
        let found = if long { p.lstat(path) } else { p.stat(path) };
        match found {
            Err(e) => io.fail("ls", e),
            Ok(st) if is_dir(&st) => dirs.push(*path),
            Ok(st) => files.push(entry(p, path, path.to_vec(), long.then_some(st))),
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    dirs.sort();
    print_entries(&files, io);
    let headings = operands.len() > 1;
    for (i, dir) in dirs.iter().enumerate() {
        if headings {
            if i > 0 || !files.is_empty() {
                io.out(b"\n");
            }
            io.out(dir);
            io.out(b":\n");
        }
        let names = match read_names(p, dir) {
            Ok(names) => names,
            Err(e) => {
                io.fail("ls", e);
                continue;
            }
        };
        let mut entries = Vec::new();
        for name in names.into_iter().filter(|n| all || !n.starts_with(b".")) {
            let path = join(dir, &name);
            let st = if long {
                match p.lstat(&path) {
                    Ok(st) => Some(st),
                    Err(e) => {
                        io.fail("ls", e);
                        continue;
                    }
                }
            } else {
                None
            };
            entries.push(entry(p, &path, name, st));
        }
        print_entries(&entries, io);
    }
}

fn entry(p: &dyn Posix, path: &[u8], name: Vec<u8>, st: Option<Stat>) -> Entry {
    let long = st.map(|st| {
        let target = if is_link(&st) {
            p.readlink(path).ok()
        } else {
            None
        };
        (st, target)
    });
    Entry { name, long }
}

fn print_entries(entries: &[Entry], io: &mut Io<'_>) {
    let width = |f: &dyn Fn(&Stat) -> String| {
        entries
            .iter()
            .filter_map(|e| e.long.as_ref().map(|(st, _)| f(st).len()))
            .max()
            .unwrap_or(0)
    };
    let links = width(&|st| st.nlink.to_string());
    let uid = width(&|st| st.uid.to_string());
    let gid = width(&|st| st.gid.to_string());
    let size = width(&|st| st.size.to_string());
    for e in entries {
        if let Some((st, target)) = &e.long {
            io.out(
                format!(
                    "{} {:>links$} {:>uid$} {:>gid$} {:>size$} {} ",
                    mode_string(st.mode),
                    st.nlink,
                    st.uid,
                    st.gid,
                    st.size,
                    short_time(st.mtime),
                )
                .as_bytes(),
            );
            io.out(&e.name);
            if let Some(target) = target {
                io.out(b" -> ");
                io.out(target);
            }
        } else {
            io.out(&e.name);
        }
        io.out(b"\n");
    }
}

/// `stat PATH...`: the metadata of each path itself (a symlink is not followed).
pub fn stat(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "stat PATH...";
    let Some(args) = Args::parse("stat", USAGE, "", args, io) else {
        return;
    };
    if args.wrong_count("stat", USAGE, 1, usize::MAX, io) {
        return;
    }
    for path in &args.operands {
        let st = match p.lstat(path) {
            Ok(st) => st,
            Err(e) => {
                io.fail("stat", e);
                continue;
            }
        };
        io.out(b"  File: ");
        io.out(path);
        if is_link(&st) {
            if let Ok(target) = p.readlink(path) {
                io.out(b" -> ");
                io.out(&target);
            }
        }
        io.out(b"\n");
        io.line(&format!("  Type: {}", kind_name(st.mode)));
        io.line(&format!(
            "  Size: {}  Blocks: {}  IO Block: {}",
            st.size, st.blocks, st.blksize
        ));
        io.line(&format!(" Inode: {}  Links: {}", st.ino, st.nlink));
        io.line(&format!(
            "Access: ({:04o}/{})  Uid: {}  Gid: {}",
            st.mode & 0o7777,
            mode_string(st.mode),
            st.uid,
            st.gid
        ));
        io.line(&format!("Access: {}", full_time(st.atime)));
        io.line(&format!("Modify: {}", full_time(st.mtime)));
        io.line(&format!("Change: {}", full_time(st.ctime)));
    }
}

#[derive(Default)]
struct Counts {
    dirs: u64,
    files: u64,
}

/// `tree [-a] [DIR]`: the tree below DIR (default `.`), sorted bytewise, symlinks shown with
/// their text and not followed, then `N directories, M files` as tree(1) prints it. A
/// directory that cannot be listed gets its error after its name.
pub fn tree(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "tree [-a] [DIR]";
    let Some(args) = Args::parse("tree", USAGE, "a", args, io) else {
        return;
    };
    if args.wrong_count("tree", USAGE, 0, 1, io) {
        return;
    }
    let root = args.operands.first().copied().unwrap_or(b".");
    let all = args.has(b'a');
    if let Err(e) = p.stat(root) {
        io.fail("tree", e);
        return;
    }
    let mut counts = Counts::default();
    io.out(root);
    match read_names(p, root) {
        Ok(names) => {
            io.out(b"\n");
            walk(p, root, names, all, &mut Vec::new(), &mut counts, io);
        }
        Err(e) => io.line(&format!("  [{e}]")),
    }
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    io.line(&format!(
        "\n{}, {}",
        plural(counts.dirs, "directory", "directories"),
        plural(counts.files, "file", "files")
    ));
}

fn walk(
    p: &dyn Posix,
    dir: &[u8],
    names: Vec<Vec<u8>>,
    all: bool,
    prefix: &mut Vec<u8>,
    counts: &mut Counts,
    io: &mut Io<'_>,
) {
    let shown: Vec<_> = names
        .into_iter()
        .filter(|n| !is_dot(n) && (all || !n.starts_with(b".")))
        .collect();
    for (i, name) in shown.iter().enumerate() {
        let last = i + 1 == shown.len();
        io.out(prefix);
        io.out(if last {
            "└── ".as_bytes()
        } else {
            "├── ".as_bytes()
        });
        io.out(name);
        let path = join(dir, name);
        let st = match p.lstat(&path) {
            Ok(st) => st,
            Err(e) => {
                io.line(&format!("  [{e}]"));
                counts.files += 1;
                continue;
            }
        };
        if is_link(&st) {
            if let Ok(target) = p.readlink(&path) {
                io.out(b" -> ");
                io.out(&target);
            }
        }
        if !is_dir(&st) {
            io.out(b"\n");
            counts.files += 1;
            continue;
        }
        counts.dirs += 1;
        match read_names(p, &path) {
            Ok(children) => {
                io.out(b"\n");
                let depth = prefix.len();
                prefix.extend_from_slice(if last {
                    "    ".as_bytes()
                } else {
                    "│   ".as_bytes()
                });
                walk(p, &path, children, all, prefix, counts, io);
                prefix.truncate(depth);
            }
            Err(e) => io.line(&format!("  [{e}]")),
        }
    }
}
