#!/usr/bin/env python3
"""Drives boto3 (the official AWS SDK for Python) against an S3 endpoint (serve-s3).

boto3 keeps its default settings (request checksums "when_supported", response
validation "when_supported", its own retries); only the endpoint, the credentials, the
region and the addressing style are set. Over TLS boto3 sends PutObject/UploadPart
bodies as aws-chunked with a CRC trailer; over plain HTTP it signs the payload's
SHA-256 and sends the CRC in a header. Presigned URLs use a client configured with
signature_version="s3v4" (boto3's presigner otherwise writes SigV2 URLs).

Every check prints one line ("ok NAME" or "FAIL NAME: why"); the run stops at the first
failure with a non-zero exit. The last line is "N passed, M failed".

Settings (environment): S3_ENDPOINT (http://127.0.0.1:PORT or http://localhost:PORT),
S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION, S3_ADDRESSING
("path" or "virtual": then bucket.localhost, which this driver resolves to 127.0.0.1),
S3_CA_BUNDLE (for an https endpoint).
"""

import base64
import datetime
import hashlib
import os
import socket
import ssl
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
import zlib

import boto3
import botocore.auth
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MIB = 1024 * 1024

ENDPOINT = os.environ["S3_ENDPOINT"]
BUCKET = os.environ["S3_BUCKET"]
KEY_ID = os.environ["S3_ACCESS_KEY_ID"]
SECRET = os.environ["S3_SECRET_ACCESS_KEY"]
REGION = os.environ.get("S3_REGION", "us-east-1")
ADDRESSING = os.environ.get("S3_ADDRESSING", "path")
VERIFY = os.environ.get("S3_CA_BUNDLE") or None

# bucket.localhost (virtual-hosted style) resolves to the loopback address.
_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_getaddrinfo


class CheckFailed(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise CheckFailed(msg)


def expect_eq(actual, wanted, what):
    if actual != wanted:
        raise CheckFailed(f"{what}: got {actual!r}, want {wanted!r}")


def client(secret=SECRET, key_id=KEY_ID, **config):
    return boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        region_name=REGION,
        verify=VERIFY,
        config=Config(s3={"addressing_style": ADDRESSING}, **config),
    )


S3 = client()
SENT = []


def _record_request(request, event_name=None, **kwargs):
    """How each request left: its operation, payload hash, trailer, content encoding."""
    def header(name):
        value = request.headers.get(name)
        return value.decode() if isinstance(value, bytes) else value

    SENT.append((event_name.rsplit(".", 1)[-1], header("x-amz-content-sha256"),
                 header("x-amz-trailer"), header("Content-Encoding")))


S3.meta.events.register("before-send.s3", _record_request)
PRESIGNER = client(signature_version="s3v4")
RUN = uuid.uuid4().hex[:8]


def key(name):
    return f"boto3-{RUN}/{name}"


def error_code(call):
    try:
        call()
    except ClientError as err:
        return err.response["Error"]["Code"], err.response
    raise CheckFailed("the call succeeded; an error was expected")


def http(method, url, data=None):
    req = urllib.request.Request(url, data=data, method=method)
    context = ssl.create_default_context(cafile=VERIFY) if VERIFY else None
    try:
        with urllib.request.urlopen(req, timeout=60, context=context) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def b64(digest):
    return base64.b64encode(digest).decode()


def crc32_b64(data):
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def crc64nvme_b64(data):
    """CRC-64/NVME in pure Python (reflected 0x9A6C9329AC4BC9B5), an independent oracle."""
    poly = 0x9A6C9329AC4BC9B5
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    crc = 0xFFFFFFFFFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return b64((crc ^ 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big"))


def check_put_get_metadata():
    body = b"hello from boto3 " * 100
    S3.put_object(
        Bucket=BUCKET, Key=key("hello.txt"), Body=body, ContentType="text/plain",
        Metadata={"colour": "blue", "n": "1"}, CacheControl="max-age=60",
    )
    got = S3.get_object(Bucket=BUCKET, Key=key("hello.txt"))
    expect_eq(got["Body"].read(), body, "body")
    expect_eq(got["ContentType"], "text/plain", "content type")
    expect_eq(got["Metadata"], {"colour": "blue", "n": "1"}, "metadata")
    expect_eq(got["CacheControl"], "max-age=60", "cache control")
    expect_eq(got["ETag"], '"%s"' % hashlib.md5(body).hexdigest(), "etag")


def check_checksums():
    body = os.urandom(70000)
    put = S3.put_object(Bucket=BUCKET, Key=key("crc"), Body=body)
    expect_eq(put.get("ChecksumCRC32"), crc32_b64(body), "PutObject CRC32 (boto3's default)")
    got = S3.get_object(Bucket=BUCKET, Key=key("crc"), ChecksumMode="ENABLED")
    expect_eq(got["Body"].read(), body, "body")
    expect_eq(got.get("ChecksumCRC32"), crc32_b64(body), "GetObject CRC32")
    put = S3.put_object(Bucket=BUCKET, Key=key("sha"), Body=body, ChecksumAlgorithm="SHA256")
    expect_eq(put.get("ChecksumSHA256"), b64(hashlib.sha256(body).digest()), "SHA256")
    head = S3.head_object(Bucket=BUCKET, Key=key("sha"), ChecksumMode="ENABLED")
    expect_eq(head.get("ChecksumSHA256"), b64(hashlib.sha256(body).digest()), "HeadObject SHA256")


def check_bad_digest():
    code, _ = error_code(lambda: S3.put_object(
        Bucket=BUCKET, Key=key("bad"), Body=b"abc", ChecksumCRC32="AAAAAA=="))
    expect_eq(code, "BadDigest", "wrong x-amz-checksum-crc32")
    code, _ = error_code(lambda: S3.head_object(Bucket=BUCKET, Key=key("bad")))
    expect_eq(code, "404", "nothing stored after BadDigest")


def check_range_head_delete():
    body = bytes(range(256)) * 4
    S3.put_object(Bucket=BUCKET, Key=key("range"), Body=body)
    got = S3.get_object(Bucket=BUCKET, Key=key("range"), Range="bytes=10-19")
    expect_eq(got["Body"].read(), body[10:20], "range body")
    expect_eq(got["ContentRange"], f"bytes 10-19/{len(body)}", "content range")
    got = S3.get_object(Bucket=BUCKET, Key=key("range"), Range="bytes=-5")
    expect_eq(got["Body"].read(), body[-5:], "suffix range")
    code, _ = error_code(lambda: S3.get_object(Bucket=BUCKET, Key=key("range"), Range="bytes=5000-"))
    expect_eq(code, "InvalidRange", "range past the end")
    head = S3.head_object(Bucket=BUCKET, Key=key("range"))
    expect_eq(head["ContentLength"], len(body), "head length")
    S3.delete_object(Bucket=BUCKET, Key=key("range"))
    code, resp = error_code(lambda: S3.get_object(Bucket=BUCKET, Key=key("range")))
    expect_eq(code, "NoSuchKey", "get after delete")
    expect(resp["ResponseMetadata"].get("RequestId"), "no x-amz-request-id")
    expect(resp["ResponseMetadata"].get("HostId"), "no x-amz-id-2")
    code, _ = error_code(lambda: S3.head_object(Bucket=BUCKET, Key=key("range")))
    expect_eq(code, "404", "head after delete")


def check_presigned_get_put():
    S3.put_object(Bucket=BUCKET, Key=key("pre get"), Body=b"presigned body")
    url = PRESIGNER.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": key("pre get")}, ExpiresIn=300)
    expect("X-Amz-Signature=" in url, f"not a SigV4 URL: {url}")
    status, data = http("GET", url)
    expect_eq((status, data), (200, b"presigned body"), "presigned GET")
    url = PRESIGNER.generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": key("pre+put")}, ExpiresIn=300)
    status, data = http("PUT", url, data=b"uploaded through a URL")
    expect_eq(status, 200, f"presigned PUT ({data[:300]!r})")
    got = S3.get_object(Bucket=BUCKET, Key=key("pre+put"))["Body"].read()
    expect_eq(got, b"uploaded through a URL", "object put through a URL")
    # Uploaded without a checksum: the server keeps CRC-64/NVME, as S3 does.
    got = S3.get_object(Bucket=BUCKET, Key=key("pre+put"), ChecksumMode="ENABLED")
    expect_eq(got.get("ChecksumCRC64NVME"), crc64nvme_b64(b"uploaded through a URL"), "CRC64NVME")
    got["Body"].read()
    status, data = http("GET", url.replace("X-Amz-Signature=", "X-Amz-Signature=0"))
    expect(status == 403 and b"SignatureDoesNotMatch" in data, f"tampered URL: {status} {data[:200]!r}")


def check_expired_url():
    real = botocore.auth.get_current_datetime

    def an_hour_ago(*args, **kwargs):
        return real(*args, **kwargs) - datetime.timedelta(hours=1)

    botocore.auth.get_current_datetime = an_hour_ago
    try:
        url = PRESIGNER.generate_presigned_url(
            "get_object", Params={"Bucket": BUCKET, "Key": key("pre get")}, ExpiresIn=60)
    finally:
        botocore.auth.get_current_datetime = real
    status, data = http("GET", url)
    expect(status == 403 and b"<Code>AccessDenied</Code>" in data and b"Request has expired" in data,
           f"expired URL: {status} {data[:300]!r}")


def check_wrong_secret_and_key():
    bad = client(secret=SECRET + "x", retries={"max_attempts": 1})
    code, _ = error_code(lambda: bad.get_object(Bucket=BUCKET, Key=key("hello.txt")))
    expect_eq(code, "SignatureDoesNotMatch", "wrong secret")
    code, _ = error_code(lambda: bad.put_object(Bucket=BUCKET, Key=key("x"), Body=b"x"))
    expect_eq(code, "SignatureDoesNotMatch", "wrong secret (PUT)")
    unknown = client(key_id="AKIDUNKNOWN")
    code, _ = error_code(lambda: unknown.list_objects_v2(Bucket=BUCKET))
    expect_eq(code, "InvalidAccessKeyId", "unknown key id")


def check_list_delimiter_and_pages():
    names = ["a/1", "a/2", "b/1", "c", "d", "sp ace+plus/é"]
    for n in names:
        S3.put_object(Bucket=BUCKET, Key=key("list/" + n), Body=n.encode())
    got = S3.list_objects_v2(Bucket=BUCKET, Prefix=key("list/"), Delimiter="/")
    prefixes = [p["Prefix"] for p in got.get("CommonPrefixes", [])]
    expect_eq(prefixes, [key("list/a/"), key("list/b/"), key("list/sp ace+plus/")], "common prefixes")
    expect_eq([c["Key"] for c in got["Contents"]], [key("list/c"), key("list/d")], "contents")
    pages = S3.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Prefix=key("list/"), PaginationConfig={"PageSize": 2})
    seen, count = [], 0
    for page in pages:
        count += 1
        expect(page["KeyCount"] <= 2, "page larger than MaxKeys")
        seen += [c["Key"] for c in page.get("Contents", [])]
    expect_eq(seen, [key("list/" + n) for n in names], "keys over pages")
    expect_eq(count, 3, "pages")
    got = S3.list_objects_v2(Bucket=BUCKET, Prefix=key("list/"), StartAfter=key("list/c"))
    expect_eq([c["Key"] for c in got["Contents"]], [key("list/d"), key("list/sp ace+plus/é")], "start-after")


def check_copy():
    S3.put_object(Bucket=BUCKET, Key=key("src"), Body=b"copy me", Metadata={"a": "1"},
                  ContentType="text/x-src")
    S3.copy_object(Bucket=BUCKET, Key=key("dst"), CopySource={"Bucket": BUCKET, "Key": key("src")})
    got = S3.get_object(Bucket=BUCKET, Key=key("dst"))
    expect_eq((got["Body"].read(), got["Metadata"], got["ContentType"]),
              (b"copy me", {"a": "1"}, "text/x-src"), "copy keeps metadata")
    S3.copy_object(Bucket=BUCKET, Key=key("dst2"), CopySource={"Bucket": BUCKET, "Key": key("src")},
                   MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="text/x-new")
    head = S3.head_object(Bucket=BUCKET, Key=key("dst2"))
    expect_eq((head["Metadata"], head["ContentType"]), ({"b": "2"}, "text/x-new"), "REPLACE")
    code, _ = error_code(lambda: S3.copy_object(
        Bucket=BUCKET, Key=key("dst3"), CopySource={"Bucket": BUCKET, "Key": key("missing")}))
    expect_eq(code, "NoSuchKey", "copy of a missing source")


def check_batch_delete():
    keys = [key(f"batch/{i}") for i in range(5)]
    for k in keys:
        S3.put_object(Bucket=BUCKET, Key=k, Body=b"x")
    got = S3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in keys]})
    expect_eq(sorted(d["Key"] for d in got["Deleted"]), sorted(keys), "deleted")
    left = S3.list_objects_v2(Bucket=BUCKET, Prefix=key("batch/"))
    expect_eq(left["KeyCount"], 0, "left after batch delete")


def check_upload_file_multipart():
    data = os.urandom(12 * MIB + 123)
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "src"), os.path.join(tmp, "dst")
        with open(src, "wb") as f:
            f.write(data)
        config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
        S3.upload_file(src, BUCKET, key("big"), Config=config)
        S3.download_file(BUCKET, key("big"), dst, Config=config)
        with open(dst, "rb") as f:
            expect(f.read() == data, "downloaded bytes differ")
    head = S3.head_object(Bucket=BUCKET, Key=key("big"), ChecksumMode="ENABLED")
    expect(head["ETag"].endswith('-3"'), f"multipart ETag: {head['ETag']}")
    expect_eq(head["ContentLength"], len(data), "size")
    expect(head.get("ChecksumCRC32", "").endswith("-3"), f"composite CRC32: {head.get('ChecksumCRC32')}")


def check_full_object_crc32_multipart():
    parts = [os.urandom(5 * MIB), os.urandom(1000)]
    whole = b"".join(parts)
    up = S3.create_multipart_upload(Bucket=BUCKET, Key=key("full"), ChecksumAlgorithm="CRC32",
                                    ChecksumType="FULL_OBJECT")
    done = []
    for i, p in enumerate(parts, 1):
        r = S3.upload_part(Bucket=BUCKET, Key=key("full"), UploadId=up["UploadId"], PartNumber=i,
                           Body=p, ChecksumAlgorithm="CRC32")
        done.append({"PartNumber": i, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]})
    got = S3.complete_multipart_upload(
        Bucket=BUCKET, Key=key("full"), UploadId=up["UploadId"], MultipartUpload={"Parts": done},
        ChecksumCRC32=crc32_b64(whole), ChecksumType="FULL_OBJECT")
    expect_eq(got.get("ChecksumCRC32"), crc32_b64(whole), "full-object CRC32")
    expect_eq(got.get("ChecksumType"), "FULL_OBJECT", "checksum type")
    body = S3.get_object(Bucket=BUCKET, Key=key("full"), ChecksumMode="ENABLED")["Body"].read()
    expect(body == whole, "completed object differs")


def check_abort_and_listings():
    up = S3.create_multipart_upload(Bucket=BUCKET, Key=key("aborted"))
    uid = up["UploadId"]
    S3.upload_part(Bucket=BUCKET, Key=key("aborted"), UploadId=uid, PartNumber=1, Body=b"part")
    uploads = S3.list_multipart_uploads(Bucket=BUCKET, Prefix=key("aborted"))
    expect_eq([u["UploadId"] for u in uploads.get("Uploads", [])], [uid], "ListMultipartUploads")
    parts = S3.list_parts(Bucket=BUCKET, Key=key("aborted"), UploadId=uid)
    expect_eq([(p["PartNumber"], p["Size"]) for p in parts["Parts"]], [(1, 4)], "ListParts")
    S3.abort_multipart_upload(Bucket=BUCKET, Key=key("aborted"), UploadId=uid)
    code, _ = error_code(lambda: S3.list_parts(Bucket=BUCKET, Key=key("aborted"), UploadId=uid))
    expect_eq(code, "NoSuchUpload", "ListParts after abort")


def check_buckets():
    names = [b["Name"] for b in S3.list_buckets()["Buckets"]]
    expect(BUCKET in names, f"ListBuckets: {names}")
    S3.head_bucket(Bucket=BUCKET)
    code, _ = error_code(lambda: S3.head_bucket(Bucket=f"missing-{RUN}"))
    expect_eq(code, "404", "HeadBucket of a missing bucket")
    if ADDRESSING == "path":  # the test certificate covers no other bucket's host name
        extra = f"boto3-{RUN}"
        S3.create_bucket(Bucket=extra)
        S3.put_object(Bucket=extra, Key="k", Body=b"x")
        code, _ = error_code(lambda: S3.delete_bucket(Bucket=extra))
        expect_eq(code, "BucketNotEmpty", "DeleteBucket of a bucket with objects")
        S3.delete_object(Bucket=extra, Key="k")
        S3.delete_bucket(Bucket=extra)
        code, _ = error_code(lambda: S3.head_bucket(Bucket=extra))
        expect_eq(code, "404", "HeadBucket after DeleteBucket")


def check_request_encoding():
    """boto3's defaults: over TLS, aws-chunked bodies with a CRC32 trailer; over plain
    HTTP, the payload's SHA-256 signed and the CRC32 in a header."""
    uploads = [s for s in SENT if s[0] in ("PutObject", "UploadPart")]
    expect({s[0] for s in uploads} == {"PutObject", "UploadPart"}, f"uploads seen: {uploads[:3]}")
    if ENDPOINT.startswith("https://"):
        chunked = [s for s in uploads if s[1] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"]
        expect({s[0] for s in chunked} == {"PutObject", "UploadPart"},
               f"no aws-chunked PutObject and UploadPart: {uploads[:3]}")
        expect(all((s[2] or "").startswith("x-amz-checksum-") and "aws-chunked" in (s[3] or "")
                   for s in chunked), f"aws-chunked without a checksum trailer: {chunked[:3]}")
        expect(any(s[2] == "x-amz-checksum-crc32" for s in chunked), "no default CRC32 trailer")
    else:
        expect(all(s[1] and len(s[1]) == 64 for s in uploads), f"unsigned payload over HTTP: {uploads[:3]}")


CHECKS = [
    check_put_get_metadata,
    check_checksums,
    check_bad_digest,
    check_range_head_delete,
    check_presigned_get_put,
    check_expired_url,
    check_wrong_secret_and_key,
    check_list_delimiter_and_pages,
    check_copy,
    check_batch_delete,
    check_upload_file_multipart,
    check_full_object_crc32_multipart,
    check_abort_and_listings,
    check_buckets,
    check_request_encoding,
]


def main():
    passed = 0
    for check in CHECKS:
        name = check.__name__[len("check_"):]
        try:
            check()
        except Exception as err:  # noqa: BLE001 - any failure ends the run
            print(f"FAIL {name}: {type(err).__name__}: {err}", flush=True)
            print(f"{passed} passed, 1 failed", flush=True)
            return 1
        passed += 1
        print(f"ok {name}", flush=True)
    print(f"{passed} passed, 0 failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
