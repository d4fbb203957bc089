#!/usr/bin/env python3
"""One large transfer with the official Aliyun OSS Python SDK (oss2), as a process of its
own, for jitstore-bench's `compare` group (which measures this process's CPU time, wall
time and peak RSS beside our client's, OpenDAL's and curl's).

  put: oss2.resumable_upload of --file, multipart with --part-size parts and --threads
       parts in flight (oss2's num_threads); threshold 64 MiB like the Rust clients.
  get: bucket.get_object streamed into --file (/dev/null to drop it), 1 MiB reads.

V4 signing, CRC-64 checks on (oss2's default). Run with PYTHONPATH pointing at an oss2
install; the secret comes from OSS_ACCESS_KEY_SECRET. Prints {"op": ..., "bytes": N}.
"""

import os
import tempfile

import oss2

from sdk_client_common import parse_args, report, stream_to

MULTIPART_THRESHOLD = 64 * 1024 * 1024


def main():
    a = parse_args("cn-hangzhou")
    auth = oss2.AuthV4(a.access_key_id, os.environ["OSS_ACCESS_KEY_SECRET"])
    bucket = oss2.Bucket(auth, a.endpoint, a.bucket, region=a.region)

    if a.op == "put":
        size = os.path.getsize(a.file)
        with tempfile.TemporaryDirectory() as store:
            oss2.resumable_upload(bucket, a.key, a.file,
                                  store=oss2.ResumableStore(root=store),
                                  multipart_threshold=MULTIPART_THRESHOLD,
                                  part_size=a.part_size, num_threads=a.threads)
        done = bucket.head_object(a.key).content_length
        assert done == size, f"stored {done} of {size} bytes"
    else:
        body = bucket.get_object(a.key)
        done = stream_to(a.file, body)
    report(a.op, done)


if __name__ == "__main__":
    main()
