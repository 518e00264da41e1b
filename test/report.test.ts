// HTML report as strings: built from real runs it holds the figures table (with goodput, TPOT and the
// reported values only for the reported workload), the charts and histogram grid, the routing tables;
// a hostile summary.json is refused by loadRun and renders escaped all the same; src/report/ imports only types from the simulator.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReportedData, loadRun, matchReported, sameWorkload } from '../src/app/report.ts';
import { figureRows } from '../src/metrics/compare.ts';
import { makeScale, ticksFor } from '../src/report/axes.ts';
import { binEdges, smoothedCounts } from '../src/report/hist.ts';
import { cdfPoints, renderReport } from '../src/report/html.ts';
import { FIGURES } from '../src/report/tables.ts';
import { esc } from '../src/report/text.ts';
import { SCENARIOS_DIR } from '../src/app/reported.ts';
import { simulate } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { loadInputs } from '../src/app/inputs.ts';

const tmp = mkdtempSync(join(tmpdir(), 'servesim-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SEED_TRACE = 'conversation_trace_synth_16.00x1+10.00_speedup1_maxisl110000.jsonl';

describe('report pieces', () => {
  it('CDF points are monotone quantiles from 0 to 1', () => {
    const pts = cdfPoints([5, 1, 3, NaN, 2, 4], 4);
    expect(pts).toEqual([[1, 0], [2, 0.25], [3, 0.5], [4, 0.75], [5, 1]]);
  });

  it('smoothed histogram keeps the request count away from the ends', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 10 + (i % 50));
    const counts = smoothedCounts(values, binEdges([1, 100], 60, true), true);
    expect(counts.reduce((a, b) => a + b, 0)).toBeCloseTo(1000, 0);
  });

  it('log ticks are labelled 1-2-5 in each decade when they fit, decades otherwise', () => {
    const wide = ticksFor(makeScale([1, 1000], [0, 600], true), true, 600);
    expect(wide.major).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
    const narrow = ticksFor(makeScale([0.01, 1e6], [0, 300], true), true, 300);
    expect(narrow.major.every((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9)).toBe(true);
  });

  it('figure labels are those of `servesim check` (the tolerance keys), plus goodput and TPOT', () => {
    const zero = { mean: 1, median: 1, p99: 1 };
    const block = { requestThroughput: 1, outputTokenThroughput: 1, totalTokenThroughput: 1, ttftMs: zero, tpotMs: zero, itlMs: zero, e2elMs: zero };
    const labels = FIGURES.map((f) => f.label);
    for (const r of figureRows(block, block)) expect(labels).toContain(r.figure);
    expect(labels).toContain('goodput (req/s)');
    expect(labels).toContain('p99 TPOT (ms)');
  });

  it('a run matches a reported run by scenario and workload', () => {
    expect(sameWorkload('seed-coding', `${SEED_TRACE} (datagen …)`)).toBe(true);
    expect(sameWorkload(SEED_TRACE, SEED_TRACE)).toBe(true);
    expect(sameWorkload(`mine_synth_16.00x1+10.00_speedup1_maxisl110000.jsonl`, SEED_TRACE)).toBe(true);
    expect(sameWorkload('poisson', SEED_TRACE)).toBe(false);
    expect(sameWorkload('mooncake_trace.jsonl', SEED_TRACE)).toBe(false);
    const data = loadReportedData();
    expect(matchReported({ scenario: 'disagg-kv', workload: 'seed-coding' } as never, data).reported?.name).toBe('disagg-kv');
    expect(matchReported({ scenario: 'disagg-kv', workload: 'poisson' } as never, data)).toEqual({ reportedNote: 'no reported run for this workload' });
    expect(matchReported({ scenario: 'my-scenario', workload: 'seed-coding' } as never, data)).toEqual({});
  });

  it('src/report/ imports nothing from the simulator but types', () => {
    const dir = join(import.meta.dirname, '../src/report');
    for (const f of readdirSync(dir)) {
      const src = readFileSync(join(dir, f), 'utf8');
      for (const m of src.matchAll(/^import (type )?[^'"]*from '([^']+)'/gm)) if (m[2].startsWith('..')) expect(m[1], `${f}: ${m[0]}`).toBe('type ');
    }
  });
});

describe('HTML report of two runs', async () => {
  const requests = (await loadInputs({ workload: 'seed-coding', seed: '5', params: { num_requests: 400 } })).requests as never[];
  const data = loadReportedData();
  const sim = (name: string, workload: string) => {
    const { summary, records } = simulate({ scenario: loadScenario(join(SCENARIOS_DIR, `${name}.yaml`)), requests, seed: '5', workload });
    return { name, summary, records, ...matchReported(summary, data) };
  };
  const runs = [sim('agg-rr-k8s', 'seed-coding'), sim('disagg-kv', 'seed-coding')];
  const html = renderReport(runs, 'test <report>');

  it('has the figures vs reported, with goodput and TPOT rows', () => {
    expect(html).toContain('<title>test &lt;report&gt;</title>');
    expect(html).toContain('347687.94'); // reported mean TTFT of agg K8s
    expect(html).toContain(runs[0].summary.ttftMs.mean.toFixed(2));
    expect(html).toMatch(/<td class="(bad|good)" title="band ±\d+ %">-?\d+\.\d %<\/td>/);
    expect(html).toContain('<th>goodput (req/s)</th>');
    expect(html).toContain(`<td title="requests with TTFT`);
    expect(html).toContain(runs[1].summary.goodput!.requestThroughput.toFixed(2));
    expect(html).toContain('<th>p99 TPOT (ms)</th>');
  });

  it('has the charts (a series per run), 2 × 3 histogram panels with 5 markers each, routing tables', () => {
    expect(html.match(/<svg class="chart"/g)).toHaveLength(6);
    expect(html.match(/<g class="series" data-series="agg-rr-k8s">/g)!.length).toBe(6 + 3);
    expect(html.match(/<svg class="panel" data-panel/g)).toHaveLength(6);
    expect(html.match(/<g class="marker" data-marker="p99">/g)).toHaveLength(6);
    expect(html.match(/<g class="marker"/g)).toHaveLength(30);
    expect(html.match(/<table class="ranks" data-pool="(agg|prefill|decode)">/g)).toHaveLength(3);
    expect(html).toContain('<details><summary><b>agg</b>: 32 targets');
    expect(html).not.toContain('<polyline');
  });

  it('shows no reported figures for a run on another workload', () => {
    const other = renderReport([sim('agg-rr-k8s', 'poisson')]);
    expect(other).toContain('no reported run for this workload');
    expect(other).not.toContain('class="bad"');
    expect(other).not.toContain('347687.94');
  });
});

describe('a hostile summary.json', () => {
  it('renders escaped, whatever is in it', () => {
    const dir = join(tmp, '<img src=x onerror=alert(1)>');
    mkdirSync(dir);
    const evil = '<script>alert(1)</script>';
    const summary = {
      scenario: evil,
      workload: { toString: evil, '<b>': 1 },
      seed: `"'><svg onload=alert(1)>`,
      requests: { issued: evil, completed: { '<i>': 1 }, timedOut: [evil], rejected: null },
      durationS: evil,
      requestThroughput: { '<script>': 1 },
      ttftMs: evil,
      tpotMs: { mean: evil, median: [evil], p99: { x: evil } },
      goodput: { requestThroughput: evil, ttftMs: evil, itlMs: null, requests: evil },
      breakdownMs: { queue: evil, decode: { evil } },
      kvCache: { hitRate: { [evil]: evil } },
      router: { [evil]: evil },
      routing: { [evil]: [{ target: evil, requests: evil, promptTokens: { evil }, cachedTokens: 1, hitRate: evil, busyFraction: 0.5 }], decode: evil },
    };
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
    const record = { id: 1, status: 'completed', scheduledMs: evil, ttftMs: 1200, itlMs: evil, e2elMs: { evil }, prefillTarget: evil };
    writeFileSync(join(dir, 'requests.jsonl'), `${JSON.stringify(record)}\n${JSON.stringify({ ...record, ttftMs: 900, scheduledMs: 1000 })}\n`);
    // loadRun refuses such a folder (test/out-folders.test.ts); the page escapes it all the same
    expect(() => loadRun(dir)).toThrow(/summary\.json: workload: expected string, received object: not a servesim run summary$/);
    const records = readFileSync(join(dir, 'requests.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const html = renderReport([{ name: '<img src=x onerror=alert(1)>', summary: JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')), records }], evil);
    expect(html).not.toMatch(/<script|<img|<svg onload|onerror=alert\(1\)>/);
    expect(html).toContain(esc(summary.seed));
    expect(html).toContain(esc(evil));
    expect(html).toContain(esc('<img src=x onerror=alert(1)>'));
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });
});
