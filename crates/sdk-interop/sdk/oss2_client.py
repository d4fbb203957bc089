#!/usr/bin/env python3
"""Drives the official Aliyun OSS Python SDK (oss2) against an OSS endpoint.

Proves that a server speaks OSS as oss2 expects: objects, ranges, metadata, presigned
URLs, multipart, listing, copy, batch delete, and the error codes oss2 maps to its
exceptions. Every check prints one line; the first failure stops the run with a
non-zero exit. The last line is "N passed, 0 failed".

Addressing: oss2 uses path style (http://HOST:PORT/bucket/key) by itself when the
endpoint host is an IP address or "localhost", so pass e.g. http://127.0.0.1:PORT.

Settings (flags override environment variables):
  --endpoint           OSS_ENDPOINT            e.g. http://127.0.0.1:9000
  --bucket             OSS_BUCKET              an existing bucket
  --access-key-id      OSS_ACCESS_KEY_ID
  --access-key-secret  OSS_ACCESS_KEY_SECRET   (prefer the variable: flags show in ps)
  --signature-version  OSS_SIGNATURE_VERSION   1 (oss2.Auth) or 4 (oss2.AuthV4), default 4
  --region             OSS_REGION              V4 signing region, default cn-hangzhou
  --only               OSS_ONLY_CHECKS         comma-separated check names: run only these
  --skip               OSS_SKIP_CHECKS         comma-separated check names: leave these out
"""

import argparse
import contextlib
import datetime as _datetime
import hashlib
import os
import re
import sys
import tempfile
import time as _time
import urllib.error
import urllib.request
import uuid

import oss2
import oss2.auth
from oss2.models import PartInfo

MIB = 1024 * 1024


class CheckFailed(Exception):
    """A check found the server answering differently from what oss2 expects."""


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def expect_eq(actual, wanted, what):
    if actual != wanted:
        raise CheckFailed(f"{what}: got {actual!r}, want {wanted!r}")


def error_code(body):
    match = re.search(rb"<Code>([^<]*)</Code>", body or b"")
    return match.group(1).decode() if match else None


def crc64(data):
    """CRC-64/XZ as OSS sends it in x-oss-hash-crc64ecma, computed by oss2's own helper."""
    c = oss2.utils.Crc64()
    c.update(data)
    return c.crc


def http(method, url, data=None, headers=None):
    """Plain HTTP (no SDK): returns (status, headers, body), also for 4xx/5xx."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def expect_oss_error(call, exc_type, code, status):
    try:
        call()
    except oss2.exceptions.OssError as err:
        got = f"{type(err).__name__} code={err.code!r} status={err.status} headers={dict(err.headers or {})}"
        expect(isinstance(err, exc_type), f"want {exc_type.__name__} ({code}), got {got}")
        expect_eq(err.code, code, f"error code of {got}")
        expect_eq(err.status, status, "HTTP status")
        return err
    raise CheckFailed(f"expected {exc_type.__name__} ({code}), the call succeeded")


@contextlib.contextmanager
def clock_shifted(seconds):
    """Makes oss2's signer see a clock `seconds` off (negative: in the past).

    oss2.auth reads time.time() (V1 presign) and datetime.utcnow() (V4); both are
    replaced inside oss2.auth only, so nothing waits on the real clock.
    """

    class ShiftedTime:
        def __getattr__(self, name):
            return getattr(_time, name)

        @staticmethod
        def time():
            return _time.time() + seconds

    class ShiftedDatetime(_datetime.datetime):
        @classmethod
        def utcnow(cls):
            return _datetime.datetime.utcnow() + _datetime.timedelta(seconds=seconds)

        @classmethod
        def now(cls, tz=None):
            return _datetime.datetime.now(tz) + _datetime.timedelta(seconds=seconds)

    saved = (oss2.auth.time, oss2.auth.datetime)
    oss2.auth.time, oss2.auth.datetime = ShiftedTime(), ShiftedDatetime
    try:
        yield
    finally:
        oss2.auth.time, oss2.auth.datetime = saved


def settings():
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--endpoint", default=env("OSS_ENDPOINT"))
    p.add_argument("--bucket", default=env("OSS_BUCKET"))
    p.add_argument("--access-key-id", default=env("OSS_ACCESS_KEY_ID"))
    p.add_argument("--access-key-secret", default=env("OSS_ACCESS_KEY_SECRET"))
    p.add_argument("--signature-version", default=env("OSS_SIGNATURE_VERSION", "4"), choices=["1", "4"])
    p.add_argument("--region", default=env("OSS_REGION", "cn-hangzhou"))
    p.add_argument("--only", default=env("OSS_ONLY_CHECKS", ""), help="comma-separated checks to run")
    p.add_argument("--skip", default=env("OSS_SKIP_CHECKS", ""), help="comma-separated checks to leave out")
    args = p.parse_args()
    missing = [n for n in ("endpoint", "bucket", "access_key_id", "access_key_secret") if not getattr(args, n)]
    if missing:
        p.error("missing settings: " + ", ".join(missing) + " (flags or OSS_* variables)")
    return args


class Suite:
    def __init__(self, args):
        self.args = args
        self.v4 = args.signature_version == "4"
        self.bucket = self.make_bucket(args.access_key_secret)
        # A fresh prefix per run, so runs against one long-lived server do not collide.
        self.prefix = f"oss2-v{args.signature_version}-{uuid.uuid4().hex[:8]}/"

    def make_bucket(self, secret):
        a = self.args
        if self.v4:
            auth = oss2.AuthV4(a.access_key_id, secret)
            return oss2.Bucket(auth, a.endpoint, a.bucket, region=a.region)
        return oss2.Bucket(oss2.Auth(a.access_key_id, secret), a.endpoint, a.bucket)

    def key(self, name):
        return self.prefix + name

    # --- objects -------------------------------------------------------------

    def put_get(self):
        data = os.urandom(3000)
        put = self.bucket.put_object(self.key("plain.bin"), data)
        expect_eq(put.status, 200, "PutObject status")
        expect_eq(put.etag, hashlib.md5(data).hexdigest().upper(), "PutObject ETag (upper-case MD5)")
        expect_eq(put.crc, crc64(data), "PutObject x-oss-hash-crc64ecma")
        got = self.bucket.get_object(self.key("plain.bin"))
        expect_eq(got.read(), data, "GetObject body")  # oss2 also compares the CRC-64 itself
        expect_eq(got.server_crc, crc64(data), "GetObject x-oss-hash-crc64ecma")
        expect_eq(got.etag, put.etag, "GetObject ETag")
        return "PutObject then GetObject: same bytes, ETag (MD5) and x-oss-hash-crc64ecma"

    def range_get(self):
        got = self.bucket.get_object(self.key("plain.bin"), byte_range=(100, 1099))
        body = got.read()
        expect_eq(got.status, 206, "ranged GetObject status")
        expect_eq(len(body), 1000, "ranged GetObject length")
        expect_eq(got.headers.get("Content-Range"), "bytes 100-1099/3000", "Content-Range")
        whole = self.bucket.get_object(self.key("plain.bin")).read()
        expect_eq(body, whole[100:1100], "ranged GetObject bytes")
        tail = self.bucket.get_object(self.key("plain.bin"), byte_range=(None, 10)).read()
        expect_eq(tail, whole[-10:], "suffix range bytes")
        return "GetObject with Range: 206, Content-Range and the right bytes (also a suffix range)"

    def head(self):
        head = self.bucket.head_object(self.key("plain.bin"))
        expect_eq(head.content_length, 3000, "HeadObject Content-Length")
        expect(head.last_modified > 0, "HeadObject has a Last-Modified")
        expect_eq(head.object_type, "Normal", "x-oss-object-type")
        meta = self.bucket.get_object_meta(self.key("plain.bin"))
        expect_eq(meta.content_length, 3000, "GetObjectMeta Content-Length")
        return "HeadObject and GetObjectMeta: length, Last-Modified, object type"

    def user_metadata(self):
        headers = {
            "x-oss-meta-author": "alice",
            "x-oss-meta-project": "jit interop",
            "Content-Type": "application/json",
            "Cache-Control": "no-cache",
        }
        self.bucket.put_object(self.key("meta.json"), b"{}", headers=headers)
        head = self.bucket.head_object(self.key("meta.json"))
        expect_eq(head.headers.get("x-oss-meta-author"), "alice", "x-oss-meta-author")
        expect_eq(head.headers.get("x-oss-meta-project"), "jit interop", "x-oss-meta-project")
        expect_eq(head.content_type, "application/json", "Content-Type")
        expect_eq(head.headers.get("Cache-Control"), "no-cache", "Cache-Control")
        got = self.bucket.get_object(self.key("meta.json"))
        expect_eq(got.headers.get("x-oss-meta-author"), "alice", "GetObject x-oss-meta-author")
        return "user metadata (x-oss-meta-*), Content-Type and Cache-Control round trip"

    def delete(self):
        self.bucket.put_object(self.key("gone.txt"), b"bye")
        expect(self.bucket.object_exists(self.key("gone.txt")), "object exists before delete")
        self.bucket.delete_object(self.key("gone.txt"))
        expect(not self.bucket.object_exists(self.key("gone.txt")), "object gone after delete")
        self.bucket.delete_object(self.key("gone.txt"))  # deleting a missing key is not an error
        return "DeleteObject, then HeadObject says 404, and a second delete still succeeds"

    def special_keys(self):
        names = ["中文/文件 名.txt", "a+b%20c?d#e&f=g;h.txt", "sp ace/~!@$^*()_-'=,.txt", "x//double-slash"]
        for name in names:
            data = name.encode() * 3
            self.bucket.put_object(self.key("odd/") + name, data)
            expect_eq(self.bucket.get_object(self.key("odd/") + name).read(), data, f"bytes of {name!r}")
            url = self.bucket.sign_url("GET", self.key("odd/") + name, 300)
            status, _, body = http("GET", url)
            expect_eq((status, body), (200, data), f"presigned GET of {name!r}")
        listed = [o.key for o in oss2.ObjectIterator(self.bucket, prefix=self.key("odd/"))]
        expect_eq(sorted(listed), sorted(self.key("odd/") + n for n in names), "listed special keys")
        return "keys with unicode, space, + % ? # & = and // round trip (get, sign_url, list)"

    def conditional(self):
        key = self.key("plain.bin")
        etag = self.bucket.head_object(key).etag
        expect_oss_error(lambda: self.bucket.get_object(key, headers={"If-None-Match": f'"{etag}"'}),
                         oss2.exceptions.NotModified, "", 304)
        expect_oss_error(lambda: self.bucket.get_object(key, headers={"If-Match": '"0123456789ABCDEF"'}),
                         oss2.exceptions.PreconditionFailed, "PreconditionFailed", 412)
        got = self.bucket.get_object(key, headers={"If-Match": f'"{etag}"'})
        expect_eq(len(got.read()), 3000, "GetObject with a matching If-Match")
        return "If-None-Match gives 304 NotModified, a wrong If-Match 412 PreconditionFailed"

    def append(self):
        key = self.key("append.log")
        first = self.bucket.append_object(key, 0, b"line 1\n")
        expect_eq(first.next_position, 7, "x-oss-next-append-position")
        second = self.bucket.append_object(key, first.next_position, b"line 2\n")
        expect_eq(second.next_position, 14, "next position after the second append")
        expect_eq(second.crc, crc64(b"line 1\nline 2\n"), "CRC-64 of the appended object")
        expect_oss_error(lambda: self.bucket.append_object(key, 3, b"x"),
                         oss2.exceptions.PositionNotEqualToLength, "PositionNotEqualToLength", 409)
        got = self.bucket.get_object(key)
        expect_eq(got.read(), b"line 1\nline 2\n", "appended bytes")
        expect_eq(got.headers.get("x-oss-object-type"), "Appendable", "x-oss-object-type")
        return "AppendObject twice (positions, CRC-64); a wrong position gives PositionNotEqualToLength"

    def no_such_key(self):
        err = expect_oss_error(
            lambda: self.bucket.get_object(self.key("missing.txt")), oss2.exceptions.NoSuchKey, "NoSuchKey", 404
        )
        expect(err.request_id, "NoSuchKey carries a request id")
        return "GetObject of a missing key raises oss2.exceptions.NoSuchKey (404)"

    # --- presigned URLs --------------------------------------------------------

    def presigned_get(self):
        data = b"presigned get body"
        self.bucket.put_object(self.key("dir/shared file+1.txt"), data)
        url = self.bucket.sign_url("GET", self.key("dir/shared file+1.txt"), 300, slash_safe=True)
        status, _, body = http("GET", url)
        expect_eq(status, 200, f"status of presigned GET {url}")
        expect_eq(body, data, "presigned GET body")
        return "sign_url GET (key with '/', space and '+') fetched with plain HTTP"

    def presigned_put(self):
        key = self.key("upload.txt")
        headers = {"Content-Type": "text/plain"}
        url = self.bucket.sign_url("PUT", key, 300, headers=headers, slash_safe=True)
        status, _, body = http("PUT", url, data=b"sent without the SDK", headers=headers)
        expect_eq(status, 200, f"presigned PUT status (body {body[:300]!r})")
        got = self.bucket.get_object(key)
        expect_eq(got.read(), b"sent without the SDK", "body of the presigned PUT")
        expect_eq(got.content_type, "text/plain", "Content-Type of the presigned PUT")
        status, _, body = http("PUT", url, data=b"other", headers={"Content-Type": "image/png"})
        expect_eq((status, error_code(body)), (403, "SignatureDoesNotMatch"), "PUT with another Content-Type")
        return "sign_url PUT with Content-Type, then GET; another Content-Type is refused"

    def presigned_response_headers(self):
        key = self.key("report.csv")
        self.bucket.put_object(key, b"a,b\n", headers={"Content-Type": "text/csv"})
        params = {
            "response-content-disposition": 'attachment; filename="report 1.csv"',
            "response-content-type": "application/octet-stream",
            "response-cache-control": "no-store",
        }
        url = self.bucket.sign_url("GET", key, 300, params=params, slash_safe=True)
        status, headers, body = http("GET", url)
        expect_eq((status, body), (200, b"a,b\n"), "presigned GET with response-* overrides")
        expect_eq(headers.get("Content-Disposition"), params["response-content-disposition"], "Content-Disposition")
        expect_eq(headers.get("Content-Type"), "application/octet-stream", "overridden Content-Type")
        expect_eq(headers.get("Cache-Control"), "no-store", "overridden Cache-Control")
        return "sign_url GET with response-content-disposition/-type/-cache-control overrides"

    def expired_presigned(self):
        self.bucket.put_object(self.key("expired.txt"), b"x")
        with clock_shifted(-3600):  # signed "an hour ago", valid for 60 s: already expired
            url = self.bucket.sign_url("GET", self.key("expired.txt"), 60, slash_safe=True)
        status, _, body = http("GET", url)
        expect_eq((status, error_code(body)), (403, "AccessDenied"), f"expired URL answer {body[:300]!r}")
        expect(b"expired" in body.lower(), f"message says expired: {body[:300]!r}")
        return "a presigned URL signed an hour ago for 60 s is refused (403 AccessDenied, expired)"

    # --- multipart -------------------------------------------------------------

    def multipart(self):
        key = self.key("big/multipart.bin")
        sizes = [5 * MIB, 5 * MIB, 2 * MIB + 12345]
        parts_data = [os.urandom(n) for n in sizes]
        upload_id = self.bucket.init_multipart_upload(key).upload_id
        parts = []
        for number, data in enumerate(parts_data, start=1):
            result = self.bucket.upload_part(key, upload_id, number, data)
            expect_eq(result.etag, hashlib.md5(data).hexdigest().upper(), f"part {number} ETag")
            parts.append(PartInfo(number, result.etag, size=len(data)))
        listed = self.bucket.list_parts(key, upload_id).parts
        expect_eq([(p.part_number, p.size) for p in listed], [(i + 1, n) for i, n in enumerate(sizes)], "ListParts")
        self.bucket.complete_multipart_upload(key, upload_id, parts)
        whole = b"".join(parts_data)
        got = self.bucket.get_object(key)
        expect_eq(hashlib.sha256(got.read()).hexdigest(), hashlib.sha256(whole).hexdigest(), "multipart object bytes")
        head = self.bucket.head_object(key)
        expect_eq(head.content_length, len(whole), "multipart object length")
        expect_eq(head.object_type, "Multipart", "x-oss-object-type")
        expect(head.etag.endswith("-3"), f"multipart ETag ends with -3: {head.etag}")
        expect_eq(head.server_crc, crc64(whole), "multipart x-oss-hash-crc64ecma (combined part CRCs)")
        return f"multipart upload of {len(whole) // MIB} MiB in 3 parts (init, upload_part, list_parts, complete)"

    def resumable(self):
        key = self.key("big/resumable.bin")
        data = os.urandom(12 * MIB + 7)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "source.bin")
            with open(path, "wb") as f:
                f.write(data)
            oss2.resumable_upload(
                self.bucket,
                key,
                path,
                store=oss2.ResumableStore(root=tmp),
                multipart_threshold=MIB,
                part_size=4 * MIB,
                num_threads=2,
            )
        expect_eq(self.bucket.head_object(key).content_length, len(data), "resumable upload length")
        got = self.bucket.get_object(key).read()
        expect_eq(hashlib.sha256(got).hexdigest(), hashlib.sha256(data).hexdigest(), "resumable upload bytes")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "copy.bin")
            oss2.resumable_download(
                self.bucket,
                key,
                path,
                store=oss2.ResumableDownloadStore(root=tmp),
                multiget_threshold=MIB,
                part_size=4 * MIB,
                num_threads=2,
            )
            with open(path, "rb") as f:
                expect_eq(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(data).hexdigest(),
                          "resumable download bytes")
        return "oss2.resumable_upload and resumable_download of 12 MiB in 4 MiB parts on 2 threads"

    def abort(self):
        key = self.key("big/aborted.bin")
        upload_id = self.bucket.init_multipart_upload(key).upload_id
        self.bucket.upload_part(key, upload_id, 1, b"part")
        self.bucket.abort_multipart_upload(key, upload_id)
        expect_oss_error(
            lambda: self.bucket.list_parts(key, upload_id), oss2.exceptions.NoSuchUpload, "NoSuchUpload", 404
        )
        expect(not self.bucket.object_exists(key), "an aborted upload leaves no object")
        return "AbortMultipartUpload, then ListParts raises NoSuchUpload"

    # --- listing, copy, batch delete ----------------------------------------------

    def listing(self):
        base = self.key("list/")
        names = ["a.txt", "b.txt", "sub1/c.txt", "sub1/deeper/d.txt", "sub2/e.txt"]
        for name in names:
            self.bucket.put_object(base + name, name.encode())
        result = self.bucket.list_objects(prefix=base, delimiter="/")
        expect_eq([o.key for o in result.object_list], [base + "a.txt", base + "b.txt"], "ListObjects keys")
        expect_eq(result.prefix_list, [base + "sub1/", base + "sub2/"], "ListObjects common prefixes")
        expect_eq(result.object_list[0].size, len("a.txt"), "listed size")
        v2 = self.bucket.list_objects_v2(prefix=base, delimiter="/")
        expect_eq([o.key for o in v2.object_list], [base + "a.txt", base + "b.txt"], "ListObjectsV2 keys")
        expect_eq(v2.prefix_list, [base + "sub1/", base + "sub2/"], "ListObjectsV2 common prefixes")
        paged = [o.key for o in oss2.ObjectIterator(self.bucket, prefix=base, max_keys=2)]
        expect_eq(paged, [base + n for n in names], "ObjectIterator pages of 2 (marker)")
        paged2 = [o.key for o in oss2.ObjectIteratorV2(self.bucket, prefix=base, max_keys=2)]
        expect_eq(paged2, [base + n for n in names], "ObjectIteratorV2 pages of 2 (continuation-token)")
        return "ListObjects v1 and v2 with prefix and delimiter (common prefixes), paged 2 at a time"

    def copy(self):
        src, dst = self.key("copy/source.txt"), self.key("copy/target.txt")
        self.bucket.put_object(src, b"copy me", headers={"x-oss-meta-origin": "source"})
        self.bucket.copy_object(self.args.bucket, src, dst)
        got = self.bucket.get_object(dst)
        expect_eq(got.read(), b"copy me", "copied bytes")
        expect_eq(got.headers.get("x-oss-meta-origin"), "source", "copied metadata")
        replaced = self.bucket.copy_object(
            self.args.bucket,
            src,
            self.key("copy/replaced.txt"),
            headers={"x-oss-metadata-directive": "REPLACE", "x-oss-meta-origin": "new"},
        )
        expect_eq(replaced.status, 200, "copy with REPLACE")
        head = self.bucket.head_object(self.key("copy/replaced.txt"))
        expect_eq(head.headers.get("x-oss-meta-origin"), "new", "replaced metadata")
        return "CopyObject keeps bytes and metadata; x-oss-metadata-directive REPLACE replaces it"

    def batch_delete(self):
        keys = [self.key(f"batch/{i}.txt") for i in range(5)]
        for k in keys:
            self.bucket.put_object(k, b"x")
        result = self.bucket.batch_delete_objects(keys + [self.key("batch/never-existed.txt")])
        expect_eq(sorted(result.deleted_keys), sorted(keys + [self.key("batch/never-existed.txt")]), "deleted keys")
        left = self.bucket.list_objects(prefix=self.key("batch/")).object_list
        expect_eq(left, [], "objects left after batch delete")
        return "batch_delete_objects (DeleteMultipleObjects) deletes all and reports each key"

    # --- refusals --------------------------------------------------------------------

    def wrong_secret(self):
        bad = self.make_bucket(self.args.access_key_secret + "-wrong")
        expect_oss_error(
            lambda: bad.get_object(self.key("plain.bin")), oss2.exceptions.ServerError, "SignatureDoesNotMatch", 403
        )
        expect_oss_error(lambda: bad.put_object(self.key("bad.txt"), b"x"), oss2.exceptions.ServerError,
                         "SignatureDoesNotMatch", 403)
        expect(not self.bucket.object_exists(self.key("bad.txt")), "a refused PUT stores nothing")
        return "a client with a wrong secret gets SignatureDoesNotMatch (403) on GET and PUT"

    def head_error_codes(self):
        # HEAD answers have no body; OSS repeats the error XML, base64, in x-oss-err, and
        # oss2 reads the code from there (without it: a bare NotFound with code '').
        expect_oss_error(lambda: self.bucket.head_object(self.key("missing.txt")),
                         oss2.exceptions.NoSuchKey, "NoSuchKey", 404)
        a = self.args
        auth = oss2.AuthV4(a.access_key_id, a.access_key_secret) if self.v4 else oss2.Auth(a.access_key_id,
                                                                                           a.access_key_secret)
        missing = oss2.Bucket(auth, a.endpoint, "no-such-bucket-" + uuid.uuid4().hex[:8], region=a.region)
        expect_oss_error(lambda: missing.object_exists("any"), oss2.exceptions.NoSuchBucket, "NoSuchBucket", 404)
        return "HEAD errors carry x-oss-err: head_object gives NoSuchKey, object_exists in a missing bucket NoSuchBucket"

    def cleanup(self):
        keys = [o.key for o in oss2.ObjectIterator(self.bucket, prefix=self.prefix)]
        for start in range(0, len(keys), 1000):
            self.bucket.batch_delete_objects(keys[start:start + 1000])
        expect_eq(list(oss2.ObjectIterator(self.bucket, prefix=self.prefix)), [], "objects left after clean-up")
        return f"clean-up: {len(keys)} objects of this run deleted"

    def run(self):
        checks = [
            self.put_get, self.range_get, self.head, self.user_metadata, self.delete, self.special_keys,
            self.conditional, self.append, self.no_such_key,
            self.presigned_get, self.presigned_put, self.presigned_response_headers, self.expired_presigned,
            self.multipart, self.resumable, self.abort,
            self.listing, self.copy, self.batch_delete,
            self.wrong_secret, self.head_error_codes, self.cleanup,
        ]
        by_name = {c.__name__: c for c in checks}
        only = [n for n in self.args.only.split(",") if n]
        skip = [n for n in self.args.skip.split(",") if n]
        unknown = [n for n in only + skip if n not in by_name]
        if unknown:
            print(f"unknown checks {unknown}; the checks are: {', '.join(by_name)}", file=sys.stderr)
            return 2
        checks = [c for c in checks if (not only or c.__name__ in only) and c.__name__ not in skip]
        tag = f"oss2 {oss2.__version__} V{self.args.signature_version}"
        passed = 0
        for check in checks:
            try:
                line = check()
            except Exception as err:  # noqa: BLE001 - any failure ends the run with its story
                detail = f"{type(err).__name__}: {err}"
                print(f"FAIL [{tag}] {check.__name__}: {detail}", flush=True)
                print(f"{passed} passed, 1 failed", flush=True)
                return 1
            passed += 1
            print(f"ok   [{tag}] {check.__name__}: {line}", flush=True)
        print(f"{passed} passed, 0 failed", flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(Suite(settings()).run())
