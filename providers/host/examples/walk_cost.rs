//! What a path walk's lookup + forget of a name no one holds costs, against one `fstatat` of
//! the same name (the benchmark suite's `lookup` resolves a name the provider already holds,
//! as its set-up made every file through the provider).
//!
//! `cargo run --release -p vfsbox-host --example walk_cost [PARENT]` (default `/dev/shm`).
#![allow(unsafe_code)] // one fstatat call for the baseline

use std::mem::MaybeUninit;
use std::os::fd::AsRawFd;
use std::time::Instant;
use vfsbox_api::{FileSystem, Name};
use vfsbox_host::HostFs;

const ROUNDS: u32 = 200_000;

fn main() {
    let parent = std::env::args().nth(1).unwrap_or_else(|| "/dev/shm".into());
    let dir = std::path::Path::new(&parent).join(format!("vfsbox-walk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    for i in 0..1000 {
        std::fs::write(dir.join(format!("f{i:07}")), b"").expect("create");
    }
    let fs = HostFs::open(&dir).expect("open provider");
    let root = fs.root();
    let name = Name::new(b"f0000500").expect("name");
    let start = Instant::now();
    for _ in 0..ROUNDS {
        let e = fs.lookup(root, name).expect("lookup");
        fs.forget(e.node, 1);
    }
    let provider = start.elapsed() / ROUNDS;

    let dirfd = std::fs::File::open(&dir).expect("open dir");
    let start = Instant::now();
    for _ in 0..ROUNDS {
        let mut st = MaybeUninit::<libc::stat>::uninit();
        // SAFETY: the name is a NUL-terminated literal and `st` a writable `struct stat`.
        let ret = unsafe {
            libc::fstatat(
                dirfd.as_raw_fd(),
                c"f0000500".as_ptr(),
                st.as_mut_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        assert_eq!(ret, 0, "fstatat");
    }
    let syscall = start.elapsed() / ROUNDS;
    println!(
        "lookup+forget of an unheld name: {provider:?}; fstatat: {syscall:?}; ratio {:.2}",
        provider.as_secs_f64() / syscall.as_secs_f64()
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
