#!/usr/bin/env python3
"""Generate OSS signing vectors with the official Python SDKs, fully offline.

Uses `oss2` and `alibabacloud-oss-v2`. The clock is fixed by monkeypatching the time
functions the SDKs read, and every request is intercepted before it would be sent
(a fake oss2 Session, a fake alibabacloud-oss-v2 HttpClient): nothing touches the
network. Writes sdk_vectors_python.json next to this script.

See README.md in this folder for how to run it.
"""

import base64
import datetime as _dt
import hashlib
import json
import os
import sys
import time
import types

import requests

FIXED_NOW = 1700000000  # 2023-11-14T22:13:20Z
AK = "LTAI5tVectorTestKey"
SK = "VectorTestSecret/abc+123="
TOKEN = "CAIS.fixed/sts+token=="
BUCKET = "vector-bucket"
REGION = "cn-hangzhou"
ENDPOINT = "https://oss-cn-hangzhou.aliyuncs.com"

# ---- fixed clock -------------------------------------------------------------------
time.time = lambda: float(FIXED_NOW)


class FixedDateTime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        base = _dt.datetime.fromtimestamp(FIXED_NOW, _dt.timezone.utc)
        return base if tz is not None else base.replace(tzinfo=None)

    @classmethod
    def utcnow(cls):
        return _dt.datetime.fromtimestamp(FIXED_NOW, _dt.timezone.utc).replace(tzinfo=None)


FAKE_DATETIME_MODULE = types.SimpleNamespace(
    datetime=FixedDateTime, timezone=_dt.timezone, timedelta=_dt.timedelta
)

import oss2  # noqa: E402
import oss2.auth  # noqa: E402
import alibabacloud_oss_v2 as oss  # noqa: E402
import alibabacloud_oss_v2.signer.v1 as v2_signer_v1  # noqa: E402
import alibabacloud_oss_v2.signer.v4 as v2_signer_v4  # noqa: E402
import alibabacloud_oss_v2.presigner as v2_presigner  # noqa: E402
from alibabacloud_oss_v2.types import HttpClient  # noqa: E402

oss2.auth.datetime = FixedDateTime
for mod in (v2_signer_v1, v2_signer_v4, v2_presigner):
    mod.datetime = FAKE_DATETIME_MODULE

OSS2 = "oss2 " + oss2.__version__
from alibabacloud_oss_v2._version import VERSION as _V2_VERSION  # noqa: E402

V2 = "alibabacloud-oss-v2 " + _V2_VERSION

vectors = []


class Intercepted(Exception):
    """Raised by the fake transports so the SDK stops before any I/O."""


def lower_headers(headers):
    out = []
    for k, v in headers.items():
        if v is None:
            continue
        if isinstance(v, bytes):
            v = v.decode("utf-8")
        out.append([k.lower(), str(v)])
    return out


def record(sdk, version, form, method, key, url, headers, security_token=None,
           additional_headers=None, expires_in=None, note=""):
    vectors.append({
        "id": "%s-%s-%s-%d" % (sdk.split()[0], version, form, len(vectors)),
        "sdk": sdk,
        "version": version,
        "form": form,
        "note": note,
        "now": FIXED_NOW,
        "access_key_id": AK,
        "access_key_secret": SK,
        "security_token": security_token,
        "region": REGION,
        "method": method,
        "bucket": BUCKET,
        "key": key,
        "url": url,
        "headers": headers,
        "additional_headers": additional_headers or [],
        "expires_in": expires_in,
    })


# ---- oss2 --------------------------------------------------------------------------
class CaptureSession(oss2.Session):
    """An oss2 Session that records the signed request instead of sending it."""

    def __init__(self):
        super().__init__()
        self.last = None

    def do_request(self, req, timeout):
        prepared = requests.models.PreparedRequest()
        prepared.prepare_url(req.url, req.params)
        self.last = (req.method, prepared.url, lower_headers(req.headers))
        raise Intercepted()


def oss2_bucket(version, sts):
    if version == "v4":
        if sts:
            auth = oss2.StsAuth(AK, SK, TOKEN, auth_version=oss2.AUTH_VERSION_4)
        else:
            auth = oss2.AuthV4(AK, SK)
        return oss2.Bucket(auth, ENDPOINT, BUCKET, session=CaptureSession(), region=REGION)
    auth = oss2.StsAuth(AK, SK, TOKEN) if sts else oss2.Auth(AK, SK)
    return oss2.Bucket(auth, ENDPOINT, BUCKET, session=CaptureSession())


def oss2_header(version, key, call, sts=False, note=""):
    b = oss2_bucket(version, sts)
    try:
        call(b)
    except Intercepted:
        pass
    method, url, headers = b.session.last
    record(OSS2, version, "header", method, key, url, headers,
           security_token=TOKEN if sts else None, note=note)


def oss2_presign(version, method, key, expires, headers=None, params=None, sts=False,
                 additional=None, note=""):
    b = oss2_bucket(version, sts)
    kwargs = {"headers": headers, "params": params, "slash_safe": True}
    if additional:
        kwargs["additional_headers"] = additional
    url = b.sign_url(method, key, expires, **kwargs)
    record(OSS2, version, "query", method, key, url,
           lower_headers(headers or {}), security_token=TOKEN if sts else None,
           additional_headers=additional, expires_in=expires, note=note)


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


BODY = b"hello, oss"
SPECIAL = "dir/a b+c%d#e?f~g.txt"
CHINESE = "中文目录/文件 名.txt"


def oss2_cases():
    for v in ("v1", "v4"):
        oss2_header(v, "dir/hello.txt", lambda b: b.put_object(
            "dir/hello.txt", BODY,
            headers={"Content-Type": "text/plain", "Content-MD5": md5_b64(BODY),
                     "x-oss-meta-author": "alice", "x-oss-meta-Project": "jit"}),
            note="PUT with Content-MD5, Content-Type, user metadata")
        oss2_header(v, SPECIAL, lambda b: b.get_object(SPECIAL), note="GET special-character key")
        oss2_header(v, CHINESE, lambda b: b.head_object(CHINESE), note="HEAD unicode key")
        oss2_header(v, "to-delete", lambda b: b.delete_object("to-delete"), sts=True,
                    note="DELETE with STS token")
        oss2_header(v, "big.bin", lambda b: b.init_multipart_upload("big.bin"),
                    note="POST ?uploads")
        oss2_header(v, "big.bin", lambda b: b.upload_part("big.bin", "0004B9894A22E5B1888A1E29F823****", 2, BODY),
                    note="PUT ?partNumber&uploadId")
        oss2_header(v, "acl.txt", lambda b: b.put_object_acl("acl.txt", oss2.OBJECT_ACL_PUBLIC_READ),
                    note="PUT ?acl with x-oss-object-acl")
        oss2_header(v, "log.txt", lambda b: b.append_object("log.txt", 0, BODY),
                    note="POST ?append&position=0")
        oss2_header(v, None, lambda b: b.list_objects(prefix="dir/", marker="dir/a b", delimiter="/", max_keys=10),
                    note="GET bucket with list parameters")
        oss2_header(v, None, lambda b: b.batch_delete_objects(["a.txt", "b c.txt"]),
                    note="POST ?delete with Content-MD5")
        oss2_header(v, "report.pdf", lambda b: b.get_object(
            "report.pdf", params={"response-content-disposition": 'attachment; filename="r 1.pdf"',
                                  "response-content-type": "application/pdf"}),
            sts=True, note="GET response-* overrides with STS")

        oss2_presign(v, "GET", "dir/hello.txt", 3600, note="presigned GET")
        oss2_presign(v, "PUT", SPECIAL, 600, headers={"Content-Type": "image/png"},
                     note="presigned PUT with Content-Type, special key")
        oss2_presign(v, "GET", CHINESE, 900, sts=True,
                     params={"response-content-disposition": "attachment"},
                     note="presigned GET unicode key, STS, response-content-disposition")
        oss2_presign(v, "HEAD", "h.txt", 60, headers={"x-oss-meta-x": "1"},
                     note="presigned HEAD with x-oss header")
        oss2_presign(v, "PUT", "big.bin", 1200,
                     params={"partNumber": "1", "uploadId": "0004B9894A22E5B1888A1E29F823****"},
                     note="presigned UploadPart")
    oss2_presign("v4", "GET", "hosted.txt", 86400,
                 headers={"Host": BUCKET + ".oss-cn-hangzhou.aliyuncs.com"},
                 additional=["host"], note="presigned V4 with additional header host")


# ---- alibabacloud-oss-v2 -----------------------------------------------------------
class CaptureClient(HttpClient):
    """An HttpClient that records the signed request instead of sending it."""

    def __init__(self):
        self.last = None

    def send(self, request, **kwargs):
        self.last = (request.method, request.url, lower_headers(request.headers))
        raise Intercepted()

    def open(self):
        pass

    def close(self):
        pass


def v2_client(version, sts, capture=None):
    cfg = oss.config.load_default()
    if sts:
        cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(AK, SK, TOKEN)
    else:
        cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(AK, SK)
    cfg.region = REGION
    cfg.signature_version = version
    cfg.retry_max_attempts = 1
    if capture is not None:
        cfg.http_client = capture
    return oss.Client(cfg)


def v2_header(version, key, make_request, op, sts=False, note=""):
    cap = CaptureClient()
    client = v2_client(version, sts, cap)
    try:
        getattr(client, op)(make_request())
    except Exception:  # the SDK wraps Intercepted in its own error type
        pass
    if cap.last is None:
        raise RuntimeError("request was not captured: " + note)
    method, url, headers = cap.last
    record(V2, version, "header", method, key, url, headers,
           security_token=TOKEN if sts else None, note=note)


def v2_presign(version, key, make_request, expires, sts=False, headers=None, note=""):
    client = v2_client(version, sts)
    res = client.presign(make_request(), expires=_dt.timedelta(seconds=expires))
    signed = {k.lower(): v for k, v in (res.signed_headers or {}).items()}
    hdrs = [[k, str(v)] for k, v in signed.items()]
    record(V2, version, "query", res.method, key, res.url, hdrs,
           security_token=TOKEN if sts else None, expires_in=expires, note=note)


def v2_cases():
    for v in ("v1", "v4"):
        v2_header(v, "dir/hello.txt", lambda: oss.PutObjectRequest(
            bucket=BUCKET, key="dir/hello.txt", body=BODY, content_type="text/plain",
            content_md5=md5_b64(BODY), metadata={"author": "bob"}), "put_object",
            note="PUT with Content-MD5, Content-Type, user metadata")
        v2_header(v, SPECIAL, lambda: oss.GetObjectRequest(bucket=BUCKET, key=SPECIAL), "get_object",
                  note="GET special-character key")
        v2_header(v, CHINESE, lambda: oss.HeadObjectRequest(bucket=BUCKET, key=CHINESE), "head_object",
                  note="HEAD unicode key")
        # SignerV1 of this SDK sends an STS token as a plain `security-token` header,
        # which OSS does not sign; STS header vectors come from V4 here.
        v2_header(v, "to-delete", lambda: oss.DeleteObjectRequest(bucket=BUCKET, key="to-delete"),
                  "delete_object", sts=(v == "v4"), note="DELETE")
        v2_header(v, "big.bin", lambda: oss.InitiateMultipartUploadRequest(bucket=BUCKET, key="big.bin"),
                  "initiate_multipart_upload", note="POST ?uploads")
        v2_header(v, "big.bin", lambda: oss.UploadPartRequest(
            bucket=BUCKET, key="big.bin", upload_id="0004B9894A22E5B1888A1E29F823****",
            part_number=3, body=BODY), "upload_part", note="PUT ?partNumber&uploadId")
        v2_header(v, "log.txt", lambda: oss.AppendObjectRequest(
            bucket=BUCKET, key="log.txt", position=10, body=BODY), "append_object",
            note="POST ?append&position=10")
        v2_header(v, None, lambda: oss.ListObjectsRequest(
            bucket=BUCKET, prefix="dir/", marker="dir/m", delimiter="/", max_keys=100), "list_objects",
            note="GET bucket with list parameters")
        v2_header(v, "report.pdf", lambda: oss.GetObjectRequest(
            bucket=BUCKET, key="report.pdf",
            response_content_disposition='attachment; filename="r 1.pdf"'), "get_object",
            sts=(v == "v4"), note="GET response-content-disposition")

        v2_presign(v, "dir/hello.txt", lambda: oss.GetObjectRequest(bucket=BUCKET, key="dir/hello.txt"),
                   3600, note="presigned GET")
        v2_presign(v, SPECIAL, lambda: oss.PutObjectRequest(
            bucket=BUCKET, key=SPECIAL, content_type="image/png"), 600,
            note="presigned PUT with Content-Type, special key")
        v2_presign(v, CHINESE, lambda: oss.GetObjectRequest(bucket=BUCKET, key=CHINESE), 900, sts=True,
                   note="presigned GET unicode key with STS")
        v2_presign(v, "big.bin", lambda: oss.UploadPartRequest(
            bucket=BUCKET, key="big.bin", upload_id="0004B9894A22E5B1888A1E29F823****", part_number=1),
            1200, note="presigned UploadPart")


def main():
    oss2_cases()
    v2_cases()
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sdk_vectors_python.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"generator": "gen_python.py", "fixed_now": FIXED_NOW, "vectors": vectors},
                  f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote %d vectors to %s" % (len(vectors), out), file=sys.stderr)


if __name__ == "__main__":
    main()
