//! `show` and `explain` of the build example against golden files in
//! `fixtures/policies/golden/`. Set `VFSBOX_BLESS=1` to rewrite them after a deliberate change.

mod common;

use common::{example, fixtures};
use vfsbox_policy::Op;

/// Compares `got` with golden file `name`, or writes it when blessing.
fn golden(name: &str, got: &str) {
    let path = fixtures().join("golden").join(name);
    if std::env::var_os("VFSBOX_BLESS").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(got, want, "{name} differs (VFSBOX_BLESS=1 rewrites it)");
}

/// The explain cases of the golden file: path, op.
const CASES: [(&str, Op); 12] = [
    ("/src/main.rs", Op::Read),
    ("/src/main.rs", Op::Write),
    ("/src/.git/HEAD", Op::Read),
    ("/src/.git", Op::Create),
    ("/out/app", Op::Exec),
    ("/out/app", Op::Chown),
    ("/out/app", Op::Write),
    ("/tmp/x", Op::Create),
    ("/etc/passwd", Op::Read),
    ("/etc", Op::Create),
    ("/src", Op::Rename),
    ("/tmp/x", Op::Rename),
];

#[test]
fn show_build() {
    let p = example("build.toml");
    let show = p.show();
    golden("build.show.txt", &show.to_string());
    let mut json = serde_json::to_value(&show).unwrap();
    // The file name depends on where the repository is.
    assert!(json["file"]
        .as_str()
        .unwrap()
        .ends_with("fixtures/policies/build.toml"));
    json["file"] = "build.toml".into();
    golden(
        "build.show.json",
        &(serde_json::to_string_pretty(&json).unwrap() + "\n"),
    );
}

#[test]
fn explain_build() {
    let p = example("build.toml");
    let mut text = String::new();
    let mut json = Vec::new();
    for (path, op) in CASES {
        let e = p.explain(path, op);
        text.push_str(&format!("$ explain {path} {}\n{e}\n\n", op.name()));
        json.push(serde_json::to_value(&e).unwrap());
    }
    golden("build.explain.txt", &text);
    golden(
        "build.explain.json",
        &(serde_json::to_string_pretty(&json).unwrap() + "\n"),
    );
}

#[test]
fn explain_normalizes_the_path_and_reports_the_errno() {
    let p = example("build.toml");
    let e = p.explain("/out/../src//main.rs", Op::Write);
    assert_eq!(e.path, "/src/main.rs");
    assert_eq!(e.errno.as_deref(), Some("EROFS"));
    assert_eq!(e.mount.unwrap().at, "/src");
    let e = p.explain("/out/x", Op::Chown);
    assert_eq!(e.errno.as_deref(), Some("EPERM"));
    let rule = e.decision.rule.unwrap();
    assert_eq!(
        (rule.number, rule.line, rule.path.as_str()),
        (3, 47, "/out/**")
    );
    let e = p.explain("/src/a/.git/config", Op::Read);
    assert_eq!(e.errno.as_deref(), Some("ENOENT"));
    assert_eq!(e.decision.rule.unwrap().matched, "/src/a/.git");
    let e = p.explain("/tmp/x", Op::Write);
    assert_eq!((e.errno, e.decision.action.as_str()), (None, "allow"));
}
