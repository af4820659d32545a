//! Concurrency and data integrity through the kernel.

mod common;

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// 4 threads × 2,000 mixed operations (create, write, read back, rename, unlink, readdir),
/// each thread checking what it reads against its own model; then every surviving file's
/// content is verified.
fn concurrent_mixed(provider: &str) {
    let m = common::mount_provider(provider);
    let root = m.path().to_path_buf();
    let shared = root.join("shared");
    fs::create_dir(&shared).expect("shared dir");
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let (root, shared) = (root.clone(), shared.clone());
            std::thread::spawn(move || worker(t, &root, &shared))
        })
        .collect();
    let mut expected: HashMap<PathBuf, Vec<u8>> = HashMap::new();
    for t in threads {
        expected.extend(t.join().expect("worker"));
    }
    // Every surviving file, in every directory, holds what its writer last wrote.
    let mut seen = 0;
    for dir in (0..4).map(|t| root.join(format!("t{t}"))).chain([shared]) {
        for entry in fs::read_dir(&dir).expect("listing") {
            let path = entry.expect("entry").path();
            let want = expected
                .get(&path)
                .unwrap_or_else(|| panic!("{path:?} exists but no worker left it"));
            assert_eq!(&fs::read(&path).expect("read"), want, "{path:?}");
            seen += 1;
        }
    }
    assert_eq!(seen, expected.len(), "files missing from the listings");
}

/// One worker: owns `root/tN` and names `shared/tN-*`; returns its surviving files.
fn worker(t: u64, root: &Path, shared: &Path) -> HashMap<PathBuf, Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(0x5eed + t);
    let own = root.join(format!("t{t}"));
    fs::create_dir(&own).expect("own dir");
    let mut model: HashMap<PathBuf, Vec<u8>> = HashMap::new();
    let mut counter = 0u64;
    for i in 0..2000 {
        let existing: Vec<PathBuf> = model.keys().cloned().collect();
        let pick =
            (!existing.is_empty()).then(|| existing[rng.random_range(0..existing.len())].clone());
        match (rng.random_range(0..6), pick) {
            (0, _) | (_, None) => {
                counter += 1;
                let path = own.join(format!("f{counter}"));
                let data = content(&mut rng, t, i);
                fs::write(&path, &data).expect("create");
                model.insert(path, data);
            }
            (1, Some(path)) => {
                let data = content(&mut rng, t, i);
                fs::write(&path, &data).expect("overwrite");
                model.insert(path, data);
            }
            (2, Some(path)) => {
                assert_eq!(fs::read(&path).expect("read"), model[&path], "{path:?}");
            }
            (3, Some(path)) => {
                counter += 1;
                let to = if rng.random_bool(0.3) {
                    shared.join(format!("t{t}-r{counter}"))
                } else {
                    own.join(format!("r{counter}"))
                };
                fs::rename(&path, &to).expect("rename");
                let data = model.remove(&path).expect("modelled");
                model.insert(to, data);
            }
            (4, Some(path)) => {
                fs::remove_file(&path).expect("unlink");
                model.remove(&path);
            }
            (_, Some(_)) => {
                let mut names: Vec<PathBuf> = fs::read_dir(&own)
                    .expect("readdir")
                    .map(|e| e.expect("entry").path())
                    .collect();
                names.sort();
                let mut want: Vec<PathBuf> = model
                    .keys()
                    .filter(|p| p.starts_with(&own))
                    .cloned()
                    .collect();
                want.sort();
                assert_eq!(names, want, "listing of {own:?}");
            }
        }
    }
    model
}

fn content(rng: &mut StdRng, t: u64, i: u32) -> Vec<u8> {
    let len = rng.random_range(0..9000);
    let mut data = format!("t{t} op{i} ").into_bytes();
    data.extend(random_bytes(rng, len));
    data
}

/// `Vec::resize` with memcpy from a zero page pool (the plain one fills byte by byte in an
/// unoptimized build, which dominated the workload's run time). Only grows or shrinks.
fn resize(model: &mut Vec<u8>, len: usize) {
    static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];
    model.truncate(len);
    while model.len() < len {
        let n = (len - model.len()).min(ZEROS.len());
        model.extend_from_slice(&ZEROS[..n]);
    }
}

fn random_bytes(rng: &mut StdRng, len: usize) -> Vec<u8> {
    let mut data = vec![0u8; len];
    rng.fill_bytes(&mut data);
    data
}

#[test]
fn concurrent_mixed_operations_on_memory() {
    concurrent_mixed("memory");
}

#[test]
fn concurrent_mixed_operations_on_host() {
    concurrent_mixed("host");
}

/// Maps `len` bytes of `file` shared and runs `f` on them.
fn with_map(file: &File, len: usize, f: impl FnOnce(&mut [u8])) {
    use nix::sys::mman::{mmap, msync, munmap, MapFlags, MsFlags, ProtFlags};
    let size = std::num::NonZeroUsize::new(len).expect("non-empty map");
    // SAFETY: a fresh shared mapping of `len` bytes of an open file no longer than the file
    // (the caller checks), used only inside this function and unmapped before it returns; no
    // other code truncates the file meanwhile (the workload is single-threaded).
    unsafe {
        let ptr = mmap(
            None,
            size,
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            MapFlags::MAP_SHARED,
            file,
            0,
        )
        .expect("mmap");
        let bytes = std::slice::from_raw_parts_mut(ptr.as_ptr().cast::<u8>(), len);
        f(bytes);
        msync(ptr, len, MsFlags::MS_SYNC).expect("msync");
        munmap(ptr, len).expect("munmap");
    }
}

/// 100,000 random reads, writes, truncations and mmap accesses on one file through the
/// mount, each read checked against an in-memory model of the file.
#[test]
fn random_workload_matches_a_model() {
    const OPS: usize = 100_000;
    const MAX: usize = 256 * 1024;
    let m = common::mount_provider("memory");
    let path = m.join("data");
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .expect("create");
    let mut model: Vec<u8> = Vec::new();
    let mut rng = StdRng::seed_from_u64(42);
    let mut reads = 0;
    // Written data are random slices of one random pool: generating fresh random bytes for
    // every write would dominate the run time of an unoptimized test build.
    let pool = random_bytes(&mut rng, 64 * 1024);
    let slice = |rng: &mut StdRng, len: usize| {
        let start = rng.random_range(0..pool.len() - len);
        pool[start..start + len].to_vec()
    };
    for op in 0..OPS {
        match rng.random_range(0..100) {
            0..40 => {
                let off = rng.random_range(0..MAX);
                let len = rng.random_range(1..8192).min(MAX - off);
                let data = slice(&mut rng, len);
                file.write_all_at(&data, off as u64).expect("pwrite");
                if model.len() < off + len {
                    resize(&mut model, off + len);
                }
                model[off..off + len].copy_from_slice(&data);
            }
            40..85 => {
                let off = rng.random_range(0..MAX);
                let len = rng.random_range(1..16384);
                let mut buf = vec![0u8; len];
                let mut got = 0;
                while got < len {
                    let n = file
                        .read_at(&mut buf[got..], (off + got) as u64)
                        .expect("pread");
                    if n == 0 {
                        break;
                    }
                    got += n;
                }
                let want = model.get(off..model.len().min(off + len)).unwrap_or(&[]);
                assert_eq!(&buf[..got], want, "op {op}: read {len} at {off}");
                reads += 1;
            }
            85..90 => {
                let size = rng.random_range(0..MAX);
                file.set_len(size as u64).expect("ftruncate");
                resize(&mut model, size);
            }
            90..95 if !model.is_empty() => {
                let off = rng.random_range(0..model.len());
                let len = rng.random_range(1..4096).min(model.len() - off);
                let data = slice(&mut rng, len);
                with_map(&file, model.len(), |bytes| {
                    bytes[off..off + len].copy_from_slice(&data)
                });
                model[off..off + len].copy_from_slice(&data);
            }
            95..100 if !model.is_empty() => {
                let off = rng.random_range(0..model.len());
                let len = rng.random_range(1..4096).min(model.len() - off);
                let mut seen = Vec::new();
                with_map(&file, model.len(), |bytes| {
                    seen = bytes[off..off + len].to_vec()
                });
                assert_eq!(seen, &model[off..off + len], "op {op}: mmap read at {off}");
                reads += 1;
            }
            _ => {}
        }
    }
    drop(file);
    assert_eq!(fs::read(&path).expect("final read"), model);
    assert!(reads > OPS / 3, "only {reads} reads checked");
}
