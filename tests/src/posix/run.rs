//! The recorder: runs `Posix` calls and records each answer as normalised text.

use vfsbox_api::{DirStream, Errno, Fd, Flock, Posix, Stat, StatVfs, TimeSpec, AT_FDCWD};

use super::record::{Record, Step};
use super::Scenario;

/// The working directory of every scenario, below the root.
pub const WORK: &[u8] = b"/w";

/// What a scenario runs on: one `Posix` implementation, already inside the working
/// directory (`root` + [`WORK`]) with umask 0022.
pub trait Subject {
    /// The implementation the steps call.
    fn posix(&self) -> &dyn Posix;
    /// The prefix of absolute paths: the host path of the root for the native passthrough,
    /// empty for an emulated layer whose `/` is the root.
    fn root(&self) -> &[u8];
    /// Called between the setup (run as root) and the body: switches to the run's identity
    /// (uid/gid 65534 for an unprivileged run, nothing otherwise), changes to the working
    /// directory and sets the umask to 0022.
    fn begin_body(&mut self) -> Result<(), Errno>;
}

/// Runs one scenario (setup, then body) on `subject` and returns its record.
pub fn run_scenario(scenario: &Scenario, subject: &mut dyn Subject) -> Record {
    let mut run = Run {
        subject,
        record: Record::default(),
    };
    if let Some(setup) = scenario.setup {
        setup(&mut run);
    }
    let begun = run.subject.begin_body();
    run.push("begin_body".into(), show_unit(&begun));
    (scenario.body)(&mut run);
    run.record
}

/// Runs a body that is data rather than a registered [`Scenario`] (the random operation
/// sequences of the property test): [`Subject::begin_body`], then `body`, recorded as
/// [`run_scenario`] records a scenario without setup.
pub fn run_body(subject: &mut dyn Subject, body: impl FnOnce(&mut Run<'_>)) -> Record {
    let mut run = Run {
        subject,
        record: Record::default(),
    };
    let begun = run.subject.begin_body();
    run.push("begin_body".into(), show_unit(&begun));
    body(&mut run);
    run.record
}

/// A scenario's view: every method calls the `Posix` method of the same name and records
/// the call and its answer. Methods return the value for later steps (`-1` for a failed
/// descriptor, so that later steps answer `EBADF` on both sides).
pub struct Run<'a> {
    subject: &'a mut dyn Subject,
    record: Record,
}

/// Bytes as an escaped string literal (no tabs or newlines survive).
pub(crate) fn show_bytes(b: &[u8]) -> String {
    format!("b\"{}\"", b.escape_ascii())
}

fn show_err(e: Errno) -> String {
    format!("{e:?}")
}

fn show_unit(r: &Result<(), Errno>) -> String {
    match r {
        Ok(()) => "ok".into(),
        Err(e) => show_err(*e),
    }
}

fn show<T>(r: &Result<T, Errno>, f: impl FnOnce(&T) -> String) -> String {
    match r {
        Ok(v) => f(v),
        Err(e) => show_err(*e),
    }
}

/// The kind letter of a mode.
pub(crate) fn kind(mode: u32) -> &'static str {
    match mode & libc::S_IFMT {
        libc::S_IFREG => "file",
        libc::S_IFDIR => "dir",
        libc::S_IFLNK => "symlink",
        libc::S_IFIFO => "fifo",
        libc::S_IFCHR => "chr",
        libc::S_IFBLK => "blk",
        libc::S_IFSOCK => "sock",
        _ => "unknown",
    }
}

/// The compared fields of a `stat` (see [`ACCEPTED`](super::ACCEPTED) for the others).
pub(crate) fn show_stat(st: &Stat) -> String {
    let k = kind(st.mode);
    let size = match k {
        // Directory sizes are an accepted difference; a symlink's size is its text's length,
        // which holds the root prefix for absolute targets (scenarios check it as a relation).
        "dir" | "symlink" => String::new(),
        _ => format!(" size={}", st.size),
    };
    format!(
        "{k} {:04o} nlink={}{size} uid={} gid={}",
        st.mode & 0o7777,
        st.nlink,
        st.uid,
        st.gid
    )
}

fn show_statvfs(st: &StatVfs) -> String {
    format!(
        "sane={} rdonly={} namemax={}",
        st.bfree <= st.blocks
            && st.bavail <= st.bfree
            && st.ffree <= st.files
            && st.favail <= st.ffree
            && st.bsize > 0,
        st.flag & libc::ST_RDONLY != 0,
        st.namemax
    )
}

fn show_lock(l: &Flock) -> String {
    format!(
        "type={} whence={} start={} len={}",
        l.kind, l.whence, l.start, l.len
    )
}

impl<'a> Run<'a> {
    fn p(&self) -> &dyn Posix {
        self.subject.posix()
    }

    fn push(&mut self, call: String, result: String) {
        self.record.steps.push(Step { call, result });
    }

    /// The host form of an absolute sandbox path (`/w/a` → root + `/w/a`).
    pub fn abs(&self, path: &[u8]) -> Vec<u8> {
        let mut out = self.subject.root().to_vec();
        out.extend_from_slice(path);
        out
    }

    /// A path from a result with the root prefix taken off, so both sides read the same.
    pub fn strip_root(&self, path: &[u8]) -> Vec<u8> {
        strip(self.subject.root(), path)
    }

    /// A path argument as recorded: root stripped, escaped.
    fn shown(&self, path: &[u8]) -> String {
        show_bytes(&self.strip_root(path))
    }

    /// Records a relation or fact computed by the scenario.
    pub fn check(&mut self, what: &str, value: bool) {
        self.push(format!("check {what}"), value.to_string());
    }

    /// Records any text the scenario computed.
    pub fn note(&mut self, what: &str, value: String) {
        self.push(format!("note {what}"), value);
    }

    /// The unrecorded `Posix` implementation, for values only used in relations.
    pub fn raw(&self) -> &dyn Posix {
        self.p()
    }

    fn fd_result(&mut self, call: String, r: Result<Fd, Errno>) -> Fd {
        self.push(call, show(&r, |fd| fd.to_string()));
        r.unwrap_or(-1)
    }

    fn unit(&mut self, call: String, r: Result<(), Errno>) -> bool {
        self.push(call, show_unit(&r));
        r.is_ok()
    }

    /// `open(2)`.
    pub fn open(&mut self, path: &[u8], flags: i32, mode: u32) -> Fd {
        let r = self.p().open(path, flags, mode);
        self.fd_result(
            format!("open({}, {flags:#o}, {mode:o})", self.shown(path)),
            r,
        )
    }

    /// `openat(2)`.
    pub fn openat(&mut self, dirfd: Fd, path: &[u8], flags: i32, mode: u32) -> Fd {
        let r = self.p().openat(dirfd, path, flags, mode);
        self.fd_result(
            format!(
                "openat({dirfd}, {}, {flags:#o}, {mode:o})",
                self.shown(path)
            ),
            r,
        )
    }

    /// `close(2)`.
    pub fn close(&mut self, fd: Fd) -> bool {
        let r = self.p().close(fd);
        self.unit(format!("close({fd})"), r)
    }

    /// `read(2)` of up to `len` bytes; records the bytes.
    pub fn read(&mut self, fd: Fd, len: usize) -> Vec<u8> {
        let mut buf = vec![0u8; len];
        let r = self.p().read(fd, &mut buf);
        self.push(
            format!("read({fd}, {len})"),
            show(&r, |n| show_bytes(&buf[..*n])),
        );
        buf.truncate(r.unwrap_or(0));
        buf
    }

    /// `write(2)`.
    pub fn write(&mut self, fd: Fd, data: &[u8]) -> usize {
        let r = self.p().write(fd, data);
        self.push(
            format!("write({fd}, {})", show_bytes(&data[..data.len().min(40)])),
            show(&r, |n| n.to_string()),
        );
        r.unwrap_or(0)
    }

    /// `pread(2)`.
    pub fn pread(&mut self, fd: Fd, len: usize, offset: i64) -> Vec<u8> {
        let mut buf = vec![0u8; len];
        let r = self.p().pread(fd, &mut buf, offset);
        self.push(
            format!("pread({fd}, {len}, {offset})"),
            show(&r, |n| show_bytes(&buf[..*n])),
        );
        buf.truncate(r.unwrap_or(0));
        buf
    }

    /// `pwrite(2)`.
    pub fn pwrite(&mut self, fd: Fd, data: &[u8], offset: i64) {
        let r = self.p().pwrite(fd, data, offset);
        self.push(
            format!("pwrite({fd}, {}, {offset})", show_bytes(data)),
            show(&r, |n| n.to_string()),
        );
    }

    /// `lseek(2)`.
    pub fn lseek(&mut self, fd: Fd, offset: i64, whence: i32) -> i64 {
        let r = self.p().lseek(fd, offset, whence);
        self.push(
            format!("lseek({fd}, {offset}, {whence})"),
            show(&r, |n| n.to_string()),
        );
        r.unwrap_or(-1)
    }

    /// `dup(2)`.
    pub fn dup(&mut self, fd: Fd) -> Fd {
        let r = self.p().dup(fd);
        self.fd_result(format!("dup({fd})"), r)
    }

    /// `dup2(2)`.
    pub fn dup2(&mut self, fd: Fd, new_fd: Fd) -> Fd {
        let r = self.p().dup2(fd, new_fd);
        self.fd_result(format!("dup2({fd}, {new_fd})"), r)
    }

    /// `dup3(2)`.
    pub fn dup3(&mut self, fd: Fd, new_fd: Fd, flags: i32) -> Fd {
        let r = self.p().dup3(fd, new_fd, flags);
        self.fd_result(format!("dup3({fd}, {new_fd}, {flags:#o})"), r)
    }

    /// `fcntl(2)` with an integer argument.
    pub fn fcntl(&mut self, fd: Fd, cmd: i32, arg: i64) -> i32 {
        let r = self.p().fcntl(fd, cmd, arg);
        self.fd_result(format!("fcntl({fd}, {cmd}, {arg:#o})"), r)
    }

    /// `fcntl(2)` `F_GETFL` with only the access mode and status flags the scenarios care
    /// about (`O_LARGEFILE` and friends are the C library's business).
    pub fn getfl(&mut self, fd: Fd) -> i32 {
        let mask = libc::O_ACCMODE | libc::O_APPEND | libc::O_NONBLOCK | libc::O_PATH;
        let r = self.p().fcntl(fd, libc::F_GETFL, 0).map(|f| f & mask);
        self.fd_result(format!("getfl({fd})"), r)
    }

    /// `fcntl(2)` with a lock; records what `F_GETLK` reports.
    pub fn lock(&mut self, fd: Fd, cmd: i32, kind: i32, start: i64, len: i64) {
        let mut l = Flock {
            kind: kind as i16,
            whence: libc::SEEK_SET as i16,
            start,
            len,
            pid: 0,
        };
        let r = self.p().fcntl_lock(fd, cmd, &mut l);
        let result = match (&r, cmd) {
            (Ok(()), libc::F_GETLK) => show_lock(&l),
            _ => show_unit(&r),
        };
        self.push(format!("lock({fd}, {cmd}, {kind}, {start}, {len})"), result);
    }

    /// `flock(2)`.
    pub fn flock(&mut self, fd: Fd, op: i32) -> bool {
        let r = self.p().flock(fd, op);
        self.unit(format!("flock({fd}, {op})"), r)
    }

    fn stat_result(&mut self, call: String, r: Result<Stat, Errno>) -> Option<Stat> {
        self.push(call, show(&r, show_stat));
        r.ok()
    }

    /// `fstat(2)`.
    pub fn fstat(&mut self, fd: Fd) -> Option<Stat> {
        let r = self.p().fstat(fd);
        self.stat_result(format!("fstat({fd})"), r)
    }

    /// `stat(2)`.
    pub fn stat(&mut self, path: &[u8]) -> Option<Stat> {
        let r = self.p().stat(path);
        self.stat_result(format!("stat({})", self.shown(path)), r)
    }

    /// `lstat(2)`.
    pub fn lstat(&mut self, path: &[u8]) -> Option<Stat> {
        let r = self.p().lstat(path);
        self.stat_result(format!("lstat({})", self.shown(path)), r)
    }

    /// `fstatat(2)`.
    pub fn fstatat(&mut self, dirfd: Fd, path: &[u8], flags: i32) -> Option<Stat> {
        let r = self.p().fstatat(dirfd, path, flags);
        self.stat_result(
            format!("fstatat({dirfd}, {}, {flags:#x})", self.shown(path)),
            r,
        )
    }

    /// Records whether two paths (not following symlinks) name the same inode.
    pub fn same_inode(&mut self, a: &[u8], b: &[u8]) {
        let sa = self.p().lstat(a);
        let sb = self.p().lstat(b);
        let result = match (sa, sb) {
            (Ok(x), Ok(y)) => (x.ino == y.ino && x.dev == y.dev).to_string(),
            (Err(e), _) | (_, Err(e)) => show_err(e),
        };
        self.push(
            format!("same_inode({}, {})", self.shown(a), self.shown(b)),
            result,
        );
    }

    /// Records the exact access and modification times of `path` (for times a scenario set).
    pub fn times(&mut self, path: &[u8]) {
        let r = self.p().lstat(path);
        self.push(
            format!("times({})", self.shown(path)),
            show(&r, |s| {
                format!(
                    "atime={}.{:09} mtime={}.{:09}",
                    s.atime.sec, s.atime.nsec, s.mtime.sec, s.mtime.nsec
                )
            }),
        );
    }

    /// `statvfs(3)` as sanity relations.
    pub fn statvfs(&mut self, path: &[u8]) {
        let r = self.p().statvfs(path);
        self.push(
            format!("statvfs({})", self.shown(path)),
            show(&r, show_statvfs),
        );
    }

    /// `fstatvfs(3)` as sanity relations.
    pub fn fstatvfs(&mut self, fd: Fd) {
        let r = self.p().fstatvfs(fd);
        self.push(format!("fstatvfs({fd})"), show(&r, show_statvfs));
    }

    /// `mkdir(2)`.
    pub fn mkdir(&mut self, path: &[u8], mode: u32) -> bool {
        let r = self.p().mkdir(path, mode);
        self.unit(format!("mkdir({}, {mode:o})", self.shown(path)), r)
    }

    /// `mkdirat(2)`.
    pub fn mkdirat(&mut self, dirfd: Fd, path: &[u8], mode: u32) -> bool {
        let r = self.p().mkdirat(dirfd, path, mode);
        self.unit(
            format!("mkdirat({dirfd}, {}, {mode:o})", self.shown(path)),
            r,
        )
    }

    /// `mknodat(2)` from the current directory.
    pub fn mknod(&mut self, path: &[u8], mode: u32, dev: u64) -> bool {
        let r = self.p().mknodat(AT_FDCWD, path, mode, dev);
        self.unit(format!("mknod({}, {mode:o}, {dev})", self.shown(path)), r)
    }

    /// `unlink(2)`.
    pub fn unlink(&mut self, path: &[u8]) -> bool {
        let r = self.p().unlink(path);
        self.unit(format!("unlink({})", self.shown(path)), r)
    }

    /// `rmdir(2)`.
    pub fn rmdir(&mut self, path: &[u8]) -> bool {
        let r = self.p().rmdir(path);
        self.unit(format!("rmdir({})", self.shown(path)), r)
    }

    /// `unlinkat(2)`.
    pub fn unlinkat(&mut self, dirfd: Fd, path: &[u8], flags: i32) -> bool {
        let r = self.p().unlinkat(dirfd, path, flags);
        self.unit(
            format!("unlinkat({dirfd}, {}, {flags:#x})", self.shown(path)),
            r,
        )
    }

    /// `rename(2)`.
    pub fn rename(&mut self, old: &[u8], new: &[u8]) -> bool {
        let r = self.p().rename(old, new);
        self.unit(
            format!("rename({}, {})", self.shown(old), self.shown(new)),
            r,
        )
    }

    /// `renameat2(2)` from the current directory.
    pub fn rename2(&mut self, old: &[u8], new: &[u8], flags: u32) -> bool {
        let r = self.p().renameat2(AT_FDCWD, old, AT_FDCWD, new, flags);
        self.unit(
            format!(
                "renameat2({}, {}, {flags:#x})",
                self.shown(old),
                self.shown(new)
            ),
            r,
        )
    }

    /// `linkat(2)`.
    pub fn linkat(&mut self, olddir: Fd, old: &[u8], newdir: Fd, new: &[u8], flags: i32) -> bool {
        let r = self.p().linkat(olddir, old, newdir, new, flags);
        self.unit(
            format!(
                "linkat({olddir}, {}, {newdir}, {}, {flags:#x})",
                self.shown(old),
                self.shown(new)
            ),
            r,
        )
    }

    /// `link(2)`.
    pub fn link(&mut self, old: &[u8], new: &[u8]) -> bool {
        self.linkat(AT_FDCWD, old, AT_FDCWD, new, 0)
    }

    /// `symlink(2)`. An absolute target is recorded with the root stripped.
    pub fn symlink(&mut self, target: &[u8], path: &[u8]) -> bool {
        let r = self.p().symlink(target, path);
        let shown = self.strip_root(target);
        self.unit(
            format!("symlink({}, {})", show_bytes(&shown), self.shown(path)),
            r,
        )
    }

    /// `readlinkat(2)`; the text is recorded with the root stripped.
    pub fn readlinkat(&mut self, dirfd: Fd, path: &[u8]) -> Vec<u8> {
        let r = self.p().readlinkat(dirfd, path);
        let root = self.subject.root().to_vec();
        self.push(
            format!("readlinkat({dirfd}, {})", self.shown(path)),
            show(&r, |t| show_bytes(&strip(&root, t))),
        );
        r.unwrap_or_default()
    }

    /// `readlink(2)`.
    pub fn readlink(&mut self, path: &[u8]) -> Vec<u8> {
        self.readlinkat(AT_FDCWD, path)
    }

    /// `fchmodat(2)`.
    pub fn fchmodat(&mut self, dirfd: Fd, path: &[u8], mode: u32, flags: i32) -> bool {
        let r = self.p().fchmodat(dirfd, path, mode, flags);
        self.unit(
            format!(
                "fchmodat({dirfd}, {}, {mode:o}, {flags:#x})",
                self.shown(path)
            ),
            r,
        )
    }

    /// `chmod(2)`.
    pub fn chmod(&mut self, path: &[u8], mode: u32) -> bool {
        self.fchmodat(AT_FDCWD, path, mode, 0)
    }

    /// `fchmod(2)`.
    pub fn fchmod(&mut self, fd: Fd, mode: u32) -> bool {
        let r = self.p().fchmod(fd, mode);
        self.unit(format!("fchmod({fd}, {mode:o})"), r)
    }

    /// `fchownat(2)`.
    pub fn fchownat(&mut self, dirfd: Fd, path: &[u8], uid: u32, gid: u32, flags: i32) -> bool {
        let r = self.p().fchownat(dirfd, path, uid, gid, flags);
        self.unit(
            format!(
                "fchownat({dirfd}, {}, {uid}, {gid}, {flags:#x})",
                self.shown(path)
            ),
            r,
        )
    }

    /// `chown(2)`.
    pub fn chown(&mut self, path: &[u8], uid: u32, gid: u32) -> bool {
        self.fchownat(AT_FDCWD, path, uid, gid, 0)
    }

    /// `fchown(2)`.
    pub fn fchown(&mut self, fd: Fd, uid: u32, gid: u32) -> bool {
        let r = self.p().fchown(fd, uid, gid);
        self.unit(format!("fchown({fd}, {uid}, {gid})"), r)
    }

    /// `utimensat(2)`.
    pub fn utimensat(&mut self, dirfd: Fd, path: &[u8], times: [TimeSpec; 2], flags: i32) -> bool {
        let r = self.p().utimensat(dirfd, path, times, flags);
        self.unit(
            format!(
                "utimensat({dirfd}, {}, {:?}, {flags:#x})",
                self.shown(path),
                times.map(|t| (t.sec, t.nsec))
            ),
            r,
        )
    }

    /// `futimens(3)`.
    pub fn futimens(&mut self, fd: Fd, times: [TimeSpec; 2]) -> bool {
        let r = self.p().futimens(fd, times);
        self.unit(
            format!("futimens({fd}, {:?})", times.map(|t| (t.sec, t.nsec))),
            r,
        )
    }

    /// `faccessat(2)`.
    pub fn faccessat(&mut self, dirfd: Fd, path: &[u8], mode: i32, flags: i32) -> bool {
        let r = self.p().faccessat(dirfd, path, mode, flags);
        self.unit(
            format!(
                "faccessat({dirfd}, {}, {mode}, {flags:#x})",
                self.shown(path)
            ),
            r,
        )
    }

    /// `access(2)`.
    pub fn access(&mut self, path: &[u8], mode: i32) -> bool {
        self.faccessat(AT_FDCWD, path, mode, 0)
    }

    /// `truncate(2)`.
    pub fn truncate(&mut self, path: &[u8], len: i64) -> bool {
        let r = self.p().truncate(path, len);
        self.unit(format!("truncate({}, {len})", self.shown(path)), r)
    }

    /// `ftruncate(2)`.
    pub fn ftruncate(&mut self, fd: Fd, len: i64) -> bool {
        let r = self.p().ftruncate(fd, len);
        self.unit(format!("ftruncate({fd}, {len})"), r)
    }

    /// `fsync(2)`.
    pub fn fsync(&mut self, fd: Fd) -> bool {
        let r = self.p().fsync(fd);
        self.unit(format!("fsync({fd})"), r)
    }

    /// `fdatasync(2)`.
    pub fn fdatasync(&mut self, fd: Fd) -> bool {
        let r = self.p().fdatasync(fd);
        self.unit(format!("fdatasync({fd})"), r)
    }

    /// `chdir(2)`.
    pub fn chdir(&mut self, path: &[u8]) -> bool {
        let r = self.p().chdir(path);
        self.unit(format!("chdir({})", self.shown(path)), r)
    }

    /// `fchdir(2)`.
    pub fn fchdir(&mut self, fd: Fd) -> bool {
        let r = self.p().fchdir(fd);
        self.unit(format!("fchdir({fd})"), r)
    }

    /// `getcwd(3)`, root stripped.
    pub fn getcwd(&mut self) {
        let r = self.p().getcwd();
        let root = self.subject.root().to_vec();
        self.push(
            "getcwd()".into(),
            show(&r, |p| show_bytes(&strip(&root, p))),
        );
    }

    /// `umask(2)`.
    pub fn umask(&mut self, mask: u32) -> u32 {
        let old = self.p().umask(mask);
        self.push(format!("umask({mask:o})"), format!("{old:o}"));
        old
    }

    /// `realpath(3)`, root stripped.
    pub fn realpath(&mut self, path: &[u8]) {
        let r = self.p().realpath(path);
        let root = self.subject.root().to_vec();
        self.push(
            format!("realpath({})", self.shown(path)),
            show(&r, |p| show_bytes(&strip(&root, p))),
        );
    }

    /// `opendir(3)`.
    pub fn opendir(&mut self, path: &[u8]) -> Option<DirStream> {
        let r = self.p().opendir(path);
        self.push(
            format!("opendir({})", self.shown(path)),
            show(&r, |_| "ok".into()),
        );
        r.ok()
    }

    /// `fdopendir(3)`.
    pub fn fdopendir(&mut self, fd: Fd) -> Option<DirStream> {
        let r = self.p().fdopendir(fd);
        self.push(format!("fdopendir({fd})"), show(&r, |_| "ok".into()));
        r.ok()
    }

    /// `readdir(3)` until the end; the names and `d_type`s are recorded as a sorted set.
    pub fn readdir_all(&mut self, dir: DirStream) -> Vec<Vec<u8>> {
        let mut entries = Vec::new();
        let result = loop {
            match self.p().readdir(dir) {
                Ok(Some(rec)) => entries.push((rec.name, rec.kind)),
                Ok(None) => break None,
                Err(e) => break Some(e),
            }
        };
        entries.sort();
        let shown = entries
            .iter()
            .map(|(n, k)| format!("{}:{k}", n.escape_ascii()))
            .collect::<Vec<_>>()
            .join(" ");
        self.push(
            "readdir_all".into(),
            match result {
                None => shown,
                Some(e) => format!("{shown} then {}", show_err(e)),
            },
        );
        entries.into_iter().map(|(n, _)| n).collect()
    }

    /// One `readdir(3)`: records whether an entry came (the name is order-dependent).
    pub fn readdir_one(&mut self, dir: DirStream) -> Option<Vec<u8>> {
        let r = self.p().readdir(dir);
        self.push(
            "readdir".into(),
            show(&r, |e| if e.is_some() { "entry" } else { "end" }.into()),
        );
        r.ok().flatten().map(|e| e.name)
    }

    /// `rewinddir(3)`.
    pub fn rewinddir(&mut self, dir: DirStream) -> bool {
        let r = self.p().rewinddir(dir);
        self.unit("rewinddir".into(), r)
    }

    /// `closedir(3)`.
    pub fn closedir(&mut self, dir: DirStream) -> bool {
        let r = self.p().closedir(dir);
        self.unit("closedir".into(), r)
    }

    /// `getxattr(2)`/`lgetxattr(2)`.
    pub fn getxattr(&mut self, path: &[u8], name: &[u8], flags: i32) {
        let r = self.p().getxattr(path, name, flags);
        self.push(
            format!(
                "getxattr({}, {}, {flags:#x})",
                self.shown(path),
                show_bytes(name)
            ),
            show(&r, |v| show_bytes(v)),
        );
    }

    /// `setxattr(2)`/`lsetxattr(2)`.
    pub fn setxattr(&mut self, path: &[u8], name: &[u8], value: &[u8], how: i32, flags: i32) {
        let r = self.p().setxattr(path, name, value, how, flags);
        self.unit(
            format!(
                "setxattr({}, {}, {}, {how}, {flags:#x})",
                self.shown(path),
                show_bytes(name),
                show_bytes(value)
            ),
            r,
        );
    }

    /// `listxattr(2)`: the `user.` names, sorted (security names belong to the host).
    pub fn listxattr(&mut self, path: &[u8], flags: i32) {
        let r = self.p().listxattr(path, flags);
        self.push(
            format!("listxattr({}, {flags:#x})", self.shown(path)),
            show(&r, |names| show_user_names(names)),
        );
    }

    /// `removexattr(2)`/`lremovexattr(2)`.
    pub fn removexattr(&mut self, path: &[u8], name: &[u8], flags: i32) {
        let r = self.p().removexattr(path, name, flags);
        self.unit(
            format!(
                "removexattr({}, {}, {flags:#x})",
                self.shown(path),
                show_bytes(name)
            ),
            r,
        );
    }

    /// `fgetxattr(2)`.
    pub fn fgetxattr(&mut self, fd: Fd, name: &[u8]) {
        let r = self.p().fgetxattr(fd, name);
        self.push(
            format!("fgetxattr({fd}, {})", show_bytes(name)),
            show(&r, |v| show_bytes(v)),
        );
    }

    /// `fsetxattr(2)`.
    pub fn fsetxattr(&mut self, fd: Fd, name: &[u8], value: &[u8], how: i32) {
        let r = self.p().fsetxattr(fd, name, value, how);
        self.unit(
            format!(
                "fsetxattr({fd}, {}, {}, {how})",
                show_bytes(name),
                show_bytes(value)
            ),
            r,
        );
    }

    /// `flistxattr(2)`: the `user.` names, sorted.
    pub fn flistxattr(&mut self, fd: Fd) {
        let r = self.p().flistxattr(fd);
        self.push(
            format!("flistxattr({fd})"),
            show(&r, |names| show_user_names(names)),
        );
    }

    /// `fremovexattr(2)`.
    pub fn fremovexattr(&mut self, fd: Fd, name: &[u8]) {
        let r = self.p().fremovexattr(fd, name);
        self.unit(format!("fremovexattr({fd}, {})", show_bytes(name)), r);
    }

    /// `isatty(3)`.
    pub fn isatty(&mut self, fd: Fd) {
        let r = self.p().isatty(fd);
        self.push(format!("isatty({fd})"), show(&r, |b| b.to_string()));
    }

    /// Creates (or truncates) `path` with `data`, mode 0644, in one recorded step.
    pub fn write_file(&mut self, path: &[u8], data: &[u8]) -> bool {
        let r = (|| {
            let fd = self
                .p()
                .open(path, libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC, 0o644)?;
            let written = self.p().write(fd, data);
            let closed = self.p().close(fd);
            written?;
            closed
        })();
        self.unit(format!("write_file({})", self.shown(path)), r)
    }

    /// Reads the whole of `path` in one recorded step.
    pub fn read_file(&mut self, path: &[u8]) -> Vec<u8> {
        let r = read_whole(self.p(), path);
        self.push(
            format!("read_file({})", self.shown(path)),
            show(&r, |d| show_bytes(d)),
        );
        r.unwrap_or_default()
    }
}

fn show_user_names(names: &[Vec<u8>]) -> String {
    let mut user: Vec<_> = names
        .iter()
        .filter(|n| n.starts_with(b"user."))
        .map(|n| n.escape_ascii().to_string())
        .collect();
    user.sort();
    format!("[{}]", user.join(" "))
}

/// Reads a whole file through `p`.
pub(crate) fn read_whole(p: &dyn Posix, path: &[u8]) -> Result<Vec<u8>, Errno> {
    let fd = p.open(path, libc::O_RDONLY | libc::O_NOFOLLOW, 0)?;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let result = loop {
        match p.read(fd, &mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => break Err(e),
        }
    };
    p.close(fd)?;
    result.map(|()| out)
}

/// `path` without the `root` prefix (when it starts with it at a component boundary).
pub(crate) fn strip(root: &[u8], path: &[u8]) -> Vec<u8> {
    if !root.is_empty() && path.starts_with(root) {
        let rest = &path[root.len()..];
        if rest.is_empty() {
            return b"/".to_vec();
        }
        if rest[0] == b'/' {
            return rest.to_vec();
        }
    }
    path.to_vec()
}
