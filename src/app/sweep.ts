// What-if grids: every combination of the values of several dimensions (scenario keys, or built-in
// workload parameters as param.NAME), each simulated over several seeds, and the table of figures.
import type { Summary } from '../protocol/summary.ts';
import { loadScenario } from '../scenario/load.ts';
import { parseParamPairs } from '../trace/params.ts';
import { inputError } from '../util/errors.ts';
import { textTable } from '../util/text-table.ts';
import { loadInputs } from './inputs.ts';
import { simulate } from './run.ts';

export interface Dimension {
  key: string;
  values: string[];
}

/** `key=v1,v2,...` → a sweep dimension. */
export function parseVary(spec: string): Dimension {
  const eq = spec.indexOf('=');
  const values = eq > 0 ? spec.slice(eq + 1).split(',').map((v) => v.trim()) : [];
  if (eq <= 0 || values.length === 0 || values.some((v) => v === '')) throw inputError({ field: '--vary' }, `expected key=v1,v2,..., got '${spec}'`);
  return { key: spec.slice(0, eq).trim(), values };
}

/** Every combination of one value per dimension, in order (the last dimension varies fastest). */
export function combinations(dims: readonly Dimension[]): Record<string, string>[] {
  const seen = new Set<string>();
  for (const d of dims) {
    if (seen.has(d.key)) throw inputError({ field: '--vary' }, `${d.key} is given twice; put all its values in one --vary`);
    seen.add(d.key);
  }
  let out: Record<string, string>[] = [{}];
  for (const d of dims) out = out.flatMap((c) => d.values.map((v) => ({ ...c, [d.key]: v })));
  return out;
}

export interface SweepSpec {
  scenario: string;
  dims: Dimension[];
  trace?: string;
  workload?: string;
  params: Record<string, number>;
  seeds: string[];
  sets: string[];
}

export interface SweepRow {
  combo: Record<string, string>;
  summaries: Summary[];
}

export async function runSweep(spec: SweepSpec, onPoint?: (done: number, total: number) => void): Promise<SweepRow[]> {
  if (spec.seeds.length === 0) throw inputError({ field: '--seeds' }, 'give at least one seed');
  if (spec.trace && spec.dims.some((d) => d.key.startsWith('param.'))) throw inputError({ field: '--vary' }, 'param.* dimensions need a built-in workload, not --trace');
  const combos = combinations(spec.dims);
  const rows: SweepRow[] = [];
  for (const combo of combos) {
    const entries = Object.entries(combo);
    const sets = [...spec.sets, ...entries.filter(([k]) => !k.startsWith('param.')).map(([k, v]) => `${k}=${v}`)];
    const params = { ...spec.params, ...parseParamPairs(entries.filter(([k]) => k.startsWith('param.')).map(([k, v]) => `${k.slice(6)}=${v}`)) };
    const scenario = loadScenario(spec.scenario, sets);
    const summaries: Summary[] = [];
    for (const seed of spec.seeds) {
      const inputs = await loadInputs({ trace: spec.trace, workload: spec.workload, params, seed });
      summaries.push(simulate({ scenario, requests: inputs.requests, seed, workload: inputs.label }).summary);
    }
    rows.push({ combo, summaries });
    onPoint?.(rows.length, combos.length);
  }
  return rows;
}

const FIGURES: [string, (s: Summary) => number, number][] = [
  ['req/s', (s) => s.requestThroughput, 2],
  ['TTFT mean s', (s) => s.ttftMs.mean / 1000, 2],
  ['TTFT p50 s', (s) => s.ttftMs.median / 1000, 2],
  ['TTFT p99 s', (s) => s.ttftMs.p99 / 1000, 2],
  ['ITL mean ms', (s) => s.itlMs.mean, 1],
  ['ITL p99 ms', (s) => s.itlMs.p99, 1],
  ['E2EL mean s', (s) => s.e2elMs.mean / 1000, 2],
  ['goodput req/s', (s) => s.goodput?.requestThroughput ?? NaN, 2],
  ['timed out', (s) => s.requests.timedOut, 0],
  ['rejected', (s) => s.requests.rejected, 0],
];

/** mean, or mean [min–max] over several seeds; '–' without a value. */
function cell(xs: number[], digits: number): string {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return '–';
  const mean = v.reduce((p, q) => p + q, 0) / v.length;
  return v.length === 1 ? mean.toFixed(digits) : `${mean.toFixed(digits)} [${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)}]`;
}

export function sweepTable(dims: readonly Dimension[], rows: readonly SweepRow[]): string {
  const head = [...dims.map((d) => d.key), ...FIGURES.map(([n]) => n)];
  const body = rows.map((r) => [...dims.map((d) => r.combo[d.key]), ...FIGURES.map(([, get, dg]) => cell(r.summaries.map(get), dg))]);
  return textTable(head, body, dims.length);
}
