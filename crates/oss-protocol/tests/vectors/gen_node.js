#!/usr/bin/env node
// Generate OSS signing vectors with the official Node SDK `ali-oss`, fully offline.
//
// The clock is fixed by replacing the global Date; requests are intercepted by a fake
// `urllib` (an ali-oss option) that records the signed request and throws, so nothing
// reaches the network. Writes sdk_vectors_node.json next to this script.
// See README.md in this folder for how to run it.
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

const fs = require('fs');
const path = require('path');
const OSS = require('ali-oss');
const SDK = `ali-oss ${require('ali-oss/package.json').version}`;

const AK = 'LTAI5tVectorTestKey';
const SK = 'VectorTestSecret/abc+123=';
const TOKEN = 'CAIS.fixed/sts+token==';
const BUCKET = 'vector-bucket';
const REGION = 'cn-hangzhou';

const vectors = [];
let last = null;

const fakeUrllib = {
  async request(url, params) {
    last = { url, method: params.method, headers: params.headers };
    throw new Error('intercepted before sending');
  }
};

function client(version, sts) {
  return new OSS({
    accessKeyId: AK,
    accessKeySecret: SK,
    stsToken: sts ? TOKEN : undefined,
    bucket: BUCKET,
    region: `oss-${REGION}`,
    secure: true,
    authorizationV4: version === 'v4',
    urllib: fakeUrllib,
    retryMax: 0
  });
}

function lowerHeaders(headers) {
  return Object.entries(headers || {})
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => [k.toLowerCase(), String(v)]);
}

function record(version, form, method, key, url, headers, sts, extra = {}) {
  vectors.push({
    id: `ali-oss-${version}-${form}-${vectors.length}`,
    sdk: SDK,
    version,
    form,
    note: extra.note || '',
    now: FIXED_NOW,
    access_key_id: AK,
    access_key_secret: SK,
    security_token: sts ? TOKEN : null,
    region: REGION,
    method,
    bucket: BUCKET,
    key,
    url,
    headers,
    additional_headers: extra.additional || [],
    expires_in: extra.expires === undefined ? null : extra.expires
  });
}

async function header(version, key, call, sts, note) {
  last = null;
  const c = client(version, sts);
  try {
    await call(c);
  } catch (e) {
    // expected: the fake urllib throws
  }
  if (!last) throw new Error(`not captured: ${note}`);
  record(version, 'header', last.method, key, last.url, lowerHeaders(last.headers), sts, { note });
}

const BODY = Buffer.from('hello, oss');
const SPECIAL = 'dir/a b+c%d#e?f~g.txt';
const CHINESE = '中文目录/文件 名.txt';
const UPLOAD_ID = '0004B9894A22E5B1888A1E29F823****';

async function main() {
  for (const v of ['v1', 'v4']) {
    await header(v, 'dir/hello.txt', c => c.put('dir/hello.txt', BODY, {
      headers: { 'Content-Type': 'text/plain' }, meta: { author: 'carol' }
    }), false, 'PUT with Content-MD5 (computed), Content-Type, user metadata');
    await header(v, 'img/photo.png', c => c.put('img/photo.png', BODY), true,
      'PUT with Content-Type guessed from the extension, STS');
    await header(v, SPECIAL, c => c.get(SPECIAL), false, 'GET special-character key');
    await header(v, CHINESE, c => c.head(CHINESE), false, 'HEAD unicode key');
    await header(v, 'to-delete', c => c.delete('to-delete'), true, 'DELETE with STS');
    await header(v, 'big.bin', c => c.initMultipartUpload('big.bin'), false, 'POST ?uploads');
    await header(v, 'acl.txt', c => c.putACL('acl.txt', 'public-read'), false, 'PUT ?acl');
    await header(v, 'log.txt', c => c.append('log.txt', BODY, { position: '5' }), false,
      'POST ?append&position=5');
    await header(v, null, c => c.list({ prefix: 'dir/', marker: 'dir/m', 'max-keys': 20, delimiter: '/' }),
      false, 'GET bucket with list parameters');
    await header(v, null, c => c.deleteMulti(['a.txt', 'b c.txt']), false, 'POST ?delete');
    await header(v, 'report.pdf', c => c.get('report.pdf', null, {
      response: { 'content-disposition': 'attachment; filename="r 1.pdf"' }
    }), false, 'GET response-content-disposition');
  }

  // V1 presigned URLs.
  const v1c = client('v1', false);
  const v1s = client('v1', true);
  const v1Cases = [
    [v1c, 'dir/hello.txt', { expires: 3600 }, [], 'presigned GET'],
    [v1c, SPECIAL, { method: 'PUT', expires: 600, 'Content-Type': 'image/png' }, [['content-type', 'image/png']],
      'presigned PUT with Content-Type, special key'],
    [v1s, CHINESE, { expires: 900, response: { 'content-disposition': 'attachment' } }, [],
      'presigned GET unicode key, STS, response-content-disposition'],
    [v1c, 'big.bin', { method: 'PUT', expires: 1200, subResource: { partNumber: 1, uploadId: UPLOAD_ID } }, [],
      'presigned UploadPart'],
    [v1c, 'h.txt', { method: 'HEAD', expires: 60, 'x-oss-meta-x': '1' }, [['x-oss-meta-x', '1']],
      'presigned HEAD with x-oss header']
  ];
  for (const [c, key, opts, hdrs, note] of v1Cases) {
    const expires = opts.expires;
    const method = opts.method || 'GET';
    const url = c.signatureUrl(key, opts);
    record('v1', 'query', method, key, url, hdrs, c === v1s, { expires, note });
  }

  // V4 presigned URLs.
  const v4c = client('v4', false);
  const v4s = client('v4', true);
  const v4Cases = [
    [v4c, 'GET', 'dir/hello.txt', 3600, {}, [], 'presigned GET'],
    [v4c, 'PUT', SPECIAL, 600, { headers: { 'Content-Type': 'image/png' } }, [], 'presigned PUT with Content-Type'],
    [v4s, 'GET', CHINESE, 900, { queries: { 'response-content-disposition': 'attachment' } }, [],
      'presigned GET unicode key, STS'],
    [v4c, 'PUT', 'big.bin', 1200, { queries: { partNumber: '1', uploadId: UPLOAD_ID } }, [], 'presigned UploadPart'],
    [v4c, 'GET', 'hosted.txt', 86400, { headers: { host: `${BUCKET}.oss-${REGION}.aliyuncs.com` } }, ['host'],
      'presigned with additional header host']
  ];
  for (const [c, method, key, expires, request, additional, note] of v4Cases) {
    const url = await c.signatureUrlV4(method, expires, request, key, additional);
    record('v4', 'query', method, key, url, lowerHeaders(request.headers), c === v4s,
      { expires, additional, note });
  }

  const out = path.join(__dirname, 'sdk_vectors_node.json');
  fs.writeFileSync(out, `${JSON.stringify({ generator: 'gen_node.js', fixed_now: FIXED_NOW, vectors }, null, 1)}\n`);
  process.stderr.write(`wrote ${vectors.length} vectors to ${out}\n`);
}

main().catch(e => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
