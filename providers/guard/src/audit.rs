//! [`AuditLog`]: one JSON line per operation, written by one background thread.
//!
//! The calling thread's cost is what the policy-stack benchmark measures, so it is kept to:
//! two raw readings of the CPU's time-stamp counter (through `quanta`: about 10 ns, where a
//! `clock_gettime` through the vDSO costs 35 ns on the virtual machines vfsbox is measured on,
//! and `quanta` falls back to the OS clock where the counter is not invariant), and appending one fixed-size record (op name, result, times,
//! and the path bytes copied into a byte arena) to its own per-thread batch under an
//! uncontended lock. No allocation once the batch has grown, no `SystemTime`, no formatting,
//! no shared cache line written on the common path (a single queue shared by every caller
//! and the writer bounced its indices between cores on every event).
//!
//! The writer thread takes every batch (swapping in an emptied one) each [`POLL`] and on
//! [`AuditLog::flush`], orders what it took by completion time, formats the lines (wall time
//! reconstructed from a fresh (wall clock, monotonic clock) pair, so a stepped clock shows
//! within one poll), writes them through a buffer, and flushes when it has written
//! something. A batch holding as many records as the log's capacity counts the next one as
//! dropped: recording never waits and never fails. On close the writer takes what is left,
//! and adds `{"dropped": N}` if anything was dropped.

use crate::paths::PathBuf;
use parking_lot::Mutex;
use std::cell::RefCell;
use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use vfsbox_api::{Errno, Name};

/// The default queue length: about 64k events per calling thread before drops start.
pub const DEFAULT_QUEUE: usize = 65_536;

/// How often the writer takes the batches when nobody asks for a flush: the latency of a
/// line reaching the file.
pub const POLL: Duration = Duration::from_millis(2);

/// The path of an audited call, kept in the form the call had it (no joining on the caller).
#[derive(Clone, Debug, Default)]
pub(crate) enum AuditPath<'n> {
    /// No path (e.g. a handle or node the wrapper no longer knows).
    #[default]
    None,
    /// A path the table already shares.
    Shared(PathBuf),
    /// A directory's path and a name in it (a lookup that failed, a name that was refused),
    /// borrowed from the call: copied into the batch, never allocated.
    Joined(PathBuf, &'n Name),
}

/// The bytes a file handle read and wrote, reported on its `release` line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Bytes {
    pub(crate) read: u64,
    pub(crate) written: u64,
}

/// How one call went, for [`AuditLog::record`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Outcome {
    /// Raw clock reading before the call, if it was timed.
    pub(crate) start: Option<u64>,
    /// Raw clock reading after it.
    pub(crate) end: u64,
    pub(crate) errno: Option<Errno>,
    pub(crate) bytes: Option<Bytes>,
}

/// Where a record's path is in its batch's byte arena; `len == NONE` for no path.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    const NONE: u32 = u32::MAX;
}

/// One audited call, as the caller leaves it.
#[derive(Clone, Copy, Debug)]
struct Record {
    op: &'static str,
    /// Raw clock readings (see [`AuditLog::now`]), scaled on the writer thread.
    start: u64,
    end: u64,
    /// `start` was read before the call (else it is `end`: no duration is written).
    timed: bool,
    /// A file handle's totals, on its `release` line.
    bytes: Option<Bytes>,
    errno: Option<Errno>,
    path: Span,
    path2: Span,
}

/// The records of one thread not yet taken by the writer, and their paths' bytes.
#[derive(Debug, Default)]
struct Batch {
    records: Vec<Record>,
    paths: Vec<u8>,
}

impl Batch {
    fn push_path(&mut self, path: &AuditPath<'_>) -> Span {
        let start = self.paths.len();
        match path {
            AuditPath::None => {
                return Span {
                    start: 0,
                    len: Span::NONE,
                }
            }
            AuditPath::Shared(p) => self.paths.extend_from_slice(p),
            AuditPath::Joined(dir, name) => {
                self.paths.extend_from_slice(dir);
                if **dir != *b"/" {
                    self.paths.push(b'/');
                }
                self.paths.extend_from_slice(name.as_bytes());
            }
        }
        Span {
            start: start as u32,
            len: (self.paths.len() - start) as u32,
        }
    }

    fn path(&self, span: Span) -> Option<&[u8]> {
        (span.len != Span::NONE)
            .then(|| &self.paths[span.start as usize..(span.start + span.len) as usize])
    }

    fn clear(&mut self) {
        self.records.clear();
        self.paths.clear();
    }
}

/// One thread's batch for one log. Only its thread and the writer lock it, the writer once
/// per poll, so the lock is almost never contended.
#[derive(Debug, Default)]
struct Slot {
    batch: Mutex<Batch>,
    /// The log is closed: the thread's cache entry can go.
    closed: AtomicBool,
}

/// What the log's users and its writer share.
#[derive(Debug)]
struct Shared {
    /// Distinguishes logs in the per-thread slot caches (addresses could be reused).
    id: u64,
    /// Records a batch holds before the next is dropped.
    capacity: usize,
    /// False when no writer thread could be started: everything is dropped.
    writing: bool,
    slots: Mutex<Vec<Arc<Slot>>>,
    clock: quanta::Clock,
    dropped: AtomicU64,
    written: AtomicU64,
}

/// Requests to the writer; closing the channel closes the log.
enum Control {
    /// Answer once everything recorded before this is written and flushed.
    Flush(SyncSender<()>),
}

static NEXT_LOG: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's slot in each log it recorded into (usually one).
    static SLOTS: RefCell<Vec<(u64, Arc<Slot>)>> = const { RefCell::new(Vec::new()) };
}

/// The audit log of one sandbox. Shared (`Arc`) by every wrapper that records into it; closed,
/// drained and flushed when the last holder drops it.
pub struct AuditLog {
    shared: Arc<Shared>,
    control: Option<Sender<Control>>,
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

    /// As [`AuditLog::to_writer`] with room for `capacity` events (at least 1) per calling
    /// thread between two takes of the writer.
    pub fn with_capacity(w: Box<dyn Write + Send>, sandbox: &str, capacity: usize) -> AuditLog {
        AuditLog::start(w, sandbox, capacity).unwrap_or_else(|_| AuditLog {
            shared: Arc::new(Shared::new(capacity, false)),
            control: None,
            thread: None,
        })
    }

    fn start(w: Box<dyn Write + Send>, sandbox: &str, capacity: usize) -> io::Result<AuditLog> {
        let (tx, rx) = mpsc::channel();
        let shared = Arc::new(Shared::new(capacity, true));
        let writer = Arc::clone(&shared);
        let sandbox = json_string(sandbox);
        let thread = std::thread::Builder::new()
            .name("vfsbox-audit".into())
            .spawn(move || write_loop(&rx, BufWriter::new(w), &sandbox, &writer))?;
        Ok(AuditLog {
            shared,
            control: Some(tx),
            thread: Some(thread),
        })
    }

    /// Events lost so far: a batch was full, or the writer failed.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Acquire)
    }

    /// Lines written so far.
    pub fn written(&self) -> u64 {
        self.shared.written.load(Ordering::Acquire)
    }

    /// Waits until every event recorded before this call is written and flushed. (The only
    /// call of the log that waits; it is not made on behalf of a filesystem operation.)
    pub fn flush(&self) {
        let Some(control) = &self.control else { return };
        let (done_tx, done_rx) = mpsc::sync_channel(1);
        if control.send(Control::Flush(done_tx)).is_ok() {
            let _ = done_rx.recv();
        }
    }

    /// A raw clock reading for [`AuditLog::record`] (a time-stamp counter value, turned into
    /// time on the writer thread).
    #[inline]
    pub(crate) fn now(&self) -> u64 {
        self.shared.clock.raw()
    }

    /// Records one call (its times are readings of [`AuditLog::now`]), without waiting; a
    /// full batch counts a drop.
    #[inline]
    pub(crate) fn record(
        &self,
        op: &'static str,
        outcome: Outcome,
        path: &AuditPath<'_>,
        path2: &AuditPath<'_>,
    ) {
        let Outcome {
            start,
            end,
            errno,
            bytes,
        } = outcome;
        let shared = &*self.shared;
        let stored = shared.writing
            && SLOTS
                .try_with(|slots| {
                    let mut slots = slots.borrow_mut();
                    let slot = match slots.iter().find(|(id, _)| *id == shared.id) {
                        Some((_, slot)) => slot,
                        None => {
                            slots.retain(|(_, s)| !s.closed.load(Ordering::Relaxed));
                            let slot = Arc::new(Slot::default());
                            shared.slots.lock().push(Arc::clone(&slot));
                            slots.push((shared.id, slot));
                            &slots[slots.len() - 1].1
                        }
                    };
                    let mut batch = slot.batch.lock();
                    if batch.records.len() >= shared.capacity {
                        return false;
                    }
                    let path = batch.push_path(path);
                    let path2 = batch.push_path(path2);
                    batch.records.push(Record {
                        op,
                        start: start.unwrap_or(end),
                        end,
                        timed: start.is_some(),
                        bytes,
                        errno,
                        path,
                        path2,
                    });
                    true
                })
                // The thread is exiting (a thread-local destructor made a call).
                .unwrap_or(false);
        if !stored {
            shared.dropped.fetch_add(1, Ordering::AcqRel);
        }
    }
}

impl Shared {
    fn new(capacity: usize, writing: bool) -> Shared {
        Shared {
            id: NEXT_LOG.fetch_add(1, Ordering::Relaxed),
            capacity: capacity.max(1),
            writing,
            slots: Mutex::new(Vec::new()),
            clock: quanta::Clock::new(),
            dropped: AtomicU64::new(0),
            written: AtomicU64::new(0),
        }
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        drop(self.control.take());
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

/// One formatted event: what [`format_event`] needs of a record, its paths resolved.
#[derive(Debug)]
pub(crate) struct Event<'a> {
    pub(crate) time: SystemTime,
    pub(crate) op: &'static str,
    pub(crate) path: Option<&'a [u8]>,
    pub(crate) path2: Option<&'a [u8]>,
    pub(crate) errno: Option<Errno>,
    /// `None` for a call recorded only because it failed (not timed).
    pub(crate) duration_ns: Option<u64>,
    pub(crate) bytes: Option<Bytes>,
}

fn write_loop(
    control: &Receiver<Control>,
    mut out: BufWriter<Box<dyn Write + Send>>,
    sandbox: &str,
    shared: &Shared,
) {
    let mut scratch = Scratch::default();
    loop {
        let request = control.recv_timeout(POLL);
        let closing = matches!(request, Err(RecvTimeoutError::Disconnected));
        let wrote = take_and_write(shared, &mut scratch, &mut out, sandbox, closing);
        match request {
            Ok(Control::Flush(done)) => {
                let _ = out.flush();
                let _ = done.send(());
            }
            Err(RecvTimeoutError::Timeout) => {
                if wrote {
                    let _ = out.flush();
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let dropped = shared.dropped.load(Ordering::Acquire);
    if dropped > 0 {
        let _ = writeln!(out, "{{\"dropped\":{dropped}}}");
    }
    let _ = out.flush();
}

/// The writer's reused buffers.
#[derive(Default)]
struct Scratch {
    /// The batches taken from the slots (swapped with emptied ones).
    taken: Vec<Batch>,
    /// (end reading, batch, record) of everything taken, sorted by completion.
    order: Vec<(u64, usize, usize)>,
    line: Vec<u8>,
    face: Clockface,
}

/// Takes every thread's batch and writes its records, in completion order. Returns true if
/// anything was written. `closing`: the slots are marked closed (no record can come after
/// the last holder of the log is gone) and dropped.
fn take_and_write(
    shared: &Shared,
    scratch: &mut Scratch,
    out: &mut BufWriter<Box<dyn Write + Send>>,
    sandbox: &str,
    closing: bool,
) -> bool {
    let Scratch {
        taken,
        order,
        line,
        face,
    } = scratch;
    {
        let mut slots = shared.slots.lock();
        for (i, slot) in slots.iter().enumerate() {
            if taken.len() <= i {
                taken.push(Batch::default());
            }
            std::mem::swap(&mut *slot.batch.lock(), &mut taken[i]);
            if closing {
                slot.closed.store(true, Ordering::Relaxed);
            }
        }
        if closing {
            slots.clear();
        } else {
            // A slot only the list holds belongs to a thread that has exited.
            slots.retain(|slot| {
                Arc::strong_count(slot) > 1 || !slot.batch.lock().records.is_empty()
            });
        }
    }
    order.clear();
    for (b, batch) in taken.iter().enumerate() {
        for (r, record) in batch.records.iter().enumerate() {
            order.push((record.end, b, r));
        }
    }
    if order.is_empty() {
        return false;
    }
    if taken.iter().filter(|b| !b.records.is_empty()).count() > 1 {
        order.sort_unstable_by_key(|&(end, b, r)| (end, b, r));
    }
    // Wall time of a raw reading, from one fresh pair of readings.
    let clock = &shared.clock;
    let (wall_now, raw_now) = (SystemTime::now(), clock.raw());
    for &(_, b, r) in order.iter() {
        let batch = &taken[b];
        let record = &batch.records[r];
        let ago = Duration::from_nanos(clock.delta_as_nanos(record.start, raw_now));
        let time = wall_now.checked_sub(ago).unwrap_or(UNIX_EPOCH);
        line.clear();
        format_event(
            line,
            sandbox,
            &Event {
                time,
                op: record.op,
                path: batch.path(record.path),
                path2: batch.path(record.path2),
                errno: record.errno,
                duration_ns: record
                    .timed
                    .then(|| clock.delta_as_nanos(record.start, record.end)),
                bytes: record.bytes,
            },
            face,
        );
        if out.write_all(line).is_ok() {
            shared.written.fetch_add(1, Ordering::AcqRel);
        } else {
            shared.dropped.fetch_add(1, Ordering::AcqRel);
        }
    }
    for batch in taken.iter_mut() {
        batch.clear();
    }
    true
}

/// The date and time to the second of the last line, reused while the second is the same
/// (most lines): the calendar arithmetic and twelve digits are done once a second.
#[derive(Debug, Default)]
pub(crate) struct Clockface {
    secs: Option<i64>,
    text: Vec<u8>,
}

impl Clockface {
    /// `time` as RFC 3339 in UTC with nanoseconds: `2024-05-01T12:00:00.000000001Z`.
    fn write(&mut self, out: &mut Vec<u8>, time: SystemTime) {
        let (secs, nanos) = match time.duration_since(UNIX_EPOCH) {
            Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
            Err(_) => (0, 0),
        };
        if self.secs != Some(secs) {
            self.text.clear();
            seconds(&mut self.text, secs);
            self.secs = Some(secs);
        }
        out.extend_from_slice(&self.text);
        out.push(b'.');
        decimal(out, nanos.into(), 9);
        out.push(b'Z');
    }
}

/// One JSON line (with its newline) for `event`.
pub(crate) fn format_event(
    line: &mut Vec<u8>,
    sandbox: &str,
    event: &Event<'_>,
    face: &mut Clockface,
) {
    line.extend_from_slice(b"{\"time\":\"");
    face.write(line, event.time);
    line.extend_from_slice(b"\",\"sandbox\":");
    line.extend_from_slice(sandbox.as_bytes());
    line.extend_from_slice(b",\"op\":\"");
    line.extend_from_slice(event.op.as_bytes());
    line.push(b'"');
    for (key, path) in [
        (&b",\"path\":"[..], event.path),
        (b",\"path2\":", event.path2),
    ] {
        if let Some(p) = path {
            line.extend_from_slice(key);
            json_bytes(line, p);
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
    if let Some(bytes) = event.bytes {
        line.extend_from_slice(b",\"bytes_read\":");
        decimal(line, bytes.read, 1);
        line.extend_from_slice(b",\"bytes_written\":");
        decimal(line, bytes.written, 1);
    }
    if let Some(ns) = event.duration_ns {
        line.extend_from_slice(b",\"duration_ns\":");
        decimal(line, ns, 1);
    }
    line.extend_from_slice(b"}\n");
}

/// `bytes` as a JSON string literal, invalid UTF-8 replaced by U+FFFD. Paths are nearly
/// always printable ASCII, copied as they are; anything else goes through `serde_json`.
fn json_bytes(line: &mut Vec<u8>, bytes: &[u8]) {
    if bytes
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        line.push(b'"');
        line.extend_from_slice(bytes);
        line.push(b'"');
        return;
    }
    let text = String::from_utf8_lossy(bytes);
    if serde_json::to_writer(&mut *line, &*text).is_err() {
        line.extend_from_slice(b"\"\"");
    }
}

/// `n` in decimal, at least `width` digits (zero-padded): the writer formats millions of
/// numbers, and `core::fmt` was most of its time.
fn decimal(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    while digits.len() - i < width {
        i -= 1;
        digits[i] = b'0';
    }
    out.extend_from_slice(&digits[i..]);
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// `secs` after the epoch as RFC 3339 in UTC to the second: `2024-05-01T12:00:00`.
fn seconds(out: &mut Vec<u8>, secs: i64) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400) as u64;
    let (y, m, d) = civil_from_days(days);
    decimal(out, y.max(0) as u64, 4);
    out.push(b'-');
    decimal(out, m.into(), 2);
    out.push(b'-');
    decimal(out, d.into(), 2);
    out.push(b'T');
    decimal(out, rem / 3600, 2);
    out.push(b':');
    decimal(out, rem / 60 % 60, 2);
    out.push(b':');
    decimal(out, rem % 60, 2);
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
        let mut face = Clockface::default();
        face.write(&mut out, UNIX_EPOCH + Duration::new(1_709_210_096, 7));
        assert_eq!(out, b"2024-02-29T12:34:56.000000007Z");
        out.clear();
        face.write(
            &mut out,
            UNIX_EPOCH + Duration::new(1_709_210_096, 999_999_999),
        );
        assert_eq!(
            out, b"2024-02-29T12:34:56.999999999Z",
            "the same second, reused"
        );
        out.clear();
        face.write(&mut out, UNIX_EPOCH + Duration::new(1_709_210_097, 0));
        assert_eq!(out, b"2024-02-29T12:34:57.000000000Z", "the next second");
        out.clear();
        face.write(&mut out, UNIX_EPOCH);
        assert_eq!(out, b"1970-01-01T00:00:00.000000000Z");
    }

    #[test]
    fn decimals() {
        let mut out = Vec::new();
        for (n, width, text) in [
            (0, 1, "0"),
            (7, 9, "000000007"),
            (u64::MAX, 1, "18446744073709551615"),
            (2024, 4, "2024"),
            (12, 2, "12"),
        ] {
            out.clear();
            decimal(&mut out, n, width);
            assert_eq!(out, text.as_bytes());
        }
        let mut line = Vec::new();
        json_bytes(&mut line, b"/a b/c.txt");
        assert_eq!(line, b"\"/a b/c.txt\"");
        line.clear();
        json_bytes(&mut line, b"/\xff\\\t");
        assert_eq!(String::from_utf8(line).unwrap(), "\"/\u{fffd}\\\\\\t\"");
    }

    #[test]
    fn joined_paths_are_copied_with_one_separator() {
        let mut batch = Batch::default();
        let root: PathBuf = Arc::from(&b"/"[..]);
        let dir: PathBuf = Arc::from(&b"/d"[..]);
        let name = Name::new(b"f").unwrap();
        let a = batch.push_path(&AuditPath::Joined(root, name));
        let b = batch.push_path(&AuditPath::Joined(dir.clone(), name));
        let c = batch.push_path(&AuditPath::Shared(dir));
        let none = batch.push_path(&AuditPath::None);
        assert_eq!(batch.path(a), Some(&b"/f"[..]));
        assert_eq!(batch.path(b), Some(&b"/d/f"[..]));
        assert_eq!(batch.path(c), Some(&b"/d"[..]));
        assert_eq!(batch.path(none), None);
    }

    #[test]
    fn lines_escape_paths() {
        let mut line = Vec::new();
        let event = Event {
            time: UNIX_EPOCH,
            op: "rename",
            path: Some(b"/a\"b"),
            path2: Some(b"/c\n"),
            errno: Some(Errno::EACCES),
            duration_ns: Some(5),
            bytes: None,
        };
        format_event(
            &mut line,
            &json_string("s"),
            &event,
            &mut Clockface::default(),
        );
        assert_eq!(
            String::from_utf8(line.clone()).unwrap(),
            "{\"time\":\"1970-01-01T00:00:00.000000000Z\",\"sandbox\":\"s\",\"op\":\"rename\",\
             \"path\":\"/a\\\"b\",\"path2\":\"/c\\n\",\"result\":\"error\",\"errno\":\"EACCES\",\
             \"duration_ns\":5}\n"
        );
        line.clear();
        let event = Event {
            time: UNIX_EPOCH,
            op: "release",
            path: Some(b"/f"),
            path2: None,
            errno: None,
            duration_ns: None,
            bytes: Some(Bytes {
                read: 4096,
                written: 0,
            }),
        };
        format_event(
            &mut line,
            &json_string("s"),
            &event,
            &mut Clockface::default(),
        );
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "{\"time\":\"1970-01-01T00:00:00.000000000Z\",\"sandbox\":\"s\",\"op\":\"release\",\
             \"path\":\"/f\",\"result\":\"ok\",\"bytes_read\":4096,\"bytes_written\":0}\n"
        );
    }
}
