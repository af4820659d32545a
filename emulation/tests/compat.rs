//! Compatibility events: counted, and refused with ENOTSUP in strict mode.
mod common;
use common::*;
use std::sync::Arc;
use vfsbox_api::*;
use vfsbox_emulation::{CompatEvent, Emulated};

fn strict() -> Emulated {
    Emulated::builder(Arc::new(vfsbox_memory::MemoryFs::new()))
        .strict(true)
        .build()
}

#[test]
fn codes_are_stable_and_distinct() {
    let codes: Vec<&str> = CompatEvent::ALL.iter().map(|e| e.code()).collect();
    assert_eq!(codes[0], "VFSBOX-C001");
    assert_eq!(CompatEvent::SpecialFileOpen.code(), "VFSBOX-C009");
    assert_eq!(CompatEvent::SetidBitsStripped.code(), "VFSBOX-C010");
    let mut unique = codes.clone();
    unique.dedup();
    assert_eq!(unique.len(), codes.len());
}

#[test]
fn o_tmpfile_is_counted_and_refused() {
    let p = root();
    assert_eq!(
        p.open(b"/", libc::O_TMPFILE | RW, 0o600),
        Err(Errno::EOPNOTSUPP)
    );
    assert_eq!(p.compat_count(CompatEvent::UnsupportedTmpfile), 1);
    let s = strict();
    assert_eq!(
        s.open(b"/", libc::O_TMPFILE | RW, 0o600),
        Err(Errno::ENOTSUP)
    );
    assert!(s.is_strict());
}

#[test]
fn ignored_flags_are_events_and_strict_mode_refuses_them() {
    let p = root();
    let fd = p
        .open(b"f", libc::O_CREAT | RW | libc::O_ASYNC, 0o644)
        .unwrap();
    assert_eq!(p.compat_count(CompatEvent::IgnoredAsyncFlag), 1);
    assert_eq!(p.fcntl(fd, libc::F_SETOWN, 1), Err(Errno::EINVAL));
    assert_eq!(p.compat_count(CompatEvent::UnsupportedFcntl), 1);
    let s = strict();
    assert_eq!(
        s.open(b"f", libc::O_CREAT | RW | libc::O_ASYNC, 0o644),
        Err(Errno::ENOTSUP)
    );
    let fd = s.open(b"f", libc::O_CREAT | RW, 0o644).unwrap();
    assert_eq!(s.fcntl(fd, libc::F_SETOWN, 1), Err(Errno::ENOTSUP));
    assert_eq!(
        s.fcntl(fd, libc::F_SETFL, libc::O_ASYNC as i64),
        Err(Errno::ENOTSUP)
    );
    // Exact behaviour is never refused.
    assert_eq!(s.fcntl(fd, libc::F_SETFL, libc::O_APPEND as i64), Ok(0));
    assert_eq!(s.compat_counts().iter().map(|(_, n)| n).sum::<u64>(), 3);
}

#[test]
fn a_renamed_cwd_is_found_again_as_linux_follows_it() {
    let p = root();
    p.mkdir(b"old", 0o755).unwrap();
    p.mkdir(b"other", 0o755).unwrap();
    p.mkdir(b"old/sub", 0o755).unwrap();
    p.chdir(b"old/sub").unwrap();
    assert_eq!(p.getcwd().unwrap(), b"/old/sub");
    p.rename(b"/old", b"/other/new").unwrap();
    assert_eq!(p.realpath(b".").unwrap(), b"/other/new/sub");
    assert_eq!(p.getcwd().unwrap(), b"/other/new/sub");
    // `..` now follows the real parents.
    assert_eq!(p.realpath(b"../..").unwrap(), b"/other");
    assert_eq!(p.compat_count(CompatEvent::StaleDirectoryPath), 0);
    put(&p, "f", b"x");
    assert_eq!(get(&p, "/other/new/sub/f"), b"x");
}

#[test]
fn set_id_bits_on_a_provider_that_strips_them_are_events() {
    let dir = tempfile::tempdir().unwrap();
    let host = Arc::new(vfsbox_host::HostFs::open(dir.path()).unwrap());
    let p = Emulated::new(host);
    put(&p, "f", b"");
    p.fchmodat(AT_FDCWD, b"f", 0o4755, 0).unwrap();
    assert_eq!(p.compat_count(CompatEvent::SetidBitsStripped), 1);
    assert_eq!(p.stat(b"f").unwrap().mode & 0o7777, 0o755);
    let s = Emulated::builder(Arc::new(vfsbox_host::HostFs::open(dir.path()).unwrap()))
        .strict(true)
        .build();
    assert_eq!(s.fchmodat(AT_FDCWD, b"f", 0o2755, 0), Err(Errno::ENOTSUP));
    assert_eq!(s.fchmodat(AT_FDCWD, b"f", 0o755, 0), Ok(()));
    // The memory provider keeps them: no event.
    let m = root();
    put(&m, "f", b"");
    m.fchmodat(AT_FDCWD, b"f", 0o6755, 0).unwrap();
    assert_eq!(m.compat_count(CompatEvent::SetidBitsStripped), 0);
}

#[test]
fn directory_seeks_beyond_rewind_and_tell_are_events() {
    let p = root();
    p.mkdir(b"d", 0o755).unwrap();
    let fd = p.open(b"d", libc::O_RDONLY | libc::O_DIRECTORY, 0).unwrap();
    assert_eq!(p.lseek(fd, 0, libc::SEEK_SET), Ok(0));
    assert_eq!(p.lseek(fd, 0, libc::SEEK_CUR), Ok(0));
    assert_eq!(p.lseek(fd, 12345, libc::SEEK_SET), Err(Errno::EINVAL));
    assert_eq!(p.compat_count(CompatEvent::DirectorySeek), 1);
}

/// Records the level of every `vfsbox::compat` event.
#[derive(Default)]
struct Levels(std::sync::Mutex<Vec<tracing::Level>>);

impl tracing::Subscriber for Levels {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if event.metadata().target() == "vfsbox::compat" {
            self.0.lock().unwrap().push(*event.metadata().level());
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn events_are_logged_at_the_configured_level_or_only_counted() {
    use tracing::Level;
    for level in [
        None,
        Some(Level::WARN),
        Some(Level::INFO),
        Some(Level::DEBUG),
    ] {
        let seen = Arc::new(Levels::default());
        let p = Emulated::builder(Arc::new(vfsbox_memory::MemoryFs::new()))
            .compat_level(level)
            .build();
        tracing::subscriber::with_default(seen.clone(), || {
            let fd = p
                .open(b"f", libc::O_CREAT | RW | libc::O_ASYNC, 0o644)
                .unwrap();
            p.close(fd).unwrap();
        });
        assert_eq!(p.compat_count(CompatEvent::IgnoredAsyncFlag), 1);
        let logged = seen.0.lock().unwrap().clone();
        assert_eq!(logged, level.into_iter().collect::<Vec<_>>(), "{level:?}");
    }
}
