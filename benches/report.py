#!/usr/bin/env python3
"""Turns criterion's results into the benchmark tables of docs/benchmarks.md.

Usage: python3 benches/report.py [TARGET_DIR]
(after `cargo bench --bench providers --bench scale --bench compose --bench posix --bench policy`)
Prints Markdown: median per operation and the ratios to the baseline measured in the same run.
"""
import json
import pathlib
import sys

target = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target")
criterion = target / "criterion"


def median(group, bench):
    path = criterion / group / bench / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def fmt(ns):
    if ns is None:
        return "n/a"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def ratio(a, b):
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


OPS = ["lookup", "getattr", "create_write4k_release", "open_read4k_release", "readdir_1000", "rename"]

print("### Providers against direct syscalls on the same tmpfs directory\n")
print("| operation | memory | host | syscall | memory / syscall | host / syscall |")
print("|---|---|---|---|---|---|")
for op in OPS:
    m, h, s = (median(g, op) for g in ("memory", "host", "syscall"))
    print(f"| {op} | {fmt(m)} | {fmt(h)} | {fmt(s)} | {ratio(m, s)} | {ratio(h, s)} |")
readdir = median("memory", "readdir_1000"), median("host", "readdir_1000"), median("syscall", "readdir_1000")
print(
    "\nreaddir per entry: memory {}, host {}, syscall {}".format(
        *(fmt(x / 1000 if x is not None else None) for x in readdir)
    )
)

print("\n### Memory provider: directory of 1,000 against 100,000 entries\n")
print("| operation | 1,000 | 100,000 | ratio |")
print("|---|---|---|---|")
for op in ["lookup", "getattr", "create_write4k_release", "open_read4k_release", "rename"]:
    small, large = median("small", op), median("large", op)
    print(f"| {op} | {fmt(small)} | {fmt(large)} | {ratio(large, small)} |")
big = median("large", "readdir_100000")
if big is not None:
    print(f"\nreaddir of 100,000 entries: {fmt(big)} ({big / 100000:.1f} ns per entry)")

print("\n### Composition: overlay and a three-level mount table against the bare memory provider\n")
print("| operation | bare memory | overlay | mounts (3 levels) | overlay / bare | mounts / bare |")
print("|---|---|---|---|---|---|")
for op in ["lookup", "getattr", "open_read4k_release", "create_write4k_release", "rename"]:
    b, o, m = (median(g, op) for g in ("compose-bare", "compose-overlay", "compose-mounts3"))
    print(f"| {op} | {fmt(b)} | {fmt(o)} | {fmt(m)} | {ratio(o, b)} | {ratio(m, b)} |")

million = target / "tmp" / "million-files.json"
if million.exists():
    figures = json.loads(million.read_text())
    print("\n### Memory provider with 1,000,000 files (1,000 directories of 1,000)\n")
    print(
        f"- resident memory: {figures['resident_bytes'] / 2**20:.0f} MiB, "
        f"{figures['bytes_per_file']} bytes per file; built in {figures['build_seconds']:.2f} s"
    )
    for op in ["lookup", "lookup_path_depth2"]:
        print(f"- {op}: {fmt(median('million', op))}")

POSIX_OPS = [
    ("stat", "posix", "stat"),
    ("open+close", "posix", "open_close"),
    ("open+read 4 KiB+close", "posix", "open_read4k_close"),
    ("create+write 4 KiB+close+unlink", "posix", "create_write4k_close_unlink"),
    ("mkdir+rmdir", "posix", "mkdir_rmdir"),
    ("readdir of 1,000 entries", "posix", "readdir_1000"),
    ("readdir of 1,000 entries, in batches", "posix", "readdir_batch_1000"),
    ("rename", "posix", "rename"),
    ("stat of a path of depth 8", "posix", "stat_depth8"),
    ("sequential read of 64 MiB (1 MiB reads)", "posix-seq", "read_64m"),
]
if median("posix-emu-mem", "stat") is not None:
    print("\n### POSIX layer: emulated against native, native against raw libc (`benches/posix.rs`)\n")
    print(
        "| operation | emu/memory | emu/host | native tmpfs | native host-dir | raw tmpfs "
        "| emu-mem / native-tmpfs | emu-host / native-host | native / raw |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, prefix, op in POSIX_OPS:
        em, eh, nt, nh, raw = (
            median(f"{prefix}-{s}", op)
            for s in ("emu-mem", "emu-host", "native-tmpfs", "native-host", "raw-tmpfs")
        )
        print(
            f"| {label} | {fmt(em)} | {fmt(eh)} | {fmt(nt)} | {fmt(nh)} | {fmt(raw)} "
            f"| {ratio(em, nt)} | {ratio(eh, nh)} | {ratio(nt, raw)} |"
        )
    print(
        "\nTargets: emu-mem / native-tmpfs at most 0.10x (aim 0.05x; 0.50x for the sequential "
        "read), emu-host / native-host at most 1.3x, native / raw at most 1.1x."
    )

POLICY_SUBJECTS = ["bare", "mounts", "guard", "rules", "stack", "stack-paced"]
POLICY_OPS = [
    ("lookup (+forget)", "lookup"),
    ("getattr", "getattr"),
    ("open+read 4 KiB+release", "open_read4k_release"),
]
if median("policy-bare", "getattr") is not None:
    print("\n### Policy stack against the bare memory provider (`benches/policy.rs`)\n")
    print(
        "Subjects: bare memory; a mount table of four memory providers; + an empty guard; "
        "+ ten rules; + the audit log (the whole policy, built by vfsbox-policy), calls back to "
        "back (the audit writer saturated); the same stack timed in bursts of 1,000 calls with "
        "the log flushed between them (stack-paced: the writer keeps up). Ratios are to bare, "
        "in the same run.\n"
    )
    print("| operation | " + " | ".join(POLICY_SUBJECTS) + " | " + " | ".join(f"{s} / bare" for s in POLICY_SUBJECTS[1:]) + " |")
    print("|---" * (2 * len(POLICY_SUBJECTS)) + "|")
    for label, op in POLICY_OPS:
        values = [median(f"policy-{s}", op) for s in POLICY_SUBJECTS]
        cells = [fmt(v) for v in values] + [ratio(v, values[0]) for v in values[1:]]
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("\nThrough the emulated POSIX layer (absolute path `/a/bench/data`, crossing the `/a` mount):\n")
    print("| operation | over bare | over the stack | stack, paced | stack / bare | paced / bare |")
    print("|---|---|---|---|---|---|")
    for label, op in [("stat", "stat"), ("open+read 4 KiB+close", "open_read4k_close")]:
        b, s, p = (median(f"policy-emu-{g}", op) for g in ("bare", "stack", "stack-paced"))
        print(f"| {label} | {fmt(b)} | {fmt(s)} | {fmt(p)} | {ratio(s, b)} | {ratio(p, b)} |")
    print("\nTarget (issue 6): stack / bare at most 1.3x for lookup, getattr and open+read 4 KiB+close.")
