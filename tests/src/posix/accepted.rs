//! Every accepted difference between the emulated layer and Linux, in one place.
//!
//! The recorder ([`Run`](super::Run)) and [`snapshot`](super::snapshot) leave these values out
//! of every record (or record only a relation), so the differential tests never compare them.
//! Each one is a place where the emulated layer cannot match the kernel, and each corresponds
//! to a compatibility event of the emulated layer (its stable code is named here).

use super::{Record, Step};

/// One accepted difference.
#[derive(Clone, Copy, Debug)]
pub struct Accepted {
    /// What is not compared.
    pub what: &'static str,
    /// Why emulation cannot match it.
    pub reason: &'static str,
    /// How the records treat it.
    pub recorded_as: &'static str,
    /// The compatibility event of the emulated layer that reports it (`VFSBOX-Cnnn`), or why
    /// there is none: a value a provider defines (an inode number, a block count) is not a
    /// behaviour that differs, and an event per `stat` would be noise.
    pub compat_event: &'static str,
}

/// The table of accepted differences.
pub const ACCEPTED: &[Accepted] = &[
    Accepted {
        what: "st_dev",
        reason: "the emulated layer has no kernel device; its value is synthetic",
        recorded_as: "left out",
        compat_event: "none: st_dev is synthetic, one per provider; no call behaves differently",
    },
    Accepted {
        what: "st_ino values",
        reason: "numbers come from the provider; the kernel reuses freed numbers",
        recorded_as: "only equality between names that are alive together (same_inode, snapshot classes)",
        compat_event: "none: a value the provider defines, no call behaves differently",
    },
    Accepted {
        what: "st_blksize, st_blocks",
        reason: "allocation is the provider's (memory has no blocks)",
        recorded_as: "left out",
        compat_event: "none: a value the provider defines, no call behaves differently",
    },
    Accepted {
        what: "st_size of a directory",
        reason: "ext4 reports allocated bytes (4096, …); providers report their own size",
        recorded_as: "left out for directories",
        compat_event: "none: a value the provider defines, no call behaves differently",
    },
    Accepted {
        what: "st_atime/st_mtime/st_ctime values",
        reason: "clocks differ between runs; atime updates depend on mount options (relatime)",
        recorded_as: "relations only (changed / unchanged / ordered); exact values only when a scenario set them",
        compat_event: "none: times come from the provider's clock (the memory provider follows relatime as tmpfs does)",
    },
    Accepted {
        what: "l_pid of F_GETLK",
        reason: "the emulated layer has no process id of its own",
        recorded_as: "left out",
        compat_event: "VFSBOX-C006 (F_GETLK reports a virtual pid)",
    },
    Accepted {
        what: "statvfs counts",
        reason: "block and inode counts are the provider's",
        recorded_as: "sanity relations (free <= total, available <= free) and ST_RDONLY",
        compat_event: "VFSBOX-C008 (statvfs flags; counts are the provider's)",
    },
    Accepted {
        what: "d_ino and readdir order",
        reason: "order is the provider's hash or insertion order",
        recorded_as: "names and d_type as a sorted set",
        compat_event: "none: a value the provider defines, no call behaves differently",
    },
    Accepted {
        what: "set-user-id and set-group-id bits over a provider without `setid_bits` (host)",
        reason: "the host provider strips them on every create and chmod so a sandbox never plants a set-id file on the host (`Capabilities::setid_bits` is false)",
        recorded_as: "masked out of recorded modes in both records over such a provider ([`without_setid_bits`]); scenarios in [`NEEDS_SETID_BITS`] are not compared there; the memory provider keeps and compares them",
        compat_event: "VFSBOX-C010 (the provider strips set-id bits)",
    },
    Accepted {
        what: "lseek on a directory descriptor to anything but its start or its current position",
        reason: "a directory's position is a provider cookie, not a byte or hash offset ext4 and tmpfs accept",
        recorded_as: "the random-sequence test records such a call as a note and does not make it",
        compat_event: "VFSBOX-C005 (directory offsets are provider cookies)",
    },
];

/// Scenarios about set-id behaviour beyond the mode bits (group inheritance from set-group-id
/// directories): not compared over a provider without `Capabilities::setid_bits`.
pub const NEEDS_SETID_BITS: &[&str] = &["perm::setgid_dirs"];

/// `record` with the set-id bits cleared from every recorded mode (`KIND MODE` pairs): how
/// records over a provider without `Capabilities::setid_bits` are compared (see [`ACCEPTED`]).
pub fn without_setid_bits(record: &Record) -> Record {
    const KINDS: &[&str] = &[
        "file", "dir", "symlink", "fifo", "chr", "blk", "sock", "unknown",
    ];
    let steps = record
        .steps
        .iter()
        .map(|step| {
            let mut words: Vec<String> = step.result.split(' ').map(str::to_string).collect();
            for i in 1..words.len() {
                if !KINDS.contains(&words[i - 1].as_str()) || words[i].len() != 4 {
                    continue;
                }
                if let Ok(mode) = u32::from_str_radix(&words[i], 8) {
                    words[i] = format!("{:04o}", mode & !0o6000);
                }
            }
            Step {
                call: step.call.clone(),
                result: words.join(" "),
            }
        })
        .collect();
    Record { steps }
}

/// A difference a FUSE mount shows against a kernel filesystem because of FUSE itself (not
/// because of the adapter or the provider). `fuse-mount/tests/scenarios.rs` runs every
/// scenario through a mount of each built-in provider and compares it with the kernel on a
/// plain directory; this is the one list of what it does not compare there, and why.
#[derive(Clone, Copy, Debug)]
pub struct FuseImposed {
    /// What differs.
    pub what: &'static str,
    /// Why FUSE makes it differ.
    pub reason: &'static str,
    /// How the records deal with it: the [`ACCEPTED`] entry that already keeps it out of
    /// every record, or why no scenario can show it.
    pub handled: &'static str,
    /// Scenarios not compared through a mount because of it: the scenario's name and the
    /// mounted providers it applies to (`memory`, `host`, `overlay`, `mounts`; empty: all).
    pub not_compared: &'static [(&'static str, &'static [&'static str])],
}

/// Every difference FUSE imposes on the scenarios, with the reason. None needs a scenario
/// left out today: each is either kept out of the records by [`ACCEPTED`] or out of reach of
/// a scenario (every caller goes through the mount, with no supplementary groups).
pub const FUSE_IMPOSED: &[FuseImposed] = &[
    FuseImposed {
        what: "st_ino",
        reason: "the kernel shows the FUSE node id (fuser sends one number for both), stable while the kernel holds the node, not the provider's `Attr::ino`",
        handled: "ACCEPTED \"st_ino values\": only equality between live names is recorded",
        not_compared: &[],
    },
    FuseImposed {
        what: "st_dev",
        reason: "the mount's anonymous device number",
        handled: "ACCEPTED \"st_dev\": left out",
        not_compared: &[],
    },
    FuseImposed {
        what: "d_ino",
        reason: "the provider's number in a plain readdir reply, the FUSE node id in readdirplus (which the adapter asks for on every listing)",
        handled: "ACCEPTED \"d_ino and readdir order\": names and d_type only",
        not_compared: &[],
    },
    FuseImposed {
        what: "st_blksize, st_blocks, st_size of directories, statvfs counts",
        reason: "the provider's values as the adapter reports them (the kernel's block size is the mount's)",
        handled: "ACCEPTED \"st_blksize, st_blocks\", \"st_size of a directory\", \"statvfs counts\"",
        not_compared: &[],
    },
    FuseImposed {
        what: "record locks and flock",
        reason: "the adapter does not ask for FUSE_POSIX_LOCKS/FUSE_FLOCK_LOCKS: locks live in the kernel, per mount, so in-process users of the provider do not see them",
        handled: "no scenario shows it: every lock is taken through the mount, where the kernel keeps them as on ext4 (l_pid is left out by ACCEPTED \"l_pid of F_GETLK\")",
        not_compared: &[],
    },
    FuseImposed {
        what: "set-id bits cleared on an unprivileged write",
        reason: "the adapter clears them knowing the caller's primary group only: FUSE does not send supplementary groups",
        handled: "no scenario shows it: the unprivileged runs (uid/gid 65534) have no supplementary groups",
        not_compared: &[],
    },
    FuseImposed {
        what: "changes made behind the adapter's back",
        reason: "a change to a host directory directly, or in-process without `Invalidating`, shows after the entry/attribute timeouts",
        handled: "no scenario shows it: every change goes through the mount",
        not_compared: &[],
    },
];
