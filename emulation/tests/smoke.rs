mod common;
use common::*;
use vfsbox_api::*;

#[test]
fn create_write_read_stat() {
    let p = root();
    p.mkdir(b"d", 0o777).unwrap();
    assert_eq!(p.stat(b"d").unwrap().mode, libc::S_IFDIR | 0o755);
    put(&p, "d/f", b"hello");
    assert_eq!(get(&p, "d/f"), b"hello");
    assert_eq!(p.stat(b"d/f").unwrap().mode, libc::S_IFREG | 0o644);
    p.symlink(b"d/f", b"l").unwrap();
    assert_eq!(get(&p, "l"), b"hello");
    assert_eq!(p.readlink(b"l").unwrap(), b"d/f");
    p.chdir(b"d").unwrap();
    assert_eq!(p.getcwd().unwrap(), b"/d");
    assert_eq!(get(&p, "../l"), b"hello");
    assert_eq!(p.realpath(b"../l").unwrap(), b"/d/f");
    let dir = p.opendir(b".").unwrap();
    let mut names = Vec::new();
    while let Some(e) = p.readdir(dir).unwrap() {
        names.push(e.name);
    }
    p.closedir(dir).unwrap();
    assert_eq!(names, vec![b".".to_vec(), b"..".to_vec(), b"f".to_vec()]);
}
