#!/usr/bin/env bash
# What a policy stack costs where users meet it, through the kernel: the same operations
# through a FUSE mount of one memory provider (the bare provider) and of the benchmark's
# policy stack (benches/policy/: four memory mounts, ten rules, the audit log at its default
# level), both served by `vfsbox mount --policy`. Prints a markdown table with the ratios.
# benches/policy.rs measures the same stack in-process, at the FileSystem trait and through the
# emulated layer.
#
#   cargo build --release && sudo benches/policy_fuse.sh
#
# Environment: OPS (iterations per operation and round, default 3000), ROUNDS (default 5;
# the median round is reported).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$HERE/../target/release/vfsbox}
OPS=${OPS:-3000}
ROUNDS=${ROUNDS:-5}
ROOT=$(mktemp -d /tmp/vfsbox-policy-bench.XXXXXX)
MOUNTED=()
cleanup() {
    for m in "${MOUNTED[@]}"; do
        mountpoint -q "$m" && { "$BIN" umount "$m" >/dev/null 2>&1 || umount -l "$m"; }
    done
    wait 2>/dev/null || true
    rm -rf "$ROOT"
}
trap cleanup EXIT

printf '[[mount]]\nat = "/"\nprovider = "memory"\n\n[[mount]]\nat = "/a"\nprovider = "memory"\n' \
    >"$ROOT/bare.toml"
cat "$HERE/policy/mounts.toml" "$HERE/policy/rules.toml" "$HERE/policy/logging.toml" \
    >"$ROOT/stack.toml"

measure() { # NAME: mount policy NAME, time its operations into $ROOT/NAME.json, unmount
    local mnt=$ROOT/mnt-$1
    mkdir "$mnt"
    "$BIN" mount --policy "$ROOT/$1.toml" "$mnt" >/dev/null &
    MOUNTED+=("$mnt")
    for _ in $(seq 100); do mountpoint -q "$mnt" && break; sleep 0.05; done
    mkdir -p "$mnt/a/bench"
    head -c 4096 /dev/urandom >"$mnt/a/bench/data"
    python3 - "$mnt/a/bench" "$OPS" "$ROUNDS" <<'PY'
import json, os, statistics, sys, time
d, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = os.path.join(d, "data")
def stat(i): os.stat(data)
def open_read_close(i):
    fd = os.open(data, os.O_RDONLY); os.read(fd, 4096); os.close(fd)
def create_write_close_unlink(i):
    p = os.path.join(d, "new")
    fd = os.open(p, os.O_CREAT | os.O_WRONLY, 0o644); os.write(fd, b"x" * 4096); os.close(fd)
    os.unlink(p)
ops = {"stat": stat, "open+read 4 KiB+close": open_read_close,
       "create+write 4 KiB+close+unlink": create_write_close_unlink}
out = {}
for name, fn in ops.items():
    fn(0)
    times = []
    for _ in range(rounds):
        t = time.perf_counter_ns()
        for i in range(n): fn(i)
        times.append((time.perf_counter_ns() - t) / n / 1000.0)
    out[name] = statistics.median(times)
print(json.dumps(out))
PY
    "$BIN" umount "$mnt" >/dev/null 2>&1
    wait
}

measure bare >"$ROOT/bare.json"
measure stack >"$ROOT/stack.json"
BARE=$(cat "$ROOT/bare.json")
STACK=$(cat "$ROOT/stack.json")
LINES=$(wc -l <"$ROOT/audit.jsonl" 2>/dev/null || echo 0)
python3 - "$BARE" "$STACK" "$LINES" <<'PY'
import json, sys
bare, stack, lines = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
print("| operation through the mount | bare memory (µs) | policy stack (µs) | stack / bare |")
print("|---|---|---|---|")
for op in bare:
    print(f"| {op} | {bare[op]:.2f} | {stack[op]:.2f} | {stack[op] / bare[op]:.2f}x |")
print(f"\nAudit lines written by the stack: {lines}")
PY
