//! The commands that change or show the tree, each a thin layer over [`Posix`] calls, and
//! the dispatch from a command name to its function.
//!
//! Every failing call is reported as `name: strerror (ERRNO)` and the command goes on with
//! its next operand, as coreutils do; the listing commands (`ls`, `stat`, `tree`) live in
//! `listing`.

use super::io::Io;
use super::listing;
use super::parse::Line;
use vfsbox_api::{Errno, Fd, Posix, TimeSpec, AT_FDCWD};

/// What the loop does after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    /// Read the next line.
    Continue,
    /// `exit`: stop.
    Exit,
}

/// One line per command for `help`.
const HELP: &str = "\
ls [-l] [-a] [PATH...]    list directories (-l: long form, -a: include dot names)
cd [DIR]                  change directory (default /)
pwd                       print the current directory
cat FILE...               print files
echo [-n] [WORD...]       print words (use > FILE or >> FILE to write a file)
mkdir [-p] DIR...         make directories (-p: parents too, no error if present)
rm [-r] [-f] PATH...      remove files (-r: directories with their contents, -f: ignore missing)
rmdir DIR...              remove empty directories
mv SRC DST | SRC... DIR   rename, or move into a directory
ln [-s] TARGET [LINK]     make a hard link (-s: a symbolic link holding TARGET)
stat PATH...              show a file's metadata (symlinks not followed)
chmod MODE PATH...        set permission bits (octal MODE)
umask [MASK]              show or set the umask (octal)
touch FILE...             create files or set their times to now
tree [-a] [DIR]           show a directory tree (-a: include dot names)
help                      this list
exit                      leave the shell
Any command's output can be sent to a file with > FILE (truncate) or >> FILE (append).
";

/// The shell's state: the emulated process the commands run in.
pub struct Shell {
    posix: Box<dyn Posix>,
}

impl Shell {
    /// A shell whose commands call `posix`.
    pub fn new(posix: Box<dyn Posix>) -> Shell {
        Shell { posix }
    }

    /// The process the commands run in.
    pub fn posix(&self) -> &dyn Posix {
        self.posix.as_ref()
    }

    /// Runs one parsed line, with its output redirected if the line says so. As in `sh`, the
    /// redirection's file is opened (created, truncated) before the command runs, and the
    /// command does not run if it cannot be.
    pub fn execute(&self, line: &Line, io: &mut Io<'_>) -> Flow {
        let name = String::from_utf8_lossy(&line.words[0]).into_owned();
        let args = &line.words[1..];
        let Some(redirect) = &line.redirect else {
            return self.dispatch(&name, args, io);
        };
        let mut flags = libc::O_WRONLY | libc::O_CREAT | libc::O_CLOEXEC;
        flags |= if redirect.append {
            libc::O_APPEND
        } else {
            libc::O_TRUNC
        };
        let fd = match self.posix.open(&redirect.path, flags, 0o666) {
            Ok(fd) => fd,
            Err(e) => {
                io.fail(&name, e);
                return Flow::Continue;
            }
        };
        let mut buffer = Vec::new();
        let flow = self.dispatch(&name, args, &mut io.with_out(&mut buffer));
        if let Err(e) = write_all(self.posix(), fd, &buffer) {
            io.fail(&name, e);
        }
        if let Err(e) = self.posix.close(fd) {
            io.fail(&name, e);
        }
        flow
    }

    fn dispatch(&self, name: &str, args: &[Vec<u8>], io: &mut Io<'_>) -> Flow {
        let p = self.posix();
        match name {
            "ls" => listing::ls(p, args, io),
            "stat" => listing::stat(p, args, io),
            "tree" => listing::tree(p, args, io),
            "cd" => cd(p, args, io),
            "pwd" => pwd(p, args, io),
            "cat" => cat(p, args, io),
            "echo" => echo(args, io),
            "mkdir" => mkdir(p, args, io),
            "rm" => rm(p, args, io),
            "rmdir" => rmdir(p, args, io),
            "mv" => mv(p, args, io),
            "ln" => ln(p, args, io),
            "chmod" => chmod(p, args, io),
            "umask" => umask(p, args, io),
            "touch" => touch(p, args, io),
            "help" => io.out(HELP.as_bytes()),
            "exit" => return Flow::Exit,
            _ => io.message(name, "command not found (try help)"),
        }
        Flow::Continue
    }
}

/// The options (single letters from `allowed`, clustered or not) and operands of a command.
/// Options come first; `--` ends them; `-` alone is an operand.
pub struct Args<'a> {
    flags: Vec<u8>,
    /// The operands, in order.
    pub operands: Vec<&'a [u8]>,
}

impl<'a> Args<'a> {
    /// Splits `args`, reporting `name: invalid option -- 'x'` and the usage line for a letter
    /// not in `allowed`.
    pub fn parse(
        name: &str,
        usage: &str,
        allowed: &str,
        args: &'a [Vec<u8>],
        io: &mut Io<'_>,
    ) -> Option<Args<'a>> {
        let mut flags = Vec::new();
        let mut rest = args.iter();
        let mut operands = Vec::new();
        for arg in rest.by_ref() {
            if arg == b"--" {
                break;
            }
            match arg.strip_prefix(b"-") {
                Some(letters) if !letters.is_empty() => {
                    for &letter in letters {
                        if !allowed.as_bytes().contains(&letter) {
                            let shown = String::from_utf8_lossy(&[letter]).into_owned();
                            io.message(name, &format!("invalid option -- '{shown}'"));
                            io.message(name, &format!("usage: {usage}"));
                            return None;
                        }
                        flags.push(letter);
                    }
                }
                _ => {
                    operands.push(arg.as_slice());
                    break;
                }
            }
        }
        operands.extend(rest.map(Vec::as_slice));
        Some(Args { flags, operands })
    }

    /// Whether option `letter` was given.
    pub fn has(&self, letter: u8) -> bool {
        self.flags.contains(&letter)
    }

    /// True (after reporting the usage line) when the operand count is outside `min..=max`.
    pub fn wrong_count(
        &self,
        name: &str,
        usage: &str,
        min: usize,
        max: usize,
        io: &mut Io<'_>,
    ) -> bool {
        let wrong = self.operands.len() < min || self.operands.len() > max;
        if wrong {
            io.message(name, &format!("usage: {usage}"));
        }
        wrong
    }
}

/// `dir/name`, without doubling a trailing slash.
pub fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut path = dir.to_vec();
    if !path.ends_with(b"/") {
        path.push(b'/');
    }
    path.extend_from_slice(name);
    path
}

/// The last component of `path` (trailing slashes ignored); `/` for the root.
fn base_name(path: &[u8]) -> &[u8] {
    let trimmed = match path.iter().rposition(|&b| b != b'/') {
        Some(end) => &path[..=end],
        None => return b"/",
    };
    match trimmed.iter().rposition(|&b| b == b'/') {
        Some(slash) => &trimmed[slash + 1..],
        None => trimmed,
    }
}

fn is_dir(p: &dyn Posix, path: &[u8]) -> bool {
    p.stat(path)
        .is_ok_and(|st| st.mode & libc::S_IFMT == libc::S_IFDIR)
}

/// Writes all of `data` at `fd`'s offset.
fn write_all(p: &dyn Posix, fd: Fd, mut data: &[u8]) -> Result<(), Errno> {
    while !data.is_empty() {
        match p.write(fd, data)? {
            0 => return Err(Errno::EIO),
            n => data = &data[n..],
        }
    }
    Ok(())
}

/// The names in directory `path`, `.` and `..` included, sorted bytewise.
pub fn read_names(p: &dyn Posix, path: &[u8]) -> Result<Vec<Vec<u8>>, Errno> {
    let dir = p.opendir(path)?;
    let mut names = Vec::new();
    let listed = loop {
        match p.readdir(dir) {
            Ok(Some(record)) => names.push(record.name),
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    let closed = p.closedir(dir);
    listed.and(closed)?;
    names.sort();
    Ok(names)
}

/// `.` and `..`.
pub fn is_dot(name: &[u8]) -> bool {
    name == b"." || name == b".."
}

fn cd(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "cd [DIR]";
    let Some(args) = Args::parse("cd", USAGE, "", args, io) else {
        return;
    };
    if args.wrong_count("cd", USAGE, 0, 1, io) {
        return;
    }
    if let Err(e) = p.chdir(args.operands.first().copied().unwrap_or(b"/")) {
        io.fail("cd", e);
    }
}

fn pwd(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    let Some(args) = Args::parse("pwd", "pwd", "", args, io) else {
        return;
    };
    if args.wrong_count("pwd", "pwd", 0, 0, io) {
        return;
    }
    match p.getcwd() {
        Ok(path) => {
            io.out(&path);
            io.out(b"\n");
        }
        Err(e) => io.fail("pwd", e),
    }
}

fn cat(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "cat FILE...";
    let Some(args) = Args::parse("cat", USAGE, "", args, io) else {
        return;
    };
    if args.wrong_count("cat", USAGE, 1, usize::MAX, io) {
        return;
    }
    let mut buf = vec![0u8; 64 * 1024];
    for path in &args.operands {
        let fd = match p.open(path, libc::O_RDONLY | libc::O_CLOEXEC, 0) {
            Ok(fd) => fd,
            Err(e) => {
                io.fail("cat", e);
                continue;
            }
        };
        loop {
            match p.read(fd, &mut buf) {
                Ok(0) => break,
                Ok(n) => io.out(&buf[..n]),
                Err(e) => {
                    io.fail("cat", e);
                    break;
                }
            }
        }
        if let Err(e) = p.close(fd) {
            io.fail("cat", e);
        }
    }
}

/// `echo [-n] WORD...`: only a first word of exactly `-n` is an option, as in `sh`.
fn echo(args: &[Vec<u8>], io: &mut Io<'_>) {
    let (newline, words) = match args.split_first() {
        Some((first, rest)) if first == b"-n" => (false, rest),
        _ => (true, args),
    };
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            io.out(b" ");
        }
        io.out(word);
    }
    if newline {
        io.out(b"\n");
    }
}

fn mkdir(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "mkdir [-p] DIR...";
    let Some(args) = Args::parse("mkdir", USAGE, "p", args, io) else {
        return;
    };
    if args.wrong_count("mkdir", USAGE, 1, usize::MAX, io) {
        return;
    }
    for path in &args.operands {
        let made = if args.has(b'p') {
            mkdir_parents(p, path)
        } else {
            p.mkdir(path, 0o777)
        };
        if let Err(e) = made {
            io.fail("mkdir", e);
        }
    }
}

/// `mkdir -p`: each prefix of `path` in turn; one that exists is fine if it is a directory.
fn mkdir_parents(p: &dyn Posix, path: &[u8]) -> Result<(), Errno> {
    let mut prefix = Vec::with_capacity(path.len());
    if path.starts_with(b"/") {
        prefix.push(b'/');
    }
    for component in path.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
        if !prefix.is_empty() && !prefix.ends_with(b"/") {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(component);
        match p.mkdir(&prefix, 0o777) {
            Ok(()) => {}
            Err(Errno::EEXIST) if is_dir(p, &prefix) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn rm(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "rm [-r] [-f] PATH...";
    let Some(args) = Args::parse("rm", USAGE, "rf", args, io) else {
        return;
    };
    let force = args.has(b'f');
    if args.operands.is_empty() && !force {
        io.message("rm", &format!("usage: {USAGE}"));
        return;
    }
    for path in &args.operands {
        if args.has(b'r') && is_dot(base_name(path)) {
            // As coreutils: never remove the contents of `.` or `..` on the way to the
            // rmdir that Linux refuses anyway.
            io.fail("rm", Errno::EINVAL);
            continue;
        }
        remove(p, path, args.has(b'r'), force, io);
    }
}

/// Removes `path`; with `recursive`, a directory's contents first (symlinks are not
/// followed). Reports each failure and goes on with the rest.
fn remove(p: &dyn Posix, path: &[u8], recursive: bool, force: bool, io: &mut Io<'_>) {
    let directory = recursive
        && p.lstat(path)
            .is_ok_and(|st| st.mode & libc::S_IFMT == libc::S_IFDIR);
    let removed = if directory {
        match read_names(p, path) {
            Ok(names) => {
                for name in names.iter().filter(|n| !is_dot(n)) {
                    remove(p, &join(path, name), true, force, io);
                }
                p.rmdir(path)
            }
            Err(e) => Err(e),
        }
    } else {
        p.unlink(path)
    };
    match removed {
        Err(Errno::ENOENT) if force => {}
        Err(e) => io.fail("rm", e),
        Ok(()) => {}
    }
}

fn rmdir(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "rmdir DIR...";
    let Some(args) = Args::parse("rmdir", USAGE, "", args, io) else {
        return;
    };
    if args.wrong_count("rmdir", USAGE, 1, usize::MAX, io) {
        return;
    }
    for path in &args.operands {
        if let Err(e) = p.rmdir(path) {
            io.fail("rmdir", e);
        }
    }
}

fn mv(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "mv SRC DST | mv SRC... DIR";
    let Some(args) = Args::parse("mv", USAGE, "", args, io) else {
        return;
    };
    if args.wrong_count("mv", USAGE, 2, usize::MAX, io) {
        return;
    }
    let (dest, sources) = args.operands.split_last().expect("two operands at least");
    let into = is_dir(p, dest);
    if sources.len() > 1 && !into {
        io.fail("mv", Errno::ENOTDIR);
        return;
    }
    for source in sources {
        let target = if into {
            join(dest, base_name(source))
        } else {
            dest.to_vec()
        };
        if let Err(e) = p.rename(source, &target) {
            io.fail("mv", e);
        }
    }
}

fn ln(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "ln [-s] TARGET [LINK]";
    let Some(args) = Args::parse("ln", USAGE, "s", args, io) else {
        return;
    };
    if args.wrong_count("ln", USAGE, 1, 2, io) {
        return;
    }
    let target = args.operands[0];
    let link = match args.operands.get(1) {
        Some(link) if is_dir(p, link) => join(link, base_name(target)),
        Some(link) => link.to_vec(),
        None => base_name(target).to_vec(),
    };
    let made = if args.has(b's') {
        p.symlink(target, &link)
    } else {
        p.linkat(AT_FDCWD, target, AT_FDCWD, &link, 0)
    };
    if let Err(e) = made {
        io.fail("ln", e);
    }
}

/// An octal number no larger than `max`.
fn octal(text: &[u8], max: u32) -> Option<u32> {
    let text = std::str::from_utf8(text).ok()?;
    if text.is_empty() || !text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    u32::from_str_radix(text, 8).ok().filter(|&v| v <= max)
}

fn chmod(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "chmod MODE PATH...  (MODE in octal, e.g. 755)";
    let Some(args) = Args::parse("chmod", USAGE, "", args, io) else {
        return;
    };
    if args.wrong_count("chmod", USAGE, 2, usize::MAX, io) {
        return;
    }
    let Some(mode) = octal(args.operands[0], 0o7777) else {
        let shown = String::from_utf8_lossy(args.operands[0]).into_owned();
        io.message(
            "chmod",
            &format!("invalid mode: '{shown}' (octal, at most 7777)"),
        );
        return;
    };
    for path in &args.operands[1..] {
        if let Err(e) = p.fchmodat(AT_FDCWD, path, mode, 0) {
            io.fail("chmod", e);
        }
    }
}

fn umask(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "umask [MASK]  (MASK in octal, e.g. 027)";
    let Some(args) = Args::parse("umask", USAGE, "", args, io) else {
        return;
    };
    if args.wrong_count("umask", USAGE, 0, 1, io) {
        return;
    }
    match args.operands.first() {
        None => {
            // umask(2) only reads by writing: put the old value back at once.
            let old = p.umask(0);
            p.umask(old);
            io.line(&format!("{old:04o}"));
        }
        Some(text) => match octal(text, 0o777) {
            Some(mask) => {
                p.umask(mask);
            }
            None => {
                let shown = String::from_utf8_lossy(text).into_owned();
                io.message(
                    "umask",
                    &format!("invalid mask: '{shown}' (octal, at most 777)"),
                );
            }
        },
    }
}

/// `touch`: set both times to now, or create the file (mode 0666 less the umask) when
/// it does not exist. Like coreutils, it follows symlinks.
fn touch(p: &dyn Posix, args: &[Vec<u8>], io: &mut Io<'_>) {
    const USAGE: &str = "touch FILE...";
    let Some(args) = Args::parse("touch", USAGE, "", args, io) else {
        return;
    };
    if args.wrong_count("touch", USAGE, 1, usize::MAX, io) {
        return;
    }
    for path in &args.operands {
        let touched = match p.utimensat(AT_FDCWD, path, [TimeSpec::NOW; 2], 0) {
            Err(Errno::ENOENT) => {
                let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_NONBLOCK | libc::O_CLOEXEC;
                p.open(path, flags, 0o666).and_then(|fd| p.close(fd))
            }
            other => other,
        };
        if let Err(e) = touched {
            io.fail("touch", e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names() {
        assert_eq!(base_name(b"a/b/c"), b"c");
        assert_eq!(base_name(b"a/b//"), b"b");
        assert_eq!(base_name(b"c"), b"c");
        assert_eq!(base_name(b"/"), b"/");
        assert_eq!(base_name(b"/x"), b"x");
    }

    #[test]
    fn joins() {
        assert_eq!(join(b"/", b"a"), b"/a");
        assert_eq!(join(b"d", b"a"), b"d/a");
        assert_eq!(join(b"d/", b"a"), b"d/a");
    }

    #[test]
    fn octal_modes() {
        assert_eq!(octal(b"755", 0o7777), Some(0o755));
        assert_eq!(octal(b"04755", 0o7777), Some(0o4755));
        assert_eq!(octal(b"8", 0o7777), None);
        assert_eq!(octal(b"", 0o7777), None);
        assert_eq!(octal(b"+x", 0o7777), None);
        assert_eq!(octal(b"1777", 0o777), None);
    }
}
