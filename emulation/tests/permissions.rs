//! Permission checks as uid 65534, root's overrides, umask, set-id clearing, EROFS.
mod common;
use common::*;
use std::sync::Arc;
use vfsbox_api::*;
use vfsbox_emulation::{Emulated, Identity};

fn shared() -> (Arc<dyn FileSystem>, Emulated) {
    let fs: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
    let admin = Emulated::new(Arc::clone(&fs));
    (fs, admin)
}

#[test]
fn mode_bits_decide_for_an_unprivileged_user() {
    let (fs, admin) = shared();
    put(&admin, "secret", b"s");
    admin.fchmodat(AT_FDCWD, b"secret", 0o600, 0).unwrap();
    put(&admin, "public", b"p");
    let user = nobody(fs);
    assert_eq!(user.open(b"secret", libc::O_RDONLY, 0), Err(Errno::EACCES));
    assert_eq!(user.open(b"public", libc::O_RDONLY, 0).map(|_| ()), Ok(()));
    assert_eq!(user.open(b"public", libc::O_WRONLY, 0), Err(Errno::EACCES));
    assert_eq!(
        user.open(b"public", libc::O_RDONLY | libc::O_TRUNC, 0),
        Err(Errno::EACCES)
    );
    assert_eq!(
        user.faccessat(AT_FDCWD, b"secret", libc::R_OK, 0),
        Err(Errno::EACCES)
    );
    assert_eq!(user.faccessat(AT_FDCWD, b"secret", libc::F_OK, 0), Ok(()));
    assert_eq!(
        user.faccessat(AT_FDCWD, b"public", libc::R_OK, libc::AT_EACCESS),
        Ok(())
    );
    assert_eq!(
        user.faccessat(AT_FDCWD, b"public", 8, 0),
        Err(Errno::EINVAL)
    );
    assert_eq!(user.unlink(b"public"), Err(Errno::EACCES));
    assert_eq!(user.rename(b"public", b"mine"), Err(Errno::EACCES));
    assert_eq!(
        user.open(b"new", libc::O_CREAT | RW, 0o644),
        Err(Errno::EACCES)
    );
    assert_eq!(user.truncate(b"public", 0), Err(Errno::EACCES));
}

#[test]
fn root_overrides_mode_bits_except_execute_without_any_x() {
    let (_, admin) = shared();
    put(&admin, "f", b"");
    admin.fchmodat(AT_FDCWD, b"f", 0, 0).unwrap();
    assert!(admin.open(b"f", RW, 0).is_ok());
    assert_eq!(
        admin.faccessat(AT_FDCWD, b"f", libc::X_OK, 0),
        Err(Errno::EACCES)
    );
    admin.fchmodat(AT_FDCWD, b"f", 0o010, 0).unwrap();
    assert_eq!(
        admin.faccessat(AT_FDCWD, b"f", libc::X_OK | libc::W_OK, 0),
        Ok(())
    );
}

#[test]
fn faccessat_checks_real_ids_unless_at_eaccess() {
    let fs: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
    let admin = Emulated::new(Arc::clone(&fs));
    put(&admin, "f", b"");
    admin.fchownat(AT_FDCWD, b"f", 1000, 1000, 0).unwrap();
    admin.fchmodat(AT_FDCWD, b"f", 0o600, 0).unwrap();
    // Real uid 1000, effective uid 2000.
    let mut id = Identity::user(1000, 1000);
    id.euid = 2000;
    id.egid = 2000;
    let p = Emulated::builder(fs).identity(id).build();
    assert_eq!(p.faccessat(AT_FDCWD, b"f", libc::R_OK, 0), Ok(()));
    assert_eq!(
        p.faccessat(AT_FDCWD, b"f", libc::R_OK, libc::AT_EACCESS),
        Err(Errno::EACCES)
    );
    assert_eq!(p.open(b"f", libc::O_RDONLY, 0), Err(Errno::EACCES));
}

#[test]
fn sticky_directories_protect_other_users_files() {
    let (fs, admin) = shared();
    admin.mkdir(b"tmp", 0o777).unwrap();
    admin.fchmodat(AT_FDCWD, b"tmp", 0o1777, 0).unwrap();
    put(&admin, "tmp/roots", b"");
    let user = nobody(fs);
    put(&user, "tmp/mine", b"");
    assert_eq!(user.unlink(b"tmp/roots"), Err(Errno::EPERM));
    assert_eq!(user.rename(b"tmp/roots", b"tmp/x"), Err(Errno::EPERM));
    assert_eq!(user.rename(b"tmp/mine", b"tmp/roots"), Err(Errno::EPERM));
    assert_eq!(user.rename(b"tmp/mine", b"tmp/other"), Ok(()));
    assert_eq!(user.unlink(b"tmp/other"), Ok(()));
    assert_eq!(admin.unlink(b"tmp/roots"), Ok(()));
}

#[test]
fn ownership_rules_for_chmod_chown_and_times() {
    let (fs, admin) = shared();
    put(&admin, "roots", b"");
    admin.fchmodat(AT_FDCWD, b"roots", 0o666, 0).unwrap();
    admin.mkdir(b"d", 0o777).unwrap();
    admin.fchmodat(AT_FDCWD, b"d", 0o777, 0).unwrap();
    let user = nobody(fs);
    put(&user, "d/mine", b"");
    assert_eq!(
        user.fchmodat(AT_FDCWD, b"roots", 0o600, 0),
        Err(Errno::EPERM)
    );
    assert_eq!(
        user.fchownat(AT_FDCWD, b"roots", 65534, u32::MAX, 0),
        Err(Errno::EPERM)
    );
    assert_eq!(
        user.fchownat(AT_FDCWD, b"d/mine", 0, u32::MAX, 0),
        Err(Errno::EPERM)
    );
    assert_eq!(
        user.fchownat(AT_FDCWD, b"d/mine", u32::MAX, 0, 0),
        Err(Errno::EPERM)
    );
    assert_eq!(user.fchownat(AT_FDCWD, b"d/mine", 65534, 65534, 0), Ok(()));
    let t = TimeSpec { sec: 5, nsec: 6 };
    assert_eq!(
        user.utimensat(AT_FDCWD, b"roots", [t, t], 0),
        Err(Errno::EPERM)
    );
    // "Now" needs only write permission.
    assert_eq!(
        user.utimensat(AT_FDCWD, b"roots", [TimeSpec::NOW; 2], 0),
        Ok(())
    );
    admin.fchmodat(AT_FDCWD, b"roots", 0o644, 0).unwrap();
    assert_eq!(
        user.utimensat(AT_FDCWD, b"roots", [TimeSpec::NOW; 2], 0),
        Err(Errno::EACCES)
    );
    assert_eq!(
        user.utimensat(AT_FDCWD, b"d/mine", [t, TimeSpec::OMIT], 0),
        Ok(())
    );
    let st = user.stat(b"d/mine").unwrap();
    assert_eq!((st.atime.sec, st.atime.nsec), (5, 6));
    assert_eq!(
        user.utimensat(AT_FDCWD, b"d/mine", [TimeSpec { sec: 0, nsec: -5 }, t], 0),
        Err(Errno::EINVAL)
    );
    // Both omitted: nothing to do, the path is not even looked at.
    assert_eq!(
        user.utimensat(AT_FDCWD, b"missing", [TimeSpec::OMIT; 2], 0),
        Ok(())
    );
}

#[test]
fn setgid_is_dropped_by_chmod_outside_the_group_and_by_writes() {
    let (fs, admin) = shared();
    admin.mkdir(b"d", 0o777).unwrap();
    admin.fchmodat(AT_FDCWD, b"d", 0o777, 0).unwrap();
    let user = nobody(fs);
    put(&user, "d/f", b"");
    user.fchmodat(AT_FDCWD, b"d/f", 0o2755, 0).unwrap();
    assert_eq!(user.stat(b"d/f").unwrap().mode & 0o7777, 0o2755);
    admin.fchownat(AT_FDCWD, b"d/f", u32::MAX, 7, 0).unwrap();
    user.fchmodat(AT_FDCWD, b"d/f", 0o2755, 0).unwrap();
    assert_eq!(user.stat(b"d/f").unwrap().mode & 0o7777, 0o755);
    user.fchmodat(AT_FDCWD, b"d/f", 0o4755, 0).unwrap();
    let fd = user.open(b"d/f", libc::O_WRONLY, 0).unwrap();
    user.write(fd, b"x").unwrap();
    assert_eq!(user.stat(b"d/f").unwrap().mode & 0o7777, 0o755);
}

#[test]
fn umask_starts_at_022_and_applies_to_creation() {
    let p = root();
    assert_eq!(p.umask(0o077), 0o022);
    assert_eq!(p.umask(0o1077), 0o077);
    assert_eq!(p.umask(0o022), 0o077);
    p.mkdir(b"d", 0o777).unwrap();
    assert_eq!(p.stat(b"d").unwrap().mode & 0o7777, 0o755);
    p.mkdir(b"s", 0o1777).unwrap();
    assert_eq!(p.stat(b"s").unwrap().mode & 0o7777, 0o1755);
    p.mkdir(b"g", 0o2777).unwrap();
    assert_eq!(p.stat(b"g").unwrap().mode & 0o7777, 0o755);
    p.umask(0o027);
    let fd = p.open(b"f", libc::O_CREAT | RW, 0o666).unwrap();
    p.close(fd).unwrap();
    assert_eq!(p.stat(b"f").unwrap().mode & 0o7777, 0o640);
    p.mknodat(AT_FDCWD, b"fifo", libc::S_IFIFO | 0o666, 0)
        .unwrap();
    assert_eq!(p.stat(b"fifo").unwrap().mode, libc::S_IFIFO | 0o640);
    assert_eq!(
        p.mknodat(AT_FDCWD, b"dir", libc::S_IFDIR | 0o777, 0),
        Err(Errno::EPERM)
    );
    assert_eq!(
        p.mknodat(AT_FDCWD, b"bad", 0o170000 | 0o777, 0),
        Err(Errno::EINVAL)
    );
    // An existing file keeps its mode.
    let fd = p.open(b"f", libc::O_CREAT | RW, 0o777).unwrap();
    p.close(fd).unwrap();
    assert_eq!(p.stat(b"f").unwrap().mode & 0o7777, 0o640);
}

#[test]
fn hard_links_to_other_users_files_need_read_and_write() {
    let (fs, admin) = shared();
    admin.mkdir(b"d", 0o777).unwrap();
    admin.fchmodat(AT_FDCWD, b"d", 0o777, 0).unwrap();
    put(&admin, "ro", b"");
    put(&admin, "rw", b"");
    admin.fchmodat(AT_FDCWD, b"rw", 0o666, 0).unwrap();
    let user = nobody(fs);
    assert_eq!(
        user.linkat(AT_FDCWD, b"ro", AT_FDCWD, b"d/ro", 0),
        Err(Errno::EPERM)
    );
    assert_eq!(user.linkat(AT_FDCWD, b"rw", AT_FDCWD, b"d/rw", 0), Ok(()));
    assert_eq!(user.stat(b"rw").unwrap().nlink, 2);
    // AT_EMPTY_PATH works for the caller's own descriptors.
    let fd = user.open(b"rw", libc::O_RDONLY, 0).unwrap();
    assert_eq!(
        user.linkat(fd, b"", AT_FDCWD, b"d/via_fd", libc::AT_EMPTY_PATH),
        Ok(())
    );
    assert_eq!(
        user.linkat(fd, b"", AT_FDCWD, b"d/no_flag", 0),
        Err(Errno::ENOENT)
    );
}

#[test]
fn a_read_only_provider_answers_erofs_not_eperm() {
    let (fs, admin) = shared();
    admin.mkdir(b"d", 0o755).unwrap();
    put(&admin, "f", b"data");
    admin.symlink(b"f", b"l").unwrap();
    let ro: Arc<dyn FileSystem> = Arc::new(vfsbox_readonly::ReadOnly::new(fs));
    for p in [Emulated::new(Arc::clone(&ro)), nobody(Arc::clone(&ro))] {
        assert_eq!(p.mkdir(b"new", 0o755), Err(Errno::EROFS));
        assert_eq!(p.mkdir(b"d", 0o755), Err(Errno::EEXIST));
        assert_eq!(p.unlink(b"missing"), Err(Errno::EROFS));
        assert_eq!(p.unlink(b"f"), Err(Errno::EROFS));
        assert_eq!(p.rmdir(b"d"), Err(Errno::EROFS));
        assert_eq!(p.rename(b"f", b"g"), Err(Errno::EROFS));
        assert_eq!(p.open(b"f", libc::O_WRONLY, 0), Err(Errno::EROFS));
        assert_eq!(
            p.open(b"f", libc::O_RDONLY | libc::O_TRUNC, 0),
            Err(Errno::EROFS)
        );
        assert_eq!(p.open(b"n", libc::O_CREAT | RW, 0o644), Err(Errno::EROFS));
        assert_eq!(p.fchmodat(AT_FDCWD, b"f", 0o600, 0), Err(Errno::EROFS));
        assert_eq!(p.fchownat(AT_FDCWD, b"f", 1, 1, 0), Err(Errno::EROFS));
        assert_eq!(p.truncate(b"f", 0), Err(Errno::EROFS));
        assert_eq!(
            p.utimensat(AT_FDCWD, b"f", [TimeSpec::NOW; 2], 0),
            Err(Errno::EROFS)
        );
        assert_eq!(
            p.faccessat(AT_FDCWD, b"f", libc::W_OK, 0),
            Err(Errno::EROFS)
        );
        assert_eq!(p.symlink(b"x", b"s"), Err(Errno::EROFS));
        assert_eq!(
            p.linkat(AT_FDCWD, b"f", AT_FDCWD, b"h", 0),
            Err(Errno::EROFS)
        );
        assert_eq!(p.setxattr(b"f", b"user.a", b"v", 0, 0), Err(Errno::EROFS));
        assert_eq!(get(&p, "l"), b"data");
        assert_eq!(
            p.statvfs(b"/").unwrap().flag & libc::ST_RDONLY,
            libc::ST_RDONLY
        );
    }
}

/// A directory removed below a read-only view (by whoever can still change the tree under
/// it): making a name in it is ENOENT, as on a read-only bind mount of a removed cwd — the
/// lookup of a new name in a removed directory fails before the mount's EROFS is reported.
#[test]
fn a_removed_directory_under_a_read_only_view_is_enoent_before_erofs() {
    let (fs, admin) = shared();
    admin.mkdir(b"d", 0o777).unwrap();
    admin.mkdir(b"live", 0o777).unwrap();
    let ro: Arc<dyn FileSystem> = Arc::new(vfsbox_readonly::ReadOnly::new(fs));
    for p in [Emulated::new(Arc::clone(&ro)), nobody(Arc::clone(&ro))] {
        admin.mkdir(b"d", 0o777).ok();
        p.chdir(b"/d").unwrap();
        admin.rmdir(b"d").unwrap();
        assert_eq!(p.mkdir(b"x", 0o755), Err(Errno::ENOENT));
        assert_eq!(p.symlink(b"t", b"x"), Err(Errno::ENOENT));
        assert_eq!(
            p.mknodat(AT_FDCWD, b"x", libc::S_IFIFO | 0o644, 0),
            Err(Errno::ENOENT)
        );
        assert_eq!(
            p.mkdir(b"/live/x", 0o755),
            Err(Errno::EROFS),
            "a live directory"
        );
    }
}

#[test]
fn truncating_opens_drop_set_id_bits_but_empty_writes_change_nothing() {
    let (fs, admin) = shared();
    admin.mkdir(b"d", 0o777).unwrap();
    admin.fchmodat(AT_FDCWD, b"d", 0o777, 0).unwrap();
    let user = nobody(fs);
    put(&user, "d/f", b"data");
    user.fchmodat(AT_FDCWD, b"d/f", 0o6775, 0).unwrap();
    let fd = user.open(b"d/f", libc::O_WRONLY, 0).unwrap();
    assert_eq!(user.write(fd, b""), Ok(0));
    assert_eq!(user.stat(b"d/f").unwrap().mode & 0o7777, 0o6775);
    user.close(fd).unwrap();
    let fd = user
        .open(b"d/f", libc::O_WRONLY | libc::O_TRUNC, 0)
        .unwrap();
    assert_eq!(user.stat(b"d/f").unwrap().mode & 0o7777, 0o775);
    user.close(fd).unwrap();
    // Root keeps them (CAP_FSETID).
    admin.fchmodat(AT_FDCWD, b"d/f", 0o4755, 0).unwrap();
    put(&admin, "d/f", b"root writes");
    assert_eq!(admin.stat(b"d/f").unwrap().mode & 0o7777, 0o4755);
}

#[test]
fn a_read_only_mount_of_a_mount_table_answers_erofs_before_permissions() {
    let lower: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
    let admin = Emulated::new(Arc::clone(&lower));
    put(&admin, "f", b"x");
    admin.mkdir(b"d", 0o755).unwrap();
    let ro: Arc<dyn FileSystem> = Arc::new(vfsbox_readonly::ReadOnly::new(lower));
    let table: Arc<dyn FileSystem> = Arc::new(
        vfsbox_mounts::MountTable::builder()
            .mount("/", Arc::new(vfsbox_memory::MemoryFs::new()))
            .unwrap()
            .mount("/ro", ro)
            .unwrap()
            .build()
            .unwrap(),
    );
    let user = nobody(table);
    assert_eq!(
        user.fchmodat(AT_FDCWD, b"/ro/f", 0o600, 0),
        Err(Errno::EROFS)
    );
    assert_eq!(
        user.fchownat(AT_FDCWD, b"/ro/f", 1, 1, 0),
        Err(Errno::EROFS)
    );
    let t = TimeSpec { sec: 1, nsec: 2 };
    assert_eq!(
        user.utimensat(AT_FDCWD, b"/ro/f", [t, t], 0),
        Err(Errno::EROFS)
    );
    assert_eq!(user.open(b"/ro/f", libc::O_WRONLY, 0), Err(Errno::EROFS));
    assert_eq!(
        user.open(b"/ro/new", libc::O_CREAT | RW, 0o644),
        Err(Errno::EROFS)
    );
    assert_eq!(user.mkdir(b"/ro/new", 0o755), Err(Errno::EROFS));
    assert_eq!(user.mkdir(b"/ro/d", 0o755), Err(Errno::EEXIST));
    assert_eq!(user.unlink(b"/ro/f"), Err(Errno::EROFS));
    assert_eq!(user.unlink(b"/ro/missing"), Err(Errno::EROFS));
    assert_eq!(user.rename(b"/ro/f", b"/ro/g"), Err(Errno::EROFS));
    assert_eq!(user.truncate(b"/ro/f", 0), Err(Errno::EROFS));
    assert_eq!(
        user.faccessat(AT_FDCWD, b"/ro/f", libc::W_OK, 0),
        Err(Errno::EROFS)
    );
    assert_eq!(
        user.setxattr(b"/ro/f", b"user.a", b"v", 0, 0),
        Err(Errno::EROFS)
    );
    assert_eq!(get(&user, "/ro/f"), b"x");
}
