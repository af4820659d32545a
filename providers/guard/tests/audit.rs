//! The audit log: one valid JSON line per call (but forget) with the right fields; drops are
//! counted and never block the caller.

mod common;

use common::*;
use parking_lot::Mutex;
use serde_json::Value;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vfsbox_api::{Errno, FileSystem, OpenFlags, RenameFlags};
use vfsbox_guard::{Action, AuditLevel, AuditLog, Guard, Op};

/// A writer into shared memory, optionally slow.
#[derive(Clone, Default)]
struct Shared {
    bytes: Arc<Mutex<Vec<u8>>>,
    delay: Duration,
}

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::thread::sleep(self.delay);
        self.bytes.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn lines(out: &Shared) -> Vec<Value> {
    let text = String::from_utf8(out.bytes.lock().clone()).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn each_call_is_one_line_with_op_path_result_and_errno() {
    let out = Shared::default();
    let log = Arc::new(AuditLog::to_writer(Box::new(out.clone()), "build"));
    let fs = guarded(
        &["/d", "/secret"],
        &["/d/f"],
        Guard {
            rules: vfsbox_guard::Rules::new(vec![rule("/secret", &[], Action::Hide)]),
            audit: Some(log.clone()),
            audit_level: AuditLevel::All,
            ..Guard::default()
        },
    );
    let root = fs.root();
    let d = fs.lookup(root, n("d")).unwrap().node;
    let f = fs.lookup(d, n("f")).unwrap().node;
    assert_eq!(fs.lookup(root, n("secret")).unwrap_err(), Errno::ENOENT);
    fs.getattr(f).unwrap();
    let h = fs.open(f, OpenFlags::READ).unwrap();
    let mut buf = [0; 8];
    fs.read(h, 0, &mut buf).unwrap();
    fs.release(h).unwrap();
    fs.rename(d, n("f"), root, n("g"), RenameFlags::Replace)
        .unwrap();
    fs.forget(f, 1);
    assert_eq!(
        fs.mkdir(root, n("secret"), 0o755, ME).unwrap_err(),
        Errno::EACCES
    );
    log.flush();
    let got = lines(&out);
    let expected: &[(&str, &str, Option<&str>, Option<&str>)] = &[
        ("lookup", "/d", None, None),
        ("lookup", "/d/f", None, None),
        ("lookup", "/secret", None, Some("ENOENT")),
        ("getattr", "/d/f", None, None),
        ("open", "/d/f", None, None),
        ("read", "/d/f", None, None),
        ("release", "/d/f", None, None),
        ("rename", "/d/f", Some("/g"), None),
        ("mkdir", "/secret", None, Some("EACCES")),
    ];
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (line, &(op, path, path2, errno)) in got.iter().zip(expected) {
        assert_eq!(line["op"], op, "{line}");
        assert_eq!(line["path"], path, "{line}");
        assert_eq!(line["sandbox"], "build");
        match path2 {
            Some(p) => assert_eq!(line["path2"], p),
            None => assert!(line.get("path2").is_none(), "{line}"),
        }
        match errno {
            Some(e) => {
                assert_eq!(line["result"], "error");
                assert_eq!(line["errno"], e);
            }
            None => {
                assert_eq!(line["result"], "ok");
                assert!(line.get("errno").is_none());
            }
        }
        assert!(line["duration_ns"].is_u64());
        let time = line["time"].as_str().unwrap();
        assert_eq!(time.len(), "2024-01-01T00:00:00.000000000Z".len(), "{time}");
        assert!(time.ends_with('Z') && time.as_bytes()[10] == b'T');
    }
    assert_eq!(log.written(), expected.len() as u64);
    assert_eq!(log.dropped(), 0);
}

#[test]
fn drops_are_counted_never_blocking() {
    let out = Shared {
        delay: Duration::from_millis(50),
        ..Shared::default()
    };
    let log = Arc::new(AuditLog::with_capacity(Box::new(out.clone()), "s", 2));
    let fs = guarded(
        &["/d"],
        &[],
        Guard {
            audit: Some(log.clone()),
            audit_level: AuditLevel::All,
            ..Guard::default()
        },
    );
    let root = fs.root();
    let start = Instant::now();
    for _ in 0..200 {
        fs.getattr(root).unwrap();
    }
    // 200 calls against a writer taking 50 ms a line: blocking would take 10 s.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    log.flush();
    let (written, dropped) = (log.written(), log.dropped());
    assert!(dropped > 0);
    assert_eq!(written + dropped, 200);
    drop(fs);
    // The last holder closes the log: a final line reports the drops.
    let log = Arc::into_inner(log).expect("only holder");
    drop(log);
    let got = lines(&out);
    assert_eq!(got.len() as u64, written + 1);
    assert_eq!(got.last().unwrap()["dropped"], dropped);
}

#[test]
fn file_log_appends() {
    let dir = std::env::temp_dir().join(format!("vfsbox-guard-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("audit.jsonl");
    let _ = std::fs::remove_file(&path);
    for _ in 0..2 {
        let log = Arc::new(AuditLog::create(&path, "f").unwrap());
        let fs = guarded(
            &[],
            &[],
            Guard {
                audit: Some(log.clone()),
                audit_level: AuditLevel::All,
                ..Guard::default()
            },
        );
        fs.statfs(fs.root()).unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2);
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["op"], "statfs");
        assert_eq!(v["path"], "/");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_thread_s_calls_reach_the_log_in_order_and_flush_waits_for_them() {
    let out = Shared::default();
    let log = Arc::new(AuditLog::to_writer(Box::new(out.clone()), "t"));
    let fs = Arc::new(guarded(
        &["/d0", "/d1", "/d2", "/d3"],
        &[],
        Guard {
            audit: Some(log.clone()),
            audit_level: AuditLevel::All,
            ..Guard::default()
        },
    ));
    const CALLS: usize = 500;
    // Threads that record and exit before the flush: their lines must still be written.
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let fs = fs.clone();
            std::thread::spawn(move || {
                let root = fs.root();
                let d = fs.lookup(root, n(&format!("d{t}"))).unwrap().node;
                for _ in 0..CALLS {
                    fs.getattr(d).unwrap();
                }
                assert_eq!(
                    fs.lookup(d, n("missing")).unwrap_err(),
                    Errno::ENOENT,
                    "the last call of the thread"
                );
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    log.flush();
    let got = lines(&out);
    assert_eq!(log.dropped(), 0);
    assert_eq!(got.len(), 4 * (CALLS + 2), "every call is one line");
    assert_eq!(log.written(), got.len() as u64);
    for t in 0..4 {
        let dir = format!("/d{t}");
        let mine: Vec<&Value> = got
            .iter()
            .filter(|l| l["path"].as_str().unwrap().starts_with(&dir))
            .collect();
        assert_eq!(mine.len(), CALLS + 2);
        // One thread's lines keep its call order.
        assert_eq!(mine[0]["op"], "lookup");
        assert!(mine[1..=CALLS].iter().all(|l| l["op"] == "getattr"));
        assert_eq!(mine[CALLS + 1]["path"], format!("{dir}/missing"));
        assert_eq!(mine[CALLS + 1]["errno"], "ENOENT");
    }
}

/// A tree with `/d/f` ("data") and `/ro` (read-only) under a guard logging at `level`.
fn at_level(level: AuditLevel) -> (vfsbox_guard::Guarded, Arc<AuditLog>, Shared) {
    let out = Shared::default();
    let log = Arc::new(AuditLog::to_writer(Box::new(out.clone()), "lv"));
    let fs = guarded(
        &["/d", "/ro"],
        &["/d/f", "/ro/g"],
        Guard {
            rules: vfsbox_guard::Rules::new(vec![rule("/ro/**", &[], Action::ReadOnly)]),
            audit: Some(log.clone()),
            audit_level: level,
            ..Guard::default()
        },
    );
    (fs, log, out)
}

/// The same calls at each level: lookups, getattr, statfs, readlink-free reads and writes,
/// a refused open, a mkdir, a read-only refusal.
fn script(fs: &dyn FileSystem) {
    let root = fs.root();
    let d = fs.lookup(root, n("d")).unwrap().node;
    let f = fs.lookup(d, n("f")).unwrap().node;
    assert_eq!(fs.lookup(d, n("nope")).unwrap_err(), Errno::ENOENT);
    fs.getattr(f).unwrap();
    fs.statfs(root).unwrap();
    fs.getxattr(f, b"user.x").unwrap_err();
    let h = fs.open(f, OpenFlags::READ).unwrap();
    let mut buf = [0; 3];
    assert_eq!(fs.read(h, 0, &mut buf).unwrap(), 3);
    assert_eq!(fs.read(h, 3, &mut buf).unwrap(), 1);
    fs.release(h).unwrap();
    let h = fs.open(f, OpenFlags::WRITE).unwrap();
    assert_eq!(fs.write(h, 0, b"hello").unwrap(), 5);
    fs.flush(h).unwrap();
    fs.release(h).unwrap();
    let ro = fs.lookup(root, n("ro")).unwrap().node;
    let g = fs.lookup(ro, n("g")).unwrap().node;
    assert_eq!(fs.open(g, OpenFlags::WRITE).unwrap_err(), Errno::EROFS);
    fs.mkdir(d, n("sub"), 0o755, ME).unwrap();
}

fn summary(out: &Shared) -> Vec<(String, String, String)> {
    lines(out)
        .iter()
        .map(|l| {
            (
                l["op"].as_str().unwrap().to_string(),
                l["path"].as_str().unwrap_or("").to_string(),
                l["errno"].as_str().unwrap_or("ok").to_string(),
            )
        })
        .collect()
}

fn triples(t: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    t.iter()
        .map(|&(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn access_level_skips_successful_queries_and_data_calls() {
    let (fs, log, out) = at_level(AuditLevel::Access);
    script(&fs);
    log.flush();
    assert_eq!(
        summary(&out),
        triples(&[
            ("lookup", "/d/nope", "ENOENT"),
            ("getxattr", "/d/f", "ENODATA"),
            ("open", "/d/f", "ok"),
            ("release", "/d/f", "ok"),
            ("open", "/d/f", "ok"),
            ("release", "/d/f", "ok"),
            ("open", "/ro/g", "EROFS"),
            ("mkdir", "/d/sub", "ok"),
        ])
    );
    let got = lines(&out);
    // The release lines carry the handle's totals.
    assert_eq!(got[3]["bytes_read"], 4);
    assert_eq!(got[3]["bytes_written"], 0);
    assert_eq!(got[5]["bytes_read"], 0);
    assert_eq!(got[5]["bytes_written"], 5);
    // Failures of calls logged only on failure are not timed; the others are.
    assert!(got[0].get("duration_ns").is_none(), "{}", got[0]);
    assert!(got[1].get("duration_ns").is_none(), "{}", got[1]);
    assert!(got[2]["duration_ns"].is_u64());
    assert!(got[6]["duration_ns"].is_u64(), "a refused open is timed");
    assert!(
        got[2].get("bytes_read").is_none(),
        "only release has totals"
    );
}

#[test]
fn changes_level_keeps_changes_and_failures() {
    let (fs, log, out) = at_level(AuditLevel::Changes);
    script(&fs);
    // An open with O_TRUNC changes the file; a release of a handle that only read does not.
    let f = walk(&fs, "/d/f").unwrap().node;
    let h = fs.open(f, OpenFlags::WRITE | OpenFlags::TRUNCATE).unwrap();
    fs.release(h).unwrap();
    let sub = walk(&fs, "/d/sub").unwrap().node;
    fs.setattr(
        sub,
        &vfsbox_api::SetAttr {
            perm: Some(0o700),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    log.flush();
    assert_eq!(
        summary(&out),
        triples(&[
            ("lookup", "/d/nope", "ENOENT"),
            ("getxattr", "/d/f", "ENODATA"),
            ("release", "/d/f", "ok"),
            ("open", "/ro/g", "EROFS"),
            ("mkdir", "/d/sub", "ok"),
            ("open", "/d/f", "ok"),
            ("setattr", "/d/sub", "ok"),
        ])
    );
    let got = lines(&out);
    assert_eq!(
        got[2]["bytes_written"], 5,
        "the release of the handle that wrote"
    );
    assert!(got[2]["duration_ns"].is_u64());
}

#[test]
fn all_level_logs_every_call_with_totals_on_release() {
    let (fs, log, out) = at_level(AuditLevel::All);
    script(&fs);
    log.flush();
    let ops: Vec<String> = summary(&out).into_iter().map(|(op, _, _)| op).collect();
    assert_eq!(
        ops,
        [
            "lookup", "lookup", "lookup", "getattr", "statfs", "getxattr", "open", "read", "read",
            "release", "open", "write", "flush", "release", "lookup", "lookup", "open", "mkdir"
        ]
    );
    let got = lines(&out);
    assert!(got.iter().all(|l| l["duration_ns"].is_u64()));
    assert_eq!(got[9]["bytes_read"], 4);
    assert_eq!(got[13]["bytes_written"], 5);
}

#[test]
fn a_refusal_is_logged_at_every_level() {
    for level in [AuditLevel::All, AuditLevel::Access, AuditLevel::Changes] {
        let out = Shared::default();
        let log = Arc::new(AuditLog::to_writer(Box::new(out.clone()), "r"));
        let fs = guarded(
            &["/x"],
            &["/x/f"],
            Guard {
                rules: vfsbox_guard::Rules::new(vec![rule("/x/f", &[Op::Read], EACCES)]),
                audit: Some(log.clone()),
                audit_level: level,
                ..Guard::default()
            },
        );
        let f = walk(&fs, "/x/f").unwrap().node;
        assert_eq!(fs.open(f, OpenFlags::READ).unwrap_err(), Errno::EACCES);
        assert_eq!(fs.readlink(f).unwrap_err(), Errno::EACCES);
        log.flush();
        let refused: Vec<_> = summary(&out)
            .into_iter()
            .filter(|(_, _, e)| e == "EACCES")
            .collect();
        assert_eq!(
            refused,
            triples(&[("open", "/x/f", "EACCES"), ("readlink", "/x/f", "EACCES")]),
            "{level:?}"
        );
    }
}
