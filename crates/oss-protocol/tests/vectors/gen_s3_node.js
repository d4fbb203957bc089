#!/usr/bin/env node
// Generate AWS SigV4 (S3) signing vectors with the JavaScript SDK v3, fully offline.
//
// Three sources: `@smithy/signature-v4` (the SDK's signer) applied directly to
// hand-made requests; an `@aws-sdk/client-s3` S3Client with its default settings whose
// request handler records each signed request and throws instead of sending it; and
// `@aws-sdk/s3-request-presigner`. The clock is fixed by replacing the global Date and
// the invocation ids by replacing crypto.randomUUID. Writes sdk_s3_vectors_node.json
// next to this script. See README.md in this folder.
'use strict';

const FIXED_NOW = 1700000000; // 2023-11-14T22:13:20Z
const RealDate = Date;
class FixedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(FIXED_NOW * 1000);
    else super(...args);
  }
  static now() {
    return FIXED_NOW * 1000;
  }
}
global.Date = FixedDate;
let uuidCounter = 0;
const crypto = require('crypto');
crypto.randomUUID = () => `00000000-0000-4000-8000-${String(++uuidCounter).padStart(12, '0')}`;
if (globalThis.crypto) {
  globalThis.crypto.randomUUID = crypto.randomUUID;
}

const fs = require('fs');
const path = require('path');
const { SignatureV4 } = require('@smithy/signature-v4');
const { HttpRequest, buildQueryString } = require('@smithy/core/protocols');
const { Sha256 } = require('@aws-crypto/sha256-js');
const s3 = require('@aws-sdk/client-s3');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');

const version = (p) => require(`${p}/package.json`).version;
const SIGNER = `@smithy/signature-v4 ${version('@smithy/signature-v4')}`;
const CLIENT = `@aws-sdk/client-s3 ${version('@aws-sdk/client-s3')}`;
const PRESIGNER = `@aws-sdk/s3-request-presigner ${version('@aws-sdk/s3-request-presigner')}`;

const AK = 'AKIDEXAMPLEVECTORS02';
const SK = 'node/SECRET+key=0123456789abcdefEXAMPLE';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE/node+session==';

// The canonical request of each signature, caught as the signer builds it.
let lastCanonical = null;
const origCanonical = SignatureV4.prototype.createCanonicalRequest;
SignatureV4.prototype.createCanonicalRequest = function (...args) {
  lastCanonical = origCanonical.apply(this, args);
  return lastCanonical;
};

const vectors = [];

function urlOf(req) {
  const port = req.port ? `:${req.port}` : '';
  const qs = buildQueryString(req.query || {});
  return `${req.protocol}//${req.hostname}${port}${req.path}${qs ? `?${qs}` : ''}`;
}

function lowerHeaders(headers) {
  return Object.entries(headers || {})
    .filter(([k, v]) => v !== undefined && v !== null && k.toLowerCase() !== 'user-agent')
    .map(([k, v]) => [k.toLowerCase(), String(v)]);
}

function signedList(form, headers, url) {
  if (form === 'header') {
    const auth = headers.find(([k]) => k === 'authorization')[1];
    return auth.split('SignedHeaders=')[1].split(',')[0].split(';');
  }
  const q = new URL(url).searchParams.get('X-Amz-SignedHeaders');
  return q.split(';');
}

function record(sdk, form, method, url, headers, region, { token, expires, note, body } = {}) {
  headers = lowerHeaders(headers);
  if (!headers.some(([k]) => k === 'host')) {
    headers.unshift(['host', new URL(url).host]);
  }
  const v = {
    id: `${sdk.split(' ')[0].replace(/^@aws-sdk\/|^@smithy\//, '')}-${form}-${vectors.length}`,
    sdk,
    form,
    note: note || '',
    now: FIXED_NOW,
    access_key_id: AK,
    secret_access_key: SK,
    session_token: token || null,
    region,
    method,
    url,
    headers,
    signed_headers: signedList(form, headers, url),
    expires_in: expires || null,
    canonical_request: lastCanonical,
  };
  if (body) v.chunked_body_b64 = Buffer.from(body).toString('base64');
  vectors.push(v);
}

// ---- @smithy/signature-v4 applied directly ------------------------------------------
// S3's rule: each path segment encoded once (all but A-Za-z0-9-._~), '/' kept.
function encodeKey(key) {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function signer(region, token) {
  return new SignatureV4({
    credentials: { accessKeyId: AK, secretAccessKey: SK, sessionToken: token },
    region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: true,
  });
}

function request(endpoint, method, rawPath, query, headers, body) {
  const u = new URL(endpoint);
  return new HttpRequest({
    method,
    protocol: u.protocol,
    hostname: u.hostname,
    port: u.port ? Number(u.port) : undefined,
    path: encodeKey(rawPath),
    query: query || {},
    headers: { host: u.host, ...(headers || {}) },
    body,
  });
}

async function directHeader(endpoint, method, rawPath, region, opts = {}) {
  const req = request(endpoint, method, rawPath, opts.query, opts.headers, opts.body);
  const signed = await signer(region, opts.token).sign(req, { signingDate: new Date() });
  record(SIGNER, 'header', method, urlOf(signed), signed.headers, region, opts);
}

async function directPresign(endpoint, method, rawPath, region, expires, opts = {}) {
  // As @aws-sdk/s3-request-presigner does: S3 presigned URLs sign UNSIGNED-PAYLOAD (the
  // generic signer would sign the empty body's hash), and the header is hoisted into
  // the query like every x-amz-* header.
  const headers = { ...(opts.headers || {}), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  const req = request(endpoint, method, rawPath, opts.query, headers);
  const signed = await signer(region, opts.token).presign(req, {
    expiresIn: expires,
    signingDate: new Date(),
  });
  record(SIGNER, 'query', method, urlOf(signed), signed.headers, region, { ...opts, expires });
}

const LOCAL = 'http://127.0.0.1:9000';
const VHOST = 'https://vector-bucket.s3.ap-southeast-2.amazonaws.com';
const R2 = 'https://0123456789abcdef.r2.cloudflarestorage.com';
const UNSIGNED = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };

async function directCases() {
  await directHeader(LOCAL, 'GET', '/vector-bucket/simple.txt', 'us-east-1', {
    note: 'GET, path style, no body: the empty-body hash',
  });
  await directHeader(VHOST, 'GET', '/my file (1).txt', 'ap-southeast-2', {
    headers: UNSIGNED, note: 'key with spaces and parentheses, unsigned payload',
  });
  await directHeader(LOCAL, 'PUT', '/vector-bucket/目录/文件 ü.bin', 'us-east-1', {
    headers: { 'content-type': 'application/octet-stream' }, body: 'binary\u0000body',
    note: 'PUT unicode key, hashed body',
  });
  await directHeader(LOCAL, 'PUT', '/vector-bucket/a~b+c=d&e.txt', 'us-east-1', {
    headers: { 'content-type': 'text/plain', 'x-amz-meta-author': 'bob' }, body: 'hello, s3',
    note: 'PUT key with ~ + = &, metadata',
  });
  await directHeader(LOCAL, 'GET', '/vector-bucket', 'us-east-1', {
    query: { 'list-type': '2', prefix: 'photos/2023 summer', delimiter: '/', 'max-keys': '50',
      'continuation-token': 'abc+def/==' },
    note: 'ListObjectsV2 parameters',
  });
  await directHeader(LOCAL, 'POST', '/vector-bucket/big.bin', 'us-east-1', {
    query: { uploads: '' }, note: 'POST ?uploads',
  });
  await directHeader(VHOST, 'DELETE', '/dir/sub dir/x', 'ap-southeast-2', {
    headers: UNSIGNED, token: TOKEN, note: 'DELETE with a session token',
  });
  await directHeader(LOCAL, 'GET', '/vector-bucket/range.bin', 'us-east-1', {
    headers: { range: 'bytes=0-99', 'x-amz-meta-spaces': '  a   b  ' },
    note: 'header values trimmed, inner spaces collapsed',
  });
  await directHeader(VHOST, 'PUT', '/streamed.bin', 'ap-southeast-2', {
    headers: { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '11',
      'x-amz-trailer': 'x-amz-checksum-crc64nvme' },
    note: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER, CRC64NVME trailer',
  });
  await directHeader(R2, 'GET', '/r2-bucket/object.txt', 'auto', {
    headers: UNSIGNED, note: 'Cloudflare R2: region auto',
  });
  await directHeader(LOCAL, 'GET', '/vector-bucket/!*\'()[]$@,;:', 'us-east-1', {
    note: 'key of reserved characters',
  });
  await directHeader(LOCAL, 'GET', '/vector-bucket/report.pdf', 'us-east-1', {
    query: { versionId: '', 'response-content-disposition': 'attachment; filename="r 1.pdf"' },
    note: 'empty query value, response-content-disposition',
  });

  await directPresign(LOCAL, 'GET', '/vector-bucket/simple.txt', 'us-east-1', 60, {
    note: 'presigned GET, 60 s',
  });
  await directPresign(VHOST, 'GET', '/secret.txt', 'ap-southeast-2', 3600, {
    token: TOKEN, note: 'presigned GET with a session token',
  });
  await directPresign(LOCAL, 'PUT', '/vector-bucket/upload me.png', 'us-east-1', 604800, {
    headers: { 'content-type': 'image/png' }, note: 'presigned PUT, 7 days, Content-Type signed',
  });
  await directPresign(LOCAL, 'GET', '/vector-bucket/目录/文件 ü.bin', 'us-east-1', 900, {
    note: 'presigned GET, unicode key',
  });
}

// ---- @aws-sdk/client-s3 with its default settings -----------------------------------
class Intercepted extends Error {}
let sent = null;

const capture = {
  async handle(req) {
    let body = req.body;
    if (body && typeof body.pipe === 'function') {
      const parts = [];
      for await (const chunk of body) parts.push(Buffer.from(chunk));
      body = Buffer.concat(parts);
    }
    sent = { req, body };
    throw new Intercepted('intercepted before sending');
  },
  updateHttpClientConfig() {},
  httpHandlerConfigs() {
    return {};
  },
};

function client(endpoint, region, { token, pathStyle } = {}) {
  return new s3.S3Client({
    region,
    endpoint,
    forcePathStyle: !!pathStyle,
    credentials: { accessKeyId: AK, secretAccessKey: SK, sessionToken: token },
    requestHandler: capture,
    maxAttempts: 1,
    customUserAgent: 'jitstore-vectors',
  });
}

async function clientHeader(c, region, command, opts = {}) {
  sent = null;
  try {
    await c.send(command);
  } catch (e) {
    if (!(e instanceof Intercepted) && !(sent && e.message.includes('intercepted'))) throw e;
  }
  const { req, body } = sent;
  record(CLIENT, 'header', req.method, urlOf(req), req.headers, region, {
    ...opts,
    body: opts.keepBody ? body : undefined,
  });
}

async function presigned(c, region, command, method, expires, opts = {}) {
  const url = await getSignedUrl(c, command, { expiresIn: expires, signingDate: new Date() });
  record(PRESIGNER, 'query', method, url, opts.headers || {}, region, { ...opts, expires });
}

async function clientCases() {
  const aws = client(undefined, 'us-west-2');
  const B = 'vector-bucket';
  await clientHeader(aws, 'us-west-2', new s3.PutObjectCommand({
    Bucket: B, Key: 'dir/hello world.txt', Body: 'hello, s3 from node', ContentType: 'text/plain',
    Metadata: { colour: 'green' },
  }), { note: 'PutObject, defaults', keepBody: true });
  await clientHeader(aws, 'us-west-2', new s3.PutObjectCommand({
    Bucket: B, Key: 'streamed/body.bin', ContentLength: 23,
    Body: require('stream').Readable.from([Buffer.from('a stream of 23 bytes...')]),
  }), { note: 'PutObject with a stream body: aws-chunked with a checksum trailer', keepBody: true });
  await clientHeader(aws, 'us-west-2', new s3.GetObjectCommand({
    Bucket: B, Key: 'dir/hello world.txt', Range: 'bytes=0-4',
  }), { note: 'GetObject with Range' });
  await clientHeader(aws, 'us-west-2', new s3.ListObjectsV2Command({
    Bucket: B, Prefix: 'dir/', Delimiter: '/', MaxKeys: 2, ContinuationToken: 'tok+en/=',
  }), { note: 'ListObjectsV2' });
  await clientHeader(aws, 'us-west-2', new s3.DeleteObjectsCommand({
    Bucket: B, Delete: { Objects: [{ Key: 'a.txt' }, { Key: 'b c.txt' }] },
  }), { note: 'DeleteObjects' });
  await clientHeader(aws, 'us-west-2', new s3.CreateMultipartUploadCommand({
    Bucket: B, Key: 'big+file.bin',
  }), { note: 'CreateMultipartUpload' });
  await clientHeader(aws, 'us-west-2', new s3.UploadPartCommand({
    Bucket: B, Key: 'big+file.bin', UploadId: 'upload/id+1', PartNumber: 3, Body: 'part',
  }), { note: 'UploadPart', keepBody: true });
  await clientHeader(aws, 'us-west-2', new s3.CopyObjectCommand({
    Bucket: B, Key: 'copy ü.txt', CopySource: 'src/from%20%C3%BC.txt', MetadataDirective: 'COPY',
  }), { note: 'CopyObject' });
  await clientHeader(aws, 'us-west-2', new s3.HeadObjectCommand({
    Bucket: B, Key: '~tilde~',
  }), { note: 'HeadObject' });
  const local = client('http://127.0.0.1:9000', 'us-east-1', { pathStyle: true });
  await clientHeader(local, 'us-east-1', new s3.PutObjectCommand({
    Bucket: B, Key: 'path style.txt', Body: 'over http',
  }), { note: 'PutObject over http, path style', keepBody: true });
  await clientHeader(local, 'us-east-1', new s3.ListObjectsV2Command({ Bucket: B }), {
    note: 'ListObjectsV2, path style',
  });
  const sts = client(undefined, 'us-west-2', { token: TOKEN });
  await clientHeader(sts, 'us-west-2', new s3.DeleteObjectCommand({ Bucket: B, Key: 'sts.txt' }), {
    token: TOKEN, note: 'DeleteObject with a session token',
  });

  await presigned(aws, 'us-west-2', new s3.GetObjectCommand({ Bucket: B, Key: 'dir/hello world.txt' }),
    'GET', 3600, { note: 'presigned GetObject' });
  await presigned(aws, 'us-west-2', new s3.PutObjectCommand({
    Bucket: B, Key: 'up load.png', ContentType: 'image/png',
  }), 'PUT', 600, { note: 'presigned PutObject (Content-Type left unsigned)' });
  await presigned(sts, 'us-west-2', new s3.GetObjectCommand({
    Bucket: B, Key: '中文.txt', ResponseContentType: 'text/plain',
  }), 'GET', 604800, { token: TOKEN, note: 'presigned GetObject, token, 7 days' });
  await presigned(local, 'us-east-1', new s3.DeleteObjectCommand({ Bucket: B, Key: 'x+y' }),
    'DELETE', 120, { note: 'presigned DeleteObject, path style' });
}

(async () => {
  await directCases();
  await clientCases();
  const out = path.join(__dirname, 'sdk_s3_vectors_node.json');
  fs.writeFileSync(out, `${JSON.stringify({ generator: 'gen_s3_node.js', fixed_now: FIXED_NOW, vectors }, null, 1)}\n`);
  console.log(`${vectors.length} vectors (${SIGNER}, ${CLIENT}, ${PRESIGNER})`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
