//! `chdir`, `fchdir`, `getcwd`, `umask`, `realpath`.

use libc::*;

scenarios! { cwd;
    /// The scenario starts in /w with umask 0022.
    root fn start_state(r) {
        r.getcwd();
        r.umask(0o022);
        r.umask(0o777);
        r.umask(0o1777);
        r.umask(0o022);
    }
    /// chdir moves relative resolution; ".." goes back; getcwd follows.
    root fn chdir_and_back(r) {
        r.mkdir(b"d", 0o755);
        r.mkdir(b"d/e", 0o755);
        r.chdir(b"d/e");
        r.getcwd();
        r.write_file(b"f", b"in e");
        r.chdir(b"..");
        r.getcwd();
        r.read_file(b"e/f");
        r.chdir(b"../..");
        r.getcwd();
        r.chdir(b"w");
        r.getcwd();
    }
    /// chdir errors: ENOTDIR, ENOENT, empty path.
    root fn chdir_errors(r) {
        r.write_file(b"f", b"x");
        r.chdir(b"f");
        r.chdir(b"missing");
        r.chdir(b"");
        r.chdir(b"f/");
        r.getcwd();
    }
    /// chdir through a symlink: getcwd shows the resolved path.
    root fn chdir_through_symlink(r) {
        r.mkdir(b"real", 0o755);
        r.symlink(b"real", b"link");
        r.chdir(b"link");
        r.getcwd();
        r.chdir(b"..");
        r.getcwd();
    }
    /// fchdir to a directory descriptor; a file is ENOTDIR, a bad fd EBADF, O_PATH works.
    root fn fchdir_rules(r) {
        r.mkdir(b"d", 0o755);
        r.write_file(b"f", b"x");
        let d = r.open(b"d", O_RDONLY | O_DIRECTORY, 0);
        let f = r.open(b"f", O_RDONLY, 0);
        r.fchdir(f);
        r.fchdir(-1);
        r.fchdir(d);
        r.getcwd();
        let top = r.abs(b"/w");
        r.chdir(&top);
        let p = r.open(b"d", O_PATH, 0);
        r.fchdir(p);
        r.getcwd();
    }
    /// A removed cwd: getcwd is ENOENT, creating in it ENOENT, ".." still works.
    root fn removed_cwd(r) {
        r.mkdir(b"d", 0o755);
        r.chdir(b"d");
        r.rmdir(b"../d");
        r.getcwd();
        r.open(b"x", O_CREAT | O_WRONLY, 0o644);
        r.mkdir(b"y", 0o755);
        r.stat(b".");
        r.chdir(b"..");
        r.getcwd();
    }
    /// New names in a removed cwd fail at their lookup (ENOENT) before every later check:
    /// a trailing slash after a non-directory, linking a directory, the no-replace flag.
    both fn names_into_removed_cwd(r) setup {
        r.mkdir(b"d", 0o777);
        r.write_file(b"f", b"x");
        r.chmod(b"f", 0o666);
        r.write_file(b"g", b"x");
        r.chmod(b"g", 0o600);
        r.mkdir(b"e", 0o777);
        r.symlink(b"f", b"s");
    } {
        r.chdir(b"d");
        r.rmdir(b"../d");
        r.rename(b"../f", b"a/");
        r.rename(b"../s", b"a/");
        r.rename2(b"../f", b"a", libc::RENAME_NOREPLACE);
        r.rename2(b"../f", b"a", libc::RENAME_EXCHANGE);
        r.link(b"..", b"a");
        r.link(b"../f", b"a");
        r.link(b"../s", b"a/");
        r.link(b"../g", b"a");
        r.link(b"../e", b"a");
        r.mkdir(b"a", 0o755);
        r.symlink(b"../f", b"a");
        r.stat(b"../f");
    }
    /// A renamed cwd: getcwd follows the new name.
    root fn renamed_cwd(r) {
        r.mkdir(b"d", 0o755);
        r.chdir(b"d");
        r.rename(b"../d", b"../e");
        r.getcwd();
    }
    /// ".." from the working directory reaches the root, and "/w/.." too.
    root fn dotdot_above_work(r) {
        r.realpath(b"..");
        let above = r.abs(b"/w/..");
        r.realpath(&above);
        r.stat(b"../w");
        r.same_inode(b"../w", b".");
    }
    /// realpath resolves ".", "..", and symlinks; errors as the kernel walk.
    root fn realpath_rules(r) {
        r.mkdir(b"d", 0o755);
        r.write_file(b"d/f", b"x");
        r.symlink(b"d", b"l");
        r.symlink(b"l/f", b"lf");
        r.realpath(b".");
        r.realpath(b"./d/../d/f");
        r.realpath(b"l");
        r.realpath(b"lf");
        r.realpath(b"l/");
        r.realpath(b"missing");
        r.realpath(b"d/f/");
        r.realpath(b"d/f/x");
        r.realpath(b"");
        r.symlink(b"loop", b"loop");
        r.realpath(b"loop");
    }
    /// The umask applies to files, directories and FIFOs made after it.
    root fn umask_applies(r) {
        r.umask(0o002);
        r.write_file(b"f", b"x");
        r.mkdir(b"d", 0o777);
        r.mknod(b"p", S_IFIFO | 0o666, 0);
        r.umask(0o777);
        r.write_file(b"g", b"x");
        r.stat(b"f");
        r.stat(b"d");
        r.stat(b"p");
        r.stat(b"g");
    }
}
