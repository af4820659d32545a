//! One policy, two ways in: every rule action and every limit, exercised through the emulated
//! layer (in-process) and through a FUSE mount of the same policy (the real kernel, driven by
//! the native passthrough), must give the same, expected result: the same errno on both paths.
//!
//! Each side gets a fresh copy of the host trees and a fresh build of the policy, so limits
//! (bytes written, inodes, open files) start from zero on both. Each side's audit log must
//! record each operation once, with its result. Needs root and `/dev/fuse`.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use vfsbox_api::{Errno, Posix};
use vfsbox_native::Native;
use vfsbox_policy::{Policy, Registry};

const O_RDONLY: i32 = libc::O_RDONLY;
const O_WRONLY: i32 = libc::O_WRONLY;
const O_CREAT: i32 = libc::O_CREAT;

/// The policy under test. `HOST` and `NOLINKS` are replaced by the host trees' paths.
const POLICY: &str = r#"
name = "enforce"

[limits]
open-files = 8
file-size = "48 KiB"
bytes-written = "64 KiB"

[[mount]]
at = "/"
provider = "memory"
max-bytes = "32 KiB"
max-inodes = 16

[[mount]]
at = "/host"
provider = "host"
root = "HOST"
symlinks = "relative-inside"

[[mount]]
at = "/nolinks"
provider = "host"
root = "NOLINKS"
symlinks = "deny"

[[rule]]
path = "/host/secret/**"
action = "hide"

[[rule]]
path = "/host/locked/**"
ops = ["write", "create", "delete"]
action = "deny"

[[rule]]
path = "/host/perm/**"
ops = ["chmod", "chown"]
action = "deny"
errno = "EPERM"

[[rule]]
path = "/host/frozen/open/**"
action = "allow"

[[rule]]
path = "/host/frozen/**"
action = "read-only"

[[rule]]
path = "/host/data/**"
ops = ["exec"]
action = "deny"

[[rule]]
path = "/host/nox/**"
ops = ["xattr"]
action = "deny"

[logging]
audit = "audit.jsonl"
"#;

/// The host trees both sides start from: a file in each ruled directory.
fn host_trees(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let host = dir.join("host");
    for sub in [
        "secret",
        "locked",
        "perm",
        "frozen/open",
        "data",
        "nox",
        "w",
        "r",
    ] {
        fs::create_dir_all(host.join(sub)).unwrap();
    }
    for file in [
        "secret/key",
        "locked/file",
        "perm/file",
        "frozen/file",
        "frozen/open/file",
        "data/tool",
        "nox/file",
        "r/file",
    ] {
        fs::write(host.join(file), b"content\n").unwrap();
    }
    let nolinks = dir.join("nolinks");
    fs::create_dir(&nolinks).unwrap();
    (host, nolinks)
}

/// The errno's symbolic name.
fn name(e: Errno) -> &'static str {
    e.name().unwrap_or("an unnamed errno")
}

fn sandbox(dir: &Path) -> vfsbox_policy::Sandbox {
    let (host, nolinks) = host_trees(dir);
    let text = POLICY
        .replace("HOST", host.to_str().unwrap())
        .replace("NOLINKS", nolinks.to_str().unwrap());
    let registry = Registry::builtin();
    let policy = Policy::parse(dir.join("enforce.toml"), &text, dir, &registry)
        .unwrap_or_else(|e| panic!("{}", vfsbox_policy::render_errors(&e)));
    policy.build(&registry).expect("build the policy")
}

/// A way into the sandbox: the `Posix` calls and the prefix that turns a sandbox path into a
/// path for them.
struct Side<'a> {
    posix: &'a dyn Posix,
    prefix: Vec<u8>,
}

impl Side<'_> {
    fn p(&self, path: &str) -> Vec<u8> {
        let mut full = self.prefix.clone();
        full.extend_from_slice(path.as_bytes());
        full
    }

    /// Opens `path`, writes `data` at `offset` once, closes: the count written.
    fn pwrite(&self, path: &str, offset: i64, data: &[u8]) -> Result<usize, Errno> {
        let fd = self.posix.open(&self.p(path), O_WRONLY | O_CREAT, 0o644)?;
        let written = self.posix.pwrite(fd, data, offset);
        self.posix.close(fd)?;
        written
    }

    /// Opens `path` for writing and closes it again: nothing written, only the open checked.
    fn open_for_writing(&self, path: &str) -> Result<String, Errno> {
        let fd = self.posix.open(&self.p(path), O_WRONLY, 0)?;
        self.posix.close(fd)?;
        Ok(String::new())
    }

    /// The names in directory `path`, sorted.
    fn list(&self, path: &str) -> Result<Vec<String>, Errno> {
        let dir = self.posix.opendir(&self.p(path))?;
        let mut names = Vec::new();
        while let Some(record) = self.posix.readdir(dir)? {
            let name = String::from_utf8_lossy(&record.name).into_owned();
            if name != "." && name != ".." {
                names.push(name);
            }
        }
        self.posix.closedir(dir)?;
        names.sort();
        Ok(names)
    }

    /// Every step: what it is and what it gave, as text (`ok …` or the errno's name).
    fn run(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut step = |what: &str, result: Result<String, Errno>| {
            let shown = match result {
                Ok(value) => format!("ok {value}"),
                Err(e) => name(e).to_string(),
            };
            out.push((what.to_string(), shown));
        };
        let unit = |r: Result<(), Errno>| r.map(|()| String::new());
        let posix = self.posix;

        // hide: absent, unlistable, and nothing may be put there.
        step(
            "hide: stat",
            posix.stat(&self.p("/host/secret")).map(|_| String::new()),
        );
        step(
            "hide: stat below",
            posix
                .stat(&self.p("/host/secret/key"))
                .map(|_| String::new()),
        );
        step(
            "hide: listing",
            self.list("/host").map(|names| names.join(",")),
        );
        step(
            "hide: mkdir onto",
            unit(posix.mkdir(&self.p("/host/secret"), 0o755)),
        );
        step(
            "hide: rename onto",
            unit(posix.rename(&self.p("/host/r/file"), &self.p("/host/secret"))),
        );

        // deny (EACCES): writes, creation and removal refused; reads pass.
        step(
            "deny: open for writing",
            self.open_for_writing("/host/locked/file"),
        );
        step(
            "deny: read",
            posix
                .open(&self.p("/host/locked/file"), O_RDONLY, 0)
                .and_then(|fd| {
                    let mut buf = [0u8; 64];
                    let n = posix.read(fd, &mut buf);
                    posix.close(fd)?;
                    Ok(String::from_utf8_lossy(&buf[..n?]).into_owned())
                }),
        );
        step(
            "deny: create",
            self.pwrite("/host/locked/new", 0, b"x")
                .map(|n| n.to_string()),
        );
        step(
            "deny: unlink",
            unit(posix.unlink(&self.p("/host/locked/file"))),
        );
        // Renaming the directory would carry its files out from under the rule: EXDEV (mv
        // then copies file by file, each through the rules).
        step(
            "deny: rename the directory",
            unit(posix.rename(&self.p("/host/locked"), &self.p("/host/unlocked"))),
        );
        step(
            "deny: still in place",
            self.open_for_writing("/host/locked/file"),
        );

        // deny with EPERM: chmod and chown.
        step(
            "deny EPERM: chmod",
            unit(posix.fchmodat(libc::AT_FDCWD, &self.p("/host/perm/file"), 0o600, 0)),
        );
        step(
            "deny EPERM: chown",
            unit(posix.fchownat(libc::AT_FDCWD, &self.p("/host/perm/file"), 1, 1, 0)),
        );

        // read-only (EROFS), with an earlier allow rule winning below it.
        step(
            "read-only: open for writing",
            self.open_for_writing("/host/frozen/file"),
        );
        step(
            "read-only: mkdir",
            unit(posix.mkdir(&self.p("/host/frozen/d"), 0o755)),
        );
        step(
            "read-only: unlink",
            unit(posix.unlink(&self.p("/host/frozen/file"))),
        );
        step(
            "allow before read-only: write",
            self.pwrite("/host/frozen/open/file", 0, b"new")
                .map(|n| n.to_string()),
        );

        // deny exec: the x bits never show, so nobody may execute (root included).
        step(
            "deny exec: chmod 755",
            unit(posix.fchmodat(libc::AT_FDCWD, &self.p("/host/data/tool"), 0o755, 0)),
        );
        step(
            "deny exec: mode",
            posix
                .stat(&self.p("/host/data/tool"))
                .map(|st| format!("{:o}", st.mode & 0o7777)),
        );
        step(
            "deny exec: access X_OK",
            unit(posix.faccessat(libc::AT_FDCWD, &self.p("/host/data/tool"), libc::X_OK, 0)),
        );

        // deny xattr.
        step(
            "deny xattr: set",
            unit(posix.setxattr(&self.p("/host/nox/file"), b"user.a", b"1", 0, 0)),
        );
        step(
            "xattr elsewhere: set",
            unit(posix.setxattr(&self.p("/host/r/file"), b"user.a", b"1", 0, 0)),
        );

        // symlink modes: relative-inside on /host, deny on /nolinks.
        step(
            "symlinks relative-inside: inside",
            unit(posix.symlink(b"r/file", &self.p("/host/l1"))),
        );
        step(
            "symlinks relative-inside: absolute",
            unit(posix.symlink(b"/etc/passwd", &self.p("/host/l2"))),
        );
        step(
            "symlinks relative-inside: escaping",
            unit(posix.symlink(b"../../x", &self.p("/host/r/l3"))),
        );
        step(
            "symlinks deny",
            unit(posix.symlink(b"a", &self.p("/nolinks/l"))),
        );

        // memory bytes (ENOSPC): 40 KiB into 32 KiB, then nothing more.
        step(
            "memory max-bytes: write 40 KiB",
            self.pwrite("/big", 0, &[7u8; 40 * 1024])
                .map(|n| n.to_string()),
        );
        step(
            "memory max-bytes: write more",
            self.pwrite("/big", 32 * 1024, b"x").map(|n| n.to_string()),
        );

        // memory inodes (ENOSPC): the root and /big hold 2 of 16.
        let mut created = 0;
        let inodes = loop {
            match posix.mkdir(&self.p(&format!("/d{created}")), 0o755) {
                Ok(()) => created += 1,
                Err(e) => break format!("{created} created, then {}", name(e)),
            }
            if created > 64 {
                break "no limit".to_string();
            }
        };
        step("memory max-inodes", Ok(inodes));

        // file-size (EFBIG): a short write up to the limit, then nothing; no truncate past it.
        step(
            "file-size: write across",
            self.pwrite("/host/w/f", 48 * 1024 - 1, b"ab")
                .map(|n| n.to_string()),
        );
        step(
            "file-size: write past",
            self.pwrite("/host/w/f", 48 * 1024, b"c")
                .map(|n| n.to_string()),
        );
        step(
            "file-size: truncate past",
            unit(posix.truncate(&self.p("/host/w/f"), 49 * 1024)),
        );

        // bytes-written (EDQUOT): 32768 + 1 + 3 bytes so far of 65536.
        step(
            "bytes-written: write 40 KiB",
            self.pwrite("/host/w/g", 0, &[1u8; 40 * 1024])
                .map(|n| n.to_string()),
        );
        step(
            "bytes-written: write more",
            self.pwrite("/host/w/g", 0, b"x").map(|n| n.to_string()),
        );

        // open-files (EMFILE): 8 open at once, not a 9th.
        let mut fds = Vec::new();
        let opened = loop {
            match posix.open(&self.p("/host/r/file"), O_RDONLY, 0) {
                Ok(fd) => fds.push(fd),
                Err(e) => break format!("{} open, then {}", fds.len(), name(e)),
            }
            if fds.len() > 64 {
                break "no limit".to_string();
            }
        };
        for fd in fds {
            posix.close(fd).unwrap();
        }
        step("open-files", Ok(opened));
        out
    }
}

/// What every step must give, on both paths.
const EXPECTED: &[(&str, &str)] = &[
    ("hide: stat", "ENOENT"),
    ("hide: stat below", "ENOENT"),
    ("hide: listing", "ok data,frozen,locked,nox,perm,r,w"),
    ("hide: mkdir onto", "EACCES"),
    ("hide: rename onto", "EACCES"),
    ("deny: open for writing", "EACCES"),
    ("deny: read", "ok content\n"),
    ("deny: create", "EACCES"),
    ("deny: unlink", "EACCES"),
    ("deny: rename the directory", "EXDEV"),
    ("deny: still in place", "EACCES"),
    ("deny EPERM: chmod", "EPERM"),
    ("deny EPERM: chown", "EPERM"),
    ("read-only: open for writing", "EROFS"),
    ("read-only: mkdir", "EROFS"),
    ("read-only: unlink", "EROFS"),
    ("allow before read-only: write", "ok 3"),
    ("deny exec: chmod 755", "ok "),
    ("deny exec: mode", "ok 644"),
    ("deny exec: access X_OK", "EACCES"),
    ("deny xattr: set", "EACCES"),
    ("xattr elsewhere: set", "ok "),
    ("symlinks relative-inside: inside", "ok "),
    ("symlinks relative-inside: absolute", "EPERM"),
    ("symlinks relative-inside: escaping", "EPERM"),
    ("symlinks deny", "EPERM"),
    ("memory max-bytes: write 40 KiB", "ok 32768"),
    ("memory max-bytes: write more", "ENOSPC"),
    ("memory max-inodes", "ok 14 created, then ENOSPC"),
    ("file-size: write across", "ok 1"),
    ("file-size: write past", "EFBIG"),
    ("file-size: truncate past", "EFBIG"),
    ("bytes-written: write 40 KiB", "ok 32764"),
    ("bytes-written: write more", "EDQUOT"),
    ("open-files", "ok 8 open, then EMFILE"),
];

/// Operations the audit log must record exactly once on either path (the kernel may add
/// lookups and getattrs of its own, but sends each of these once): op, path, result.
const AUDITED_ONCE: &[(&str, &str, &str)] = &[
    ("mkdir", "/host/secret", "EACCES"),
    ("unlink", "/host/locked/file", "EACCES"),
    ("unlink", "/host/frozen/file", "EROFS"),
    ("symlink", "/host/l1", "ok"),
    ("symlink", "/host/l2", "EPERM"),
    ("symlink", "/nolinks/l", "EPERM"),
    ("setxattr", "/host/nox/file", "EACCES"),
    ("setxattr", "/host/r/file", "ok"),
    ("rename", "/host/locked", "EXDEV"),
];

/// Checks the audit log of a side after its run.
fn check_audit(side: &str, sandbox: &vfsbox_policy::Sandbox, dir: &Path) {
    let audit = sandbox.audit.as_ref().expect("the policy has an audit log");
    audit.flush();
    assert_eq!(audit.dropped(), 0, "{side}: nothing dropped at this pace");
    let text = fs::read_to_string(dir.join("audit.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{side}: {e}: {l}")))
        .collect();
    assert_eq!(lines.len() as u64, audit.written(), "{side}");
    for line in &lines {
        assert_eq!(line["sandbox"], "enforce", "{side}: {line}");
        // At the default level ("access") a failed lookup, getattr, read… is recorded
        // without being timed; every other line has its duration.
        assert!(
            line["duration_ns"].is_u64()
                || (line["result"] == "error" && line.get("duration_ns").is_none()),
            "{side}: {line}"
        );
        assert!(
            line["time"].as_str().unwrap().ends_with('Z'),
            "{side}: {line}"
        );
    }
    for (op, path, result) in AUDITED_ONCE {
        let matching: Vec<&serde_json::Value> = lines
            .iter()
            .filter(|l| l["op"] == *op && l["path"] == *path)
            .collect();
        assert_eq!(matching.len(), 1, "{side}: {op} {path}: {matching:?}");
        let line = matching[0];
        if *result == "ok" {
            assert_eq!(line["result"], "ok", "{side}: {line}");
            assert!(line.get("errno").is_none(), "{side}: {line}");
        } else {
            assert_eq!(line["result"], "error", "{side}: {line}");
            assert_eq!(line["errno"], *result, "{side}: {line}");
        }
    }
    // The default level records no successful metadata query or data call (every step
    // stats, looks up and reads)…
    let quiet = [
        "lookup", "getattr", "statfs", "readlink", "read", "write", "flush", "seek",
    ];
    let noisy: Vec<_> = lines
        .iter()
        .filter(|l| quiet.iter().any(|q| l["op"] == *q) && l["result"] == "ok")
        .collect();
    assert!(noisy.is_empty(), "{side}: {noisy:?}");
    // …and a file handle's release carries what was read and written through it.
    let read_back = lines
        .iter()
        .find(|l| l["op"] == "release" && l["path"] == "/host/locked/file")
        .unwrap_or_else(|| panic!("{side}: no release of /host/locked/file"));
    assert_eq!(
        read_back["bytes_read"],
        "content\n".len(),
        "{side}: {read_back}"
    );
    assert_eq!(read_back["bytes_written"], 0, "{side}: {read_back}");
    let allowed = lines
        .iter()
        .find(|l| l["op"] == "release" && l["path"] == "/host/frozen/open/file")
        .unwrap_or_else(|| panic!("{side}: no release of /host/frozen/open/file"));
    assert_eq!(allowed["bytes_written"], 3, "{side}: {allowed}");

    // chmod and chown of /host/perm/file: one setattr call each, both refused.
    let perm: Vec<_> = lines
        .iter()
        .filter(|l| l["path"] == "/host/perm/file" && l["op"] == "setattr")
        .collect();
    assert_eq!(perm.len(), 2, "{side}: {perm:?}");
    assert!(
        perm.iter().all(|l| l["errno"] == "EPERM"),
        "{side}: {perm:?}"
    );
}

fn check(side: &str, got: &[(String, String)]) {
    let expected: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let wrong: Vec<String> = got
        .iter()
        .zip(&expected)
        .filter(|(g, e)| g != e)
        .map(|(g, e)| format!("  {}: got {:?}, expected {:?}", e.0, g.1, e.1))
        .collect();
    assert!(
        wrong.is_empty() && got.len() == expected.len(),
        "{side} differs from the expected results:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn emulated_layer_enforces_every_action_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path());
    let process = vfsbox_emulation::Emulated::builder(Arc::clone(&sandbox.fs))
        .fd_limit(sandbox.fd_limit.unwrap() as usize)
        .build();
    let side = Side {
        posix: &process,
        prefix: Vec::new(),
    };
    check("the emulated layer", &side.run());
    check_audit("the emulated layer", &sandbox, dir.path());
}

#[test]
fn fuse_mount_enforces_every_action_and_limit_with_the_same_errno() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path());
    let mountpoint = dir.path().join("mnt");
    fs::create_dir(&mountpoint).unwrap();
    let mount = vfsbox_fuse::mount(
        Arc::clone(&sandbox.fs),
        &mountpoint,
        &vfsbox_fuse::MountOptions::default(),
    )
    .expect("mount the policy");
    let native = Native::new();
    let side = Side {
        posix: &native,
        prefix: mount.mountpoint().as_os_str().as_encoded_bytes().to_vec(),
    };
    let got = side.run();
    mount.unmount().expect("unmount");
    check("the FUSE mount", &got);
    check_audit("the FUSE mount", &sandbox, dir.path());
}
