//! End-to-end tests of policies through the binary: `vfsbox policy check/show/explain/default`,
//! every example policy in `fixtures/policies/` through `vfsbox shell --policy` and
//! `vfsbox mount --policy`, and every malformed policy refused with its position and exit 2,
//! mounting nothing.
//!
//! The examples are copied into a temporary directory first: their host trees are written to.
//! Mount tests need root and `/dev/fuse` (as CI has).

mod support;

use nix::sys::signal::Signal;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use support::*;
use vfsbox_policy::{Policy, Registry};

/// The policy fixtures in the source tree.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/policies")
}

/// A writable copy of the policy fixtures (policies and their host trees).
fn copied_fixtures(dir: &tempfile::TempDir) -> PathBuf {
    let to = dir.path().join("policies");
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(fixtures())
        .arg(&to)
        .status()
        .expect("run cp");
    assert!(status.success());
    to
}

fn run(args: &[&str]) -> Output {
    vfsbox().args(args).output().expect("run vfsbox")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `.toml` files directly in `dir`, sorted.
fn policies_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// A `vfsbox shell --policy FILE` session: stdout and stderr of `script`.
fn shell(policy: &Path, script: &str) -> (String, String) {
    let mut child = vfsbox()
        .arg("shell")
        .arg("--policy")
        .arg(policy)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vfsbox shell");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    (text(&out.stdout), text(&out.stderr))
}

/// A registry naming the kinds the command knows (the built-ins and `demo`), so hints that
/// list the kinds read as the command's.
fn command_registry() -> Registry {
    struct NamedOnly;
    impl vfsbox_policy::ProviderKind for NamedOnly {
        fn build(
            &self,
            options: &vfsbox_policy::Options<'_>,
        ) -> Result<std::sync::Arc<dyn vfsbox_api::FileSystem>, vfsbox_policy::PolicyError>
        {
            Err(options.error(options.span(), "only checked here", None))
        }
    }
    let mut registry = Registry::builtin();
    registry.register("demo", NamedOnly).unwrap();
    registry
}

#[test]
fn check_accepts_every_example_policy() {
    let examples = policies_in(&fixtures());
    assert!(examples.len() >= 5, "examples: {examples:?}");
    for file in examples {
        let out = run(&["policy", "check", file.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout).starts_with(&format!("{}: ok (", file.display())),
            "{}",
            text(&out.stdout)
        );
    }
}

#[test]
fn check_refuses_every_malformed_policy_with_its_position_and_exit_2() {
    let malformed = policies_in(&fixtures().join("malformed"));
    assert!(malformed.len() >= 25, "only {} malformed", malformed.len());
    let registry = command_registry();
    for file in malformed {
        let errors = Policy::load(&file, &registry).expect_err("malformed policies are refused");
        let out = run(&["policy", "check", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{file:?}");
        let stderr = text(&out.stderr);
        // Exactly the library's rendering: each error with file:line:column and a caret.
        assert_eq!(
            stderr.trim_end(),
            vfsbox_policy::render_errors(&errors).trim_end(),
            "{file:?}"
        );
        let first = &errors[0];
        assert!(
            stderr.contains(&format!(
                "--> {}:{}:{}",
                file.display(),
                first.line,
                first.column
            )),
            "{file:?}: {stderr}"
        );

        let out = run(&[
            "policy",
            "check",
            "--format",
            "json",
            file.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{file:?}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["ok"], false);
        assert_eq!(json["errors"][0]["line"], first.line);
        assert_eq!(json["errors"][0]["column"], first.column);
        assert_eq!(json["errors"][0]["message"], first.message.as_str());
    }
}

#[test]
fn a_malformed_policy_mounts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = mountpoint(&dir, "mnt");
    for file in policies_in(&fixtures().join("malformed")) {
        let (code, stderr) = refused(&["mount", "--policy", file.to_str().unwrap()], &mnt);
        assert_eq!(code, Some(2), "{file:?}: {stderr}");
        assert!(
            stderr.contains(&format!("--> {}:", file.display())),
            "{file:?}: {stderr}"
        );
        assert!(!is_mounted(&mnt), "{file:?} left a mount");
    }
    let out = run(&["shell", "--policy", "/nonexistent/policy.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot read the policy file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn show_and_explain_the_build_sandbox() {
    let file = fixtures().join("build.toml");
    let file = file.to_str().unwrap();

    let out = run(&["policy", "show", file]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    for line in [
        "policy build",
        "  identity  uid 1000, gid 1000, groups [100]",
        "├── /out  host \"trees/build/out\" (symlinks relative-inside)  (line 23)",
        "│       rule 1 (line 36): /src/**/.git/** [all] -> hide",
        "└── /tmp  memory (max-bytes 64 MiB, max-inodes 10000)  (line 29)",
    ] {
        assert!(shown.lines().any(|l| l == line), "no {line:?} in:\n{shown}");
    }
    let out = run(&["policy", "show", "--format", "json", file]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["name"], "build");

    let out = run(&["policy", "explain", file, "/src/.git/config", "read"]);
    assert_eq!(out.status.code(), Some(0));
    let explained = text(&out.stdout);
    assert!(
        explained.starts_with("read /src/.git/config: ENOENT\n"),
        "{explained}"
    );
    assert!(
        explained.contains("rule 1 (line 36): /src/**/.git/** matched /src/.git -> hide"),
        "{explained}"
    );
    let out = run(&[
        "policy",
        "explain",
        "--format",
        "json",
        file,
        "/src/main.rs",
        "write",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["errno"], "EROFS");
    assert_eq!(json["mount"]["at"], "/src");
    let out = run(&[
        "policy",
        "explain",
        "--format",
        "json",
        file,
        "/out/a.out",
        "exec",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["errno"], "EACCES");
    assert_eq!(json["decision"]["rule"]["number"], 2);
}

#[test]
fn explain_refuses_bad_arguments_with_exit_2() {
    let file = fixtures().join("build.toml");
    let file = file.to_str().unwrap();
    let out = run(&["policy", "explain", file, "/out/x", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "vfsbox policy explain: unknown operation `frobnicate`; use one of: read, write, \
         create, delete, rename, link, symlink, chmod, chown, xattr, exec\n"
    );
    let out = run(&["policy", "explain", file, "out/x", "read"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("e.g. /out/x"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["policy", "show", "/nonexistent.toml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_default_policy_is_printed_checked_and_served() {
    let out = run(&["policy", "default"]);
    assert_eq!(out.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("default.toml");
    fs::write(&file, &out.stdout).unwrap();
    // The printed default names the `demo` kind, which the command registers.
    let out = run(&["policy", "check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let mnt = mountpoint(&dir, "mnt");
    let mut daemon = Daemon::start(&["--policy", file.to_str().unwrap()], &mnt);
    assert!(
        daemon.startup_line.contains("policy \"default\""),
        "{}",
        daemon.startup_line
    );
    assert_eq!(listing(&mnt), ["README", "docs", "hello.txt", "latest"]);
    let (status, _) = daemon.stop(Signal::SIGTERM);
    assert_eq!(status.code(), Some(0));
}

#[test]
fn examples_through_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let policies = copied_fixtures(&dir);

    let (out, err) = shell(
        &policies.join("minimal.toml"),
        "echo hello > /f\ncat /f\nls /\npwd\n",
    );
    assert_eq!(out, "hello\nf\n/\n", "stderr: {err}");

    let (out, err) = shell(
        &policies.join("readonly-host-overlay.toml"),
        "echo changed > /docs/README.md\ncat /docs/README.md\nls /src\n",
    );
    assert_eq!(out, "changed\nmain.rs\n", "stderr: {err}");
    assert_ne!(
        fs::read_to_string(policies.join("trees/project/docs/README.md")).unwrap(),
        "changed\n",
        "the host layer is never written"
    );

    let (out, err) = shell(
        &policies.join("secrets.toml"),
        "ls -a /shared\ncat /shared/secrets/api.key\ntouch /shared/new\n",
    );
    assert_eq!(out, ".\n..\nconfig\n", "stderr: {err}");
    assert_eq!(
        err,
        "cat: No such file or directory (ENOENT)\ntouch: Read-only file system (EROFS)\n"
    );

    let (out, err) = shell(
        &policies.join("no-symlinks.toml"),
        "ln -s data/file.txt /l\nls /\n",
    );
    assert_eq!(out, "data\n");
    assert_eq!(err, "ln: Operation not permitted (EPERM)\n");

    // The build sandbox runs as uid 1000 in /src: the sources are read-only, /out belongs to
    // the builder, and .git is hidden.
    fs::create_dir(policies.join("trees/build/src/.git")).unwrap();
    fs::write(policies.join("trees/build/src/.git/config"), "x").unwrap();
    nix::unistd::chown(
        &policies.join("trees/build/out"),
        Some(nix::unistd::Uid::from_raw(1000)),
        Some(nix::unistd::Gid::from_raw(1000)),
    )
    .unwrap();
    let (out, err) = shell(
        &policies.join("build.toml"),
        "pwd\nls -a\ncat .git/config\ntouch x\necho built > /out/a.out\ncat /out/a.out\n\
         ln -s /etc/passwd /out/l\nls /\n",
    );
    assert_eq!(
        out, "/src\n.\n..\nmain.rs\nbuilt\nout\nsrc\ntmp\n",
        "stderr: {err}"
    );
    assert_eq!(
        err,
        "cat: No such file or directory (ENOENT)\ntouch: Read-only file system (EROFS)\n\
         ln: Operation not permitted (EPERM)\n"
    );
}

#[test]
fn examples_through_a_mount() {
    let dir = tempfile::tempdir().unwrap();
    let policies = copied_fixtures(&dir);
    fs::create_dir(policies.join("trees/build/src/.git")).unwrap();
    fs::write(policies.join("trees/build/src/.git/config"), "x").unwrap();

    let mount = |name: &str| {
        let mnt = mountpoint(&dir, &format!("mnt-{name}"));
        let policy = policies.join(format!("{name}.toml"));
        let daemon = Daemon::start(&["--policy", policy.to_str().unwrap()], &mnt);
        (daemon, mnt)
    };
    let errno = |r: std::io::Result<()>| r.unwrap_err().raw_os_error();

    let (daemon, mnt) = mount("minimal");
    fs::write(mnt.join("f"), "hello\n").unwrap();
    assert_eq!(fs::read_to_string(mnt.join("f")).unwrap(), "hello\n");
    drop(daemon);

    let (daemon, mnt) = mount("readonly-host-overlay");
    fs::write(mnt.join("docs/README.md"), "changed\n").unwrap();
    assert_eq!(
        fs::read_to_string(mnt.join("docs/README.md")).unwrap(),
        "changed\n"
    );
    assert_ne!(
        fs::read_to_string(policies.join("trees/project/docs/README.md")).unwrap(),
        "changed\n"
    );
    drop(daemon);

    let (daemon, mnt) = mount("secrets");
    assert_eq!(listing(&mnt.join("shared")), ["config"]);
    assert_eq!(
        errno(fs::read(mnt.join("shared/secrets/api.key")).map(drop)),
        Some(libc::ENOENT)
    );
    assert_eq!(
        errno(fs::write(mnt.join("shared/new"), "x")),
        Some(libc::EROFS)
    );
    drop(daemon);

    let (daemon, mnt) = mount("no-symlinks");
    assert_eq!(
        errno(std::os::unix::fs::symlink("data/file.txt", mnt.join("l"))),
        Some(libc::EPERM)
    );
    drop(daemon);

    let (mut daemon, mnt) = mount("build");
    assert_eq!(listing(&mnt), ["out", "src", "tmp"]);
    assert_eq!(listing(&mnt.join("src")), ["main.rs"]);
    assert_eq!(errno(fs::write(mnt.join("src/x"), "x")), Some(libc::EROFS));
    fs::write(mnt.join("out/a.out"), "built\n").unwrap();
    assert_eq!(
        errno(std::os::unix::fs::symlink("/etc/passwd", mnt.join("out/l"))),
        Some(libc::EPERM)
    );
    std::os::unix::fs::symlink("a.out", mnt.join("out/l")).unwrap();
    let (status, _) = daemon.stop(Signal::SIGTERM);
    assert_eq!(status.code(), Some(0));
    // What the build wrote is on disk.
    assert_eq!(
        fs::read_to_string(policies.join("trees/build/out/a.out")).unwrap(),
        "built\n"
    );
}

#[test]
fn a_mounted_policy_audits_and_reports_its_log_at_unmount() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("audited.toml");
    fs::write(
        &policy,
        "[[mount]]\nat = \"/\"\nprovider = \"memory\"\n\n[logging]\naudit = \"audit.jsonl\"\n",
    )
    .unwrap();
    let mnt = mountpoint(&dir, "mnt");
    let mut daemon = Daemon::start(&["--policy", policy.to_str().unwrap()], &mnt);
    fs::write(mnt.join("f"), "x").unwrap();
    let (status, stderr) = daemon.stop(Signal::SIGTERM);
    assert_eq!(status.code(), Some(0));
    let log = fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let creates: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("\"op\":\"create\""))
        .collect();
    assert_eq!(creates.len(), 1, "{log}");
    assert!(creates[0].contains("\"path\":\"/f\""), "{log}");
    assert!(
        stderr.ends_with(&format!(
            "vfsbox: audit log: {} lines written, 0 dropped\n",
            log.lines().count()
        )),
        "{stderr}"
    );
}

#[test]
fn compat_level_and_strict_mode_reach_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("h")).unwrap();
    fs::write(dir.path().join("h/f"), "").unwrap();
    let policy = |logging: &str| {
        let file = dir.path().join("p.toml");
        fs::write(
            &file,
            format!("[[mount]]\nat = \"/\"\nprovider = \"host\"\nroot = \"h\"\n\n[logging]\n{logging}\n"),
        )
        .unwrap();
        file
    };
    // The host provider strips set-id bits: compatibility event VFSBOX-C010.
    let event = "vfsbox::compat: the provider strips set-id bits: set-id bits given to a \
                 provider that strips them code=\"VFSBOX-C010\"";
    let (_, err) = shell(&policy("compat-level = \"info\""), "chmod 4755 f\n");
    assert_eq!(err, format!(" INFO {event} strict=false\n"));
    let (_, err) = shell(&policy("compat-level = \"off\""), "chmod 4755 f\n");
    assert_eq!(err, "");
    let (_, err) = shell(&policy("strict = true"), "chmod 4755 f\n");
    assert_eq!(
        err,
        format!(" WARN {event} strict=true\nchmod: Operation not supported (EOPNOTSUPP)\n")
    );
}

#[test]
fn a_mountpoint_inside_a_host_root_of_the_policy_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let lower = dir.path().join("lower");
    fs::create_dir(&lower).unwrap();
    let policy = dir.path().join("nested.toml");
    // The host root is nested in an overlay: every host provider counts.
    fs::write(
        &policy,
        "[[mount]]\nat = \"/\"\nprovider = \"overlay\"\nupper = { provider = \"memory\" }\n\
         lower = { provider = \"host\", root = \"lower\" }\n",
    )
    .unwrap();
    let mnt = lower.join("mnt");
    fs::create_dir(&mnt).unwrap();
    let mnt = mnt.canonicalize().unwrap();
    let (code, stderr) = refused(&["mount", "--policy", policy.to_str().unwrap()], &mnt);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("the mount would contain itself"),
        "{stderr}"
    );
    assert!(!is_mounted(&mnt));
}
