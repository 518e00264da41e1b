// HTML report: one self-contained page comparing runs — benchmark figures (vs reported where the run
// has a reported counterpart), latency CDFs and the seed's metric-distribution grid, TTFT against
// arrival time (log or linear y), where E2EL goes, and per-rank routing tables.
import { median, quantileSorted } from 'd3-array';
import type { RequestRecord } from '../protocol/records.ts';
import { histogramGrid } from './hist.ts';
import { lineChart, stackedBars, type Point, type Series } from './svg.ts';
import { page } from './page.ts';
import { figureTable, routingTables } from './tables.ts';
import { dig, esc, fixed, num, pct } from './text.ts';
import type { ReportRun } from './types.ts';

export type { ReportRun, ReportedRef } from './types.ts';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];
const PARTS = [
  ['clientWait', 'client wait', '#bbbbbb'],
  ['queue', 'queue', '#ff7f0e'],
  ['prefill', 'prefill', '#1f77b4'],
  ['transfer', 'transfer', '#9467bd'],
  ['decode', 'decode', '#2ca02c'],
] as const;
const METRICS = [
  { id: 'ttft', title: 'TTFT (s)', get: (r: RequestRecord) => num(r.ttftMs) / 1000 },
  { id: 'itl', title: 'ITL (ms)', get: (r: RequestRecord) => num(r.itlMs) },
  { id: 'e2el', title: 'E2EL (s)', get: (r: RequestRecord) => num(r.e2elMs) / 1000 },
] as const;

/** ~200 points of the empirical CDF of the finite values. */
export function cdfPoints(values: readonly number[], n = 200): [number, number][] {
  const v = values.filter(Number.isFinite).slice().sort((a, b) => a - b);
  if (v.length === 0) return [];
  return Array.from({ length: n + 1 }, (_, i) => [quantileSorted(v, i / n)!, i / n] as [number, number]);
}

/** At most `max` items, evenly spaced, for scatter plots. */
function thin<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const step = xs.length / max;
  return Array.from({ length: max }, (_, i) => xs[Math.floor(i * step)]);
}

/** Median y of the points in `buckets` equal slices of x (slices with fewer than 3 points skipped). */
export function rollingMedian(points: readonly Point[], buckets = 60): Point[] {
  const ok = points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
  if (ok.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const [x] of ok) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  const width = (hi - lo) / buckets || 1;
  const slices: number[][] = Array.from({ length: buckets }, () => []);
  for (const [x, y] of ok) slices[Math.min(buckets - 1, Math.floor((x - lo) / width))].push(y);
  return slices.flatMap((ys, i) => (ys.length >= 3 ? [[lo + (i + 0.5) * width, median(ys)!] as const] : []));
}

function runMeta(r: ReportRun, color: string): string {
  const s = r.summary;
  const q = (k: string) => fixed(dig(s, 'requests', k), 0);
  const router = dig(s, 'router');
  const routers = router !== null && typeof router === 'object' ? Object.entries(router).map(([role, d]) => `${esc(role)}: ${esc(d)}`).join('; ') : '';
  const hit = dig(s, 'kvCache', 'hitRate');
  const hits = hit !== null && typeof hit === 'object' ? Object.entries(hit).map(([k, v]) => `${esc(k)} ${pct(v)}`).join(', ') : '';
  return `<li data-run="${esc(r.name)}"><span class="swatch" style="background:${color}"></span><b>${esc(r.name)}</b>: scenario ${esc(dig(s, 'scenario'))}, workload ${esc(dig(s, 'workload'))}, seed ${esc(dig(s, 'seed'))}; ${q('completed')} of ${q('issued')} requests completed, ${q('timedOut')} timed out, ${q('rejected')} rejected; ${fixed(dig(s, 'durationS'), 0)} s; prefix hit ${hits || '–'}${routers ? `<br><small>routing ${routers}</small>` : ''}</li>`;
}

/** TTFT against scheduled send time, dots and a per-slice median line, on a log or linear y axis. */
function ttftOverTime(runs: readonly ReportRun[], completed: readonly RequestRecord[][], logY: boolean): string {
  const series = runs.map((r, i): Series => {
    const pts = completed[i].map((x) => [num(x.scheduledMs) / 60000, num(x.ttftMs) / 1000] as const);
    return { label: r.name, color: COLORS[i % COLORS.length], dots: thin(pts, 2000), line: rollingMedian(pts) };
  });
  return lineChart(series, {
    id: logY ? 'ttft-time-log' : 'ttft-time-linear',
    title: `TTFT against arrival time (${logY ? 'log' : 'linear'} y): a dot per request, lines the median per 1/60 of the time`,
    xLabel: 'scheduled send time (min)',
    yLabel: 'TTFT (s)',
    width: 1164,
    height: 340,
    logY,
    yMin: logY ? undefined : 0,
  });
}


export function renderReport(runs: readonly ReportRun[], title = 'servesim report'): string {
  const completed = runs.map((r) => (Array.isArray(r.records) ? r.records : []).filter((x) => dig(x, 'status') === 'completed'));
  const color = (i: number) => COLORS[i % COLORS.length];
  const cdfs = METRICS.map((m) =>
    lineChart(
      runs.map((r, i): Series => ({ label: r.name, color: color(i), line: cdfPoints(completed[i].map(m.get)) })),
      { id: `cdf-${m.id}`, title: `${m.title.split(' ')[0]} CDF`, xLabel: m.title, yLabel: 'fraction of requests', logX: 'auto', yMin: 0, yMax: 1, width: 380, height: 280 },
    ),
  );
  const grid = histogramGrid(
    runs.map((r, i) => ({ label: r.name, color: color(i), values: METRICS.map((m) => completed[i].map(m.get).filter(Number.isFinite)) })),
    METRICS,
  );
  const bars = stackedBars(
    runs.map((r) => ({ label: r.name, parts: PARTS.map(([key, name, c]) => ({ name, color: c, value: num(dig(r.summary, 'breakdownMs', key)) / 1000 })) })),
    { id: 'e2el-breakdown', title: 'Where the mean E2EL goes', unit: 's', width: 700 },
  );
  return page(
    title,
    `<ul class="runs">${runs.map((r, i) => runMeta(r, color(i))).join('\n')}</ul>
<h2>Benchmark figures</h2>
${figureTable(runs)}
<h2>Latency distributions</h2>
<div class="charts">${cdfs.join('\n')}</div>
${grid}
<p class="notes">Smoothed request-count histograms (Gaussian, σ = 1 bin) of completed requests, as in the seed's "Metric Distributions" figure; each panel has its own x range, log when its values span more than 20× (the CDFs above share theirs).</p>
<h2>TTFT against arrival time</h2>
<div class="yscale">y axis:
<input type="radio" name="ttft-y" id="ttft-y-log" checked><label for="ttft-y-log">log</label>
<input type="radio" name="ttft-y" id="ttft-y-lin"><label for="ttft-y-lin">linear</label>
<div class="ylog">${ttftOverTime(runs, completed, true)}</div>
<div class="ylin">${ttftOverTime(runs, completed, false)}</div>
</div>
<h2>Where the time goes</h2>
${bars}
<h2>Per-rank load and prefix hits</h2>
<div class="routings">${routingTables(runs)}</div>
<p class="notes">Generated by servesim from each run's summary.json and requests.jsonl.</p>`,
  );
}
