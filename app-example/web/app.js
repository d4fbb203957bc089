// The StorageSvc example page: uploads the picked file through uploadByFile, or
// straight to the bucket with getSignUrl's presigned PUT, then shows the record, the
// preview, the thumbnail and a download link. No framework, no build step.
'use strict';

const SVC = '/storages/services/StorageSvc';
const $ = (id) => document.getElementById(id);

function setStatus(text, state) {
  const status = $('status');
  status.textContent = text;
  status.dataset.state = state;
}

function authHeaders() {
  const token = $('token').value.trim();
  return token ? { Authorization: 'Bearer ' + token } : {};
}

function pickedFile() {
  const file = $('file').files[0];
  if (!file) throw new Error('pick a file first');
  return file;
}

// Reads a StorageSvc answer: {"errcode":0,"errmsg":"","data":…} or an error envelope.
async function envelope(response, what) {
  let body;
  try {
    body = await response.json();
  } catch (e) {
    throw new Error(`${what}: HTTP ${response.status} (not JSON)`);
  }
  if (!response.ok || body.errcode !== 0) {
    throw new Error(`${what}: HTTP ${response.status}: ${body.errmsg || 'failed'}`);
  }
  return body.data;
}

async function uploadByFile() {
  const file = pickedFile();
  const form = new FormData();
  form.append('storage', $('storage').value);
  form.append('file', file, file.name);
  const response = await fetch(`${SVC}/uploadByFile`, {
    method: 'POST',
    headers: authHeaders(),
    body: form,
  });
  return envelope(response, 'uploadByFile');
}

async function uploadDirectly() {
  const file = pickedFile();
  const response = await fetch(`${SVC}/getSignUrl`, {
    method: 'POST',
    headers: { ...authHeaders(), 'Content-Type': 'application/json' },
    body: JSON.stringify({
      file: file.name,
      contentType: file.type || 'application/octet-stream',
      storage: $('storage').value,
    }),
  });
  const signed = await envelope(response, 'getSignUrl');
  let put;
  try {
    put = await fetch(signed.url, {
      method: signed.method,
      headers: signed.headers,
      body: file,
    });
  } catch (e) {
    // A network or CORS failure: the bucket must allow this page's origin.
    throw new Error(`${signed.method} to the bucket failed (${e.message}); ` +
      `does the bucket allow the origin ${location.origin} (CORS)?`);
  }
  if (!put.ok) {
    throw new Error(`${signed.method} to the bucket: HTTP ${put.status}`);
  }
  return signed.file;
}

function query(params) {
  return new URLSearchParams(params).toString();
}

function show(record) {
  const storage = record.storeFullName;
  $('record').textContent = JSON.stringify(record, null, 2);
  $('preview').src = record.url;
  $('thumbnail').src = `${SVC}/previewThumbnail?` +
    query({ name: record.fileName, width: 120, height: 120, storage });
  const download = $('download');
  download.href = `${SVC}/download?` + query({ file: record.fileName, storage });
  download.textContent = `Download ${record.name}`;
  $('result').hidden = false;
}

async function run(button, how, upload) {
  const buttons = document.querySelectorAll('button');
  buttons.forEach((b) => { b.disabled = true; });
  setStatus(`Uploading (${how})…`, 'busy');
  try {
    const record = await upload();
    show(record);
    setStatus(`Uploaded ${record.name} to ${record.storeFullName} (${how}).`, 'done');
  } catch (e) {
    setStatus(e.message, 'error');
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

$('upload-form').addEventListener('click', (e) => run(e.target, 'uploadByFile', uploadByFile));
$('upload-direct').addEventListener('click', (e) => run(e.target, 'getSignUrl', uploadDirectly));
