//! Making nodes: `mkdir`, `mknod`, `create`, and `open` of each kind.

use crate::helpers::*;
use vfsbox_api::{Errno, FileKind, OpenFlags};

cases! {
    /// `mkdir("d", 0755)`: a directory with exactly that perm, nlink 2, empty.
    fn mkdir_makes_empty_directory(t) {
        let d = t.mkdir(t.root, "d")?;
        let attr = t.attr(d)?;
        eq(attr.kind, FileKind::Directory, "kind")?;
        eq(attr.perm, 0o755, "perm")?;
        eq(attr.nlink, 2, "nlink")?;
        eq(t.names(d)?, Vec::<String>::new(), "listing")
    }

    /// `mkdir("d", 0700)` and `mkdir("s", 01777)`: perm kept exactly as given (the consumer
    /// applied its umask already), sticky bit included.
    fn mkdir_perm_kept_exactly(t) {
        t.writable()?;
        for (name, perm) in [("a", 0o700), ("b", 0o751), ("s", 0o1777), ("z", 0o000)] {
            let e = ok(t.fs.mkdir(t.root, n(name), perm, t.owner), "mkdir")?;
            eq(e.attr.perm, perm, &format!("perm of {name} from mkdir"))?;
            eq(t.attr(e.node)?.perm, perm, &format!("perm of {name} from getattr"))?;
        }
        Ok(())
    }

    /// `mkdir("d")` twice → EEXIST.
    fn mkdir_existing_dir_is_eexist(t) {
        t.mkdir(t.root, "d")?;
        errno(t.fs.mkdir(t.root, n("d"), 0o755, t.owner), Errno::EEXIST, "second mkdir")
    }

    /// `mkdir("f")` where f is a file → EEXIST.
    fn mkdir_over_file_is_eexist(t) {
        t.file(t.root, "f", b"")?;
        errno(t.fs.mkdir(t.root, n("f"), 0o755, t.owner), Errno::EEXIST, "mkdir over a file")
    }

    /// `mkdir("l")` where l is a dangling symlink → EEXIST (mkdir never follows).
    fn mkdir_over_dangling_symlink_is_eexist(t) {
        t.symlink(t.root, "l", b"nowhere")?;
        errno(t.fs.mkdir(t.root, n("l"), 0o755, t.owner), Errno::EEXIST, "mkdir over a symlink")
    }

    /// `mkdir("f/d")` where f is a file → ENOTDIR.
    fn mkdir_in_file_is_enotdir(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.mkdir(f, n("d"), 0o755, t.owner), Errno::ENOTDIR, "mkdir in a file")
    }

    /// `mkdir` with mode bits outside 07777 (the consumer passes them on raw) → EINVAL.
    fn mkdir_bad_perm_is_einval(t) {
        t.writable()?;
        errno(t.fs.mkdir(t.root, n("d"), 0o10755, t.owner), Errno::EINVAL, "mkdir perm 010755")
    }

    /// Precedence: `mkdir` of an existing name with a bad perm is EEXIST (EEXIST before EINVAL).
    fn mkdir_eexist_precedes_bad_perm(t) {
        t.mkdir(t.root, "d")?;
        errno(t.fs.mkdir(t.root, n("d"), 0o10755, t.owner), Errno::EEXIST, "mkdir existing, bad perm")
    }

    /// `mkdir("d/sub")`: the parent's nlink grows by one (the child's `..`).
    fn mkdir_increments_parent_nlink(t) {
        let d = t.mkdir(t.root, "d")?;
        t.mkdir(d, "sub")?;
        eq(t.attr(d)?.nlink, 3, "parent nlink")?;
        eq(t.attr(t.root)?.nlink, 3, "root nlink")
    }

    /// `mkdir("d")` as uid/gid X: the directory belongs to the owner passed.
    fn mkdir_owner_is_given_owner(t) {
        let d = t.mkdir(t.root, "d")?;
        let attr = t.attr(d)?;
        eq((attr.uid, attr.gid), (t.owner.uid, t.owner.gid), "uid, gid")
    }

    /// `open("f", O_CREAT|O_EXCL, 0640)`: an empty regular file, nlink 1, perm exactly 0640.
    fn create_makes_empty_regular_file(t) {
        t.writable()?;
        let (e, h) = ok(
            t.fs.create(t.root, n("f"), 0o640, OpenFlags::WRITE | OpenFlags::EXCLUSIVE, t.owner),
            "create",
        )?;
        t.release(h)?;
        let attr = t.attr(e.node)?;
        eq(attr.kind, FileKind::Regular, "kind")?;
        eq(attr.perm, 0o640, "perm")?;
        eq(attr.nlink, 1, "nlink")?;
        eq(attr.size, 0, "size")?;
        eq((attr.uid, attr.gid), (t.owner.uid, t.owner.gid), "uid, gid")?;
        eq(e.attr.ino, attr.ino, "ino of the entry")
    }

    /// `open("f", O_CREAT|O_EXCL)` of an existing file → EEXIST.
    fn create_exclusive_existing_is_eexist(t) {
        t.file(t.root, "f", b"")?;
        errno(
            t.fs.create(t.root, n("f"), 0o644, OpenFlags::WRITE | OpenFlags::EXCLUSIVE, t.owner),
            Errno::EEXIST,
            "create O_EXCL of an existing file",
        )
    }

    /// `open("f", O_CREAT|O_RDWR)` of an existing file opens it, keeping its data and inode.
    fn create_existing_opens_it(t) {
        let f = t.file(t.root, "f", b"keep")?;
        let (e, h) = ok(t.fs.create(t.root, n("f"), 0o600, OpenFlags::READ_WRITE, t.owner), "create")?;
        eq(e.node, f, "node")?;
        eq(t.read_at(h, 0, 16)?, b"keep".to_vec(), "contents")?;
        eq(t.attr(f)?.perm, 0o644, "perm unchanged by the ignored create mode")
    }

    /// `open("f", O_CREAT|O_TRUNC|O_WRONLY)` of an existing file empties it.
    fn create_existing_with_truncate_empties(t) {
        let f = t.file(t.root, "f", b"old data")?;
        let (_, h) = ok(
            t.fs.create(t.root, n("f"), 0o644, OpenFlags::WRITE | OpenFlags::TRUNCATE, t.owner),
            "create O_TRUNC",
        )?;
        t.release(h)?;
        eq(t.attr(f)?.size, 0, "size")
    }

    /// `open("d", O_CREAT|O_WRONLY)` where d is a directory → EISDIR.
    fn create_over_dir_is_eisdir(t) {
        t.mkdir(t.root, "d")?;
        errno(t.fs.create(t.root, n("d"), 0o644, OpenFlags::WRITE, t.owner), Errno::EISDIR, "create over a dir")
    }

    /// Precedence: `open("d", O_CREAT|O_EXCL)` where d is a directory → EEXIST, not EISDIR.
    fn create_exclusive_over_dir_is_eexist(t) {
        t.mkdir(t.root, "d")?;
        errno(
            t.fs.create(t.root, n("d"), 0o644, OpenFlags::WRITE | OpenFlags::EXCLUSIVE, t.owner),
            Errno::EEXIST,
            "create O_EXCL over a dir",
        )
    }

    /// `open("f/x", O_CREAT)` where f is a file → ENOTDIR.
    fn create_in_file_is_enotdir(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.create(f, n("x"), 0o644, OpenFlags::WRITE, t.owner), Errno::ENOTDIR, "create in a file")
    }

    /// `create` with mode bits outside 07777 → EINVAL.
    fn create_bad_perm_is_einval(t) {
        t.writable()?;
        errno(
            t.fs.create(t.root, n("f"), 0o170644, OpenFlags::WRITE, t.owner),
            Errno::EINVAL,
            "create perm 0170644",
        )
    }

    /// `open("f", O_CREAT|O_WRONLY, 0)`: the new file has perm 0 and the returned fd still
    /// writes (permissions apply to later opens, not this one).
    fn create_perm_zero_still_writes(t) {
        t.writable()?;
        let (e, h) = ok(t.fs.create(t.root, n("f"), 0, OpenFlags::READ_WRITE, t.owner), "create mode 0")?;
        t.write_all(h, 0, b"x")?;
        t.release(h)?;
        eq(t.attr(e.node)?.perm, 0, "perm")?;
        eq(t.attr(e.node)?.size, 1, "size")
    }

    /// `open("l", O_CREAT|O_EXCL)` where l is a dangling symlink → EEXIST (O_EXCL never follows).
    fn create_exclusive_over_symlink_is_eexist(t) {
        t.symlink(t.root, "l", b"nowhere")?;
        errno(
            t.fs.create(t.root, n("l"), 0o644, OpenFlags::WRITE | OpenFlags::EXCLUSIVE, t.owner),
            Errno::EEXIST,
            "create O_EXCL over a symlink",
        )
    }

    /// `mknod("f", S_IFREG|0600)`: a regular file with that perm.
    fn mknod_regular_makes_file(t) {
        t.writable()?;
        let e = ok(t.fs.mknod(t.root, n("f"), FileKind::Regular, 0o600, 0, t.owner), "mknod S_IFREG")?;
        eq(e.attr.kind, FileKind::Regular, "kind")?;
        eq(t.attr(e.node)?.perm, 0o600, "perm")?;
        eq(t.attr(e.node)?.size, 0, "size")
    }

    /// `mknod("p", S_IFIFO|0644)` (mkfifo): a FIFO; EPERM without `Capabilities::fifos`.
    fn mknod_fifo_or_eperm(t) {
        t.writable()?;
        let result = t.fs.mknod(t.root, n("p"), FileKind::Fifo, 0o644, 0, t.owner);
        if t.caps.fifos {
            let e = ok(result, "mknod S_IFIFO")?;
            eq(t.attr(e.node)?.kind, FileKind::Fifo, "kind")?;
            eq(t.lookup(t.root, "p")?.attr.kind, FileKind::Fifo, "kind by lookup")
        } else {
            errno(result, Errno::EPERM, "mknod S_IFIFO without fifo support")
        }
    }

    /// `mknod("d", S_IFDIR|0755)` → EPERM, as Linux's `may_mknod` answers (use mkdir).
    fn mknod_directory_is_eperm(t) {
        t.writable()?;
        errno(
            t.fs.mknod(t.root, n("d"), FileKind::Directory, 0o755, 0, t.owner),
            Errno::EPERM,
            "mknod S_IFDIR",
        )
    }

    /// `mknod("l", S_IFLNK|0777)` → EINVAL (use symlink).
    fn mknod_symlink_kind_is_einval(t) {
        t.writable()?;
        errno(
            t.fs.mknod(t.root, n("l"), FileKind::Symlink, 0o777, 0, t.owner),
            Errno::EINVAL,
            "mknod S_IFLNK",
        )
    }

    /// `mknod("f", S_IFREG)` of an existing name → EEXIST.
    fn mknod_existing_is_eexist(t) {
        t.file(t.root, "f", b"")?;
        errno(
            t.fs.mknod(t.root, n("f"), FileKind::Regular, 0o644, 0, t.owner),
            Errno::EEXIST,
            "mknod over a file",
        )
    }

    /// `mknod("f/x", S_IFREG)` where f is a file → ENOTDIR.
    fn mknod_in_file_is_enotdir(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.mknod(f, n("x"), FileKind::Regular, 0o644, 0, t.owner), Errno::ENOTDIR, "mknod in a file")
    }

    /// `mknod` with mode bits outside 07777 → EINVAL.
    fn mknod_bad_perm_is_einval(t) {
        t.writable()?;
        errno(
            t.fs.mknod(t.root, n("f"), FileKind::Regular, 0o20644, 0, t.owner),
            Errno::EINVAL,
            "mknod perm 020644",
        )
    }

    /// `open("d", O_RDONLY)` as a file (not O_DIRECTORY) on a directory → the provider's open
    /// is for non-directories: EISDIR.
    fn open_dir_is_eisdir(t) {
        let d = t.mkdir(t.root, "d")?;
        errno(t.fs.open(d, OpenFlags::READ), Errno::EISDIR, "open of a directory")
    }

    /// `open("l", O_NOFOLLOW)` on a symlink → ELOOP.
    fn open_symlink_is_eloop(t) {
        let l = t.symlink(t.root, "l", b"target")?;
        errno(t.fs.open(l, OpenFlags::READ), Errno::ELOOP, "open of a symlink")
    }

    /// `open("p", O_WRONLY|O_NONBLOCK)` on a FIFO without a reader → ENXIO.
    fn open_fifo_write_nonblock_is_enxio(t) {
        let p = t.fifo(t.root, "p")?;
        errno(
            t.fs.open(p, OpenFlags::WRITE | OpenFlags::NONBLOCK),
            Errno::ENXIO,
            "open of a FIFO for writing without a reader",
        )
    }

    /// `opendir("f")` (open with O_DIRECTORY) on a file → ENOTDIR.
    fn opendir_file_is_enotdir(t) {
        let f = t.file(t.root, "f", b"")?;
        errno(t.fs.opendir(f), Errno::ENOTDIR, "opendir of a file")
    }

    /// `open("l", O_DIRECTORY|O_NOFOLLOW)` on a symlink → ENOTDIR.
    fn opendir_symlink_is_enotdir(t) {
        let l = t.symlink(t.root, "l", b".")?;
        errno(t.fs.opendir(l), Errno::ENOTDIR, "opendir of a symlink")
    }

    /// `open("f", O_TRUNC|O_WRONLY)`: truncates to 0.
    fn open_truncate_empties_file(t) {
        let f = t.file(t.root, "f", b"some data")?;
        let h = t.open(f, OpenFlags::WRITE | OpenFlags::TRUNCATE)?;
        t.release(h)?;
        eq(t.attr(f)?.size, 0, "size")
    }
}
