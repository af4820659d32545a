//! Policy enforcement as one provider wrapper: path rules (hide, deny, read-only, allow),
//! limits (file size, bytes written, open files), symlink modes and the audit log.
//!
//! [`Guarded::new`]`(inner, `[`Guard`]`)` is a [`FileSystem`](vfsbox_api::FileSystem) that
//! shows `inner` through the guard. Node ids, handle ids and readdir cookies are the inner
//! provider's, unchanged; with an empty guard the wrapper is transparent (the conformance
//! suite passes on it as on the bare provider).
//!
//! # Paths
//! Paths are sandbox-absolute byte paths: the wrapped provider's root is `/`, a child is
//! `parent + "/" + name`. The wrapper learns them from the calls that hand out nodes
//! (`lookup`, `mkdir`, `mknod`, `create`, `symlink`, `link`) and keeps a table
//! inner node id → {paths it was reached by, lookup count, verdicts}. Lookup counts mirror the
//! inner provider's exactly (every handed-out node counts one; `forget` gives them back and is
//! forwarded). Directories have one path; a hard-linked file may have several, and then its
//! node-level calls (`open`, `setattr`, xattrs, `link` of it, x bits) get the most restrictive
//! verdict of them (hide > deny > read-only > allow). `rename` of a directory moves the paths,
//! and recomputes the verdicts, of every tracked node below it; `unlink`/`rename` of a file
//! drop or move that path (an unlinked file keeps its last verdicts). A node the wrapper never
//! handed out (or that was forgotten) is `ESTALE`, as in the inner provider.
//!
//! # Globs
//! See [`Glob`]: absolute patterns matched component by component; `*` (dotfiles included),
//! `?`, `[a-z]`/`[!x]`, `\` escapes, and `**` as a whole component for zero or more
//! components.
//!
//! # Rules
//! [`Rules`] are ordered; for a path and an [`Op`] the first rule whose glob matches and whose
//! [`OpSet`] contains the op decides; no match allows. Verdicts for all eleven classes are
//! computed once per path, when the path is first seen, so later calls on the node match no
//! glob. Each call is checked as (path in parentheses):
//!
//! | call | class |
//! |---|---|
//! | `open` with read access | read (node) |
//! | `open` with write access or `O_TRUNC` | write (node); `write` itself is checked at open |
//! | `opendir`, `readlink` | read (node) |
//! | `setattr` size, atime, mtime | write (node) |
//! | `setattr` perm / uid, gid | chmod / chown (node) |
//! | `mkdir`, `mknod`, `create` of a new name | create (new path) |
//! | `create` of an existing name | as `open` (`EEXIST` if exclusive) |
//! | `unlink`, `rmdir` | delete (removed path) |
//! | `rename` | rename (source and destination path) |
//! | `link` | link (new path and the linked node) |
//! | `symlink` | symlink (new path), then the mount's [`SymlinkMode`] |
//! | `getxattr`, `listxattr`, `setxattr`, `removexattr` | xattr (node) |
//! | reported attributes | exec: a denied exec clears the x bits of regular files |
//!
//! A `link` whose node and new path the rules decide differently (any class) is `EXDEV`,
//! after `EEXIST`: one content reachable by paths under two regimes would keep the stricter
//! one only while the node table knows both paths. `create` of an existing name whose node
//! the table holds to stricter verdicts (a hard link made outside the sandbox, also reached
//! by a protected path) opens under those.
//!
//! `lookup`, `getattr`, `statfs` and `readdir` of a visible directory are never refused; only
//! hidden paths vanish. `fallocate` needs a writable handle, checked at open.
//!
//! # Actions
//! - **hide**: a path is hidden when its `read` decision is [`Action::Hide`]. Its lookup is
//!   `ENOENT` and it is skipped in listings (the inner cookies stay valid: entries are only
//!   skipped). Creating, linking or renaming onto a hidden name is `EACCES` whether or not it
//!   exists, never `EEXIST`, which would tell that it exists; removing or renaming a hidden
//!   name is `ENOENT`. Hiding a directory hides everything below it (it cannot be reached).
//!   A held node that a rename moves under a hidden path answers `ENOENT` to node calls.
//! - **deny**: the rule's errno (`EACCES`, or `EPERM`). For exec: the x bits are cleared in
//!   every attribute the wrapper reports (`lookup`, `getattr`, `setattr`, new entries), so
//!   both the emulated layer and the kernel refuse to execute with `EACCES`, root included.
//! - **read-only**: `EROFS` for every mutating class it covers; `read` and `exec` pass, and so
//!   do `getxattr`/`listxattr`.
//! - **allow**: passes.
//!
//! A refusal comes where Linux's permission check (deny) or read-only mount check
//! (read-only) would: errors Linux finds first stay first (`ENOTDIR`, `EEXIST` for an existing
//! name when making one, `ENOENT` for a missing name being removed under deny, `EISDIR`/
//! `ELOOP` when opening, `ENOTDIR` for `opendir`, the kind errors of truncate, the target
//! errors of `symlink`, the argument errors of `setxattr`). `EMFILE` comes before everything
//! in `open`, `create` and `opendir`, as Linux takes the descriptor first.
//!
//! # Renames
//! A rename must not change the verdicts of what it moves. A file (or directory) whose own
//! path would change regime — any operation class decided differently at the source and the
//! destination, e.g. a tool leaving an exec-denied tree — is `EXDEV`, as a hard link between
//! two regimes is. A rename that replaces an existing name deletes it, so it also needs
//! `delete` at the destination (an exchange at both names); a rename to a new name within one
//! regime follows the `rename` class alone.
//!
//! Rules are path globs, so a `rename` of a directory moves everything below it to new
//! paths; it must not change their verdicts either (`mv /shared /x` must not expose what
//! `hide /shared/secrets/**` hides). A directory rename (or an exchange involving a
//! directory) that the rules otherwise allow is `EXDEV` when a rule that is not allow can
//! match strictly below the source or the destination ([`Glob::can_match_below`]) and some
//! rule matches differently below the two (see [`Rules::rename_conflict`]). `mv` answers
//! `EXDEV` by copying and removing file by file, each through the rules. Under a
//! [`SymlinkMode::RelativeInside`] mount, a directory moved to a shallower depth is `EXDEV`
//! too (a relative link inside could then leave the mount), and a symbolic link moved by
//! itself (or hard-linked to a new name) is checked as if made at its new place (`EPERM`). The kind of the moved names is
//! looked up only when the paths say such a refusal is possible. While any rule or symlink
//! mode exists, renames through the guard are serialised (from that look to the rename
//! itself), so a concurrent rename cannot put a directory in place of the file just looked
//! at.
//!
//! # Limits
//! See [`Limits`]: `max_file_size` (a short write up to the limit, then `EFBIG`; truncate and
//! allocation past it, with or without `KEEP_SIZE`, `EFBIG`; reported as `Capabilities::max_file_size`),
//! `max_bytes_written` (bytes accepted by `write` across the sandbox: a short write, then
//! `EDQUOT`), `max_open_files` (handles of `open`, `create` and `opendir` alive at once; the
//! next is `EMFILE` until one is released).
//!
//! # Symlinks
//! Per mount path, the longest prefix applies: [`SymlinkMode::Allow`],
//! [`SymlinkMode::RelativeInside`] (a relative target that, resolved lexically from the
//! link's directory, never leaves the mount; else `EPERM`), [`SymlinkMode::Deny`] (`EPERM`).
//!
//! # Audit
//! With an [`AuditLog`], each recorded call writes one JSON line:
//! `{"time": RFC 3339 UTC with ns, "sandbox", "op": the trait method, "path", "path2" (rename,
//! link), "result": "ok"|"error", "errno": "ENOENT" (errors only), "duration_ns"}`. Handle
//! calls carry the path the handle was opened by; the `release` line of a file handle adds
//! `"bytes_read"` and `"bytes_written"`, its totals. Which calls are recorded is
//! [`Guard::audit_level`] ([`AuditLevel`]): `All` (every call but `forget`), `Access` (the
//! default: all but successful metadata queries — `lookup`, `getattr`, `statfs`, `readlink`,
//! `getxattr`, `listxattr` — and successful `read`, `write`, `flush`, `seek`), `Changes`
//! (calls that change something, `open` with `O_TRUNC`, the `release` of a handle that
//! wrote). Failures, refusals included, are recorded at every level. The level is decided
//! before the call: a call recorded only if it fails reads no clock and gathers no path
//! unless it fails, and its failure line has no `duration_ns`. Paths that are not UTF-8 are written with
//! U+FFFD for the invalid bytes. Recording never blocks or fails a call: each calling thread
//! appends to its own bounded batch, which one writer thread takes every 2 ms (and on
//! [`AuditLog::flush`]); a full batch counts a drop, reported by [`AuditLog::dropped`] and by
//! a last line `{"dropped": N}` when the log closes. One thread's lines are in call order;
//! different threads' lines are ordered by completion time.
//!
//! # Cost
//! `getattr`, `read` and `write` allocate nothing; a lookup of a known node under a known path
//! allocates nothing and matches no glob; a new path is built once (one allocation) and
//! matched once per rule. `getattr` passes straight through until some node is seen hidden or
//! with exec denied. A recorded call adds two time-stamp-counter readings and one record in
//! the thread's batch (the path bytes copied, no allocation once the batch has grown); a
//! `read` or `write` that the level does not record adds one handle-table lookup (its byte
//! totals), and an unrecorded `getattr` or `lookup` nothing.
//! Measured in `benches/policy.rs`; figures in `docs/benchmarks.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod audit;
mod fs;
mod glob;
mod handles;
mod idhash;
mod levels;
mod limits;
mod ops;
mod paths;
mod refuse;
mod rules;
mod symlinks;
mod verdicts;

pub use audit::{AuditLog, DEFAULT_QUEUE};
pub use fs::{Guard, Guarded};
pub use glob::{Glob, GlobError};
pub use levels::AuditLevel;
pub use limits::Limits;
pub use ops::{Op, OpSet, UnknownOp};
pub use rules::{Action, Decision, Rule, Rules};
pub use symlinks::SymlinkMode;
