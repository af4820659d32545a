//! End-to-end tests of `vfsbox shell`: a script piped to the binary, its exact output and
//! error lines (`name: strerror (ERRNO)`), over memory and over a host directory.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn shell(args: &[&str], script: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vfsbox"))
        .arg("shell")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the vfsbox binary");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    child.wait_with_output().expect("wait for vfsbox shell")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Replaces each `YYYY-MM-DD HH:MM` (the `ls -l` time) with `DATE`.
fn without_dates(text: &str) -> String {
    let shape = b"dddd-dd-dd dd:dd";
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let fits = bytes.len() - i >= shape.len()
            && shape.iter().zip(&bytes[i..]).all(|(s, b)| match s {
                b'd' => b.is_ascii_digit(),
                other => other == b,
            });
        if fits {
            out.push_str("DATE");
            i += shape.len();
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

const SCRIPT: &str = r#"
# a comment, then a blank line

pwd
mkdir -p a/b/c
echo hello > a/f
echo 'two  words' >> a/f
cat a/f
ls
ls -a a
rmdir a
mkdir a
cd a/f
rm a/b
cat a/nothing
ln -s loop loop
cat loop
umask
umask 027
mkdir d
touch d/t
ln a/f d/hard
ln -s ../a/f d/soft
mv d/t d/u
ls -l d
tree
chmod 7777 a/f
chmod 9 a/f
chmod 640 a/f
stat a/f
rm -r a loop
ls
cd d
pwd
cd /nowhere
frob
ls -z
echo "open
exit
echo not reached
"#;

#[test]
fn scripted_session_prints_exact_output_and_errno_lines() {
    let out = shell(&[], SCRIPT);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // stat's times and inode vary: compare its stable lines separately.
    let (before_stat, stat_and_after) = stdout.split_once("  File: a/f\n").expect("stat ran");
    assert_eq!(
        without_dates(before_stat),
        "/\n\
         hello\n\
         two  words\n\
         a\n\
         .\n\
         ..\n\
         b\n\
         f\n\
         0022\n\
         -rw-r--r-- 2 0 0 17 DATE hard\n\
         lrwxrwxrwx 1 0 0  6 DATE soft -> ../a/f\n\
         -rw-r----- 1 0 0  0 DATE u\n\
         .\n\
         ├── a\n\
         │   ├── b\n\
         │   │   └── c\n\
         │   └── f\n\
         ├── d\n\
         │   ├── hard\n\
         │   ├── soft -> ../a/f\n\
         │   └── u\n\
         └── loop -> loop\n\
         \n\
         4 directories, 5 files\n"
    );
    let stat_lines: Vec<&str> = stat_and_after.lines().take(7).collect();
    assert_eq!(stat_lines[0], "  Type: regular file");
    assert_eq!(stat_lines[1], "  Size: 17  Blocks: 8  IO Block: 4096");
    assert!(stat_lines[2].ends_with("  Links: 2"), "{}", stat_lines[2]);
    assert_eq!(stat_lines[3], "Access: (0640/-rw-r-----)  Uid: 0  Gid: 0");
    assert!(stat_lines[5].starts_with("Modify: 20"), "{}", stat_lines[5]);
    let after_stat: Vec<&str> = stat_and_after.lines().skip(7).collect();
    assert_eq!(after_stat, ["d", "/d"]);
    assert_eq!(
        text(&out.stderr),
        "rmdir: Directory not empty (ENOTEMPTY)\n\
         mkdir: File exists (EEXIST)\n\
         cd: Not a directory (ENOTDIR)\n\
         rm: Is a directory (EISDIR)\n\
         cat: No such file or directory (ENOENT)\n\
         cat: Too many levels of symbolic links (ELOOP)\n\
         chmod: invalid mode: '9' (octal, at most 7777)\n\
         cd: No such file or directory (ENOENT)\n\
         frob: command not found (try help)\n\
         ls: invalid option -- 'z'\n\
         ls: usage: ls [-l] [-a] [PATH...]\n\
         vfsbox shell: unterminated quote\n"
    );
}

#[test]
fn host_directory_is_explored_and_changed_in_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("seen"), b"from the host\n").unwrap();
    let host = dir.path().to_str().unwrap();
    let out = shell(
        &["--host", host],
        "ls\ncat seen\necho made > new\nrm seen\nrmdir /\n",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "seen\nfrom the host\n");
    assert_eq!(
        text(&out.stderr),
        "rmdir: Device or resource busy (EBUSY)\n"
    );
    assert_eq!(std::fs::read(dir.path().join("new")).unwrap(), b"made\n");
    assert!(!dir.path().join("seen").exists());
}

#[test]
fn read_only_provider_refuses_with_erofs() {
    let dir = tempfile::tempdir().unwrap();
    let spec = format!("readonly:host:{}", dir.path().display());
    let out = shell(&["--provider", &spec], "mkdir x\necho a > f\ntouch g\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        text(&out.stderr),
        "mkdir: Read-only file system (EROFS)\n\
         echo: Read-only file system (EROFS)\n\
         touch: Read-only file system (EROFS)\n"
    );
}

#[test]
fn missing_host_directory_exits_2() {
    let out = shell(&["--host", "/nonexistent/vfsbox-shell-test"], "pwd\n");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).starts_with("vfsbox shell: host directory"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn help_lists_every_command() {
    let out = shell(&[], "help\n");
    let help = text(&out.stdout);
    for command in [
        "ls", "cd", "pwd", "cat", "echo", "mkdir", "rm", "rmdir", "mv", "ln", "stat", "chmod",
        "umask", "touch", "tree", "help", "exit",
    ] {
        assert!(
            help.lines().any(|l| l.starts_with(&format!("{command} "))),
            "{command} missing from help"
        );
    }
}
