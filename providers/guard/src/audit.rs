//! [`AuditLog`]: one JSON line per operation, written by one background thread.
//!
//! The calling thread only fills a small [`Event`] (a static op name, shared paths, the result,
//! two clock readings) and `try_send`s it into a bounded queue: it never formats, never waits
//! and never fails. A full queue counts a drop. The writer thread formats each line, writes
//! through a buffer, flushes whenever the queue runs empty, and on close adds
//! `{"dropped": N}` if anything was dropped.

use crate::paths::PathBuf;
use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};
use vfsbox_api::{Errno, NameBuf};

/// The default queue length: about 64k events (a few MiB) before drops start.
pub const DEFAULT_QUEUE: usize = 65_536;

/// How long the writer sleeps when the queue is empty: the latency of a line reaching the
/// file, and of [`AuditLog::flush`].
pub const POLL: std::time::Duration = std::time::Duration::from_millis(2);

/// The path of an audited call, kept in the form the call had it (no joining on the caller).
#[derive(Clone, Debug, Default)]
pub(crate) enum AuditPath {
    /// No path (e.g. a handle or node the wrapper no longer knows).
    #[default]
    None,
    /// A path the table already shares.
    Shared(PathBuf),
    /// A directory's path and a name in it (a lookup that failed, a name that was refused).
    Joined(PathBuf, NameBuf),
}

/// One audited call.
#[derive(Debug)]
pub(crate) struct Event {
    pub(crate) time: SystemTime,
    pub(crate) op: &'static str,
    pub(crate) path: AuditPath,
    pub(crate) path2: AuditPath,
    pub(crate) errno: Option<Errno>,
    pub(crate) duration_ns: u64,
}

enum Message {
    Event(Event),
    /// Answer once everything queued before this is written and flushed.
    Flush(SyncSender<()>),
}

#[derive(Debug, Default)]
struct Counters {
    dropped: AtomicU64,
    written: AtomicU64,
}

/// The audit log of one sandbox. Shared (`Arc`) by every wrapper that records into it; closed,
/// drained and flushed when the last holder drops it.
pub struct AuditLog {
    tx: Option<SyncSender<Message>>,
    counters: Arc<Counters>,
    thread: Option<JoinHandle<()>>,
}

impl AuditLog {
    /// Appends to the file at `path` (created if missing), naming the sandbox `sandbox` in
    /// every line.
    ///
    /// # Errors
    /// The error of opening the file, or of starting the writer thread.
    pub fn create(path: &Path, sandbox: &str) -> io::Result<AuditLog> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        AuditLog::start(Box::new(file), sandbox, DEFAULT_QUEUE)
    }

    /// Writes lines to `w`.
    ///
    /// # Panics
    /// Never by design; if the writer thread cannot be started (the system is out of
    /// threads), the log counts every event as dropped instead.
    pub fn to_writer(w: Box<dyn Write + Send>, sandbox: &str) -> AuditLog {
        AuditLog::with_capacity(w, sandbox, DEFAULT_QUEUE)
    }

    /// As [`AuditLog::to_writer`] with a queue of `capacity` events (at least 1).
    pub fn with_capacity(w: Box<dyn Write + Send>, sandbox: &str, capacity: usize) -> AuditLog {
        AuditLog::start(w, sandbox, capacity).unwrap_or_else(|_| AuditLog {
            tx: None,
            counters: Arc::default(),
            thread: None,
        })
    }

    fn start(w: Box<dyn Write + Send>, sandbox: &str, capacity: usize) -> io::Result<AuditLog> {
        let (tx, rx) = mpsc::sync_channel(capacity.max(1));
        let counters = Arc::new(Counters::default());
        let shared = Arc::clone(&counters);
        let sandbox = json_string(sandbox);
        let thread = std::thread::Builder::new()
            .name("vfsbox-audit".into())
            .spawn(move || write_loop(rx, BufWriter::new(w), &sandbox, &shared))?;
        Ok(AuditLog {
            tx: Some(tx),
            counters,
            thread: Some(thread),
        })
    }

    /// Events lost so far: the queue was full, or the writer failed.
    pub fn dropped(&self) -> u64 {
        self.counters.dropped.load(Ordering::Acquire)
    }

    /// Lines written so far.
    pub fn written(&self) -> u64 {
        self.counters.written.load(Ordering::Acquire)
    }

    /// Waits until every event queued before this call is written and flushed. (The only
    /// call of the log that waits; it is not made on behalf of a filesystem operation.)
    pub fn flush(&self) {
        let Some(tx) = &self.tx else { return };
        let (done_tx, done_rx) = mpsc::sync_channel(1);
        if tx.send(Message::Flush(done_tx)).is_ok() {
            let _ = done_rx.recv();
        }
    }

    /// Queues one event without waiting; a full queue counts a drop.
    pub(crate) fn record(&self, event: Event) {
        let sent = match &self.tx {
            Some(tx) => match tx.try_send(Message::Event(event)) {
                Ok(()) => true,
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
            },
            None => false,
        };
        if !sent {
            self.counters.dropped.fetch_add(1, Ordering::AcqRel);
        }
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("written", &self.written())
            .field("dropped", &self.dropped())
            .finish()
    }
}

fn write_loop(
    rx: Receiver<Message>,
    mut out: BufWriter<Box<dyn Write + Send>>,
    sandbox: &str,
    counters: &Counters,
) {
    let mut line = Vec::with_capacity(256);
    let mut pending = false;
    loop {
        let message = match rx.try_recv() {
            Ok(m) => m,
            Err(mpsc::TryRecvError::Empty) => {
                if pending {
                    let _ = out.flush();
                    pending = false;
                }
                std::thread::sleep(POLL);
                continue;
            }
            Err(mpsc::TryRecvError::Disconnected) => break,
        };
        match message {
            Message::Event(event) => {
                line.clear();
                format_event(&mut line, sandbox, &event);
                if out.write_all(&line).is_ok() {
                    counters.written.fetch_add(1, Ordering::AcqRel);
                    pending = true;
                } else {
                    counters.dropped.fetch_add(1, Ordering::AcqRel);
                }
            }
            Message::Flush(done) => {
                let _ = out.flush();
                pending = false;
                let _ = done.send(());
            }
        }
    }
    let dropped = counters.dropped.load(Ordering::Acquire);
    if dropped > 0 {
        let _ = writeln!(out, "{{\"dropped\":{dropped}}}");
    }
    let _ = out.flush();
}

/// One JSON line (with its newline) for `event`.
pub(crate) fn format_event(line: &mut Vec<u8>, sandbox: &str, event: &Event) {
    line.extend_from_slice(b"{\"time\":\"");
    rfc3339(line, event.time);
    line.extend_from_slice(b"\",\"sandbox\":");
    line.extend_from_slice(sandbox.as_bytes());
    line.extend_from_slice(b",\"op\":\"");
    line.extend_from_slice(event.op.as_bytes());
    line.push(b'"');
    for (key, path) in [
        (&b",\"path\":"[..], &event.path),
        (b",\"path2\":", &event.path2),
    ] {
        match path {
            AuditPath::None => continue,
            AuditPath::Shared(p) => {
                line.extend_from_slice(key);
                json_bytes(line, p);
            }
            AuditPath::Joined(dir, name) => {
                let mut p = dir.to_vec();
                if **dir != *b"/" {
                    p.push(b'/');
                }
                p.extend_from_slice(name.as_bytes());
                line.extend_from_slice(key);
                json_bytes(line, &p);
            }
        }
    }
    match event.errno {
        None => line.extend_from_slice(b",\"result\":\"ok\""),
        Some(errno) => {
            line.extend_from_slice(b",\"result\":\"error\",\"errno\":\"");
            match errno.name() {
                Some(name) => line.extend_from_slice(name.as_bytes()),
                None => {
                    let _ = write!(line, "{errno:?}");
                }
            }
            line.push(b'"');
        }
    }
    let _ = writeln!(line, ",\"duration_ns\":{}}}", event.duration_ns);
}

/// `bytes` as a JSON string literal, invalid UTF-8 replaced by U+FFFD.
fn json_bytes(line: &mut Vec<u8>, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if serde_json::to_writer(&mut *line, &*text).is_err() {
        line.extend_from_slice(b"\"\"");
    }
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// `time` as RFC 3339 in UTC with nanoseconds: `2024-05-01T12:00:00.000000001Z`.
fn rfc3339(out: &mut Vec<u8>, time: SystemTime) {
    let (secs, nanos) = match time.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(_) => (0, 0),
    };
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{nanos:09}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    );
}

/// Year, month, day of the day `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_rfc3339_utc_with_nanoseconds() {
        let mut out = Vec::new();
        rfc3339(&mut out, UNIX_EPOCH + Duration::new(1_709_210_096, 7));
        assert_eq!(out, b"2024-02-29T12:34:56.000000007Z");
        out.clear();
        rfc3339(&mut out, UNIX_EPOCH);
        assert_eq!(out, b"1970-01-01T00:00:00.000000000Z");
    }

    #[test]
    fn lines_escape_paths() {
        let mut line = Vec::new();
        let event = Event {
            time: UNIX_EPOCH,
            op: "rename",
            path: AuditPath::Shared(Arc::from(&b"/a\"b"[..])),
            path2: AuditPath::Joined(Arc::from(&b"/"[..]), NameBuf::new(b"c\n").unwrap()),
            errno: Some(Errno::EACCES),
            duration_ns: 5,
        };
        format_event(&mut line, &json_string("s"), &event);
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "{\"time\":\"1970-01-01T00:00:00.000000000Z\",\"sandbox\":\"s\",\"op\":\"rename\",\
             \"path\":\"/a\\\"b\",\"path2\":\"/c\\n\",\"result\":\"error\",\"errno\":\"EACCES\",\
             \"duration_ns\":5}\n"
        );
    }
}
