//! Every example policy in `fixtures/policies/` loads, builds, and does what its comment
//! says through the built provider stack. Policies that write to host trees run on a copy.

mod common;

use common::{example, fixture_copy, fixtures};
use std::path::Path;
use std::sync::Arc;
use vfsbox_api::{Errno, FileKind, FileSystem, Name, NodeId, OpenFlags, Owner, SetAttr};
use vfsbox_policy::{CompatLevel, Policy, Registry, Sandbox};

const EXAMPLES: [&str; 5] = [
    "minimal.toml",
    "readonly-host-overlay.toml",
    "build.toml",
    "secrets.toml",
    "no-symlinks.toml",
];
const ROOT: Owner = Owner { uid: 0, gid: 0 };

fn name(s: &str) -> &Name {
    Name::new(s.as_bytes()).unwrap()
}

/// The node at `path` (relative components), or the first error.
fn walk(fs: &dyn FileSystem, path: &str) -> Result<NodeId, Errno> {
    let mut node = fs.root();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        node = fs.lookup(node, name(part))?.node;
    }
    Ok(node)
}

fn build_in(dir: &Path, file: &str) -> Sandbox {
    let policy = Policy::load(dir.join(file), &Registry::builtin()).unwrap();
    policy.build(&Registry::builtin()).unwrap()
}

/// Creates `name` in `dir` and writes `data`; the result of the write.
fn create_write(fs: &dyn FileSystem, dir: NodeId, file: &str, data: &[u8]) -> Result<usize, Errno> {
    let (_, h) = fs.create(dir, name(file), 0o644, OpenFlags::WRITE, ROOT)?;
    let n = fs.write(h, 0, data);
    fs.release(h)?;
    n
}

fn names(fs: &dyn FileSystem, dir: NodeId) -> Vec<String> {
    let h = fs.opendir(dir).unwrap();
    let mut out = Vec::new();
    fs.readdir(h, 0, &mut |e| {
        out.push(String::from_utf8_lossy(e.name.as_ref()).into_owned());
        true
    })
    .unwrap();
    fs.releasedir(h).unwrap();
    out.sort();
    out
}

#[test]
fn every_example_loads_and_builds() {
    let copy = fixture_copy();
    for file in EXAMPLES {
        example(file);
        let sandbox = build_in(copy.path(), file);
        let root = sandbox.fs.getattr(sandbox.fs.root()).unwrap();
        assert_eq!(root.kind, FileKind::Directory, "{file}");
    }
    // The fixtures directory holds exactly these examples (besides trees and malformed).
    let mut found: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    found.sort();
    let mut want: Vec<String> = EXAMPLES.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(found, want);
}

#[test]
fn minimal_is_one_writable_memory_root_with_defaults() {
    let p = example("minimal.toml");
    assert_eq!(p.name, "minimal");
    assert_eq!((p.umask, p.cwd.as_str()), (0o022, "/"));
    assert_eq!((p.identity.uid, p.identity.gid), (0, 0));
    let s = p.build(&Registry::builtin()).unwrap();
    assert_eq!(s.fd_limit, None);
    assert_eq!(s.compat_level, CompatLevel::Warn);
    assert!(!s.strict && s.audit.is_none());
    assert_eq!(create_write(s.fs.as_ref(), s.fs.root(), "f", b"abc"), Ok(3));
    assert_eq!(
        s.fs.getattr(walk(s.fs.as_ref(), "f").unwrap())
            .unwrap()
            .size,
        3
    );
}

#[test]
fn overlay_changes_stay_in_memory() {
    let copy = fixture_copy();
    let s = build_in(copy.path(), "readonly-host-overlay.toml");
    let fs = s.fs.as_ref();
    let src = walk(fs, "src").unwrap();
    assert!(walk(fs, "src/main.rs").is_ok());
    assert_eq!(create_write(fs, src, "new.rs", b"x"), Ok(1));
    fs.unlink(src, name("main.rs")).unwrap();
    assert_eq!(walk(fs, "src/main.rs"), Err(Errno::ENOENT));
    let host = copy.path().join("trees/project/src");
    assert!(host.join("main.rs").exists());
    assert!(!host.join("new.rs").exists());
}

#[test]
fn build_sandbox() {
    let copy = fixture_copy();
    let git = copy.path().join("trees/build/src/.git");
    std::fs::create_dir(&git).unwrap();
    std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
    let p = Policy::load(copy.path().join("build.toml"), &Registry::builtin()).unwrap();
    assert_eq!(
        (p.identity.uid, p.identity.gid, p.identity.groups.clone()),
        (1000, 1000, vec![100])
    );
    assert_eq!(p.cwd, "/src");
    let s = p.build(&Registry::builtin()).unwrap();
    assert_eq!(s.fd_limit, Some(256));
    let fs = s.fs.as_ref();
    // Only the mount points exist at the root.
    assert_eq!(names(fs, fs.root()), ["out", "src", "tmp"]);
    assert_eq!(walk(fs, "etc"), Err(Errno::ENOENT));
    assert_eq!(create_write(fs, fs.root(), "etc", b"x"), Err(Errno::EROFS));
    // /src: read-only host, .git hidden.
    let src = walk(fs, "src").unwrap();
    assert!(walk(fs, "src/main.rs").is_ok());
    assert_eq!(walk(fs, "src/.git"), Err(Errno::ENOENT));
    assert_eq!(names(fs, src), ["main.rs"]);
    assert_eq!(create_write(fs, src, "x", b"x"), Err(Errno::EROFS));
    // /out: writable host; outputs are not executable; owners fixed; links stay inside.
    let out = walk(fs, "out").unwrap();
    let (e, h) = fs
        .create(out, name("tool"), 0o755, OpenFlags::WRITE, ROOT)
        .unwrap();
    fs.release(h).unwrap();
    assert_eq!(e.attr.perm & 0o111, 0);
    assert!(copy.path().join("trees/build/out/tool").exists());
    let chown = SetAttr {
        uid: Some(1),
        ..SetAttr::default()
    };
    assert_eq!(
        fs.setattr(e.node, &chown, None).map(|_| ()),
        Err(Errno::EPERM)
    );
    assert_eq!(
        fs.symlink(out, name("l1"), b"/etc/passwd", ROOT)
            .map(|_| ()),
        Err(Errno::EPERM)
    );
    assert_eq!(
        fs.symlink(out, name("l2"), b"../../x", ROOT).map(|_| ()),
        Err(Errno::EPERM)
    );
    assert!(fs.symlink(out, name("l3"), b"tool", ROOT).is_ok());
    // /tmp: memory.
    let tmp = walk(fs, "tmp").unwrap();
    assert_eq!(create_write(fs, tmp, "scratch", b"hello"), Ok(5));
}

#[test]
fn secrets_are_hidden_under_a_readable_tree() {
    let s = build_in(&fixtures(), "secrets.toml");
    let fs = s.fs.as_ref();
    let shared = walk(fs, "shared").unwrap();
    assert_eq!(names(fs, shared), ["config"]);
    assert!(walk(fs, "shared/config/app.toml").is_ok());
    assert_eq!(walk(fs, "shared/secrets"), Err(Errno::ENOENT));
    assert_eq!(walk(fs, "shared/secrets/api.key"), Err(Errno::ENOENT));
    assert_eq!(walk(fs, "shared/.env"), Err(Errno::ENOENT));
    // The memory root is writable; a file named like a hidden pattern is refused, not EEXIST.
    assert_eq!(create_write(fs, fs.root(), "notes", b"n"), Ok(1));
    let config = walk(fs, "shared/config").unwrap();
    assert_eq!(create_write(fs, config, "x.key", b"k"), Err(Errno::EACCES));
}

#[test]
fn no_symlinks_on_the_host_mount() {
    let copy = fixture_copy();
    let s = build_in(copy.path(), "no-symlinks.toml");
    let fs = s.fs.as_ref();
    let data = walk(fs, "data").unwrap();
    assert_eq!(
        fs.symlink(data, name("l"), b"file.txt", ROOT).map(|_| ()),
        Err(Errno::EPERM)
    );
    assert_eq!(create_write(fs, data, "new.txt", b"ok"), Ok(2));
    assert!(copy.path().join("trees/links/data/new.txt").exists());
}

/// A policy written into a temporary directory, loaded and built.
fn sandbox_of(text: &str) -> (tempfile::TempDir, Sandbox) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.toml"), text).unwrap();
    let s = build_in(dir.path(), "p.toml");
    (dir, s)
}

#[test]
fn memory_quota_file_size_and_bytes_written() {
    let (_d, s) = sandbox_of(
        "[limits]\nfile-size = \"16 KiB\"\nbytes-written = 40000\n[[mount]]\nat = \"/m\"\nprovider = \"memory\"\nmax-bytes = \"8 KiB\"\n[[mount]]\nat = \"/big\"\nprovider = \"memory\"\n",
    );
    let fs = s.fs.as_ref();
    let m = walk(fs, "m").unwrap();
    // max-bytes: a short write up to the quota, then ENOSPC.
    assert_eq!(create_write(fs, m, "a", &[1; 16384]), Ok(8192));
    assert_eq!(create_write(fs, m, "a2", &[1; 10]), Err(Errno::ENOSPC));
    let big = walk(fs, "big").unwrap();
    // A short write up to the file-size limit, then EFBIG.
    let (_, h) = fs
        .create(big, name("b"), 0o644, OpenFlags::WRITE, ROOT)
        .unwrap();
    assert_eq!(fs.write(h, 0, &[1; 20000]), Ok(16384));
    assert_eq!(fs.write(h, 16384, &[1; 10]), Err(Errno::EFBIG));
    fs.release(h).unwrap();
    // bytes-written: 8192 + 16384 accepted so far, 15424 left: a short write, then EDQUOT.
    assert_eq!(create_write(fs, big, "c", &[1; 8192]), Ok(8192));
    assert_eq!(create_write(fs, big, "d", &[1; 10000]), Ok(7232));
    assert_eq!(create_write(fs, big, "e", &[1; 10]), Err(Errno::EDQUOT));
}

#[test]
fn open_files_limit() {
    let (_d, s) =
        sandbox_of("[limits]\nopen-files = 2\n[[mount]]\nat = \"/\"\nprovider = \"memory\"\n");
    let fs = s.fs.as_ref();
    let (e, h1) = fs
        .create(fs.root(), name("f"), 0o644, OpenFlags::WRITE, ROOT)
        .unwrap();
    let h2 = fs.open(e.node, OpenFlags::READ).unwrap();
    assert_eq!(fs.open(e.node, OpenFlags::READ), Err(Errno::EMFILE));
    fs.release(h1).unwrap();
    let h3 = fs.open(e.node, OpenFlags::READ).unwrap();
    fs.release(h2).unwrap();
    fs.release(h3).unwrap();
}

#[test]
fn audit_log_records_with_the_sandbox_name() {
    let (dir, s) = sandbox_of(
        "name = \"audited\"\n[[mount]]\nat = \"/\"\nprovider = \"memory\"\n[logging]\naudit = \"audit.jsonl\"\n",
    );
    assert!(s.audit.is_some());
    let fs = s.fs.as_ref();
    assert_eq!(
        fs.lookup(fs.root(), name("nope")).map(|_| ()),
        Err(Errno::ENOENT)
    );
    s.audit.as_ref().unwrap().flush();
    let text = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["sandbox"], "audited");
    assert_eq!(line["op"], "lookup");
    assert_eq!(line["errno"], "ENOENT");
}

#[test]
fn audit_file_that_cannot_be_created_is_a_positioned_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file"), "").unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        "[[mount]]\nat = \"/\"\nprovider = \"memory\"\n[logging]\naudit = \"file/audit.jsonl\"\n",
    )
    .unwrap();
    let p = Policy::load(dir.path().join("p.toml"), &Registry::builtin()).unwrap();
    let errors = p.build(&Registry::builtin()).unwrap_err();
    assert_eq!((errors[0].line, errors[0].column), (5, 9));
    assert!(
        errors[0]
            .message
            .starts_with("cannot create the audit log "),
        "{}",
        errors[0].message
    );
}

#[test]
fn nested_mounts_and_readonly_provider() {
    let (_d, s) = sandbox_of(
        "[[mount]]\nat = \"/\"\nprovider = \"memory\"\n[[mount]]\nat = \"/a/b\"\nprovider = \"readonly\"\ninner = { provider = \"memory\" }\n",
    );
    let fs = s.fs.as_ref();
    let b = walk(fs, "a/b").unwrap();
    assert_eq!(create_write(fs, b, "x", b"x"), Err(Errno::EROFS));
    assert_eq!(create_write(fs, fs.root(), "y", b"y"), Ok(1));
}

#[test]
fn sandbox_is_shareable() {
    let s = build_in(&fixtures(), "minimal.toml");
    let fs: Arc<dyn FileSystem> = s.fs.clone();
    std::thread::spawn(move || fs.getattr(fs.root()).map(|a| a.kind))
        .join()
        .unwrap()
        .unwrap();
}

#[test]
fn provider_tables_may_be_sub_tables() {
    let (_d, s) = sandbox_of(
        "[[mount]]\nat = \"/\"\nprovider = \"overlay\"\n[mount.upper]\nprovider = \"memory\"\nmax-inodes = 100\n[mount.lower]\nprovider = \"readonly\"\ninner = { provider = \"memory\" }\n",
    );
    let fs = s.fs.as_ref();
    assert_eq!(create_write(fs, fs.root(), "f", b"x"), Ok(1));
}

#[test]
fn audit_level_reaches_the_guard() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::builtin();
    let levels = [
        (None, vfsbox_guard::AuditLevel::Access),
        (Some("all"), vfsbox_guard::AuditLevel::All),
        (Some("changes"), vfsbox_guard::AuditLevel::Changes),
    ];
    for (written, level) in levels {
        let line = written.map_or_else(String::new, |l| format!("audit-level = \"{l}\"\n"));
        let text = format!(
            "[[mount]]\nat = \"/\"\nprovider = \"memory\"\n\n[logging]\naudit = \"a.jsonl\"\n{line}"
        );
        let _ = std::fs::remove_file(dir.path().join("a.jsonl"));
        let p = Policy::parse(dir.path().join("p.toml"), &text, dir.path(), &registry)
            .unwrap_or_else(|e| panic!("{}", vfsbox_policy::render_errors(&e)));
        assert_eq!(p.logging.audit_level, level);
        let s = p.build(&registry).unwrap();
        let root = s.fs.root();
        s.fs.getattr(root).unwrap();
        let made = s.fs.mkdir(root, name("d"), 0o755, ROOT).unwrap();
        s.fs.forget(made.node, 1);
        let audit = s.audit.clone().unwrap();
        audit.flush();
        let text = std::fs::read_to_string(dir.path().join("a.jsonl")).unwrap();
        let ops: Vec<&str> = text
            .lines()
            .map(|l| {
                l.split("\"op\":\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
            })
            .collect();
        let want: &[&str] = match level {
            vfsbox_guard::AuditLevel::All => &["getattr", "mkdir"],
            _ => &["mkdir"],
        };
        assert_eq!(ops, want, "{written:?}");
    }
}
