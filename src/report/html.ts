// HTML report: one self-contained page comparing runs — the benchmark figures (with the reported
// ones where a run has them), latency CDFs, TTFT against arrival time, and where E2EL went.
import { quantileSorted } from 'd3-array';
import { figureRows } from '../metrics/compare.ts';
import type { RequestRecord } from '../protocol/records.ts';
import type { BlockFigures, Summary } from '../protocol/summary.ts';
import { lineChart, stackedBars, type Series } from './svg.ts';

export interface ReportRun {
  name: string;
  summary: Summary;
  records: readonly RequestRecord[];
  reported?: BlockFigures;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];
const PARTS = [
  ['clientWait', 'client wait', '#bbbbbb'],
  ['queue', 'queue', '#ff7f0e'],
  ['prefill', 'prefill', '#1f77b4'],
  ['transfer', 'transfer', '#9467bd'],
  ['decode', 'decode', '#2ca02c'],
] as const;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** ~200 points of the empirical CDF of the finite values. */
export function cdfPoints(values: readonly number[], n = 200): [number, number][] {
  const v = values.filter(Number.isFinite).slice().sort((a, b) => a - b);
  if (v.length === 0) return [];
  return Array.from({ length: n + 1 }, (_, i) => [quantileSorted(v, i / n)!, i / n] as [number, number]);
}

/** At most `max` records, evenly spaced, for scatter plots. */
function thin<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const step = xs.length / max;
  return Array.from({ length: max }, (_, i) => xs[Math.floor(i * step)]);
}

/** Figure → relative tolerance band per reported run name. */
export type ToleranceBands = Record<string, Record<string, number>>;

function figureTable(runs: readonly ReportRun[], tolerances: ToleranceBands): string {
  // figureRows needs a reference: runs without a reported one are compared with themselves (error 0, not shown)
  const tables = runs.map((r) => figureRows(r.reported ?? r.summary, r.summary));
  const head = runs.map((r) => `<th>${esc(r.name)}</th>${r.reported ? '<th>reported</th><th>error</th>' : ''}`).join('');
  const body = tables[0]
    .map((row0, k) => {
      const cells = runs
        .map((r, i) => {
          const row = tables[i][k];
          if (!r.reported) return `<td>${row.simulated.toFixed(2)}</td>`;
          const tol = tolerances[r.summary.scenario];
          const band = tol ? (tol[row.figure] ?? tol.default) : undefined;
          const cls = band === undefined ? '' : Math.abs(row.error) <= band ? 'good' : 'bad';
          const title = band === undefined ? '' : ` title="band ±${(band * 100).toFixed(0)} %"`;
          return `<td>${row.simulated.toFixed(2)}</td><td>${row.reported.toFixed(2)}</td><td class="${cls}"${title}>${(row.error * 100).toFixed(1)} %</td>`;
        })
        .join('');
      return `<tr><th>${row0.figure}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<table><thead><tr><th>figure</th>${head}</tr></thead><tbody>\n${body}\n</tbody></table>
<p>Error colours: green inside the band of results/reported/tolerances.json, red outside (hover for the band).</p>`;
}

export function renderReport(runs: readonly ReportRun[], title = 'servesim report', tolerances: ToleranceBands = {}): string {
  const completed = runs.map((r) => r.records.filter((x) => x.status === 'completed'));
  const series = (get: (x: RequestRecord) => number) =>
    runs.map((r, i): Series => ({ label: r.name, color: COLORS[i % COLORS.length], points: cdfPoints(completed[i].map(get)) }));
  const charts = [
    lineChart(series((x) => x.ttftMs / 1000), { title: 'TTFT distribution', xLabel: 'TTFT (s, log scale)', yLabel: 'fraction of requests', logX: true, yMin: 0, yMax: 1 }),
    lineChart(series((x) => x.itlMs), { title: 'ITL distribution', xLabel: 'ITL (ms, log scale)', yLabel: 'fraction of requests', logX: true, yMin: 0, yMax: 1 }),
    lineChart(series((x) => x.e2elMs / 1000), { title: 'E2EL distribution', xLabel: 'E2EL (s, log scale)', yLabel: 'fraction of requests', logX: true, yMin: 0, yMax: 1 }),
    lineChart(
      runs.map((r, i) => ({ label: r.name, color: COLORS[i % COLORS.length], dots: true, points: thin(completed[i], 1500).map((x) => [x.scheduledMs / 60000, x.ttftMs / 1000] as [number, number]) })),
      { title: 'TTFT against arrival time', xLabel: 'scheduled send time (min)', yLabel: 'TTFT (s)' },
    ),
    stackedBars(
      runs.map((r) => ({ label: r.name, parts: PARTS.map(([key, name, color]) => ({ name, color, value: r.summary.breakdownMs[key] / 1000 })) })),
      { title: 'Where the mean E2EL goes', unit: 's' },
    ),
  ];
  const meta = runs
    .map((r) => {
      const s = r.summary;
      const q = s.requests;
      return `<li><b>${esc(r.name)}</b>: scenario ${esc(s.scenario)}, workload ${esc(s.workload)}, seed ${esc(s.seed)}; ${q.completed} of ${q.issued} requests completed, ${q.timedOut} timed out, ${q.rejected} rejected; ${s.durationS.toFixed(0)} s; prefix hit ${Object.entries(s.kvCache.hitRate).map(([k, v]) => `${k} ${(v * 100).toFixed(1)} %`).join(', ') || '–'}</li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px} table{border-collapse:collapse;margin:12px 0} td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}
thead th{background:#f4f4f4} tbody th{text-align:left;font-weight:normal}
td.bad{color:#b00} td.good{color:#070}
.charts{display:flex;flex-wrap:wrap;gap:16px} .chart{border:1px solid #eee;background:#fff}
.chart text{font-size:11px;fill:#333} .chart .title{font-size:13px;font-weight:600} .chart .grid{stroke:#eee}
</style></head><body>
<h1>${esc(title)}</h1>
<ul>${meta}</ul>
<h2>Benchmark figures</h2>
${figureTable(runs, tolerances)}
<h2>Distributions and time course</h2>
<div class="charts">${charts.join('\n')}</div>
<p>Generated by servesim from each run's summary.json and requests.jsonl.</p>
</body></html>
`;
}
