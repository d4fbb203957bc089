#!/usr/bin/env node
// Drives the AWS SDK for JavaScript v3 (@aws-sdk/client-s3, @aws-sdk/s3-request-presigner,
// @aws-sdk/lib-storage) against an S3 endpoint (serve-s3), with the client's default
// settings (request checksums "WHEN_SUPPORTED": a streamed PutObject body goes as
// aws-chunked with a CRC32 trailer). Only the endpoint, credentials, region and
// addressing style are set.
//
// Every check prints one line ("ok NAME" or "FAIL NAME: why"); the run stops at the first
// failure with a non-zero exit. The last line is "N passed, M failed".
//
// Settings (environment): S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY,
// S3_REGION, S3_ADDRESSING ("path" or "virtual": bucket.localhost, resolved here to
// 127.0.0.1).
"use strict";

const crypto = require("crypto");
const dns = require("dns");
const http = require("http");
const zlib = require("zlib");
const { Readable } = require("stream");
const {
  S3Client, PutObjectCommand, GetObjectCommand, HeadObjectCommand, DeleteObjectCommand,
  CopyObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, paginateListObjectsV2,
  CreateMultipartUploadCommand, UploadPartCommand, AbortMultipartUploadCommand,
  ListMultipartUploadsCommand, ListPartsCommand, ListBucketsCommand, HeadBucketCommand,
  CreateBucketCommand, DeleteBucketCommand,
} = require("@aws-sdk/client-s3");
const { getSignedUrl } = require("@aws-sdk/s3-request-presigner");
const { Upload } = require("@aws-sdk/lib-storage");

const ENDPOINT = process.env.S3_ENDPOINT;
const BUCKET = process.env.S3_BUCKET;
const KEY_ID = process.env.S3_ACCESS_KEY_ID;
const SECRET = process.env.S3_SECRET_ACCESS_KEY;
const REGION = process.env.S3_REGION || "us-east-1";
const VIRTUAL = process.env.S3_ADDRESSING === "virtual";
const MIB = 1024 * 1024;
const RUN = crypto.randomBytes(4).toString("hex");
const key = (name) => `js-${RUN}/${name}`;

// bucket.localhost resolves to the loopback address.
function lookup(host, options, callback) {
  if (host === "localhost" || host.endsWith(".localhost")) host = "127.0.0.1";
  return dns.lookup(host, options, callback);
}
const agent = new http.Agent({ keepAlive: true, lookup });

function client(secret = SECRET, keyId = KEY_ID) {
  const { NodeHttpHandler } = require("@smithy/node-http-handler");
  return new S3Client({
    endpoint: ENDPOINT,
    region: REGION,
    forcePathStyle: !VIRTUAL,
    credentials: { accessKeyId: keyId, secretAccessKey: secret },
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    maxAttempts: 1,
  });
}
const s3 = client();

class CheckFailed extends Error {}
const expect = (cond, msg) => { if (!cond) throw new CheckFailed(msg); };
const expectEq = (actual, wanted, what) => {
  const a = JSON.stringify(actual), w = JSON.stringify(wanted);
  if (a !== w) throw new CheckFailed(`${what}: got ${a}, want ${w}`);
};
async function errorCode(promise) {
  try { await promise; } catch (err) { return err.name || err.Code; }
  throw new CheckFailed("the call succeeded; an error was expected");
}
async function bytes(body) { return Buffer.from(await body.transformToByteArray()); }
function request(method, url, data) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(data);
  });
}
const crc32 = (buf) => {
  let c, crc = 0xffffffff;
  for (const b of buf) { c = (crc ^ b) & 0xff; for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1; crc = (crc >>> 8) ^ c; }
  const out = Buffer.alloc(4); out.writeUInt32BE((crc ^ 0xffffffff) >>> 0); return out.toString("base64");
};

const checks = {
  async put_get_metadata() {
    const body = Buffer.from("hello from the JavaScript SDK ".repeat(50));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key("hello.txt"), Body: body,
      ContentType: "text/plain", Metadata: { colour: "green" } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key("hello.txt") }));
    expect((await bytes(got.Body)).equals(body), "body differs");
    expectEq([got.ContentType, got.Metadata], ["text/plain", { colour: "green" }], "type and metadata");
    expectEq(got.ETag, `"${crypto.createHash("md5").update(body).digest("hex")}"`, "etag");
  },
  async streamed_put_aws_chunked() {
    const body = crypto.randomBytes(200 * 1024);
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key("stream"),
      Body: Readable.from([body.subarray(0, 70000), body.subarray(70000)]), ContentLength: body.length }));
    expectEq(put.ChecksumCRC32, crc32(body), "CRC32 of the aws-chunked body");
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key("stream"), ChecksumMode: "ENABLED" }));
    expect((await bytes(got.Body)).equals(body), "streamed body differs");
    expectEq(got.ChecksumCRC32, crc32(body), "GetObject CRC32");
  },
  async bad_digest() {
    const code = await errorCode(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key("bad"),
      Body: Buffer.from("abc"), ChecksumCRC32: "AAAAAA==" })));
    expectEq(code, "BadDigest", "wrong CRC32");
  },
  async range_head_delete() {
    const body = crypto.randomBytes(1000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key("range"), Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key("range"), Range: "bytes=100-199" }));
    expect((await bytes(got.Body)).equals(body.subarray(100, 200)), "range body");
    expectEq(got.ContentRange, "bytes 100-199/1000", "content range");
    expectEq(await errorCode(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key("range"), Range: "bytes=2000-" }))),
      "InvalidRange", "range past the end");
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key("range") }));
    expectEq(head.ContentLength, 1000, "head length");
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key("range") }));
    expectEq(await errorCode(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key("range") }))), "NoSuchKey", "after delete");
    expectEq(await errorCode(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key("range") }))), "NotFound", "head after delete");
  },
  async presigned_get_put() {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key("pre get"), Body: Buffer.from("presigned") }));
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: key("pre get") }), { expiresIn: 300 });
    const got = await request("GET", getUrl);
    expectEq([got.status, got.body.toString()], [200, "presigned"], "presigned GET");
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: key("pre+put") }), { expiresIn: 300 });
    const put = await request("PUT", putUrl, Buffer.from("through a URL"));
    expectEq(put.status, 200, `presigned PUT (${put.body.toString().slice(0, 300)})`);
    const back = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key("pre+put") }));
    expectEq((await bytes(back.Body)).toString(), "through a URL", "object put through a URL");
  },
  async expired_url() {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: key("pre get") }),
      { expiresIn: 60, signingDate: new Date(Date.now() - 3600 * 1000) });
    const got = await request("GET", url);
    const text = got.body.toString();
    expect(got.status === 403 && text.includes("<Code>AccessDenied</Code>") && text.includes("Request has expired"),
      `expired URL: ${got.status} ${text.slice(0, 300)}`);
  },
  async wrong_secret_and_key() {
    expectEq(await errorCode(client(SECRET + "x").send(new GetObjectCommand({ Bucket: BUCKET, Key: key("hello.txt") }))),
      "SignatureDoesNotMatch", "wrong secret");
    expectEq(await errorCode(client(SECRET, "AKIDUNKNOWN").send(new ListObjectsV2Command({ Bucket: BUCKET }))),
      "InvalidAccessKeyId", "unknown key id");
  },
  async list_delimiter_and_pages() {
    const names = ["a/1", "a/2", "b/1", "c", "d", "sp ace+plus/é"];
    for (const n of names) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key("list/" + n), Body: Buffer.from(n) }));
    const got = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key("list/"), Delimiter: "/" }));
    expectEq((got.CommonPrefixes || []).map((p) => p.Prefix), [key("list/a/"), key("list/b/"), key("list/sp ace+plus/")], "common prefixes");
    expectEq(got.Contents.map((c) => c.Key), [key("list/c"), key("list/d")], "contents");
    const seen = []; let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: BUCKET, Prefix: key("list/") })) {
      pages += 1; expect(page.KeyCount <= 2, "page larger than MaxKeys");
      for (const c of page.Contents || []) seen.push(c.Key);
    }
    expectEq(seen, names.map((n) => key("list/" + n)), "keys over pages");
    expectEq(pages, 3, "pages");
  },
  async copy() {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key("src"), Body: Buffer.from("copy me"), Metadata: { a: "1" } }));
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key("dst"), CopySource: `${BUCKET}/${encodeURIComponent(key("src"))}` }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key("dst") }));
    expectEq([(await bytes(got.Body)).toString(), got.Metadata], ["copy me", { a: "1" }], "copy");
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key("dst2"), CopySource: `${BUCKET}/${encodeURIComponent(key("src"))}`,
      MetadataDirective: "REPLACE", Metadata: { b: "2" } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key("dst2") }));
    expectEq(head.Metadata, { b: "2" }, "REPLACE");
  },
  async batch_delete() {
    const keys = [0, 1, 2, 3].map((i) => key(`batch/${i}`));
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: Buffer.from("x") }));
    const got = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    expectEq(got.Deleted.map((d) => d.Key).sort(), keys.slice().sort(), "deleted");
    const left = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key("batch/") }));
    expectEq(left.KeyCount, 0, "left after batch delete");
  },
  async lib_storage_upload() {
    const data = crypto.randomBytes(11 * MIB + 7);
    const upload = new Upload({ client: s3, params: { Bucket: BUCKET, Key: key("big"), Body: data }, partSize: 5 * MIB, queueSize: 2 });
    const done = await upload.done();
    expect(String(done.ETag).endsWith('-3"'), `multipart ETag ${done.ETag}`);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key("big") }));
    expect((await bytes(got.Body)).equals(data), "multipart object differs");
  },
  async abort_and_listings() {
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key("aborted") }));
    await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key("aborted"), UploadId: up.UploadId, PartNumber: 1, Body: Buffer.from("part") }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key("aborted") }));
    expectEq((uploads.Uploads || []).map((u) => u.UploadId), [up.UploadId], "ListMultipartUploads");
    const parts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key("aborted"), UploadId: up.UploadId }));
    expectEq(parts.Parts.map((p) => [p.PartNumber, p.Size]), [[1, 4]], "ListParts");
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key("aborted"), UploadId: up.UploadId }));
    expectEq(await errorCode(s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key("aborted"), UploadId: up.UploadId }))),
      "NoSuchUpload", "ListParts after abort");
  },
  async buckets() {
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets.some((b) => b.Name === BUCKET), "ListBuckets");
    await s3.send(new HeadBucketCommand({ Bucket: BUCKET }));
    expectEq(await errorCode(s3.send(new HeadBucketCommand({ Bucket: `missing-${RUN}` }))), "NotFound", "HeadBucket of a missing bucket");
    const extra = `js-${RUN}`;
    await s3.send(new CreateBucketCommand({ Bucket: extra }));
    await s3.send(new PutObjectCommand({ Bucket: extra, Key: "k", Body: Buffer.from("x") }));
    expectEq(await errorCode(s3.send(new DeleteBucketCommand({ Bucket: extra }))), "BucketNotEmpty", "DeleteBucket with objects");
    await s3.send(new DeleteObjectCommand({ Bucket: extra, Key: "k" }));
    await s3.send(new DeleteBucketCommand({ Bucket: extra }));
    expectEq(await errorCode(s3.send(new HeadBucketCommand({ Bucket: extra }))), "NotFound", "HeadBucket after DeleteBucket");
  },
};

(async () => {
  let passed = 0;
  for (const [name, check] of Object.entries(checks)) {
    try {
      await check();
    } catch (err) {
      console.log(`FAIL ${name}: ${err && err.name}: ${err && err.message}`);
      console.log(`${passed} passed, 1 failed`);
      process.exit(1);
    }
    passed += 1;
    console.log(`ok ${name}`);
  }
  console.log(`${passed} passed, 0 failed`);
  process.exit(0);
})();
