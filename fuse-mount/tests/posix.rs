//! Each built-in provider mounted in turn, and one script of std/libc operations run on the
//! mount and on a plain temporary directory (the oracle: the real kernel on ext4/tmpfs). Every
//! outcome, value or exact errno, must agree.
//!
//! Differences FUSE itself imposes (or the providers declare) are listed in one place,
//! [`imposed`], with the reason; the script skips exactly those steps.
//!
//! The POSIX scenarios of the differential suite run through each mount in `scenarios.rs`.

mod common;

use nix::fcntl::{AtFlags, FallocateFlags, RenameFlags};
use nix::sys::stat::{Mode, SFlag};
use nix::unistd::Whence;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use vfsbox_api::Capabilities;

/// One step's outcome: a value, or the errno name.
type Outcome = Result<String, String>;

fn io<T>(r: std::io::Result<T>, f: impl FnOnce(T) -> String) -> Outcome {
    match r {
        Ok(v) => Ok(f(v)),
        Err(e) => Err(errno_name(e.raw_os_error().unwrap_or(0))),
    }
}

fn nx<T>(r: nix::Result<T>, f: impl FnOnce(T) -> String) -> Outcome {
    match r {
        Ok(v) => Ok(f(v)),
        Err(e) => Err(errno_name(e as i32)),
    }
}

fn errno_name(raw: i32) -> String {
    vfsbox_api::Errno::from_raw(raw)
        .name()
        .map_or_else(|| format!("errno {raw}"), str::to_string)
}

fn unit<T>(_: T) -> String {
    String::new()
}

/// What `stat` shows that does not depend on the filesystem (no inode, device, times).
fn shape(m: fs::Metadata) -> String {
    format!(
        "mode={:o} nlink={} size={}",
        m.mode(),
        if m.is_dir() { 0 } else { m.nlink() },
        if m.is_dir() { 0 } else { m.size() }
    )
}

fn listing(dir: &Path) -> Outcome {
    io(fs::read_dir(dir), |rd| {
        let mut names: Vec<String> = rd
            .map(|e| {
                let e = e.expect("entry");
                let kind = e.file_type().expect("type");
                let tag = if kind.is_dir() {
                    "/"
                } else if kind.is_symlink() {
                    "@"
                } else {
                    ""
                };
                format!("{}{tag}", e.file_name().to_string_lossy())
            })
            .collect();
        names.sort();
        names.join(",")
    })
}

fn read_all(path: &Path) -> Outcome {
    io(fs::read(path), |d| String::from_utf8_lossy(&d).into_owned())
}

/// The steps FUSE or the provider does differently from a kernel filesystem, by name, with
/// the reason. A step is skipped when its requirement is not met.
fn imposed(step: &str, caps: &Capabilities) -> Option<&'static str> {
    match step {
        "hard link" | "nlink after link" | "unlink second name" if !caps.hard_links => {
            Some("the provider has no hard links (EPERM), ext4 has")
        }
        "rename exchange" if !caps.rename_exchange => Some("the provider has no RENAME_EXCHANGE"),
        "rename noreplace" if !caps.rename_noreplace => {
            Some("the provider has no RENAME_NOREPLACE")
        }
        "set xattr" | "get xattr" | "get missing xattr" if !caps.xattrs => {
            Some("the provider has no extended attributes")
        }
        "fallocate" | "size after fallocate" if !caps.fallocate => {
            Some("the provider has no fallocate")
        }
        "mkfifo" | "fifo shape" if !caps.fifos => Some("the provider makes no FIFOs"),
        _ => None,
    }
}

/// The script: (step name, outcome), run in `root`.
fn script(root: &Path, caps: &Capabilities) -> Vec<(&'static str, Outcome)> {
    let mut out: Vec<(&'static str, Outcome)> = Vec::new();
    let p = |rel: &str| root.join(rel);
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Outcome| {
        if imposed(name, caps).is_none() {
            out.push((name, f()));
        }
    };
    step("mkdir", &mut || io(fs::create_dir(p("a")), unit));
    step("mkdir again", &mut || io(fs::create_dir(p("a")), unit));
    step("mkdir in missing", &mut || {
        io(fs::create_dir(p("zz/y")), unit)
    });
    step("create and write", &mut || {
        io(
            File::create(p("a/f")).and_then(|mut f| f.write_all(b"hello world")),
            unit,
        )
    });
    step("read back", &mut || read_all(&p("a/f")));
    step("stat file", &mut || io(fs::metadata(p("a/f")), shape));
    step("stat dir", &mut || io(fs::metadata(p("a")), shape));
    step("exclusive create of existing", &mut || {
        io(
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(p("a/f")),
            unit,
        )
    });
    step("open missing", &mut || io(File::open(p("a/missing")), unit));
    step("open dir for writing", &mut || {
        io(OpenOptions::new().write(true).open(p("a")), unit)
    });
    step("file as directory", &mut || {
        io(File::open(p("a/f/x")), unit)
    });
    step("name too long", &mut || {
        io(File::create(p(&"n".repeat(256))), unit)
    });
    step("append", &mut || {
        io(
            OpenOptions::new()
                .append(true)
                .open(p("a/f"))
                .and_then(|mut f| f.write_all(b"!")),
            unit,
        )
    });
    step("read after append", &mut || read_all(&p("a/f")));
    step("rename", &mut || io(fs::rename(p("a/f"), p("a/g")), unit));
    step("rename missing", &mut || {
        io(fs::rename(p("a/f"), p("a/h")), unit)
    });
    step("rmdir non-empty", &mut || io(fs::remove_dir(p("a")), unit));
    step("unlink dir", &mut || io(fs::remove_file(p("a")), unit));
    step("rmdir file", &mut || io(fs::remove_dir(p("a/g")), unit));
    step("symlink", &mut || {
        io(std::os::unix::fs::symlink("a/g", p("l")), unit)
    });
    step("symlink exists", &mut || {
        io(std::os::unix::fs::symlink("x", p("l")), unit)
    });
    step("readlink", &mut || {
        io(fs::read_link(p("l")), |t| t.display().to_string())
    });
    step("read through link", &mut || read_all(&p("l")));
    step("dangling link", &mut || {
        io(std::os::unix::fs::symlink("nowhere", p("d")), unit)
    });
    step("open dangling", &mut || io(File::open(p("d")), unit));
    step("lstat link", &mut || {
        io(fs::symlink_metadata(p("l")), shape)
    });
    step("hard link", &mut || {
        io(fs::hard_link(p("a/g"), p("h")), unit)
    });
    step("nlink after link", &mut || {
        io(fs::metadata(p("a/g")), shape)
    });
    step("hard link to dir", &mut || {
        io(fs::hard_link(p("a"), p("ad")), unit)
    });
    step("unlink second name", &mut || {
        io(fs::remove_file(p("h")), unit)
    });
    step("truncate", &mut || {
        io(
            OpenOptions::new()
                .write(true)
                .open(p("a/g"))
                .and_then(|f| f.set_len(3)),
            unit,
        )
    });
    step("read truncated", &mut || read_all(&p("a/g")));
    step("extend", &mut || {
        io(
            OpenOptions::new()
                .write(true)
                .open(p("a/g"))
                .and_then(|f| f.set_len(10)),
            unit,
        )
    });
    step("read extended", &mut || {
        io(fs::read(p("a/g")), |d| format!("{d:?}"))
    });
    step("chmod", &mut || {
        io(
            fs::set_permissions(p("a/g"), fs::Permissions::from_mode(0o600)),
            unit,
        )
    });
    step("stat after chmod", &mut || {
        io(fs::metadata(p("a/g")), shape)
    });
    step("set times", &mut || {
        let t = nix::sys::time::TimeSpec::new(1_000_000, 123_456_789);
        nx(
            nix::sys::stat::utimensat(
                nix::fcntl::AT_FDCWD,
                &p("a/g"),
                &t,
                &t,
                nix::sys::stat::UtimensatFlags::FollowSymlink,
            ),
            unit,
        )
    });
    step("times after set", &mut || {
        io(fs::metadata(p("a/g")), |m| {
            format!(
                "{}.{} {}.{}",
                m.mtime(),
                m.mtime_nsec(),
                m.atime(),
                m.atime_nsec()
            )
        })
    });
    step("mkdir b", &mut || io(fs::create_dir(p("b")), unit));
    step("mkdir b/c", &mut || io(fs::create_dir(p("b/c")), unit));
    step("rename dir onto non-empty", &mut || {
        io(fs::rename(p("a"), p("b")), unit)
    });
    step("rename dir into itself", &mut || {
        io(fs::rename(p("b"), p("b/c/x")), unit)
    });
    step("rename file onto dir", &mut || {
        io(fs::rename(p("a/g"), p("b/c")), unit)
    });
    step("rename dir onto file", &mut || {
        io(fs::rename(p("b/c"), p("a/g")), unit)
    });
    step("rename noreplace", &mut || {
        nx(
            nix::fcntl::renameat2(
                nix::fcntl::AT_FDCWD,
                &p("l"),
                nix::fcntl::AT_FDCWD,
                &p("a/g"),
                RenameFlags::RENAME_NOREPLACE,
            ),
            unit,
        )
    });
    step("rename exchange", &mut || {
        nx(
            nix::fcntl::renameat2(
                nix::fcntl::AT_FDCWD,
                &p("l"),
                nix::fcntl::AT_FDCWD,
                &p("d"),
                RenameFlags::RENAME_EXCHANGE,
            ),
            unit,
        )
    });
    step("readlink after exchange", &mut || {
        io(fs::read_link(p("l")), |t| t.display().to_string())
    });
    step("rmdir empty", &mut || io(fs::remove_dir(p("b/c")), unit));
    step("listing", &mut || listing(root));
    step("listing of a", &mut || listing(&p("a")));
    step("fallocate", &mut || {
        let f = OpenOptions::new().write(true).open(p("a/g"));
        io(f, |f| {
            format!(
                "{:?}",
                nix::fcntl::fallocate(&f, FallocateFlags::empty(), 0, 8192)
                    .map_err(|e| errno_name(e as i32))
            )
        })
    });
    step("size after fallocate", &mut || {
        io(fs::metadata(p("a/g")), shape)
    });
    step("seek data and hole", &mut || {
        let f = File::open(p("a/g"));
        io(f, |f| {
            let data =
                nix::unistd::lseek(&f, 0, Whence::SeekData).map_err(|e| errno_name(e as i32));
            let past =
                nix::unistd::lseek(&f, 1 << 20, Whence::SeekData).map_err(|e| errno_name(e as i32));
            format!("{data:?} {past:?}")
        })
    });
    step("mkfifo", &mut || {
        nx(
            nix::sys::stat::mknod(
                &p("fifo"),
                SFlag::S_IFIFO,
                Mode::from_bits_truncate(0o640),
                0,
            ),
            unit,
        )
    });
    step("fifo shape", &mut || {
        io(fs::symlink_metadata(p("fifo")), shape)
    });
    step("set xattr", &mut || xattr::set(&p("a/g"), "user.k", b"v1"));
    step("get xattr", &mut || xattr::get(&p("a/g"), "user.k"));
    step("get missing xattr", &mut || {
        xattr::get(&p("a/g"), "user.none")
    });
    step("unlinked open file", &mut || {
        io(
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(p("tmp"))
                .and_then(|mut f| {
                    f.write_all(b"still here")?;
                    fs::remove_file(p("tmp"))?;
                    f.set_len(5)?;
                    f.seek(SeekFrom::Start(0))?;
                    let mut s = String::new();
                    f.read_to_string(&mut s)?;
                    Ok(s)
                }),
            |s| s,
        )
    });
    step("unlinkat dir flag on file", &mut || {
        nx(
            nix::unistd::unlinkat(
                nix::fcntl::AT_FDCWD,
                &p("a/g"),
                nix::unistd::UnlinkatFlags::RemoveDir,
            ),
            unit,
        )
    });
    step("fstatat nofollow", &mut || {
        nx(
            nix::sys::stat::fstatat(nix::fcntl::AT_FDCWD, &p("l"), AtFlags::AT_SYMLINK_NOFOLLOW),
            |s| format!("{:o}", s.st_mode & libc::S_IFMT),
        )
    });
    step("create with mode", &mut || {
        io(
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o640)
                .open(p("m")),
            unit,
        )
    });
    step("mode after create", &mut || io(fs::metadata(p("m")), shape));
    step("unlink missing", &mut || {
        io(fs::remove_file(p("nope")), unit)
    });
    step("final listing", &mut || listing(root));
    out
}

/// Extended attributes through libc (std has none).
mod xattr {
    use super::{errno_name, Outcome};
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    fn c(path: &Path) -> CString {
        CString::new(path.as_os_str().as_bytes()).expect("no NUL")
    }

    pub fn set(path: &Path, name: &str, value: &[u8]) -> Outcome {
        let (p, n) = (c(path), CString::new(name).expect("no NUL"));
        // SAFETY: both strings are NUL-terminated and live across the call; the value pointer
        // and length describe a live slice.
        let r = unsafe {
            libc::setxattr(
                p.as_ptr(),
                n.as_ptr(),
                value.as_ptr().cast(),
                value.len(),
                0,
            )
        };
        if r == 0 {
            Ok(String::new())
        } else {
            Err(errno_name(
                std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
            ))
        }
    }

    pub fn get(path: &Path, name: &str) -> Outcome {
        let (p, n) = (c(path), CString::new(name).expect("no NUL"));
        let mut buf = [0u8; 256];
        // SAFETY: as in `set`; the buffer pointer and length describe a live, writable array.
        let r =
            unsafe { libc::getxattr(p.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        if r >= 0 {
            Ok(String::from_utf8_lossy(&buf[..r as usize]).into_owned())
        } else {
            Err(errno_name(
                std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
            ))
        }
    }
}

fn compare(provider: &str) {
    let m = common::mount_provider(provider);
    let caps = m.fs.capabilities();
    // The mount table's root holds the /host mount point: the script works in a directory
    // of the root so that listings compare.
    let (work, oracle_dir) = (m.join("w"), tempfile::tempdir().expect("oracle dir"));
    fs::create_dir(&work).expect("work dir");
    let oracle_root = oracle_dir.path().join("w");
    fs::create_dir(&oracle_root).expect("oracle work dir");
    let expected = script(&oracle_root, &caps);
    let actual = script(&work, &caps);
    // The oracle ran for real: a few outcomes every kernel filesystem gives.
    let oracle = |name: &str| {
        expected
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, o)| o.clone())
    };
    assert_eq!(oracle("mkdir again"), Some(Err("EEXIST".to_string())));
    assert_eq!(
        oracle("rmdir non-empty"),
        Some(Err("ENOTEMPTY".to_string()))
    );
    assert_eq!(
        oracle("read after append"),
        Some(Ok("hello world!".to_string()))
    );
    assert_eq!(expected.len(), actual.len());
    eprintln!("{provider}: {} steps compared", expected.len());
    let mut differences = Vec::new();
    for ((name, want), (_, got)) in expected.iter().zip(&actual) {
        if want != got {
            differences.push(format!("{name}: kernel {want:?}, {provider} mount {got:?}"));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} steps differ on {provider}:\n{}",
        differences.len(),
        expected.len(),
        differences.join("\n")
    );
}

#[test]
fn memory_matches_the_kernel() {
    compare("memory");
}

#[test]
fn host_matches_the_kernel() {
    compare("host");
}

#[test]
fn overlay_matches_the_kernel() {
    compare("overlay");
}

#[test]
fn mount_table_matches_the_kernel() {
    compare("mounts");
}

#[test]
fn read_only_refuses_every_change_with_erofs() {
    let fs = std::sync::Arc::new(vfsbox_memory::MemoryFs::new());
    vfsbox_fuse::demo::populate(&*fs, vfsbox_api::Owner { uid: 0, gid: 0 }).expect("demo");
    let ro = std::sync::Arc::new(vfsbox_readonly::ReadOnly::new(fs));
    let m = common::mount_with(ro, (), &common::options());
    let err = |r: std::io::Result<()>| r.err().and_then(|e| e.raw_os_error());
    assert_eq!(err(fs::create_dir(m.join("x"))), Some(libc::EROFS));
    assert_eq!(err(File::create(m.join("x")).map(drop)), Some(libc::EROFS));
    assert_eq!(
        err(OpenOptions::new()
            .write(true)
            .open(m.join("hello.txt"))
            .map(drop)),
        Some(libc::EROFS)
    );
    assert_eq!(err(fs::remove_file(m.join("hello.txt"))), Some(libc::EROFS));
    assert_eq!(
        err(fs::rename(m.join("hello.txt"), m.join("x"))),
        Some(libc::EROFS)
    );
    assert_eq!(
        fs::read_to_string(m.join("hello.txt")).expect("readable"),
        "Hello from vfsbox.\n"
    );
}

/// Listings longer than one reply buffer, and entries removed during a listing: every entry
/// that stays is seen exactly once (cookies are stable, offsets resume where they stopped).
fn large_listing(provider: &str) {
    let m = common::mount_provider(provider);
    let dir = m.join("big");
    fs::create_dir(&dir).unwrap();
    for i in 0..1000 {
        File::create(dir.join(format!("entry-{i:04}-{}", "x".repeat(i % 40)))).unwrap();
    }
    let names = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    };
    let all = names(&dir);
    assert_eq!(all.len(), 1000);
    let mut unique = all.clone();
    unique.dedup();
    assert_eq!(unique.len(), 1000, "an entry was listed twice");
    // Remove every other entry while a listing is under way.
    let mut seen = Vec::new();
    for (i, entry) in fs::read_dir(&dir).unwrap().enumerate() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if i == 10 {
            for (j, victim) in all.iter().enumerate() {
                if j % 2 == 1 {
                    fs::remove_file(dir.join(victim)).unwrap();
                }
            }
        }
        seen.push(name);
    }
    let mut deduped = seen.clone();
    deduped.sort();
    deduped.dedup();
    assert_eq!(deduped.len(), seen.len(), "an entry was listed twice");
    for (j, name) in all.iter().enumerate() {
        if j % 2 == 0 {
            assert!(seen.contains(name), "{name} stayed but was not listed");
        }
    }
    assert_eq!(names(&dir).len(), 500);
}

#[test]
fn large_listing_on_memory() {
    large_listing("memory");
}

#[test]
fn large_listing_on_host() {
    large_listing("host");
}

/// What a non-root writer leaves of the set-user-id and set-group-id bits of a file it
/// writes, truncates, or opens with `O_TRUNC` (Linux clears them; with
/// `FUSE_HANDLE_KILLPRIV_V2` the adapter must).
fn suid_after_unprivileged_changes(root: &Path) -> Vec<String> {
    use std::process::Command;
    fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
    let mut out = Vec::new();
    for (name, mode, shell) in [
        ("w", 0o6777, "echo more >> w"),
        ("t", 0o6777, "truncate -s 1 t"),
        ("o", 0o6777, "echo new > o"),
        ("g", 0o2767, "echo more >> g"),
    ] {
        let path = root.join(name);
        fs::write(&path, b"data").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let status = Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "sh",
                "-c",
                shell,
            ])
            .current_dir(root)
            .status()
            .unwrap();
        assert!(status.success(), "{shell}");
        let meta = fs::metadata(&path).unwrap();
        out.push(format!(
            "{name}: {:o} size {}",
            meta.mode() & 0o7777,
            meta.len()
        ));
    }
    out
}

#[test]
fn unprivileged_writes_clear_setid_bits_as_the_kernel_does() {
    let options = vfsbox_fuse::MountOptions {
        allow_other: true,
        ..common::options()
    };
    let m = common::mount_with(
        std::sync::Arc::new(vfsbox_memory::MemoryFs::new()),
        (),
        &options,
    );
    let oracle = tempfile::tempdir().unwrap();
    let want = suid_after_unprivileged_changes(oracle.path());
    assert_eq!(suid_after_unprivileged_changes(m.path()), want);
}

/// `flock` locks conflict between open files and between processes on the mount as on a
/// kernel filesystem (the kernel keeps them for the mount).
fn locks(root: &Path) -> Vec<String> {
    use nix::fcntl::{Flock, FlockArg};
    let path = root.join("locked");
    fs::write(&path, b"x").unwrap();
    let first = Flock::lock(File::open(&path).unwrap(), FlockArg::LockExclusiveNonblock)
        .map_err(|(_, e)| e)
        .unwrap();
    let second = Flock::lock(File::open(&path).unwrap(), FlockArg::LockSharedNonblock)
        .map(drop)
        .map_err(|(_, e)| errno_name(e as i32));
    drop(first);
    let third = Flock::lock(File::open(&path).unwrap(), FlockArg::LockSharedNonblock)
        .map(drop)
        .map_err(|(_, e)| errno_name(e as i32));
    // A lock held by another process (flock(1)) is seen here. The holder says when it holds
    // the lock and keeps it until its stdin closes, so no timing is guessed and no process
    // outlives the test.
    let mut child = std::process::Command::new("flock")
        .args(["--exclusive", "--close", path.to_str().unwrap()])
        .args(["sh", "-c", "echo locked; read _"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line, "locked\n", "the other process holds the lock");
    let fourth = Flock::lock(File::open(&path).unwrap(), FlockArg::LockExclusiveNonblock)
        .map(drop)
        .map_err(|(_, e)| errno_name(e as i32));
    drop(child.stdin.take());
    child.wait().unwrap();
    vec![
        format!("{second:?}"),
        format!("{third:?}"),
        format!("{fourth:?}"),
    ]
}

#[test]
fn locks_conflict_as_on_the_kernel() {
    let m = common::mount_provider("memory");
    let oracle = tempfile::tempdir().unwrap();
    let want = locks(oracle.path());
    assert_eq!(want[0], "Err(\"EAGAIN\")");
    assert_eq!(locks(m.path()), want);
}
