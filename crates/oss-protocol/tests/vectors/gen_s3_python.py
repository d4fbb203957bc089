#!/usr/bin/env python3
"""Generate AWS SigV4 (S3) signing vectors with botocore and boto3, fully offline.

Two sources:
- botocore.auth.S3SigV4Auth / S3SigV4QueryAuth applied directly to hand-made
  AWSRequests (methods, keys with spaces, unicode, `~`, `+`, query parameters,
  session tokens, unsigned and streaming payloads, presigned URLs of various expiries);
- a boto3 S3 client with its default settings whose requests are caught before they
  would be sent (an event handler on `before-send` raises), and its presigner.

The clock is fixed by patching botocore's `get_current_datetime`; the invocation ids
boto3 signs come from a patched `uuid.uuid4`. Nothing touches the network. Writes
sdk_s3_vectors_python.json next to this script. See README.md in this folder.
"""

import base64
import datetime as _dt
import json
import os
import uuid
from urllib.parse import quote, urlsplit

import botocore
import botocore.auth
import botocore.compat
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode_sequence

FIXED_NOW = 1700000000  # 2023-11-14T22:13:20Z
FIXED = _dt.datetime.fromtimestamp(FIXED_NOW, _dt.timezone.utc).replace(tzinfo=None)
AK = "AKIDEXAMPLEVECTORS01"
SK = "vectors/SECRET+key=0123456789abcdefEXAMPLE"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/session+token=="


def fixed_datetime(remove_tzinfo=True):
    return FIXED if remove_tzinfo else FIXED.replace(tzinfo=_dt.timezone.utc)


botocore.auth.get_current_datetime = fixed_datetime
botocore.compat.get_current_datetime = fixed_datetime
_uuids = iter(range(1, 10_000))
uuid.uuid4 = lambda: uuid.UUID(int=next(_uuids))

import boto3  # noqa: E402
import botocore.config  # noqa: E402

BOTOCORE = "botocore " + botocore.__version__
BOTO3 = "boto3 " + boto3.__version__

# The canonical request each signature was computed from, caught as botocore builds it.
_last_canonical = []
_orig_canonical = botocore.auth.SigV4Auth.canonical_request


def _recording_canonical(self, request):
    cr = _orig_canonical(self, request)
    _last_canonical.append(cr)
    return cr


botocore.auth.SigV4Auth.canonical_request = _recording_canonical

vectors = []


def host_of(url):
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname
    if parts.port and parts.port != default:
        host = "%s:%d" % (host, parts.port)
    return host


def lower_headers(headers, url):
    out = []
    for k, v in headers.items():
        if isinstance(v, bytes):
            v = v.decode("utf-8")
        if k.lower() == "user-agent":
            continue  # unsigned, and names the machine that generated the file
        out.append([k.lower(), str(v)])
    if not any(k == "host" for k, _ in out):
        out.insert(0, ["host", host_of(url)])
    return out


def signed_list(form, headers, url):
    if form == "header":
        auth = dict(headers)["authorization"]
        return auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    query = urlsplit(url).query
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == "X-Amz-SignedHeaders":
            return value.replace("%3B", ";").split(";")
    raise ValueError("no X-Amz-SignedHeaders")


def record(sdk, form, method, url, headers, region, token=None, expires=None,
           canonical=None, note="", body=None):
    headers = lower_headers(headers, url)
    v = {
        "id": "%s-%s-%d" % (sdk.split()[0], form, len(vectors)),
        "sdk": sdk,
        "form": form,
        "note": note,
        "now": FIXED_NOW,
        "access_key_id": AK,
        "secret_access_key": SK,
        "session_token": token,
        "region": region,
        "method": method,
        "url": url,
        "headers": headers,
        "signed_headers": signed_list(form, headers, url),
        "expires_in": expires,
        "canonical_request": canonical,
    }
    if body is not None:
        v["chunked_body_b64"] = base64.b64encode(body).decode()
    vectors.append(v)


def creds(token):
    return Credentials(AK, SK, token)


def obj_url(endpoint, path, query=None):
    url = endpoint + quote(path, safe="/~")
    if query:
        url += "?" + percent_encode_sequence(query)
    return url


# ---- botocore.auth applied directly ------------------------------------------------
def direct_header(method, url, region, headers=None, body=b"", token=None,
                  unsigned=False, trailer=None, note=""):
    req = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
    if unsigned:
        req.context["payload_signing_enabled"] = False
    if trailer:
        req.context["checksum"] = {
            "request_algorithm": {"in": "trailer", "algorithm": "crc32", "name": trailer}
        }
    _last_canonical.clear()
    botocore.auth.S3SigV4Auth(creds(token), "s3", region).add_auth(req)
    record(BOTOCORE, "header", method, url, req.headers, region, token=token,
           canonical=_last_canonical[-1], note=note)


def direct_query(method, url, region, expires, headers=None, token=None, note=""):
    req = AWSRequest(method=method, url=url, headers=headers or {})
    _last_canonical.clear()
    botocore.auth.S3SigV4QueryAuth(creds(token), "s3", region, expires=expires).add_auth(req)
    record(BOTOCORE, "query", method, req.url, req.headers, region, token=token,
           expires=expires, canonical=_last_canonical[-1], note=note)


LOCAL = "http://127.0.0.1:9000"
VHOST = "https://vector-bucket.s3.eu-west-3.amazonaws.com"
R2 = "https://0123456789abcdef.r2.cloudflarestorage.com"


def direct_cases():
    direct_header("GET", obj_url(LOCAL, "/vector-bucket/simple.txt"), "us-east-1",
                  note="GET, path style, http: the empty body hashed")
    direct_header("GET", obj_url(VHOST, "/my file (1).txt"), "eu-west-3",
                  unsigned=True, note="GET, key with spaces and parentheses, unsigned payload")
    direct_header("PUT", obj_url(LOCAL, "/vector-bucket/目录/文件 ü.bin"), "us-east-1",
                  headers={"Content-Type": "application/octet-stream"}, body=b"\x00\x01binary",
                  note="PUT unicode key, hashed body")
    direct_header("PUT", obj_url(LOCAL, "/vector-bucket/a~b+c=d&e.txt"), "us-east-1",
                  headers={"Content-Type": "text/plain; charset=utf-8",
                           "x-amz-meta-Author": "alice", "Cache-Control": "max-age=60"},
                  body=b"hello, s3", note="PUT key with ~ + = &, metadata, cache-control")
    direct_header("DELETE", obj_url(VHOST, "/dir/sub dir/x"), "eu-west-3", unsigned=True,
                  note="DELETE nested key with a space")
    direct_header("HEAD", obj_url(LOCAL, "/vector-bucket/!*'()[]$@,;:"), "us-east-1",
                  note="HEAD key of reserved characters")
    direct_header("GET", obj_url(LOCAL, "/vector-bucket", [
        ("list-type", "2"), ("prefix", "photos/2023 summer"), ("delimiter", "/"),
        ("max-keys", "50"), ("continuation-token", "abc+def/=="), ("encoding-type", "url")]),
        "us-east-1", note="ListObjectsV2 with every list parameter")
    delete_xml = b"<Delete><Object><Key>a.txt</Key></Object></Delete>"
    direct_header("POST", obj_url(LOCAL, "/vector-bucket") + "?delete", "us-east-1",
                  headers={"Content-MD5": base64.b64encode(
                      __import__("hashlib").md5(delete_xml).digest()).decode()},
                  body=delete_xml, note="POST ?delete (bare parameter) with Content-MD5")
    direct_header("POST", obj_url(LOCAL, "/vector-bucket/big.bin") + "?uploads", "us-east-1",
                  note="POST ?uploads")
    direct_header("PUT", obj_url(LOCAL, "/vector-bucket/big.bin", [
        ("partNumber", "2"), ("uploadId", "VXBsb2FkIElE+/=")]), "us-east-1",
        body=b"part two", note="UploadPart")
    direct_header("GET", obj_url(VHOST, "/secret.txt"), "eu-west-3", token=TOKEN,
                  unsigned=True, note="GET with a session token")
    direct_header("PUT", obj_url(VHOST, "/upload.txt"), "eu-west-3", token=TOKEN,
                  unsigned=True, body=b"unsigned body", note="PUT, session token, unsigned")
    direct_header("GET", obj_url(LOCAL, "/vector-bucket/range.bin"), "us-east-1",
                  headers={"Range": "bytes=0-99", "x-amz-meta-spaces": "  a   b\tc  "},
                  note="header values trimmed and inner whitespace collapsed")
    direct_header("PUT", obj_url(VHOST, "/streamed.bin"), "eu-west-3",
                  headers={"Content-Encoding": "aws-chunked",
                           "x-amz-decoded-content-length": "11",
                           "x-amz-trailer": "x-amz-checksum-crc32"},
                  trailer="x-amz-checksum-crc32",
                  note="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    direct_header("GET", obj_url(R2, "/r2-bucket/object.txt"), "auto",
                  unsigned=True, note="Cloudflare R2: region auto")
    direct_header("GET", obj_url(LOCAL, "/vector-bucket/a//b/./c/../d"), "us-east-1",
                  note="a path S3 does not normalise")
    direct_header("GET", obj_url(LOCAL, "/vector-bucket/report.pdf", [
        ("versionId", ""),
        ("response-content-disposition", 'attachment; filename="r 1.pdf"')]),
        "us-east-1", note="empty query value, response-content-disposition")
    direct_header("PUT", obj_url(LOCAL, "/vector-bucket/copy of.txt"), "us-east-1",
                  headers={"x-amz-copy-source": "/src-bucket/src%20key.txt",
                           "x-amz-metadata-directive": "COPY"},
                  note="CopyObject")
    direct_header("GET", obj_url("https://s3.cn-north-1.amazonaws.com.cn", "/cn-bucket/k"),
                  "cn-north-1", unsigned=True, note="another partition's region")

    direct_query("GET", obj_url(LOCAL, "/vector-bucket/simple.txt"), "us-east-1", 60,
                 note="presigned GET, 60 s")
    direct_query("GET", obj_url(VHOST, "/secret.txt"), "eu-west-3", 3600, token=TOKEN,
                 note="presigned GET with a session token")
    direct_query("PUT", obj_url(LOCAL, "/vector-bucket/upload me.png"), "us-east-1", 604800,
                 headers={"Content-Type": "image/png"},
                 note="presigned PUT, the 7-day maximum, Content-Type signed")
    direct_query("GET", obj_url(LOCAL, "/vector-bucket/目录/文件 ü.bin"), "us-east-1", 900,
                 note="presigned GET, unicode key")
    direct_query("GET", obj_url(LOCAL, "/vector-bucket/report.pdf",
                                [("response-content-type", "application/pdf")]),
                 "us-east-1", 86400, note="presigned GET with response-content-type")
    direct_query("DELETE", obj_url(VHOST, "/a~b+c.txt"), "eu-west-3", 300,
                 note="presigned DELETE, virtual-hosted")
    direct_query("HEAD", obj_url(R2, "/r2-bucket/object.txt"), "auto", 1,
                 note="presigned HEAD, 1 s, region auto")


# ---- boto3 with its default settings -----------------------------------------------
class Intercepted(Exception):
    pass


def client(endpoint, region, token=None, path_style=False):
    # signature_version: boto3's presigner still writes SigV2 URLs unless asked for
    # s3v4; its request signing is SigV4 either way.
    cfg = botocore.config.Config(
        signature_version="s3v4",
        s3={"addressing_style": "path" if path_style else "virtual"},
        retries={"max_attempts": 1},
    )
    c = boto3.client("s3", region_name=region, endpoint_url=endpoint, config=cfg,
                     aws_access_key_id=AK, aws_secret_access_key=SK,
                     aws_session_token=token)
    c.meta.events.register("before-send.s3.*", _capture)
    return c


_sent = []


def _capture(request, **kwargs):
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    _sent.append((request.method, request.url, dict(request.headers), body))
    raise Intercepted()


def boto3_header(c, region, call, token=None, note="", keep_body=False):
    _sent.clear()
    _last_canonical.clear()
    try:
        call(c)
    except Intercepted:
        pass
    method, url, headers, body = _sent[-1]
    record(BOTO3, "header", method, url, headers, region, token=token,
           canonical=_last_canonical[-1], note=note,
           body=body if keep_body else None)


def boto3_presign(c, region, op, params, expires, token=None, headers=None, note=""):
    _last_canonical.clear()
    url = c.generate_presigned_url(op, Params=params, ExpiresIn=expires)
    method = {"get_object": "GET", "put_object": "PUT", "delete_object": "DELETE",
              "head_object": "HEAD", "upload_part": "PUT"}[op]
    record(BOTO3, "query", method, url, headers or {}, region, token=token,
           expires=expires, canonical=_last_canonical[-1], note=note)


def boto3_cases():
    aws = "https://s3.us-west-2.amazonaws.com"
    c = client(aws, "us-west-2")
    b = "vector-bucket"
    boto3_header(c, "us-west-2", lambda c: c.put_object(
        Bucket=b, Key="dir/hello world.txt", Body=b"hello, s3 trailer",
        ContentType="text/plain", Metadata={"colour": "blue"}),
        note="PutObject, defaults: aws-chunked with a CRC32 trailer", keep_body=True)
    boto3_header(c, "us-west-2", lambda c: c.get_object(
        Bucket=b, Key="dir/hello world.txt", Range="bytes=0-4"), note="GetObject with Range")
    boto3_header(c, "us-west-2", lambda c: c.list_objects_v2(
        Bucket=b, Prefix="dir/", Delimiter="/", MaxKeys=2, StartAfter="dir/a b"),
        note="ListObjectsV2")
    boto3_header(c, "us-west-2", lambda c: c.delete_objects(
        Bucket=b, Delete={"Objects": [{"Key": "a.txt"}, {"Key": "b c.txt"}]}),
        note="DeleteObjects (body checksum header)")
    boto3_header(c, "us-west-2", lambda c: c.create_multipart_upload(
        Bucket=b, Key="big+file.bin"), note="CreateMultipartUpload")
    boto3_header(c, "us-west-2", lambda c: c.upload_part(
        Bucket=b, Key="big+file.bin", UploadId="upload/id+1", PartNumber=3, Body=b"part"),
        note="UploadPart, aws-chunked", keep_body=True)
    boto3_header(c, "us-west-2", lambda c: c.complete_multipart_upload(
        Bucket=b, Key="big+file.bin", UploadId="upload/id+1",
        MultipartUpload={"Parts": [{"ETag": '"e1"', "PartNumber": 1}]}),
        note="CompleteMultipartUpload")
    boto3_header(c, "us-west-2", lambda c: c.copy_object(
        Bucket=b, Key="copy ü.txt", CopySource={"Bucket": "src", "Key": "from ü.txt"},
        MetadataDirective="REPLACE", Metadata={"k": "v"}), note="CopyObject")
    boto3_header(c, "us-west-2", lambda c: c.head_object(
        Bucket=b, Key="~tilde~", ChecksumMode="ENABLED"), note="HeadObject, checksum mode")
    boto3_header(c, "us-west-2", lambda c: c.abort_multipart_upload(
        Bucket=b, Key="big+file.bin", UploadId="upload/id+1"), note="AbortMultipartUpload")

    local = client("http://127.0.0.1:9000", "us-east-1", path_style=True)
    boto3_header(local, "us-east-1", lambda c: c.put_object(
        Bucket=b, Key="path style.txt", Body=b"over http"),
        note="PutObject over http, path style: checksum header, hashed body")
    boto3_header(local, "us-east-1", lambda c: c.list_objects_v2(Bucket=b),
                 note="ListObjectsV2, path style")
    sts = client(aws, "us-west-2", token=TOKEN)
    boto3_header(sts, "us-west-2", lambda c: c.put_object(
        Bucket=b, Key="sts.txt", Body=b"with a token"), token=TOKEN,
        note="PutObject with a session token", keep_body=True)
    boto3_header(sts, "us-west-2", lambda c: c.delete_object(Bucket=b, Key="sts.txt"),
                 token=TOKEN, note="DeleteObject with a session token")

    boto3_presign(c, "us-west-2", "get_object", {"Bucket": b, "Key": "dir/hello world.txt"},
                  3600, note="presigned GetObject")
    boto3_presign(c, "us-west-2", "put_object",
                  {"Bucket": b, "Key": "up load.png", "ContentType": "image/png"}, 600,
                  headers={"Content-Type": "image/png"}, note="presigned PutObject")
    boto3_presign(sts, "us-west-2", "get_object",
                  {"Bucket": b, "Key": "中文.txt", "ResponseContentType": "text/plain"},
                  604800, token=TOKEN, note="presigned GetObject, token, 7 days")
    boto3_presign(local, "us-east-1", "delete_object", {"Bucket": b, "Key": "x+y"}, 120,
                  note="presigned DeleteObject, path style")


direct_cases()
boto3_cases()
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "sdk_s3_vectors_python.json"), "w") as f:
    json.dump({"generator": "gen_s3_python.py", "fixed_now": FIXED_NOW,
               "vectors": vectors}, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("%d vectors (%s, %s)" % (len(vectors), BOTOCORE, BOTO3))
