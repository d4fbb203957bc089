#!/usr/bin/env python3
"""One curl against `jitstore serve-oss` (memory store): 1 GiB PUT and GET, in MiB/s.

Issue 8 asks that `serve-oss` serve a 1 GiB object to one curl at no less than
1 GiB/s from the memory store, and take a PUT as fast as the client sends it. This
script measures exactly that and builds nothing:

    cargo build --release -p jitstore
    python3 docs/serve-oss-curl.py target/release/jitstore

It writes a file of SIZE MiB (default 1024) in a temporary folder, starts
`jitstore serve-oss --addr 127.0.0.1:0 --allow-anonymous` (memory store, one bucket),
then RUNS times (default 3): `curl -T file` (one unsigned PUT), then
`curl -o /dev/null` (one unsigned GET). For each transfer it prints curl's own rate
(`%{speed_upload}` / `%{speed_download}`), the wall time, curl's CPU and the server's
CPU (the growth of its utime + stime in /proc/PID/stat over the transfer), and at the
end the medians. The byte counts curl reports are checked. Python 3 standard library
only; Linux only (/proc).

`--folder` serves from a folder store (in the same temporary folder) instead.

Usage: serve-oss-curl.py JITSTORE_BINARY [--mib SIZE] [--runs RUNS] [--folder]
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BUCKET = "curl-bench"
KEY = "big/object.bin"
TICK = os.sysconf("SC_CLK_TCK")


def server_cpu(pid):
    """utime + stime of process `pid`, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        # The command name (field 2) may hold spaces; fields after it are plain.
        fields = f.read().rsplit(")", 1)[1].split()
    # After ")": state is fields[0], utime is field 14 overall -> index 11 here.
    return (int(fields[11]) + int(fields[12])) / TICK


def children_cpu():
    """User + system CPU of the waited-for children so far, in seconds."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def write_file(path, mib):
    """A file of `mib` MiB of pseudo-random bytes (one random MiB, varied per MiB)."""
    block = bytearray(os.urandom(1 << 20))
    with open(path, "wb") as f:
        for i in range(mib):
            block[:8] = i.to_bytes(8, "little")
            f.write(block)


def start_server(binary, root):
    """Starts serve-oss on a free loopback port (a folder store on `root`, else in
    memory); returns (process, endpoint)."""
    env = dict(os.environ)
    env["JITSTORE_OSS_ACCESS_KEY_ID"] = "bench-ak"
    env["JITSTORE_OSS_ACCESS_KEY_SECRET"] = "bench-secret"
    env.pop("JITSTORE_LOG", None)
    command = [binary, "serve-oss", "--addr", "127.0.0.1:0", "--bucket", BUCKET, "--allow-anonymous"]
    if root:
        command += ["--root", root]
    server = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = server.stderr.readline()
        if not line:
            break
        found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if found:
            # Keep draining stderr, so that a chatty server never blocks on it.
            threading.Thread(target=server.stderr.read, daemon=True).start()
            return server, found.group(1)
    server.kill()
    server.wait()
    sys.exit("serve-oss-curl: the server did not say where it listens")


def curl(args, what, expect_bytes):
    """Runs curl with `args`; returns (rate MiB/s by curl, wall s, curl CPU s)."""
    before = children_cpu()
    started = time.monotonic()
    done = subprocess.run(
        ["curl", "-sS", "--fail", "-H", "Expect:", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=600,
    )
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"serve-oss-curl: {what} failed: {done.stderr.strip()}")
    speed, size = done.stdout.split()
    if int(float(size)) != expect_bytes:
        sys.exit(f"serve-oss-curl: {what} moved {size} bytes, not {expect_bytes}")
    return float(speed) / (1 << 20), wall, children_cpu() - before


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", help="a release jitstore binary")
    parser.add_argument("--mib", type=int, default=1024, help="object size in MiB")
    parser.add_argument("--runs", type=int, default=3, help="PUT+GET rounds")
    parser.add_argument("--folder", action="store_true", help="a folder store, not memory")
    args = parser.parse_args()
    size = args.mib << 20
    with tempfile.TemporaryDirectory(prefix="serve-oss-curl-") as folder:
        path = os.path.join(folder, "object.bin")
        write_file(path, args.mib)
        root = os.path.join(folder, "store") if args.folder else None
        server, endpoint = start_server(os.path.abspath(args.binary), root)
        url = f"{endpoint}/{BUCKET}/{KEY}"
        rows = {"PUT": [], "GET": []}
        try:
            for run in range(1, args.runs + 1):
                for op in ("PUT", "GET"):
                    if op == "PUT":
                        curl_args = ["-T", path, "-o", "/dev/null",
                                     "-w", "%{speed_upload} %{size_upload}", url]
                    else:
                        curl_args = ["-o", "/dev/null",
                                     "-w", "%{speed_download} %{size_download}", url]
                    cpu_before = server_cpu(server.pid)
                    rate, wall, client = curl(curl_args, f"{op} run {run}", size)
                    served = server_cpu(server.pid) - cpu_before
                    rows[op].append((rate, wall, client, served))
                    print(
                        f"run {run} {op} {args.mib} MiB: {rate:7.0f} MiB/s  wall {wall:6.2f} s"
                        f"  curl CPU {client:5.2f} s  server CPU {served:5.2f} s",
                        flush=True,
                    )
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    store = "folder" if args.folder else "memory"
    print(f"\nmedians over {args.runs} runs, {args.mib} MiB, one curl, {store} store:")
    for op, got in rows.items():
        rate, wall, client, served = (statistics.median(col) for col in zip(*got))
        low, high = min(r[0] for r in got), max(r[0] for r in got)
        print(
            f"  {op}: {rate:6.0f} MiB/s ({low:.0f}-{high:.0f})  wall {wall:.2f} s"
            f"  curl CPU {client:.2f} s  server CPU {served:.2f} s"
        )
    load = os.getloadavg()
    print(f"  load average at end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
