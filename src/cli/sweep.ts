// `servesim sweep <scenario>`: what-if grid — every combination of the --vary values (scenario keys,
// or built-in workload parameters as param.NAME), each over several seeds, as one table of figures.
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { inputError } from '../errors.ts';
import type { Summary } from '../metrics/summary.ts';
import { simulate } from '../run.ts';
import { loadScenario } from '../scenario/load.ts';
import { loadRequests, parseParamPairs } from '../trace/workloads.ts';

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
  let out: Record<string, string>[] = [{}];
  for (const d of dims) out = out.flatMap((c) => d.values.map((v) => ({ ...c, [d.key]: v })));
  return out;
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
];

interface SweepArgs {
  scenario: string;
  vary: string[];
  trace?: string;
  workload?: string;
  param: string[];
  seeds: string;
  set: string[];
  json: boolean;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <scenario>',
  describe: 'what-if grid: every combination of --vary values (scenario keys or param.NAME workload parameters) over seeds',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true })
      .option('vary', { type: 'string', array: true, demandOption: true, describe: 'key=v1,v2,... (repeatable), e.g. workers.decode.count=1,2,3 or param.rate_scale=0.5,1' })
      .option('trace', { type: 'string', describe: 'trace file (param.* dimensions need a built-in workload)' })
      .option('workload', { type: 'string', describe: 'built-in workload (default seed-coding)' })
      .option('param', { type: 'string', array: true, default: [], describe: 'fixed workload parameter name=number' })
      .option('seeds', { type: 'string', default: '42', describe: 'comma-separated seeds; several give mean [min–max]' })
      .option('set', { type: 'string', array: true, default: [], describe: 'fixed scenario override dotted.key=value' })
      .option('json', { type: 'boolean', default: false })
      .conflicts('trace', 'workload'),
  handler: async (a) => {
    const dims = a.vary.map(parseVary);
    const seeds = a.seeds.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (seeds.length === 0) throw inputError({ field: '--seeds' }, 'give at least one seed');
    if (a.trace && dims.some((d) => d.key.startsWith('param.'))) throw inputError({ field: '--vary' }, 'param.* dimensions need a built-in workload, not --trace');
    const fixedParams = parseParamPairs(a.param);
    const rows: { combo: Record<string, string>; summaries: Summary[] }[] = [];
    const combos = combinations(dims);
    for (const combo of combos) {
      const sets = [...a.set, ...Object.entries(combo).filter(([k]) => !k.startsWith('param.')).map(([k, v]) => `${k}=${v}`)];
      const params = { ...fixedParams, ...parseParamPairs(Object.entries(combo).filter(([k]) => k.startsWith('param.')).map(([k, v]) => `${k.slice(6)}=${v}`)) };
      const scenario = loadScenario(a.scenario, sets);
      const summaries: Summary[] = [];
      for (const seed of seeds) {
        const requests = await loadRequests({ trace: a.trace, workload: a.workload, seed, params });
        const workload = a.trace ? basename(a.trace) : (a.workload ?? 'seed-coding');
        summaries.push(simulate({ scenario, requests, seed, workload }).summary);
      }
      rows.push({ combo, summaries });
      process.stderr.write(`\r${rows.length} of ${combos.length} combinations`);
    }
    process.stderr.write('\n');
    if (a.json) {
      process.stdout.write(JSON.stringify(rows.map((r) => ({ ...r.combo, runs: r.summaries })), null, 2) + '\n');
      return;
    }
    const cell = (xs: number[], digits: number) => {
      const v = xs.filter(Number.isFinite);
      if (v.length === 0) return '–';
      const mean = v.reduce((p, q) => p + q, 0) / v.length;
      return v.length === 1 ? mean.toFixed(digits) : `${mean.toFixed(digits)} [${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)}]`;
    };
    const head = [...dims.map((d) => d.key), ...FIGURES.map(([n]) => n)];
    const body = rows.map((r) => [...dims.map((d) => r.combo[d.key]), ...FIGURES.map(([, get, dg]) => cell(r.summaries.map(get), dg))]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i < dims.length ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    process.stdout.write(`${basename(a.scenario)}: ${seeds.length} seed(s) per row${seeds.length > 1 ? ', mean [min–max]' : ''}\n`);
    process.stdout.write([line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + '\n');
  },
};
