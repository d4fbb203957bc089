// Drives the StorageSvc example page in Debian's headless Chromium with playwright-core
// (installed by install.sh; NODE_PATH points at its node_modules), for tests/browser.rs.
//
// Environment: PAGE_URL (the page served by `jitstore serve`), PICK_FILE (the file to
// pick), TOKEN (typed into the token field), SCREENSHOT (where to save the screenshot),
// UPLOADS (comma-separated `<button id>=<storage>` pairs, in order), CHROMIUM (the
// browser; /usr/bin/chromium by default).
//
// For each upload it clicks the button, waits for the page to report the upload, then
// reads the thumbnail's and the preview's natural sizes and downloads the file through
// the page's link. It prints one JSON object on stdout: {"uploads":[{button, storage,
// record, thumbnail:{width,height}, preview:{width,height}, downloadName,
// downloadEqual}], "screenshot"}; the Rust test checks it. Anything that does not
// happen within its timeout fails the script (exit 1) with what the page showed.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.env.NODE_PATH || '.', 'noop.js'));
const { chromium } = require('playwright-core');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`drive.mjs: ${name} is not set`);
  return value;
};
const pageUrl = env('PAGE_URL');
const pickFile = env('PICK_FILE');
const token = process.env.TOKEN || '';
const screenshot = env('SCREENSHOT');
const uploads = env('UPLOADS').split(',').map((pair) => {
  const [button, storage] = pair.split('=');
  return { button, storage };
});
const STEP_TIMEOUT = 30_000;

const log = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  timeout: STEP_TIMEOUT,
});
let page;
try {
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 900, height: 900 },
  });
  page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => log.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) log.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });

  await page.goto(pageUrl, { waitUntil: 'load' });
  await page.fill('#token', token);
  await page.setInputFiles('#file', pickFile);
  const picked = readFileSync(pickFile);

  const results = [];
  for (const { button, storage } of uploads) {
    await page.selectOption('#storage', storage);
    await page.click(`#${button}`);
    await page.waitForFunction(
      () => ['done', 'error'].includes(document.getElementById('status').dataset.state),
    );
    const state = await page.$eval('#status', (s) => [s.dataset.state, s.textContent]);
    if (state[0] !== 'done') {
      throw new Error(`${button} to ${storage}: the page says: ${state[1]}`);
    }
    const record = JSON.parse(await page.textContent('#record'));
    // The images of this upload (src names its storage), loaded and decoded.
    const loaded = async (id) => {
      await page.waitForFunction(
        ([id, storage]) => {
          const img = document.getElementById(id);
          const mine = id === 'preview' || img.src.includes(encodeURIComponent(storage));
          return mine && img.complete && img.naturalWidth > 0;
        },
        [id, storage],
      );
      return page.$eval(`#${id}`, (img) => ({ width: img.naturalWidth, height: img.naturalHeight, src: img.src }));
    };
    const thumbnail = await loaded('thumbnail');
    const preview = await loaded('preview');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#download'),
    ]);
    const saved = await download.path();
    const downloaded = readFileSync(saved);
    results.push({
      button,
      storage,
      record,
      thumbnail,
      preview,
      downloadName: download.suggestedFilename(),
      downloadBytes: downloaded.length,
      downloadEqual: downloaded.equals(picked),
    });
  }
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ uploads: results, screenshot, log }));
} catch (e) {
  if (page) {
    await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
  }
  console.error(`drive.mjs: ${e.message}\n--- what the browser saw:\n${log.join('\n')}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
