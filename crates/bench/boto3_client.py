#!/usr/bin/env python3
"""One large transfer with the AWS SDK for Python (boto3), as a process of its own, for
jitstore-bench's `compare` group with `--compare-protocol s3` (which measures this
process's CPU time, wall time and peak RSS beside our client's and curl's, against one
`jitstore serve-s3`).

  put: client.upload_file of --file through s3transfer, TransferConfig with
       --part-size parts and --threads parts in flight (max_concurrency); threshold
       64 MiB like the Rust clients.
  get: client.get_object streamed into --file (/dev/null to drop it), 1 MiB reads (one
       GET, like oss2's row and ours).

SigV4, path-style addressing, botocore's default checksums (a CRC-32 per request; over
plain HTTP the body's SHA-256 is signed too, no aws-chunked). Takes the same flags as
oss2_client.py. Run with PYTHONPATH pointing at a boto3 install; the secret comes from
AWS_SECRET_ACCESS_KEY. Prints {"op": ..., "bytes": N}.
"""

import os

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from sdk_client_common import parse_args, report, stream_to

MULTIPART_THRESHOLD = 64 * 1024 * 1024


def main():
    a = parse_args("us-east-1")
    s3 = boto3.client(
        "s3",
        endpoint_url=a.endpoint,
        region_name=a.region,
        aws_access_key_id=a.access_key_id,
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            max_pool_connections=max(10, a.threads),
        ),
    )

    if a.op == "put":
        size = os.path.getsize(a.file)
        transfer = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD,
                                  multipart_chunksize=a.part_size,
                                  max_concurrency=a.threads, use_threads=True)
        s3.upload_file(a.file, a.bucket, a.key, Config=transfer)
        done = s3.head_object(Bucket=a.bucket, Key=a.key)["ContentLength"]
        assert done == size, f"stored {done} of {size} bytes"
    else:
        body = s3.get_object(Bucket=a.bucket, Key=a.key)["Body"]
        done = stream_to(a.file, body)
    report(a.op, done)


if __name__ == "__main__":
    main()
