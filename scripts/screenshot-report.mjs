// Full-page PNG of an HTML report in headless Chromium (playwright-core driving /usr/bin/chromium, network off):
// node scripts/screenshot-report.mjs results/report.html [results/report.png] [width]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const [html = 'results/report.html', png = html.replace(/\.html$/, '') + '.png', width = '1230'] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), 'servesim-chromium-'));
try {
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: Number(width), height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(resolve(html)).href);
  await page.screenshot({ path: png, fullPage: true });
  await context.close();
  for (const e of errors) console.error(`console error: ${e}`);
  console.log(`wrote ${png}`);
} finally {
  rmSync(profile, { recursive: true, force: true });
}
