#!/usr/bin/env bash
# FUSE benchmark of issue 5, in one run: the same workloads on tmpfs directly, on vfsbox mounts
# of the memory provider and of the host provider (over a tmpfs directory), and on two peer
# FUSE filesystems from Debian (bindfs over a tmpfs directory, fuse-overlayfs over tmpfs
# directories). Prints one markdown table with each figure's ratio to tmpfs. The host provider
# is mounted twice: with FUSE passthrough (vfsbox-host, the default where the kernel offers it)
# and without (vfsbox-host-nopt, --no-passthrough), to show what passthrough gives.
#
#   sudo apt-get install -y fio bindfs fuse-overlayfs python3
#   cargo build --release && sudo benches/fuse.sh
#
# Environment: SIZE (sequential file size, default 1G), RUNTIME (seconds per random-I/O job,
# default 5), THREADS (vfsbox worker threads, default: vfsbox's default), OPS (iterations per
# latency figure, default 2000), ONLY (space-separated subset of targets). Needs root (tmpfs
# mount, drop_caches).
set -euo pipefail

SIZE=${SIZE:-1G}
RUNTIME=${RUNTIME:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$HERE/../target/release/vfsbox}
THREAD_ARGS=()
[[ -n "${THREADS:-}" ]] && THREAD_ARGS=(--threads "$THREADS")
ROOT=$(mktemp -d /tmp/vfsbox-bench.XXXXXX)
RESULTS=$ROOT/results
PIDS=()

cleanup() {
    set +e
    for m in "$ROOT"/mnt/*; do
        mountpoint -q "$m" && { umount "$m" 2>/dev/null || umount -l "$m"; }
    done
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    mountpoint -q "$ROOT/tmpfs" && umount "$ROOT/tmpfs"
    rm -rf "$ROOT"
}
trap cleanup EXIT

[[ -x "$BIN" ]] || { echo "build first: cargo build --release" >&2; exit 2; }
for tool in fio python3; do
    command -v $tool >/dev/null || { echo "missing $tool (apt-get install -y $tool)" >&2; exit 2; }
done

mkdir -p "$ROOT/tmpfs" "$ROOT/mnt" "$RESULTS"
mount -t tmpfs -o size=12G tmpfs "$ROOT/tmpfs"
mkdir -p "$ROOT"/tmpfs/{direct,host,host-nopt,bind-src,ovl-lower,ovl-upper,ovl-work}
mkdir -p "$ROOT"/mnt/{memory,host,host-nopt,bindfs,fuse-overlayfs}

wait_mounted() {
    for _ in $(seq 100); do mountpoint -q "$1" && return 0; sleep 0.05; done
    echo "no mount at $1" >&2; exit 1
}

"$BIN" mount --provider memory "${THREAD_ARGS[@]}" "$ROOT/mnt/memory" >/dev/null &
PIDS+=($!)
"$BIN" mount --provider "host:$ROOT/tmpfs/host" "${THREAD_ARGS[@]}" "$ROOT/mnt/host" >/dev/null &
PIDS+=($!)
"$BIN" mount --no-passthrough --provider "host:$ROOT/tmpfs/host-nopt" "${THREAD_ARGS[@]}" \
    "$ROOT/mnt/host-nopt" >/dev/null &
PIDS+=($!)
wait_mounted "$ROOT/mnt/memory"
wait_mounted "$ROOT/mnt/host"
wait_mounted "$ROOT/mnt/host-nopt"

declare -A TARGET=(
    [tmpfs]=$ROOT/tmpfs/direct
    [vfsbox-memory]=$ROOT/mnt/memory
    [vfsbox-host]=$ROOT/mnt/host
    [vfsbox-host-nopt]=$ROOT/mnt/host-nopt
)
ORDER=(tmpfs vfsbox-memory vfsbox-host vfsbox-host-nopt)
if command -v bindfs >/dev/null; then
    bindfs "$ROOT/tmpfs/bind-src" "$ROOT/mnt/bindfs"
    TARGET[bindfs]=$ROOT/mnt/bindfs
    ORDER+=(bindfs)
fi
if command -v fuse-overlayfs >/dev/null; then
    fuse-overlayfs -o "lowerdir=$ROOT/tmpfs/ovl-lower,upperdir=$ROOT/tmpfs/ovl-upper,workdir=$ROOT/tmpfs/ovl-work" \
        "$ROOT/mnt/fuse-overlayfs"
    TARGET[fuse-overlayfs]=$ROOT/mnt/fuse-overlayfs
    ORDER+=(fuse-overlayfs)
fi
[[ -n "${ONLY:-}" ]] && read -r -a ORDER <<<"$ONLY"

fio_job() { # name dir rw bs [extra...]
    local name=$1 dir=$2 rw=$3 bs=$4
    shift 4
    fio --name="$name" --directory="$dir" --filename=bench.dat --rw="$rw" --bs="$bs" \
        --size="$SIZE" --ioengine=psync --output-format=json "$@" >"$RESULTS/$target.$name.json"
}

for target in "${ORDER[@]}"; do
    dir=${TARGET[$target]}
    echo "== $target" >&2
    fio_job seqwrite "$dir" write 1M --end_fsync=1
    sync
    echo 3 >/proc/sys/vm/drop_caches
    fio_job seqread-cold "$dir" read 1M
    # fio drops a file's page cache before each job unless told not to (invalidate=1): warm
    # figures must keep it, as a program re-reading a file would.
    fio_job seqread-warm "$dir" read 1M --invalidate=0
    fio_job randread "$dir" randread 4k --time_based --runtime="$RUNTIME" --invalidate=0
    fio_job randwrite "$dir" randwrite 4k --time_based --runtime="$RUNTIME" --invalidate=0
    rm -f "$dir/bench.dat"
    python3 "$HERE/fuse_ops.py" "$dir" >"$RESULTS/$target.ops.json"
    rm -rf "$dir/ops"
done

python3 - "$RESULTS" "${ORDER[@]}" <<'EOF'
import json, sys, os
results, targets = sys.argv[1], sys.argv[2:]
def fio(t, job):
    j = json.load(open(os.path.join(results, f"{t}.{job}.json")))["jobs"][0]
    side = j["write"] if "write" in job else j["read"]
    return side["bw_bytes"] / 2**20 if job.startswith("seq") else side["iops"]
rows = [("seq write 1M (MiB/s)", lambda t: fio(t, "seqwrite"), True),
        ("seq read 1M cold (MiB/s)", lambda t: fio(t, "seqread-cold"), True),
        ("seq read 1M warm (MiB/s)", lambda t: fio(t, "seqread-warm"), True),
        ("rand read 4K warm (IOPS)", lambda t: fio(t, "randread"), True),
        ("rand write 4K (IOPS)", lambda t: fio(t, "randwrite"), True)]
ops = {t: json.load(open(os.path.join(results, f"{t}.ops.json"))) for t in targets}
for key in ops[targets[0]]:
    higher = key.endswith("per s")
    rows.append((key if higher else f"{key} (µs)", lambda t, k=key: ops[t][k], higher))
base = targets[0]
print("| workload | " + " | ".join(targets) + " |")
print("|---|" + "---|" * len(targets))
for name, get, higher in rows:
    ref = get(base)
    cells = []
    for t in targets:
        v = get(t)
        ratio = (v / ref) if higher else (ref / v)
        cells.append(f"{v:,.1f}" if t == base else f"{v:,.1f} ({ratio:.0%})")
    print(f"| {name} | " + " | ".join(cells) + " |")
print(f"\nRatios are against {base} (higher is better; for latencies, {base}'s time / this one's).")
EOF
