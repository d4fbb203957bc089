"""What oss2_client.py and boto3_client.py share (jitstore-bench's `compare` group writes
this file beside them): their flags, the streamed read of a GET into a file, and the
line the benchmark checks, {"op": ..., "bytes": N}.
"""

import argparse
import json


def parse_args(default_region):
    """The flags both scripts take; --threads is the parts in flight."""
    p = argparse.ArgumentParser()
    p.add_argument("op", choices=["put", "get"])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--bucket", required=True)
    p.add_argument("--access-key-id", required=True)
    p.add_argument("--region", default=default_region)
    p.add_argument("--key", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--part-size", type=int, default=8 * 1024 * 1024)
    p.add_argument("--threads", type=int, default=4)
    return p.parse_args()


def stream_to(path, body):
    """Copies body (anything with .read(n)) into path, 1 MiB at a time; the bytes read."""
    done = 0
    with open(path, "wb") as out:
        while True:
            chunk = body.read(1024 * 1024)
            if not chunk:
                break
            out.write(chunk)
            done += len(chunk)
    return done


def report(op, done):
    """Prints the line the benchmark checks."""
    print(json.dumps({"op": op, "bytes": done}))
