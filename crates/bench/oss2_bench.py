#!/usr/bin/env python3
"""Outside reference for jitstore-bench: the official Aliyun OSS Python SDK (oss2)
doing the same work as the Rust client against the same local server.

Small put/get loops of N objects with T threads (one shared oss2.Bucket, V4 signing,
CRC-64 checks on, as oss2 defaults), a large put as one PUT (put_object_from_file) and
multipart (resumable_upload, one thread, same part size), and a streamed get.

Run by the benchmark binary with PYTHONPATH pointing at an oss2 install; the secret
comes from OSS_ACCESS_KEY_SECRET. Prints one JSON document on stdout:
  {"python": ..., "oss2": ..., "crc_c_extension": bool,
   "rows": [{"name": ..., "unit": ..., "samples": [...]}]}
"""

import argparse
import concurrent.futures
import json
import os
import platform
import sys
import tempfile
import time

import oss2

MIB = 1024 * 1024


def sample(warmup, iters, budget, fn):
    """Warm-up runs, then up to `iters` measured runs (at least 2, within `budget` s)."""
    for run in range(warmup):
        fn(run)
    out = []
    start = time.perf_counter()
    while len(out) < iters and (len(out) < 2 or time.perf_counter() - start < budget):
        out.append(fn(warmup + len(out)))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--bucket", required=True)
    p.add_argument("--access-key-id", required=True)
    p.add_argument("--region", default="cn-hangzhou")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--small-bytes", type=int, required=True)
    p.add_argument("--tasks", required=True, help="comma-separated thread counts")
    p.add_argument("--large-file", required=True)
    p.add_argument("--threshold", type=int, required=True)
    p.add_argument("--part-size", type=int, required=True)
    p.add_argument("--warmup", type=int, required=True)
    p.add_argument("--iters", type=int, required=True)
    p.add_argument("--budget", type=float, required=True)
    p.add_argument("--scratch", required=True)
    p.add_argument("--small-label", required=True, help="size as the Rust rows print it")
    p.add_argument("--large-label", required=True)
    a = p.parse_args()
    tasks = [int(t) for t in a.tasks.split(",")]
    oss2.defaults.connection_pool_size = max(10, max(tasks))
    auth = oss2.AuthV4(a.access_key_id, os.environ["OSS_ACCESS_KEY_SECRET"])
    bucket = oss2.Bucket(auth, a.endpoint, a.bucket, region=a.region)
    data = os.urandom(a.small_bytes)
    n = a.count
    rows = []

    def fan_out(threads, op):
        start = time.perf_counter()
        if threads == 1:
            for i in range(n):
                op(i)
        else:
            with concurrent.futures.ThreadPoolExecutor(threads) as pool:
                for _ in pool.map(op, range(n)):
                    pass
        return n / (time.perf_counter() - start)

    for t in tasks:
        prefix = {"last": None}

        def put_run(run, t=t, prefix=prefix):
            prefix["last"] = f"py-small-t{t}-r{run}"

            def op(i):
                r = bucket.put_object(f"{prefix['last']}/obj-{i:06}.bin", data)
                assert r.status == 200

            return fan_out(t, op)

        def get_run(_run, t=t, prefix=prefix):
            def op(i):
                got = bucket.get_object(f"{prefix['last']}/obj-{i:06}.bin").read()
                assert len(got) == len(data)

            return fan_out(t, op)

        size = a.small_label
        rows.append({"name": f"V4 put {size} ×{n}, {t} thread(s)", "unit": "ops/s",
                     "samples": sample(a.warmup, a.iters, a.budget, put_run)})
        rows.append({"name": f"V4 get {size} ×{n}, {t} thread(s)", "unit": "ops/s",
                     "samples": sample(a.warmup, a.iters, a.budget, get_run)})

    large_len = os.path.getsize(a.large_file)
    mib = large_len / MIB
    key = "py-large/object.bin"
    warm = min(a.warmup, 1)

    def single(_run):
        start = time.perf_counter()
        r = bucket.put_object_from_file(key, a.large_file)
        assert r.status == 200
        return mib / (time.perf_counter() - start)

    def multipart(_run):
        start = time.perf_counter()
        with tempfile.TemporaryDirectory(dir=a.scratch) as store:
            oss2.resumable_upload(bucket, key, a.large_file,
                                  store=oss2.ResumableStore(root=store),
                                  multipart_threshold=a.threshold, part_size=a.part_size,
                                  num_threads=1)
        return mib / (time.perf_counter() - start)

    def get(_run):
        start = time.perf_counter()
        body = bucket.get_object(key)
        seen = 0
        while True:
            chunk = body.read(256 * 1024)
            if not chunk:
                break
            seen += len(chunk)
        assert seen == large_len
        return mib / (time.perf_counter() - start)

    parts = -(-large_len // a.part_size)
    label = a.large_label
    rows.append({"name": f"put multipart resumable_upload ({parts} parts, 1 thread) {label}",
                 "unit": "MiB/s", "samples": sample(warm, a.iters, a.budget, multipart)})
    rows.append({"name": f"put_object_from_file single PUT {label}", "unit": "MiB/s",
                 "samples": sample(warm, a.iters, a.budget, single)})
    rows.append({"name": f"streamed get {label}", "unit": "MiB/s",
                 "samples": sample(warm, a.iters, a.budget, get)})

    json.dump({
        "python": platform.python_version(),
        "oss2": oss2.__version__,
        "crc_c_extension": bool(getattr(sys.modules.get("crcmod.crcmod"), "_usingExtension", False)),
        "rows": rows,
    }, sys.stdout)


if __name__ == "__main__":
    main()
