//! The resolver's rules, each with the exact errno Linux gives.
mod common;
use common::*;
use std::sync::Arc;
use vfsbox_api::*;

fn mode_of(p: &vfsbox_emulation::Emulated, path: &[u8], flags: i32) -> Result<u32, Errno> {
    p.fstatat(AT_FDCWD, path, flags)
        .map(|s| s.mode & libc::S_IFMT)
}

#[test]
fn dot_and_dotdot_come_from_the_resolvers_stack_and_stop_at_the_root() {
    let p = root();
    p.mkdir(b"a", 0o755).unwrap();
    p.mkdir(b"a/b", 0o755).unwrap();
    put(&p, "f", b"top");
    assert_eq!(get(&p, "a/b/../../f"), b"top");
    assert_eq!(get(&p, "/../../../f"), b"top");
    assert_eq!(get(&p, "a/./b/./../.././f"), b"top");
    assert_eq!(p.realpath(b"/..").unwrap(), b"/");
    p.chdir(b"a/b").unwrap();
    assert_eq!(p.realpath(b"../../../..").unwrap(), b"/");
    assert_eq!(p.realpath(b".").unwrap(), b"/a/b");
}

#[test]
fn symlinks_are_followed_with_absolute_targets_at_the_sandbox_root() {
    let p = root();
    p.mkdir(b"d", 0o755).unwrap();
    put(&p, "f", b"root file");
    p.symlink(b"/f", b"d/abs").unwrap();
    p.symlink(b"../f", b"d/rel").unwrap();
    p.symlink(b"/../../../../f", b"d/escape").unwrap();
    p.symlink(b"d", b"dirlink").unwrap();
    assert_eq!(get(&p, "d/abs"), b"root file");
    assert_eq!(get(&p, "d/rel"), b"root file");
    assert_eq!(get(&p, "d/escape"), b"root file");
    assert_eq!(get(&p, "dirlink/rel"), b"root file");
    assert_eq!(p.realpath(b"dirlink/abs").unwrap(), b"/f");
    // `..` after a symlinked directory leaves the directory the link points to.
    assert_eq!(p.realpath(b"dirlink/..").unwrap(), b"/");
}

#[test]
fn forty_symlinks_resolve_and_the_forty_first_is_eloop() {
    let p = root();
    put(&p, "target", b"x");
    p.symlink(b"target", b"l0").unwrap();
    for i in 1..41 {
        p.symlink(format!("l{}", i - 1).as_bytes(), format!("l{i}").as_bytes())
            .unwrap();
    }
    // l39 needs 40 links, l40 needs 41.
    assert_eq!(get(&p, "l39"), b"x");
    assert_eq!(p.stat(b"l40"), Err(Errno::ELOOP));
    assert_eq!(
        mode_of(&p, b"l40", libc::AT_SYMLINK_NOFOLLOW),
        Ok(libc::S_IFLNK)
    );
    p.symlink(b"loop_b", b"loop_a").unwrap();
    p.symlink(b"loop_a", b"loop_b").unwrap();
    assert_eq!(p.stat(b"loop_a"), Err(Errno::ELOOP));
    assert_eq!(p.stat(b"loop_a/x"), Err(Errno::ELOOP));
    assert_eq!(
        p.open(b"loop_a", libc::O_CREAT | RW, 0o644),
        Err(Errno::ELOOP)
    );
}

#[test]
fn empty_symlink_targets_are_refused_and_dangling_links_are_enoent() {
    let p = root();
    assert_eq!(p.symlink(b"", b"empty"), Err(Errno::ENOENT));
    p.symlink(b"nowhere", b"dangling").unwrap();
    assert_eq!(p.stat(b"dangling"), Err(Errno::ENOENT));
    // O_CREAT through a dangling link creates its target, as Linux does.
    let fd = p.open(b"dangling", libc::O_CREAT | RW, 0o600).unwrap();
    p.close(fd).unwrap();
    assert_eq!(mode_of(&p, b"nowhere", 0), Ok(libc::S_IFREG));
    // ...but O_EXCL never follows.
    assert_eq!(
        p.open(b"dangling", libc::O_CREAT | libc::O_EXCL | RW, 0o600),
        Err(Errno::EEXIST)
    );
}

#[test]
fn trailing_slashes_need_directories() {
    let p = root();
    put(&p, "f", b"");
    p.mkdir(b"d", 0o755).unwrap();
    p.symlink(b"d", b"dl").unwrap();
    p.symlink(b"f", b"fl").unwrap();
    assert_eq!(p.stat(b"f/"), Err(Errno::ENOTDIR));
    assert_eq!(p.stat(b"f/."), Err(Errno::ENOTDIR));
    assert_eq!(p.stat(b"f/x"), Err(Errno::ENOTDIR));
    assert_eq!(mode_of(&p, b"d/", 0), Ok(libc::S_IFDIR));
    // A trailing slash follows a final symlink even with AT_SYMLINK_NOFOLLOW.
    assert_eq!(
        mode_of(&p, b"dl/", libc::AT_SYMLINK_NOFOLLOW),
        Ok(libc::S_IFDIR)
    );
    assert_eq!(
        mode_of(&p, b"fl/", libc::AT_SYMLINK_NOFOLLOW),
        Err(Errno::ENOTDIR)
    );
    p.mkdir(b"new/", 0o755).unwrap();
    assert_eq!(mode_of(&p, b"new", 0), Ok(libc::S_IFDIR));
    assert_eq!(p.open(b"g/", libc::O_CREAT | RW, 0o644), Err(Errno::EISDIR));
    assert_eq!(p.unlink(b"f/"), Err(Errno::ENOTDIR));
    assert_eq!(p.unlink(b"d/"), Err(Errno::EISDIR));
    assert_eq!(p.unlink(b"dl/"), Err(Errno::ENOTDIR));
    assert_eq!(
        p.mknodat(AT_FDCWD, b"node/", libc::S_IFREG | 0o644, 0),
        Err(Errno::ENOENT)
    );
    assert_eq!(p.symlink(b"x", b"sym/"), Err(Errno::ENOENT));
    assert_eq!(p.rename(b"f/", b"f2"), Err(Errno::ENOTDIR));
    assert_eq!(p.rename(b"f", b"f2/"), Err(Errno::ENOTDIR));
    p.rename(b"new/", b"new2/").unwrap();
}

#[test]
fn nofollow_flags_act_on_the_last_component_only() {
    let p = root();
    p.mkdir(b"d", 0o755).unwrap();
    put(&p, "d/f", b"data");
    p.symlink(b"d", b"dl").unwrap();
    p.symlink(b"d/f", b"fl").unwrap();
    assert_eq!(
        p.open(b"fl", libc::O_RDONLY | libc::O_NOFOLLOW, 0),
        Err(Errno::ELOOP)
    );
    let fd = p
        .open(b"dl/f", libc::O_RDONLY | libc::O_NOFOLLOW, 0)
        .unwrap();
    p.close(fd).unwrap();
    let fd = p.open(b"fl", libc::O_PATH | libc::O_NOFOLLOW, 0).unwrap();
    assert_eq!(p.fstat(fd).unwrap().mode & libc::S_IFMT, libc::S_IFLNK);
    assert_eq!(p.readlinkat(fd, b"").unwrap(), b"d/f");
    p.close(fd).unwrap();
    assert_eq!(
        p.open(
            b"fl",
            libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_DIRECTORY,
            0
        ),
        Err(Errno::ENOTDIR)
    );
}

#[test]
fn at_empty_path_names_the_descriptor() {
    let p = root();
    put(&p, "f", b"12345");
    let fd = p.open(b"f", libc::O_RDONLY, 0).unwrap();
    assert_eq!(p.fstatat(fd, b"", libc::AT_EMPTY_PATH).unwrap().size, 5);
    assert_eq!(p.fstatat(fd, b"", 0), Err(Errno::ENOENT));
    assert_eq!(
        p.fstatat(AT_FDCWD, b"", libc::AT_EMPTY_PATH).unwrap().mode & libc::S_IFMT,
        libc::S_IFDIR
    );
    // A relative path from a file descriptor is ENOTDIR; an absolute one ignores it.
    assert_eq!(p.fstatat(fd, b"x", 0), Err(Errno::ENOTDIR));
    assert_eq!(p.fstatat(999, b"x", 0), Err(Errno::EBADF));
    assert_eq!(p.fstatat(999, b"/f", 0).unwrap().size, 5);
    assert_eq!(p.readlinkat(fd, b""), Err(Errno::ENOENT));
    assert_eq!(p.readlink(b"f"), Err(Errno::EINVAL));
    p.close(fd).unwrap();
}

#[test]
fn bad_paths_get_linuxs_errnos() {
    let p = root();
    assert_eq!(p.stat(b""), Err(Errno::ENOENT));
    assert_eq!(p.stat(b"a\0b"), Err(Errno::EINVAL));
    // PATH_MAX counts the NUL: 4095 bytes resolve, 4096 do not.
    let ok = vec![b'/'; 4095];
    assert!(p.stat(&ok).is_ok());
    assert_eq!(p.stat(&vec![b'/'; 4096]), Err(Errno::ENAMETOOLONG));
    assert_eq!(p.stat(&vec![b'n'; 255]), Err(Errno::ENOENT));
    assert_eq!(p.stat(&vec![b'n'; 256]), Err(Errno::ENAMETOOLONG));
    assert_eq!(p.mkdir(&vec![b'n'; 256], 0o755), Err(Errno::ENAMETOOLONG));
    assert_eq!(p.mkdir(b"/", 0o755), Err(Errno::EEXIST));
    assert_eq!(p.mkdir(b".", 0o755), Err(Errno::EEXIST));
    assert_eq!(p.mkdir(b"..", 0o755), Err(Errno::EEXIST));
    assert_eq!(p.rmdir(b"."), Err(Errno::EINVAL));
    assert_eq!(p.rmdir(b".."), Err(Errno::ENOTEMPTY));
    assert_eq!(p.rmdir(b"/"), Err(Errno::EBUSY));
    assert_eq!(p.unlink(b"."), Err(Errno::EISDIR));
    assert_eq!(p.rename(b".", b"x"), Err(Errno::EBUSY));
    assert_eq!(
        p.renameat2(AT_FDCWD, b"/nope", AT_FDCWD, b"..", libc::RENAME_NOREPLACE),
        Err(Errno::EEXIST)
    );
    assert_eq!(p.stat(b"missing/x"), Err(Errno::ENOENT));
}

#[test]
fn search_permission_is_checked_on_every_directory_walked() {
    let fs: Arc<dyn FileSystem> = Arc::new(vfsbox_memory::MemoryFs::new());
    let admin = vfsbox_emulation::Emulated::new(Arc::clone(&fs));
    admin.mkdir(b"closed", 0o700).unwrap();
    admin.mkdir(b"closed/in", 0o777).unwrap();
    put(&admin, "closed/f", b"");
    admin.mkdir(b"open", 0o755).unwrap();
    let user = nobody(fs);
    assert_eq!(user.stat(b"closed").unwrap().mode & 0o777, 0o700);
    assert_eq!(user.stat(b"closed/f"), Err(Errno::EACCES));
    assert_eq!(user.stat(b"closed/in/.."), Err(Errno::EACCES));
    assert_eq!(user.stat(b"closed/nope/x"), Err(Errno::EACCES));
    assert_eq!(user.chdir(b"closed"), Err(Errno::EACCES));
    assert_eq!(user.mkdir(b"closed/new", 0o755), Err(Errno::EACCES));
    assert_eq!(user.mkdir(b"open/new", 0o755), Err(Errno::EACCES));
    assert!(user.stat(b"open/.").is_ok());
}

#[test]
fn dirfds_start_relative_walks_and_their_dotdot() {
    let p = root();
    p.mkdir(b"a", 0o755).unwrap();
    p.mkdir(b"a/b", 0o755).unwrap();
    put(&p, "a/f", b"af");
    let fd = p
        .open(b"a/b", libc::O_RDONLY | libc::O_DIRECTORY, 0)
        .unwrap();
    let f = p.openat(fd, b"../f", libc::O_RDONLY, 0).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(p.read(f, &mut buf), Ok(2));
    p.mkdirat(fd, b"c", 0o700).unwrap();
    assert_eq!(p.stat(b"a/b/c").unwrap().mode & 0o777, 0o700);
    let path_fd = p.open(b"a", libc::O_PATH, 0).unwrap();
    assert!(p.fstatat(path_fd, b"b/c", 0).is_ok());
    for fd in [fd, f, path_fd] {
        p.close(fd).unwrap();
    }
}

#[test]
fn errno_order_of_long_names_dead_directories_and_renames() {
    let p = root();
    let long = vec![b'y'; 256];
    let mut long_slash = long.clone();
    long_slash.push(b'/');
    // A trailing slash with O_CREAT is refused before the name is looked at.
    assert_eq!(
        p.open(&long_slash, libc::O_CREAT | RW, 0o644),
        Err(Errno::EISDIR)
    );
    assert_eq!(
        p.open(&long, libc::O_CREAT | RW, 0o644),
        Err(Errno::ENAMETOOLONG)
    );
    // The old name is looked up before the new one is checked.
    assert_eq!(p.rename(b"missing", &long), Err(Errno::ENOENT));
    // Both parents are walked before either last name is looked up.
    assert_eq!(p.rename(&long, b""), Err(Errno::ENOENT));
    let mut long_dir = long.clone();
    long_dir.extend_from_slice(b"/a");
    assert_eq!(p.rename(&long_dir, b""), Err(Errno::ENAMETOOLONG));
    put(&p, "f", b"");
    assert_eq!(p.rename(b"f/x", b""), Err(Errno::ENOTDIR));
    assert_eq!(p.rename(b"f", &long), Err(Errno::ENAMETOOLONG));
    // In a removed directory every lookup is ENOENT, whatever the name's length.
    p.mkdir(b"gone", 0o755).unwrap();
    p.chdir(b"gone").unwrap();
    p.rmdir(b"../gone").unwrap();
    assert_eq!(p.stat(&long), Err(Errno::ENOENT));
    assert_eq!(p.readlink(&long), Err(Errno::ENOENT));
    assert_eq!(p.mkdir(&long, 0o755), Err(Errno::ENOENT));
    assert_eq!(p.rename(&long, b"a"), Err(Errno::ENOENT));
    assert_eq!(
        p.open(b"new", libc::O_CREAT | RW, 0o644),
        Err(Errno::ENOENT)
    );
}
