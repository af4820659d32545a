//! The default sandbox through the kernel: the demo tree as `ls` sees it.

mod common;

use std::sync::Arc;
use vfsbox_api::Owner;

#[test]
fn demo_tree_is_listed_and_read() {
    let fs = Arc::new(vfsbox_memory::MemoryFs::new());
    vfsbox_fuse::demo::populate(&*fs, Owner { uid: 0, gid: 0 }).unwrap();
    let m = common::mount(fs);
    let mut names: Vec<String> = std::fs::read_dir(m.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["README", "docs", "hello.txt", "latest"]);
    let readme = std::fs::read_to_string(m.join("README")).unwrap();
    assert_eq!(readme, vfsbox_fuse::demo::README);
    assert_eq!(
        std::fs::read_link(m.join("latest")).unwrap().to_str(),
        Some("docs/providers.txt")
    );
    let via_link = std::fs::read_to_string(m.join("latest")).unwrap();
    assert!(via_link.starts_with("memory"));
    let out = std::process::Command::new("ls")
        .arg("-la")
        .arg(m.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("README") && text.contains(" .\n") && text.contains(" ..\n"),
        "{text}"
    );
}
