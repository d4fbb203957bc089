#!/usr/bin/env node
// Drives the official Aliyun OSS Node.js SDK (ali-oss) against an OSS endpoint.
//
// Proves that a server speaks OSS as ali-oss expects: objects, ranges, metadata,
// presigned URLs, multipart, listing, copy, batch delete, and the error codes ali-oss
// puts on its errors. Every check prints one line; the first failure stops the run
// with a non-zero exit. The last line is "N passed, 0 failed".
//
// Addressing: the client is made with `sldEnable: true`, which makes ali-oss send
// path-style requests (http://HOST:PORT/bucket/key) and never prefix the bucket to the
// host. Use http://localhost:PORT rather than http://127.0.0.1:PORT: ali-oss's
// signatureUrl refuses endpoints whose host is an IP address. `localhost` is resolved
// IPv4 first, so a server listening on 127.0.0.1 is reached.
//
// Settings (flags override environment variables):
//   --endpoint           OSS_ENDPOINT            e.g. http://localhost:9000
//   --bucket             OSS_BUCKET              an existing bucket
//   --access-key-id      OSS_ACCESS_KEY_ID
//   --access-key-secret  OSS_ACCESS_KEY_SECRET   (prefer the variable: flags show in ps)
//   --signature-version  OSS_SIGNATURE_VERSION   1 or 4 (authorizationV4: true), default 4
//   --region             OSS_REGION              V4 signing region, default cn-hangzhou
//   --only               OSS_ONLY_CHECKS         comma-separated check names: run only these
//   --skip               OSS_SKIP_CHECKS         comma-separated check names: leave these out
// ali-oss is loaded from NODE_PATH (install.sh puts it in target/sdk-oracles/node).

'use strict';

const crypto = require('crypto');
const dns = require('dns');
const OSS = require('ali-oss');
const aliOssVersion = require('ali-oss/package.json').version;

dns.setDefaultResultOrder('ipv4first');
if (typeof fetch !== 'function') {
  console.error(`ali_oss_client.js needs Node.js 18 or later (global fetch); this is ${process.version}`);
  process.exit(2);
}

const MIB = 1024 * 1024;

class CheckFailed extends Error {}

function expect(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

function expectEq(actual, wanted, what) {
  const a = JSON.stringify(actual);
  const w = JSON.stringify(wanted);
  if (a !== w) throw new CheckFailed(`${what}: got ${a}, want ${w}`);
}

function md5Upper(data) {
  return crypto.createHash('md5').update(data).digest('hex').toUpperCase();
}

function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function unquote(etag) {
  return (etag || '').replace(/"/g, '');
}

function errorCode(body) {
  const match = /<Code>([^<]*)<\/Code>/.exec(body || '');
  return match ? match[1] : null;
}

// Plain HTTP (no SDK): returns {status, headers, body} also for 4xx/5xx.
async function http(method, url, body, headers) {
  const resp = await fetch(url, { method, body, headers: headers || {} });
  return { status: resp.status, headers: resp.headers, body: Buffer.from(await resp.arrayBuffer()) };
}

async function expectOssError(call, code, status) {
  try {
    await call();
  } catch (err) {
    if (err instanceof CheckFailed) throw err;
    const raw = err.res && err.res.headers ? ` headers ${JSON.stringify(err.res.headers)}` : '';
    expectEq(err.code, code, `error code (${err.name}: ${err.message}${raw})`);
    expectEq(err.status, status, 'HTTP status');
    return err;
  }
  throw new CheckFailed(`expected an error ${code}, the call succeeded`);
}

// Runs `fn` with the global clock `ms` off (negative: in the past). ali-oss reads
// Date.now() (V1 presign) and new Date() (V4 presign) when it signs, so a URL signed
// this way is already expired, and nothing waits on the real clock.
async function withClockShifted(ms, fn) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + ms);
      else super(...args);
    }

    static now() {
      return RealDate.now() + ms;
    }
  }
  global.Date = ShiftedDate;
  try {
    return await fn();
  } finally {
    global.Date = RealDate;
  }
}

function settings() {
  const names = {
    '--endpoint': 'OSS_ENDPOINT',
    '--bucket': 'OSS_BUCKET',
    '--access-key-id': 'OSS_ACCESS_KEY_ID',
    '--access-key-secret': 'OSS_ACCESS_KEY_SECRET',
    '--signature-version': 'OSS_SIGNATURE_VERSION',
    '--region': 'OSS_REGION',
    '--only': 'OSS_ONLY_CHECKS',
    '--skip': 'OSS_SKIP_CHECKS',
  };
  const values = { OSS_SIGNATURE_VERSION: '4', OSS_REGION: 'cn-hangzhou' };
  for (const env of Object.values(names)) if (process.env[env]) values[env] = process.env[env];
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (!names[flag]) usage(`unknown argument ${argv[i]}`);
    values[names[flag]] = inline !== undefined ? inline : argv[++i];
  }
  const missing = ['OSS_ENDPOINT', 'OSS_BUCKET', 'OSS_ACCESS_KEY_ID', 'OSS_ACCESS_KEY_SECRET'].filter(n => !values[n]);
  if (missing.length) usage(`missing settings: ${missing.join(', ')} (flags or variables)`);
  if (!['1', '4'].includes(values.OSS_SIGNATURE_VERSION)) usage('signature version must be 1 or 4');
  if (/^https?:\/\/(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\])(:|\/|$)/i.test(values.OSS_ENDPOINT)) {
    usage('ali-oss signatureUrl refuses IP endpoints: use http://localhost:PORT instead of an IP address');
  }
  return values;
}

function usage(message) {
  console.error(`ali_oss_client.js: ${message}`);
  console.error('usage: node ali_oss_client.js --endpoint URL --bucket NAME --access-key-id ID '
    + '[--access-key-secret SECRET] [--signature-version 1|4] [--region REGION]');
  process.exit(2);
}

class Suite {
  constructor(s) {
    this.s = s;
    this.v4 = s.OSS_SIGNATURE_VERSION === '4';
    this.client = this.makeClient(s.OSS_ACCESS_KEY_SECRET);
    // A fresh prefix per run, so runs against one long-lived server do not collide.
    this.prefix = `ali-oss-v${s.OSS_SIGNATURE_VERSION}-${crypto.randomBytes(4).toString('hex')}/`;
  }

  makeClient(secret) {
    return new OSS({
      endpoint: this.s.OSS_ENDPOINT,
      bucket: this.s.OSS_BUCKET,
      accessKeyId: this.s.OSS_ACCESS_KEY_ID,
      accessKeySecret: secret,
      region: `oss-${this.s.OSS_REGION}`,
      authorizationV4: this.v4,
      sldEnable: true,
      timeout: 120000,
    });
  }

  key(name) {
    return this.prefix + name;
  }

  async signUrl(method, key, expires, contentType) {
    if (this.v4) {
      const headers = contentType ? { 'Content-Type': contentType } : {};
      return this.client.signatureUrlV4(method, expires, { headers }, key);
    }
    const options = { method, expires };
    if (contentType) options['Content-Type'] = contentType;
    return this.client.signatureUrl(key, options);
  }

  // --- objects -------------------------------------------------------------------

  async putGet() {
    const data = crypto.randomBytes(3000);
    const put = await this.client.put(this.key('plain.bin'), data);
    expectEq(put.res.status, 200, 'PutObject status');
    expectEq(unquote(put.res.headers.etag), md5Upper(data), 'PutObject ETag (upper-case MD5)');
    const got = await this.client.get(this.key('plain.bin'));
    expect(got.content.equals(data), 'GetObject body differs from what was put');
    expectEq(got.res.headers.etag, put.res.headers.etag, 'GetObject ETag');
    return 'put then get: same bytes and ETag';
  }

  async rangeGet() {
    const whole = (await this.client.get(this.key('plain.bin'))).content;
    const got = await this.client.get(this.key('plain.bin'), null, { headers: { Range: 'bytes=100-1099' } });
    expectEq(got.res.status, 206, 'ranged get status');
    expectEq(got.res.headers['content-range'], 'bytes 100-1099/3000', 'Content-Range');
    expect(got.content.equals(whole.subarray(100, 1100)), 'ranged get bytes differ');
    const tail = await this.client.get(this.key('plain.bin'), null, { headers: { Range: 'bytes=-10' } });
    expect(tail.content.equals(whole.subarray(whole.length - 10)), 'suffix range bytes differ');
    return 'get with Range: 206, Content-Range and the right bytes (also a suffix range)';
  }

  async head() {
    const head = await this.client.head(this.key('plain.bin'));
    expectEq(head.status, 200, 'head status');
    expectEq(head.res.headers['content-length'], '3000', 'head Content-Length');
    expectEq(head.res.headers['x-oss-object-type'], 'Normal', 'x-oss-object-type');
    expect(head.res.headers['last-modified'], 'head has a Last-Modified');
    const meta = await this.client.getObjectMeta(this.key('plain.bin'));
    expectEq(meta.res.headers['content-length'], '3000', 'getObjectMeta Content-Length');
    return 'head and getObjectMeta: length, Last-Modified, object type';
  }

  async userMetadata() {
    await this.client.put(this.key('meta.json'), Buffer.from('{}'), {
      meta: { author: 'alice', project: 'jit interop' },
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' },
    });
    const head = await this.client.head(this.key('meta.json'));
    expectEq(head.meta, { author: 'alice', project: 'jit interop' }, 'head meta');
    expectEq(head.res.headers['content-type'], 'application/json', 'Content-Type');
    expectEq(head.res.headers['cache-control'], 'no-cache', 'Cache-Control');
    const got = await this.client.get(this.key('meta.json'));
    expectEq(got.res.headers['x-oss-meta-author'], 'alice', 'get x-oss-meta-author');
    return 'user metadata (meta option), Content-Type and Cache-Control round trip';
  }

  async delete() {
    await this.client.put(this.key('gone.txt'), Buffer.from('bye'));
    const del = await this.client.delete(this.key('gone.txt'));
    expectEq(del.res.status, 204, 'delete status');
    await expectOssError(() => this.client.head(this.key('gone.txt')), 'NoSuchKey', 404);
    await this.client.delete(this.key('gone.txt')); // deleting a missing key is not an error
    return 'delete, then head fails with NoSuchKey, and a second delete still succeeds';
  }

  async specialKeys() {
    const names = ['中文/文件 名.txt', 'a+b%20c?d#e&f=g;h.txt', "sp ace/~!@$^*()_-'=,.txt", 'x//double-slash'];
    const base = this.key('odd/');
    for (const name of names) {
      const data = Buffer.from(name.repeat(3));
      await this.client.put(base + name, data);
      const got = await this.client.get(base + name);
      expect(got.content.equals(data), `bytes of ${JSON.stringify(name)} differ`);
      const resp = await http('GET', await this.signUrl('GET', base + name, 300));
      expectEq([resp.status, resp.body.toString()], [200, data.toString()], `presigned GET of ${JSON.stringify(name)}`);
    }
    const listed = await this.client.list({ prefix: base, 'max-keys': 100 });
    expectEq((listed.objects || []).map(o => o.name).sort(), names.map(n => base + n).sort(), 'listed special keys');
    return 'keys with unicode, space, + % ? # & = and // round trip (get, presigned GET, list)';
  }

  async conditional() {
    const key = this.key('plain.bin');
    const { etag } = (await this.client.head(key)).res.headers;
    const notModified = await this.client.get(key, null, { headers: { 'If-None-Match': etag } });
    expectEq(notModified.res.status, 304, 'get with If-None-Match of the current ETag');
    await expectOssError(() => this.client.get(key, null, { headers: { 'If-Match': '"0123456789ABCDEF"' } }),
      'PreconditionFailed', 412);
    return 'If-None-Match gives 304, a wrong If-Match 412 PreconditionFailed';
  }

  async append() {
    const key = this.key('append.log');
    const first = await this.client.append(key, Buffer.from('line 1\n'));
    expectEq(first.nextAppendPosition, '7', 'x-oss-next-append-position');
    const second = await this.client.append(key, Buffer.from('line 2\n'), { position: first.nextAppendPosition });
    expectEq(second.nextAppendPosition, '14', 'next position after the second append');
    await expectOssError(() => this.client.append(key, Buffer.from('x'), { position: '3' }),
      'PositionNotEqualToLength', 409);
    const got = await this.client.get(key);
    expectEq(got.content.toString(), 'line 1\nline 2\n', 'appended bytes');
    expectEq(got.res.headers['x-oss-object-type'], 'Appendable', 'x-oss-object-type');
    return 'append twice (positions); a wrong position gives PositionNotEqualToLength';
  }

  async noSuchKey() {
    const err = await expectOssError(() => this.client.get(this.key('missing.txt')), 'NoSuchKey', 404);
    expect(err.requestId, 'NoSuchKey carries a request id');
    return 'get of a missing key fails with code NoSuchKey (404)';
  }

  // --- presigned URLs ----------------------------------------------------------------

  async presignedGet() {
    const data = Buffer.from('presigned get body');
    const key = this.key('dir/shared file+1.txt');
    await this.client.put(key, data);
    const url = await this.signUrl('GET', key, 300);
    const resp = await http('GET', url);
    expectEq(resp.status, 200, `status of presigned GET ${url}`);
    expect(resp.body.equals(data), 'presigned GET body differs');
    return `${this.v4 ? 'signatureUrlV4' : 'signatureUrl'} GET (key with '/', space and '+') fetched with fetch()`;
  }

  async presignedPut() {
    const key = this.key('upload.txt');
    const url = await this.signUrl('PUT', key, 300, 'text/plain');
    const resp = await http('PUT', url, Buffer.from('sent without the SDK'), { 'Content-Type': 'text/plain' });
    expectEq(resp.status, 200, `presigned PUT status (body ${resp.body.toString().slice(0, 300)})`);
    const got = await this.client.get(key);
    expectEq(got.content.toString(), 'sent without the SDK', 'body of the presigned PUT');
    expectEq(got.res.headers['content-type'], 'text/plain', 'Content-Type of the presigned PUT');
    const other = await http('PUT', url, Buffer.from('other'), { 'Content-Type': 'image/png' });
    expectEq([other.status, errorCode(other.body.toString())], [403, 'SignatureDoesNotMatch'],
      'PUT with another Content-Type');
    return 'presigned PUT with Content-Type, then get; another Content-Type is refused';
  }

  async presignedResponseHeaders() {
    const key = this.key('report.csv');
    await this.client.put(key, Buffer.from('a,b\n'), { headers: { 'Content-Type': 'text/csv' } });
    const overrides = {
      'content-disposition': 'attachment; filename="report 1.csv"',
      'content-type': 'application/octet-stream',
      'cache-control': 'no-store',
    };
    let url;
    if (this.v4) {
      const queries = {};
      for (const [k, v] of Object.entries(overrides)) queries[`response-${k}`] = v;
      url = await this.client.signatureUrlV4('GET', 300, { queries }, key);
    } else {
      url = this.client.signatureUrl(key, { expires: 300, response: overrides });
    }
    const resp = await http('GET', url);
    expectEq([resp.status, resp.body.toString()], [200, 'a,b\n'], 'presigned GET with response-* overrides');
    for (const [k, v] of Object.entries(overrides)) expectEq(resp.headers.get(k), v, `overridden ${k}`);
    return 'presigned GET with response-content-disposition/-type/-cache-control overrides';
  }

  async expiredPresigned() {
    await this.client.put(this.key('expired.txt'), Buffer.from('x'));
    // Signed "an hour ago", valid for 60 s: already expired.
    const url = await withClockShifted(-3600 * 1000, () => this.signUrl('GET', this.key('expired.txt'), 60));
    const resp = await http('GET', url);
    const body = resp.body.toString();
    expectEq([resp.status, errorCode(body)], [403, 'AccessDenied'], `expired URL answer ${body.slice(0, 300)}`);
    expect(/expired/i.test(body), `message says expired: ${body.slice(0, 300)}`);
    return 'a presigned URL signed an hour ago for 60 s is refused (403 AccessDenied, expired)';
  }

  // --- multipart ---------------------------------------------------------------------

  async multipart() {
    const key = this.key('big/multipart.bin');
    const data = crypto.randomBytes(12 * MIB + 12345);
    const progress = [];
    const result = await this.client.multipartUpload(key, data, {
      partSize: 4 * MIB,
      parallel: 2,
      progress: p => progress.push(p),
    });
    expectEq(result.res.status, 200, 'CompleteMultipartUpload status');
    expectEq(progress[progress.length - 1], 1, 'final progress');
    const head = await this.client.head(key);
    expectEq(head.res.headers['content-length'], String(data.length), 'multipart object length');
    expectEq(head.res.headers['x-oss-object-type'], 'Multipart', 'x-oss-object-type');
    expect(unquote(head.res.headers.etag).endsWith('-4'), `multipart ETag ends with -4: ${head.res.headers.etag}`);
    const got = await this.client.get(key);
    expectEq(sha256(got.content), sha256(data), 'multipart object bytes');
    return `multipartUpload of ${data.length} bytes in 4 MiB parts, 2 in parallel`;
  }

  async multipartByHand() {
    const key = this.key('big/by-hand.bin');
    const sizes = [5 * MIB, 5 * MIB, 2 * MIB + 7];
    const whole = crypto.randomBytes(sizes.reduce((a, b) => a + b, 0));
    const init = await this.client.initMultipartUpload(key);
    const done = [];
    let start = 0;
    for (let i = 0; i < sizes.length; i += 1) {
      const end = start + sizes[i];
      const res = await this.client.uploadPart(key, init.uploadId, i + 1, whole, start, end);
      expectEq(unquote(res.etag), md5Upper(whole.subarray(start, end)), `part ${i + 1} ETag`);
      done.push({ number: i + 1, etag: res.etag });
      start = end;
    }
    const listed = await this.client.listParts(key, init.uploadId);
    expectEq(listed.parts.map(p => [Number(p.PartNumber), Number(p.Size)]), sizes.map((n, i) => [i + 1, n]),
      'listParts');
    await this.client.completeMultipartUpload(key, init.uploadId, done);
    const got = await this.client.get(key);
    expectEq(sha256(got.content), sha256(whole), 'multipart object bytes');
    const aborted = await this.client.initMultipartUpload(this.key('big/aborted.bin'));
    await this.client.abortMultipartUpload(this.key('big/aborted.bin'), aborted.uploadId);
    await expectOssError(() => this.client.listParts(this.key('big/aborted.bin'), aborted.uploadId),
      'NoSuchUpload', 404);
    return 'initMultipartUpload, 3 parts, listParts, completeMultipartUpload; abort then NoSuchUpload';
  }

  // --- listing, copy, batch delete --------------------------------------------------------

  async listing() {
    const base = this.key('list/');
    const names = ['a.txt', 'b.txt', 'sub1/c.txt', 'sub1/deeper/d.txt', 'sub2/e.txt'];
    for (const name of names) await this.client.put(base + name, Buffer.from(name));
    const v1 = await this.client.list({ prefix: base, delimiter: '/', 'max-keys': 100 });
    expectEq((v1.objects || []).map(o => o.name), [`${base}a.txt`, `${base}b.txt`], 'list objects');
    expectEq(v1.prefixes, [`${base}sub1/`, `${base}sub2/`], 'list common prefixes');
    expectEq(v1.objects[0].size, 'a.txt'.length, 'listed size');
    const v2 = await this.client.listV2({ prefix: base, delimiter: '/', 'max-keys': 100 });
    expectEq((v2.objects || []).map(o => o.name), [`${base}a.txt`, `${base}b.txt`], 'listV2 objects');
    expectEq(v2.prefixes, [`${base}sub1/`, `${base}sub2/`], 'listV2 common prefixes');
    const paged = [];
    let marker = null;
    do {
      const page = await this.client.list({ prefix: base, 'max-keys': 2, marker });
      paged.push(...(page.objects || []).map(o => o.name));
      marker = page.isTruncated ? page.nextMarker : null;
    } while (marker);
    expectEq(paged, names.map(n => base + n), 'list pages of 2 (marker)');
    const paged2 = [];
    let token = null;
    do {
      const page = await this.client.listV2({ prefix: base, 'max-keys': 2, 'continuation-token': token });
      paged2.push(...(page.objects || []).map(o => o.name));
      token = page.isTruncated ? page.nextContinuationToken : null;
    } while (token);
    expectEq(paged2, names.map(n => base + n), 'listV2 pages of 2 (continuation-token)');
    return 'list and listV2 with prefix and delimiter (common prefixes), paged 2 at a time';
  }

  async copy() {
    const src = this.key('copy/source.txt');
    const dst = this.key('copy/target.txt');
    await this.client.put(src, Buffer.from('copy me'), { meta: { origin: 'source' } });
    const copied = await this.client.copy(dst, src);
    expectEq(copied.res.status, 200, 'copy status');
    const got = await this.client.get(dst);
    expectEq(got.content.toString(), 'copy me', 'copied bytes');
    expectEq(got.res.headers['x-oss-meta-origin'], 'source', 'copied metadata');
    await this.client.copy(this.key('copy/replaced.txt'), src, { meta: { origin: 'new' } });
    const head = await this.client.head(this.key('copy/replaced.txt'));
    expectEq(head.meta, { origin: 'new' }, 'replaced metadata');
    return 'copy keeps bytes and metadata; copy with meta replaces it';
  }

  async batchDelete() {
    const keys = [0, 1, 2, 3, 4].map(i => this.key(`batch/${i}.txt`));
    for (const k of keys) await this.client.put(k, Buffer.from('x'));
    const all = keys.concat([this.key('batch/never-existed.txt')]);
    const result = await this.client.deleteMulti(all, { quiet: false });
    expectEq(result.deleted.map(d => d.Key || d).sort(), all.slice().sort(), 'deleted keys');
    const left = await this.client.list({ prefix: this.key('batch/') });
    expectEq(left.objects || [], [], 'objects left after batch delete');
    return 'deleteMulti (DeleteMultipleObjects) deletes all and reports each key';
  }

  // --- refusals ------------------------------------------------------------------------

  async wrongSecret() {
    const bad = this.makeClient(`${this.s.OSS_ACCESS_KEY_SECRET}-wrong`);
    await expectOssError(() => bad.get(this.key('plain.bin')), 'SignatureDoesNotMatch', 403);
    await expectOssError(() => bad.put(this.key('bad.txt'), Buffer.from('x')), 'SignatureDoesNotMatch', 403);
    await expectOssError(() => this.client.head(this.key('bad.txt')), 'NoSuchKey', 404);
    return 'a client with a wrong secret gets SignatureDoesNotMatch (403) on get and put';
  }

  async headErrorCodes() {
    // HEAD answers have no body; OSS repeats the error XML, base64, in x-oss-err, and
    // ali-oss reads the code from there for statuses other than 404 and 412 (without
    // it: UnknownError).
    const bad = this.makeClient(`${this.s.OSS_ACCESS_KEY_SECRET}-wrong`);
    await expectOssError(() => bad.head(this.key('plain.bin')), 'SignatureDoesNotMatch', 403);
    return 'HEAD errors carry x-oss-err: head with a wrong secret gives SignatureDoesNotMatch';
  }

  async cleanup() {
    let count = 0;
    for (;;) {
      const page = await this.client.list({ prefix: this.prefix, 'max-keys': 1000 });
      const names = (page.objects || []).map(o => o.name);
      if (!names.length) break;
      await this.client.deleteMulti(names, { quiet: true });
      count += names.length;
    }
    return `clean-up: ${count} objects of this run deleted`;
  }

  async run() {
    let checks = [
      'putGet', 'rangeGet', 'head', 'userMetadata', 'delete', 'specialKeys',
      'conditional', 'append', 'noSuchKey',
      'presignedGet', 'presignedPut', 'presignedResponseHeaders', 'expiredPresigned',
      'multipart', 'multipartByHand',
      'listing', 'copy', 'batchDelete',
      'wrongSecret', 'headErrorCodes', 'cleanup',
    ];
    const only = (this.s.OSS_ONLY_CHECKS || '').split(',').filter(Boolean);
    const skip = (this.s.OSS_SKIP_CHECKS || '').split(',').filter(Boolean);
    const unknown = only.concat(skip).filter(n => !checks.includes(n));
    if (unknown.length) {
      console.error(`unknown checks ${unknown.join(', ')}; the checks are: ${checks.join(', ')}`);
      return 2;
    }
    checks = checks.filter(n => (!only.length || only.includes(n)) && !skip.includes(n));
    const tag = `ali-oss ${aliOssVersion} V${this.s.OSS_SIGNATURE_VERSION}`;
    let passed = 0;
    for (const name of checks) {
      let line;
      try {
        line = await this[name]();
      } catch (err) {
        const detail = err instanceof CheckFailed ? err.message
          : `${err.name}${err.code ? ` ${err.code}` : ''}${err.status ? ` (HTTP ${err.status})` : ''}: ${err.message}`;
        console.log(`FAIL [${tag}] ${name}: ${detail}`);
        if (!(err instanceof CheckFailed)) console.error(err.stack);
        console.log(`${passed} passed, 1 failed`);
        return 1;
      }
      passed += 1;
      console.log(`ok   [${tag}] ${name}: ${line}`);
    }
    console.log(`${passed} passed, 0 failed`);
    return 0;
  }
}

new Suite(settings()).run().then(code => {
  process.exitCode = code;
});
