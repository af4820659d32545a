//! End-to-end tests of the `vfsbox` binary: output format, exit status, spec errors.

use std::process::{Command, Output};

fn vfsbox(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vfsbox"))
        .args(args)
        .output()
        .expect("run the vfsbox binary")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn memory_filtered_run_prints_lines_and_closing_line() {
    let out = vfsbox(&[
        "conformance",
        "--provider",
        "memory",
        "--filter",
        "rmdir_nonempty_is_enotempty",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "rmdir_nonempty_is_enotempty ... ok\n1 passed, 0 failed, 0 skipped\n"
    );
}

#[test]
fn host_run_uses_and_removes_fresh_subdirectories() {
    let dir = tempfile::tempdir().unwrap();
    let spec = format!("host:{}", dir.path().display());
    let out = vfsbox(&["conformance", "--provider", &spec, "--filter", "rename_"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let last = text.lines().last().unwrap();
    assert!(
        last.ends_with(" failed, 0 skipped") || last.contains(" 0 failed,"),
        "{last}"
    );
    assert!(text.lines().count() > 20, "{text}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "case directories left behind"
    );
}

#[test]
fn json_format_is_one_document_with_counts() {
    let dir = tempfile::tempdir().unwrap();
    let spec = format!("host:{}", dir.path().display());
    let out = vfsbox(&[
        "conformance",
        "--provider",
        &spec,
        "--filter",
        "symlink_",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() > 10);
    assert!(cases
        .iter()
        .all(|c| c["name"].as_str().unwrap().contains("symlink_")));
    let counted = doc["summary"]["passed"].as_u64().unwrap()
        + doc["summary"]["failed"].as_u64().unwrap()
        + doc["summary"]["skipped"].as_u64().unwrap();
    assert_eq!(counted, cases.len() as u64);
    assert_eq!(doc["provider"], spec.as_str());
}

#[test]
fn missing_host_directory_exits_2_with_a_clear_error() {
    let out = vfsbox(&[
        "conformance",
        "--provider",
        "host:/nonexistent/vfsbox-test-dir",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not exist"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn unknown_provider_spec_exits_2() {
    let out = vfsbox(&["conformance", "--provider", "nfs:/x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown provider \"nfs\""), "{err}");
    assert!(err.contains("memory, host:DIR"), "{err}");
}

#[test]
fn host_without_directory_exits_2() {
    let out = vfsbox(&["conformance", "--provider", "host"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("host:DIR"));
}

#[test]
fn filter_matching_nothing_reports_zero_cases() {
    let out = vfsbox(&[
        "conformance",
        "--provider",
        "memory",
        "--filter",
        "no_such_case_anywhere",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "0 passed, 0 failed, 0 skipped\n");
}
