#!/usr/bin/env python3
"""Per-operation latency and small-file throughput in one directory, for benches/fuse.sh.

Usage: fuse_ops.py DIR  ->  prints one JSON object: {"op": microseconds per op, ...} plus
"files_per_s" for create/stat/unlink of 10,000 small files. Each operation runs in a loop
with the same names on every filesystem, so results compare across mounts.
"""
import json
import os
import sys
import time

N = int(os.environ.get("OPS", "2000"))


def per_op(fn, n=N):
    fn(0)  # warm (first lookup, page cache); two calls leave a toggling rename where it began
    fn(1)
    start = time.perf_counter_ns()
    for i in range(n):
        fn(i)
    return (time.perf_counter_ns() - start) / n / 1000.0


def main(root):
    work = os.path.join(root, "ops")
    os.mkdir(work)
    f = os.path.join(work, "file")
    with open(f, "wb") as out:
        out.write(os.urandom(4096))
    block = b"x" * 4096
    res = {}
    res["stat"] = per_op(lambda i: os.stat(f))
    res["open+close"] = per_op(lambda i: os.close(os.open(f, os.O_RDONLY)))

    def open_read(i):
        fd = os.open(f, os.O_RDONLY)
        os.read(fd, 4096)
        os.close(fd)

    res["open+read 4K+close"] = per_op(open_read)

    def create_write(i):
        p = os.path.join(work, "c")
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, block)
        os.close(fd)
        os.unlink(p)

    res["create+write 4K+close+unlink"] = per_op(create_write)

    def mkdir_rmdir(i):
        p = os.path.join(work, "d")
        os.mkdir(p)
        os.rmdir(p)

    res["mkdir+rmdir"] = per_op(mkdir_rmdir)
    a, b = os.path.join(work, "ra"), os.path.join(work, "rb")
    open(a, "wb").close()

    def rename(i):
        if i % 2 == 0:
            os.rename(a, b)
        else:
            os.rename(b, a)

    res["rename"] = per_op(rename, N if N % 2 == 0 else N + 1)
    big = os.path.join(work, "thousand")
    os.mkdir(big)
    for i in range(1000):
        open(os.path.join(big, "e%04d" % i), "wb").close()
    res["readdir 1000"] = per_op(lambda i: os.listdir(big), max(N // 20, 10))

    small = os.path.join(work, "small")
    os.mkdir(small)
    names = [os.path.join(small, "f%05d" % i) for i in range(10000)]
    start = time.perf_counter()
    for p in names:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, b"small file\n")
        os.close(fd)
    for p in names:
        os.stat(p)
    for p in names:
        os.unlink(p)
    res["create/stat/unlink 10k files per s"] = 10000 / (time.perf_counter() - start)
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv[1])
