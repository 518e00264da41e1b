// Report tables: the benchmark figures of every run (with goodput and TPOT, and the reported figures
// and errors where a run has a reported counterpart), and per-rank load and prefix hits per pool.
import type { BlockFigures } from '../protocol/summary.ts';
import { dig, esc, fixed, num, pct } from './text.ts';
import type { ReportRun } from './types.ts';

interface Figure {
  /** Row label; also the key of the tolerance band (as `servesim check` names figures). */
  label: string;
  sim: (s: unknown) => unknown;
  reported?: (r: BlockFigures) => unknown;
  /** Tolerance key when it is not the label (TPOT is checked as ITL). */
  band?: string;
  title?: (s: unknown) => string;
}

const STATS = ['mean', 'median', 'p99'] as const;
const LATENCIES = [
  ['ttftMs', 'TTFT'],
  ['tpotMs', 'TPOT'],
  ['itlMs', 'ITL'],
  ['e2elMs', 'E2EL'],
] as const;

const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const slo = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? `${v} ms` : '∞');

export const FIGURES: readonly Figure[] = [
  { label: 'request throughput (req/s)', sim: (s) => dig(s, 'requestThroughput'), reported: (r) => r.requestThroughput },
  {
    label: 'goodput (req/s)',
    sim: (s) => dig(s, 'goodput', 'requestThroughput'),
    title: (s) =>
      dig(s, 'goodput') ? `requests with TTFT ≤ ${slo(dig(s, 'goodput', 'ttftMs'))} and ITL ≤ ${slo(dig(s, 'goodput', 'itlMs'))}: ${int(num(dig(s, 'goodput', 'requests')))}` : 'no goodput SLO in the scenario',
  },
  { label: 'output token throughput (tok/s)', sim: (s) => dig(s, 'outputTokenThroughput'), reported: (r) => r.outputTokenThroughput },
  { label: 'total token throughput (tok/s)', sim: (s) => dig(s, 'totalTokenThroughput'), reported: (r) => r.totalTokenThroughput },
  ...LATENCIES.flatMap(([key, name]) =>
    STATS.map(
      (st): Figure => ({
        label: `${st} ${name} (ms)`,
        sim: (s) => dig(s, key, st),
        reported: (r) => dig(r, key, st),
        band: name === 'TPOT' ? `${st} ITL (ms)` : undefined,
      }),
    ),
  ),
];

function reportedCells(f: Figure, run: ReportRun, sim: unknown): string {
  const ref = run.reported;
  if (!ref) return '';
  const rep = f.reported ? f.reported(ref.figures) : undefined;
  if (rep === undefined) return '<td></td><td></td>';
  const s = num(sim);
  const r = num(rep);
  const error = r !== 0 ? (s - r) / r : NaN;
  const tol = ref.tolerances;
  const band = tol ? (tol[f.label] ?? (f.band ? tol[f.band] : undefined) ?? tol.default) : undefined;
  const ok = Number.isFinite(error) && band !== undefined && Math.abs(error) <= band;
  const cls = band === undefined ? '' : ok ? 'good' : 'bad';
  const title = typeof band === 'number' ? ` title="band ±${esc((band * 100).toFixed(0))} %"` : '';
  return `<td>${fixed(rep)}</td><td class="${cls}"${title}>${Number.isFinite(error) ? `${(error * 100).toFixed(1)} %` : '–'}</td>`;
}

export function figureTable(runs: readonly ReportRun[]): string {
  const head = runs
    .map((r) => {
      const note = r.reportedNote ? `<br><small class="note">${esc(r.reportedNote)}</small>` : '';
      const rep = r.reported ? `<th>reported<br><small>${esc(r.reported.name)}</small></th><th>error</th>` : '';
      return `<th>${esc(r.name)}${note}</th>${rep}`;
    })
    .join('');
  const body = FIGURES.map((f) => {
    const cells = runs
      .map((r) => {
        const sim = f.sim(r.summary);
        const title = f.title ? ` title="${esc(f.title(r.summary))}"` : '';
        return `<td${title}>${fixed(sim)}</td>${reportedCells(f, r, sim)}`;
      })
      .join('');
    return `<tr><th>${esc(f.label)}</th>${cells}</tr>`;
  }).join('\n');
  const compared = runs.filter((r) => r.reported);
  const notes = compared.map((r) => `<li>${esc(r.name)} is compared with reported run <b>${esc(r.reported!.name)}</b>, measured on ${esc(r.reported!.trace)}.</li>`);
  return `<table class="figures"><thead><tr><th>figure</th>${head}</tr></thead><tbody>\n${body}\n</tbody></table>
${notes.length > 0 ? `<ul class="notes">${notes.join('')}</ul><p class="notes">Error colours: green inside the band of results/reported/tolerances.json, red outside (hover for the band). TPOT is banded as ITL, as in AIPerf. Goodput: hover for the SLO.</p>` : '<p class="notes">Goodput: hover for the SLO.</p>'}`;
}

interface RankRow {
  target: unknown;
  requests: number;
  promptTokens: number;
  cachedTokens: number;
  hitRate: number;
  busyFraction: number;
}

function rankRows(v: unknown): RankRow[] {
  if (!Array.isArray(v)) return [];
  return v.map((r) => ({
    target: dig(r, 'target'),
    requests: num(dig(r, 'requests')),
    promptTokens: num(dig(r, 'promptTokens')),
    cachedTokens: num(dig(r, 'cachedTokens')),
    hitRate: num(dig(r, 'hitRate')),
    busyFraction: num(dig(r, 'busyFraction')),
  }));
}

/** A table cell with a bar of v / max behind the number. */
const barCell = (text: string, v: number, max: number) => `<td class="bar" style="--w:${Number.isFinite(v) && max > 0 ? ((100 * v) / max).toFixed(1) : 0}%">${text}</td>`;

function poolTable(role: string, rows: readonly RankRow[], router: unknown): string {
  const maxReq = Math.max(0, ...rows.map((r) => (Number.isFinite(r.requests) ? r.requests : 0)));
  const sum = (k: 'requests' | 'promptTokens' | 'cachedTokens') => rows.reduce((a, r) => a + (Number.isFinite(r[k]) ? r[k] : 0), 0);
  const total = sum('requests');
  const imbalance = rows.length > 0 && total > 0 ? maxReq / (total / rows.length) : NaN;
  const prompt = sum('promptTokens');
  const hit = prompt > 0 ? sum('cachedTokens') / prompt : NaN;
  const body = rows
    .map((r) => `<tr><th>${esc(r.target)}</th>${barCell(int(r.requests), r.requests, maxReq)}<td>${int(r.promptTokens)}</td><td>${int(r.cachedTokens)}</td>${barCell(pct(r.hitRate), r.hitRate, 1)}${barCell(pct(r.busyFraction), r.busyFraction, 1)}</tr>`)
    .join('');
  const table = `<table class="ranks" data-pool="${esc(role)}"><thead><tr><th>target</th><th>requests</th><th>prompt tokens</th><th>cached tokens</th><th>hit rate</th><th>busy fraction</th></tr></thead><tbody>${body}</tbody></table>`;
  const line = `<b>${esc(role)}</b>: ${rows.length} targets, ${int(total)} requests${role === 'decode' ? '' : `, prefix hit ${pct(hit)}`}, load imbalance max/mean ${Number.isFinite(imbalance) ? imbalance.toFixed(2) : '–'}${router !== undefined ? ` · router ${esc(router)}` : ''}`;
  return rows.length > 8 ? `<details><summary>${line}</summary>${table}</details>` : `<p>${line}</p>${table}`;
}

/** Per run, per pool: the routing table of summary.routing (collapsed when longer than 8 rows). */
export function routingTables(runs: readonly ReportRun[]): string {
  return runs
    .map((r) => {
      const routing = dig(r.summary, 'routing');
      const pools = routing !== null && typeof routing === 'object' ? Object.keys(routing) : [];
      const parts = pools.map((role) => poolTable(role, rankRows(dig(routing, role)), dig(r.summary, 'router', role)));
      return `<div class="routing" data-run="${esc(r.name)}"><h3>${esc(r.name)}</h3>${parts.join('') || '<p>no routing table in summary.json</p>'}</div>`;
    })
    .join('\n');
}
