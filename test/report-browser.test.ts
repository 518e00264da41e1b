// The report in headless Chromium (Debian's /usr/bin/chromium via playwright-core, network off): the
// `servesim report` page of an agg and a disagg run opens without console errors, has a series per
// run in every chart, runs × 3 histogram panels with 5 markers, working toggles, no overlapping text;
// a hostile run runs no script. Skipped, with the reason in its name, without Chromium.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../src/report/html.ts';
import type { ReportRun } from '../src/report/types.ts';
import { simulate } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { loadInputs } from '../src/app/inputs.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ROOT = resolve(import.meta.dirname, '..');
const run = promisify(execFile);

/** Chromium is there, or scripts/install-chromium.sh could install it; else why not. */
function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const r = spawnSync('bash', [join(ROOT, 'scripts/install-chromium.sh')], { encoding: 'utf8', timeout: 300_000 });
  if (existsSync(CHROMIUM)) return undefined;
  return `${CHROMIUM} missing and scripts/install-chromium.sh failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
}
const missing = chromiumMissing();
if (missing) console.warn(`report browser test skipped: ${missing}`);

/** Where the test leaves its report and screenshot to look at (overwritten by each run). */
const OUT = join(tmpdir(), 'servesim-report-test');

describe.skipIf(missing !== undefined)(`report in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let context: BrowserContext;
  const profile = mkdtempSync(join(tmpdir(), 'servesim-chromium-'));
  const cli = (...args: string[]) => run(process.execPath, [join(ROOT, 'bin/servesim.js'), ...args], { cwd: ROOT });

  beforeAll(async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    // the two seed deployments on 400 requests of the seed-like workload, written as `servesim run --out` does
    const requests = (await loadInputs({ workload: 'seed-coding', seed: '42', params: { num_requests: 400 } })).requests;
    for (const [name, dir] of [['agg-rr-k8s', 'agg'], ['disagg-kv', 'disagg']]) {
      const { summary, records } = simulate({ scenario: loadScenario(join(ROOT, 'scenarios', `${name}.yaml`)), requests, seed: '42', workload: 'seed-coding' });
      mkdirSync(join(OUT, dir));
      writeFileSync(join(OUT, dir, 'summary.json'), JSON.stringify(summary, null, 2));
      writeFileSync(join(OUT, dir, 'requests.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    }
    await cli('report', join(OUT, 'agg'), join(OUT, 'disagg'), '--out', join(OUT, 'report.html'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1230, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  /** Open a page, collecting console errors, page errors and dialogs (alert() from injected HTML). */
  async function open(file: string): Promise<{ page: Page; problems: string[] }> {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href);
    return { page, problems };
  }

  it('renders the agg vs disagg report: series, panels, markers, toggles, no overlaps; writes a screenshot', async () => {
    const { page, problems } = await open(join(OUT, 'report.html'));
    const series = (chart: string) => page.locator(`svg[data-chart="${chart}"] g.series`).count();
    for (const chart of ['cdf-ttft', 'cdf-itl', 'cdf-e2el', 'ttft-time-log', 'ttft-time-linear', 'e2el-breakdown']) expect(await series(chart), chart).toBe(2);
    expect(await page.locator('svg[data-chart="ttft-time-log"] g.series path.dots').count()).toBe(2);

    const panels = page.locator('.hgrid svg[data-panel]');
    expect(await panels.count()).toBe(2 * 3);
    for (const p of await panels.all()) {
      const markers = await p.locator('g.marker').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-marker')));
      expect(markers.sort()).toEqual(['mean', 'median', 'p25', 'p75', 'p99']);
      expect((await p.locator('g.series path').first().getAttribute('d'))!.length).toBeGreaterThan(100);
    }
    expect(await page.locator('table.figures tbody tr').count()).toBe(16);
    expect(await page.locator('table.figures td.bad, table.figures td.good').count()).toBeGreaterThan(20);

    // log y first; the radio shows linear instead
    expect(await page.locator('[data-chart="ttft-time-log"]').isVisible()).toBe(true);
    expect(await page.locator('[data-chart="ttft-time-linear"]').isVisible()).toBe(false);
    await page.click('label[for="ttft-y-lin"]');
    expect(await page.locator('[data-chart="ttft-time-linear"]').isVisible()).toBe(true);
    expect(await page.locator('[data-chart="ttft-time-log"]').isVisible()).toBe(false);
    await page.click('label[for="ttft-y-log"]');

    // routing tables: collapsed when long, open on a click
    const agg = page.locator('.routing[data-run="agg"] details');
    expect(await agg.locator('table.ranks tbody tr').count()).toBe(32);
    expect(await agg.locator('table.ranks').isVisible()).toBe(false);
    await agg.locator('summary').click();
    expect(await agg.locator('table.ranks').isVisible()).toBe(true);
    await agg.locator('summary').click();

    // no two labels of one chart overlap (legends, ticks, titles)
    const overlaps = await page.locator('svg').evaluateAll((svgs) => {
      const bad: string[] = [];
      for (const svg of svgs) {
        const boxes = [...svg.querySelectorAll('text')].map((t) => ({ t: t.textContent ?? '', r: t.getBoundingClientRect() })).filter((b) => b.r.width > 0);
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) {
            const [a, b] = [boxes[i].r, boxes[j].r];
            const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (dx > 1 && dy > 1) bad.push(`${svg.getAttribute('data-chart') ?? svg.getAttribute('aria-label')}: "${boxes[i].t}" / "${boxes[j].t}"`);
          }
      }
      return bad;
    });
    expect(overlaps).toEqual([]);

    await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
    expect(statSync(join(OUT, 'report.png')).size).toBeGreaterThan(20_000);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a hostile run runs no script and injects no element', async () => {
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    // the fields' types are wrong too: loadRun refuses such a folder, so the page is rendered from the data as it is
    const summary = { scenario: evil, workload: { evil }, seed: `"'><svg onload=alert(3)>`, requestThroughput: evil, ttftMs: { mean: { evil } }, router: { [evil]: evil }, routing: { [evil]: [{ target: evil, requests: evil }] } };
    const records = [{ status: 'completed', scheduledMs: evil, ttftMs: 1000, itlMs: evil }];
    writeFileSync(join(OUT, 'hostile.html'), renderReport([{ name: '<img src=x onerror=alert(1)>', summary, records } as unknown as ReportRun], evil));
    const { page, problems } = await open(join(OUT, 'hostile.html'));
    await page.waitForTimeout(200);
    expect(await page.locator('script, img, svg[onload], [onerror]').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe(evil);
    expect(problems).toEqual([]);
    await page.close();
  });
});
