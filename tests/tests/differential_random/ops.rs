//! The operations of a random sequence: data (a one-line text form per operation, so the
//! native child runs exactly the sequence the parent generated), the proptest strategy that
//! generates them, and how each one is played on a recorder ([`Run`]).

use std::fmt;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::{BoxedStrategy, Union};
use vfsbox_conformance::posix::Run;

/// One path component of the alphabet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name {
    A,
    B,
    D,
    Dot,
    DotDot,
    /// 255 bytes: the longest name Linux allows.
    Long,
    /// 256 bytes: `ENAMETOOLONG`.
    TooLong,
}

impl Name {
    fn bytes(self) -> Vec<u8> {
        match self {
            Name::A => b"a".to_vec(),
            Name::B => b"b".to_vec(),
            Name::D => b"d".to_vec(),
            Name::Dot => b".".to_vec(),
            Name::DotDot => b"..".to_vec(),
            Name::Long => vec![b'x'; 255],
            Name::TooLong => vec![b'y'; 256],
        }
    }

    fn token(self) -> &'static str {
        match self {
            Name::A => "a",
            Name::B => "b",
            Name::D => "d",
            Name::Dot => ".",
            Name::DotDot => "..",
            Name::Long => "X255",
            Name::TooLong => "Y256",
        }
    }

    fn parse(s: &str) -> Result<Name, String> {
        Ok(match s {
            "a" => Name::A,
            "b" => Name::B,
            "d" => Name::D,
            "." => Name::Dot,
            ".." => Name::DotDot,
            "X255" => Name::Long,
            "Y256" => Name::TooLong,
            _ => return Err(format!("unknown name {s:?}")),
        })
    }
}

/// Where a path starts: the current directory, the root, or the working directory `/w`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    Rel,
    Root,
    Work,
}

/// A path of the alphabet: a base, 0–3 components, maybe a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathSpec {
    pub base: Base,
    pub comps: Vec<Name>,
    pub slash: bool,
}

impl PathSpec {
    /// The path's bytes. Absolute paths are the same on both sides: the native child runs
    /// each sequence chrooted into its own root, an emulated layer's `/` is its root.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = match self.base {
            Base::Rel => Vec::new(),
            Base::Root => b"/".to_vec(),
            Base::Work => b"/w".to_vec(),
        };
        for (i, c) in self.comps.iter().enumerate() {
            if i > 0 || self.base == Base::Work {
                out.push(b'/');
            }
            out.extend_from_slice(&c.bytes());
        }
        if self.slash && !self.comps.is_empty() {
            out.push(b'/');
        }
        out
    }

    fn parse(s: &str) -> Result<PathSpec, String> {
        if s == "''" {
            return Ok(PathSpec {
                base: Base::Rel,
                comps: Vec::new(),
                slash: false,
            });
        }
        let (base, rest) = if s == "/w" || s.starts_with("/w/") {
            (Base::Work, s[2..].trim_start_matches('/'))
        } else if let Some(rest) = s.strip_prefix('/') {
            (Base::Root, rest)
        } else {
            (Base::Rel, s)
        };
        let (rest, slash) = match rest.strip_suffix('/') {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let comps = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('/').map(Name::parse).collect::<Result<_, _>>()?
        };
        Ok(PathSpec { base, comps, slash })
    }
}

impl fmt::Display for PathSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = match self.base {
            Base::Rel => String::new(),
            Base::Root => "/".to_string(),
            Base::Work => "/w".to_string(),
        };
        for (i, c) in self.comps.iter().enumerate() {
            if i > 0 || self.base == Base::Work {
                s.push('/');
            }
            s.push_str(c.token());
        }
        if self.slash && !self.comps.is_empty() {
            s.push('/');
        }
        if s.is_empty() {
            s.push_str("''");
        }
        f.write_str(&s)
    }
}

/// One operation of a sequence. Descriptors are plain numbers: both sides number them from
/// 0 (lowest free), so a number names the same open file on both, or none on both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Open(PathSpec, i32, u32),
    Close(i32),
    Read(i32, usize),
    Write(i32, Vec<u8>),
    Pread(i32, usize, i64),
    Pwrite(i32, Vec<u8>, i64),
    Lseek(i32, i64, i32),
    Mkdir(PathSpec, u32),
    Rmdir(PathSpec),
    Unlink(PathSpec),
    Rename(PathSpec, PathSpec),
    Rename2(PathSpec, PathSpec, u32),
    Link(PathSpec, PathSpec, bool),
    Symlink(PathSpec, PathSpec),
    Readlink(PathSpec),
    Chmod(PathSpec, u32),
    Truncate(PathSpec, i64),
    Chdir(PathSpec),
    Getcwd,
    Stat(PathSpec),
    Lstat(PathSpec),
    Fstat(i32),
    Dup(i32),
    Dup2(i32, i32),
    GetFd(i32),
    SetFd(i32, i64),
    GetFl(i32),
}

/// The open flags the strategy combines, by name (the text form spells them).
const FLAGS: &[(&str, i32)] = &[
    ("CREAT", libc::O_CREAT),
    ("EXCL", libc::O_EXCL),
    ("TRUNC", libc::O_TRUNC),
    ("APPEND", libc::O_APPEND),
    ("DIRECTORY", libc::O_DIRECTORY),
    ("NOFOLLOW", libc::O_NOFOLLOW),
    ("CLOEXEC", libc::O_CLOEXEC),
];

fn show_flags(flags: i32) -> String {
    let mut parts = vec![match flags & libc::O_ACCMODE {
        libc::O_RDONLY => "RDONLY",
        libc::O_WRONLY => "WRONLY",
        _ => "RDWR",
    }];
    parts.extend(
        FLAGS
            .iter()
            .filter(|(_, bit)| flags & bit != 0)
            .map(|(n, _)| *n),
    );
    parts.join("|")
}

fn parse_flags(s: &str) -> Result<i32, String> {
    s.split('|').try_fold(0, |acc, part| {
        let bit = match part {
            "RDONLY" => libc::O_RDONLY,
            "WRONLY" => libc::O_WRONLY,
            "RDWR" => libc::O_RDWR,
            _ => FLAGS
                .iter()
                .find(|(n, _)| *n == part)
                .map(|(_, b)| *b)
                .ok_or_else(|| format!("unknown flag {part:?}"))?,
        };
        Ok(acc | bit)
    })
}

fn show_data(d: &[u8]) -> String {
    format!("={}", String::from_utf8_lossy(d))
}

fn parse_data(s: &str) -> Result<Vec<u8>, String> {
    s.strip_prefix('=')
        .map(|d| d.as_bytes().to_vec())
        .ok_or_else(|| format!("bad data {s:?}"))
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Open(p, fl, m) => write!(f, "open {p} {} {m:o}", show_flags(*fl)),
            Op::Close(fd) => write!(f, "close {fd}"),
            Op::Read(fd, n) => write!(f, "read {fd} {n}"),
            Op::Write(fd, d) => write!(f, "write {fd} {}", show_data(d)),
            Op::Pread(fd, n, o) => write!(f, "pread {fd} {n} {o}"),
            Op::Pwrite(fd, d, o) => write!(f, "pwrite {fd} {} {o}", show_data(d)),
            Op::Lseek(fd, o, w) => write!(f, "lseek {fd} {o} {w}"),
            Op::Mkdir(p, m) => write!(f, "mkdir {p} {m:o}"),
            Op::Rmdir(p) => write!(f, "rmdir {p}"),
            Op::Unlink(p) => write!(f, "unlink {p}"),
            Op::Rename(a, b) => write!(f, "rename {a} {b}"),
            Op::Rename2(a, b, fl) => write!(f, "renameat2 {a} {b} {fl}"),
            Op::Link(a, b, follow) => {
                write!(f, "link {a} {b} {}", if *follow { "FOLLOW" } else { "0" })
            }
            Op::Symlink(t, p) => write!(f, "symlink {t} {p}"),
            Op::Readlink(p) => write!(f, "readlink {p}"),
            Op::Chmod(p, m) => write!(f, "chmod {p} {m:o}"),
            Op::Truncate(p, n) => write!(f, "truncate {p} {n}"),
            Op::Chdir(p) => write!(f, "chdir {p}"),
            Op::Getcwd => write!(f, "getcwd"),
            Op::Stat(p) => write!(f, "stat {p}"),
            Op::Lstat(p) => write!(f, "lstat {p}"),
            Op::Fstat(fd) => write!(f, "fstat {fd}"),
            Op::Dup(fd) => write!(f, "dup {fd}"),
            Op::Dup2(fd, new) => write!(f, "dup2 {fd} {new}"),
            Op::GetFd(fd) => write!(f, "getfd {fd}"),
            Op::SetFd(fd, a) => write!(f, "setfd {fd} {a}"),
            Op::GetFl(fd) => write!(f, "getfl {fd}"),
        }
    }
}

impl Op {
    /// Parses the text form written by `Display`.
    pub fn parse(line: &str) -> Result<Op, String> {
        let t: Vec<&str> = line.split(' ').collect();
        let arg = |i: usize| -> Result<&str, String> {
            t.get(i)
                .copied()
                .ok_or_else(|| format!("missing argument {i} in {line:?}"))
        };
        let path = |i: usize| arg(i).and_then(PathSpec::parse);
        let int = |i: usize| -> Result<i64, String> {
            arg(i)?.parse::<i64>().map_err(|e| format!("{line:?}: {e}"))
        };
        let oct = |i: usize| -> Result<u32, String> {
            u32::from_str_radix(arg(i)?, 8).map_err(|e| format!("{line:?}: {e}"))
        };
        Ok(match t[0] {
            "open" => Op::Open(path(1)?, parse_flags(arg(2)?)?, oct(3)?),
            "close" => Op::Close(int(1)? as i32),
            "read" => Op::Read(int(1)? as i32, int(2)? as usize),
            "write" => Op::Write(int(1)? as i32, parse_data(arg(2)?)?),
            "pread" => Op::Pread(int(1)? as i32, int(2)? as usize, int(3)?),
            "pwrite" => Op::Pwrite(int(1)? as i32, parse_data(arg(2)?)?, int(3)?),
            "lseek" => Op::Lseek(int(1)? as i32, int(2)?, int(3)? as i32),
            "mkdir" => Op::Mkdir(path(1)?, oct(2)?),
            "rmdir" => Op::Rmdir(path(1)?),
            "unlink" => Op::Unlink(path(1)?),
            "rename" => Op::Rename(path(1)?, path(2)?),
            "renameat2" => Op::Rename2(path(1)?, path(2)?, int(3)? as u32),
            "link" => Op::Link(path(1)?, path(2)?, arg(3)? == "FOLLOW"),
            "symlink" => Op::Symlink(path(1)?, path(2)?),
            "readlink" => Op::Readlink(path(1)?),
            "chmod" => Op::Chmod(path(1)?, oct(2)?),
            "truncate" => Op::Truncate(path(1)?, int(2)?),
            "chdir" => Op::Chdir(path(1)?),
            "getcwd" => Op::Getcwd,
            "stat" => Op::Stat(path(1)?),
            "lstat" => Op::Lstat(path(1)?),
            "fstat" => Op::Fstat(int(1)? as i32),
            "dup" => Op::Dup(int(1)? as i32),
            "dup2" => Op::Dup2(int(1)? as i32, int(2)? as i32),
            "getfd" => Op::GetFd(int(1)? as i32),
            "setfd" => Op::SetFd(int(1)? as i32, int(2)?),
            "getfl" => Op::GetFl(int(1)? as i32),
            other => return Err(format!("unknown operation {other:?}")),
        })
    }

    /// Plays the operation on a recorder (which records the call and its answer).
    pub fn play(&self, run: &mut Run<'_>) {
        match self {
            Op::Open(p, fl, m) => {
                run.open(&p.bytes(), *fl, *m);
            }
            Op::Close(fd) => {
                run.close(*fd);
            }
            Op::Read(fd, n) => {
                run.read(*fd, *n);
            }
            Op::Write(fd, d) => {
                run.write(*fd, d);
            }
            Op::Pread(fd, n, o) => {
                run.pread(*fd, *n, *o);
            }
            Op::Pwrite(fd, d, o) => run.pwrite(*fd, d, *o),
            Op::Lseek(fd, o, w) => {
                let is_dir = run
                    .raw()
                    .fstat(*fd)
                    .is_ok_and(|st| st.mode & libc::S_IFMT == libc::S_IFDIR);
                let rewind_or_tell = *o == 0 && (*w == libc::SEEK_SET || *w == libc::SEEK_CUR);
                if is_dir && !rewind_or_tell {
                    // An accepted difference (`ACCEPTED`: directory positions are cookies).
                    run.note(
                        &format!("lseek({fd}, {o}, {w}) on a directory"),
                        "not compared".into(),
                    );
                } else {
                    run.lseek(*fd, *o, *w);
                }
            }
            Op::Mkdir(p, m) => {
                run.mkdir(&p.bytes(), *m);
            }
            Op::Rmdir(p) => {
                run.rmdir(&p.bytes());
            }
            Op::Unlink(p) => {
                run.unlink(&p.bytes());
            }
            Op::Rename(a, b) => {
                run.rename(&a.bytes(), &b.bytes());
            }
            Op::Rename2(a, b, fl) => {
                run.rename2(&a.bytes(), &b.bytes(), *fl);
            }
            Op::Link(a, b, follow) => {
                let flags = if *follow { libc::AT_SYMLINK_FOLLOW } else { 0 };
                run.linkat(
                    vfsbox_api::AT_FDCWD,
                    &a.bytes(),
                    vfsbox_api::AT_FDCWD,
                    &b.bytes(),
                    flags,
                );
            }
            Op::Symlink(t, p) => {
                run.symlink(&t.bytes(), &p.bytes());
            }
            Op::Readlink(p) => {
                run.readlink(&p.bytes());
            }
            Op::Chmod(p, m) => {
                run.chmod(&p.bytes(), *m);
            }
            Op::Truncate(p, n) => {
                run.truncate(&p.bytes(), *n);
            }
            Op::Chdir(p) => {
                run.chdir(&p.bytes());
            }
            Op::Getcwd => run.getcwd(),
            Op::Stat(p) => {
                run.stat(&p.bytes());
            }
            Op::Lstat(p) => {
                run.lstat(&p.bytes());
            }
            Op::Fstat(fd) => {
                run.fstat(*fd);
            }
            Op::Dup(fd) => {
                run.dup(*fd);
            }
            Op::Dup2(fd, new) => {
                run.dup2(*fd, *new);
            }
            Op::GetFd(fd) => {
                run.fcntl(*fd, libc::F_GETFD, 0);
            }
            Op::SetFd(fd, a) => {
                run.fcntl(*fd, libc::F_SETFD, *a);
            }
            Op::GetFl(fd) => {
                run.getfl(*fd);
            }
        }
    }
}

/// A sequence as text, one operation a line.
pub fn to_text(seq: &[Op]) -> String {
    seq.iter().map(|op| format!("{op}\n")).collect()
}

/// Parses [`to_text`].
pub fn from_text(text: &str) -> Result<Vec<Op>, String> {
    text.lines().map(Op::parse).collect()
}

fn name() -> impl Strategy<Value = Name> {
    prop_oneof![
        4 => Just(Name::A),
        3 => Just(Name::B),
        3 => Just(Name::D),
        1 => Just(Name::Dot),
        2 => Just(Name::DotDot),
        1 => Just(Name::Long),
        1 => Just(Name::TooLong),
    ]
}

fn path() -> BoxedStrategy<PathSpec> {
    let base = prop_oneof![8 => Just(Base::Rel), 2 => Just(Base::Work), 1 => Just(Base::Root)];
    prop_oneof![
        40 => (base, proptest::collection::vec(name(), 1..=3), proptest::bool::weighted(0.1))
            .prop_map(|(base, comps, slash)| PathSpec { base, comps, slash }),
        1 => Just(PathSpec { base: Base::Rel, comps: Vec::new(), slash: false }),
        1 => Just(PathSpec { base: Base::Work, comps: Vec::new(), slash: false }),
    ]
    .boxed()
}

fn fd() -> impl Strategy<Value = i32> {
    prop_oneof![12 => 0..6i32, 1 => Just(-1), 1 => Just(99)]
}

fn mode() -> impl Strategy<Value = u32> {
    select(vec![
        0o644, 0o755, 0o600, 0o777, 0o000, 0o2775, 0o1777, 0o4755, 0o444,
    ])
}

fn data() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(select(b"abcxyz".to_vec()), 0..6)
}

fn open_flags() -> impl Strategy<Value = i32> {
    let access = select(vec![libc::O_RDONLY, libc::O_WRONLY, libc::O_RDWR]);
    let bits = [0.5, 0.2, 0.2, 0.2, 0.15, 0.15, 0.2].map(proptest::bool::weighted);
    (access, bits).prop_map(|(access, bits)| {
        FLAGS
            .iter()
            .zip(bits)
            .filter(|(_, on)| *on)
            .fold(access, |acc, ((_, bit), _)| acc | bit)
    })
}

/// One operation, weighted so that sequences build trees worth comparing (more creations
/// than removals) and still reach every operation.
pub fn op() -> BoxedStrategy<Op> {
    let arms: Vec<(u32, BoxedStrategy<Op>)> = vec![
        (
            7,
            (path(), open_flags(), mode())
                .prop_map(|(p, f, m)| Op::Open(p, f, m))
                .boxed(),
        ),
        (3, fd().prop_map(Op::Close).boxed()),
        (
            2,
            (fd(), 0..8usize).prop_map(|(f, n)| Op::Read(f, n)).boxed(),
        ),
        (3, (fd(), data()).prop_map(|(f, d)| Op::Write(f, d)).boxed()),
        (
            1,
            (fd(), 0..8usize, -1..12i64)
                .prop_map(|(f, n, o)| Op::Pread(f, n, o))
                .boxed(),
        ),
        (
            1,
            (fd(), data(), -1..12i64)
                .prop_map(|(f, d, o)| Op::Pwrite(f, d, o))
                .boxed(),
        ),
        (
            1,
            (fd(), -3..12i64, select(vec![0, 1, 2, 3, 4, 9]))
                .prop_map(|(f, o, w)| Op::Lseek(f, o, w))
                .boxed(),
        ),
        (
            4,
            (path(), mode()).prop_map(|(p, m)| Op::Mkdir(p, m)).boxed(),
        ),
        (2, path().prop_map(Op::Rmdir).boxed()),
        (2, path().prop_map(Op::Unlink).boxed()),
        (
            2,
            (path(), path()).prop_map(|(a, b)| Op::Rename(a, b)).boxed(),
        ),
        (
            2,
            (path(), path(), select(vec![0u32, 1, 2, 3]))
                .prop_map(|(a, b, f)| Op::Rename2(a, b, f))
                .boxed(),
        ),
        (
            2,
            (path(), path(), any::<bool>())
                .prop_map(|(a, b, f)| Op::Link(a, b, f))
                .boxed(),
        ),
        (
            3,
            (path(), path())
                .prop_map(|(t, p)| Op::Symlink(t, p))
                .boxed(),
        ),
        (1, path().prop_map(Op::Readlink).boxed()),
        (
            1,
            (path(), mode()).prop_map(|(p, m)| Op::Chmod(p, m)).boxed(),
        ),
        (
            1,
            (path(), -1..12i64)
                .prop_map(|(p, n)| Op::Truncate(p, n))
                .boxed(),
        ),
        (2, path().prop_map(Op::Chdir).boxed()),
        (1, Just(Op::Getcwd).boxed()),
        (1, path().prop_map(Op::Stat).boxed()),
        (1, path().prop_map(Op::Lstat).boxed()),
        (1, fd().prop_map(Op::Fstat).boxed()),
        (1, fd().prop_map(Op::Dup).boxed()),
        (1, (fd(), 0..8i32).prop_map(|(f, n)| Op::Dup2(f, n)).boxed()),
        (1, fd().prop_map(Op::GetFd).boxed()),
        (
            1,
            (fd(), select(vec![0i64, 1]))
                .prop_map(|(f, a)| Op::SetFd(f, a))
                .boxed(),
        ),
        (1, fd().prop_map(Op::GetFl).boxed()),
    ];
    Union::new_weighted(arms).boxed()
}
