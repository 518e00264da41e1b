// The sweep's tables: one row per point × seed (inputs, GPUs, every block figure, goodput, tokens/s per
// GPU and per user, cut-offs, cost) and one per point (mean and Student-t 95 % interval over seeds),
// as typed columns, and their CSV (shortest round-trip numbers, empty cells for missing values).
import { confidenceInterval } from '../util/stats.ts';
import { AGGREGATE_METRICS, RECORD_METRICS, statValue, type Figures, type StatName } from './figures.ts';
import type { Scalar } from './plan.ts';

export type Cell = number | string | boolean | null;
export type ColumnType = 'int' | 'float' | 'string' | 'bool';

export interface Table {
  columns: { name: string; type: ColumnType }[];
  rows: Cell[][];
}

/** The points of a sweep as the tables need them. */
export interface TablePoint {
  index: number;
  inputs: Record<string, Scalar>;
  /** Figures per seed, in the plan's seed order. */
  runs: { seed: string; figures: Figures }[];
  meetsSla?: boolean;
}

export interface TableContext {
  /** Axis columns, in plan order. */
  inputColumns: string[];
  gpuHourUsd?: number;
}

const ROLES = ['agg', 'prefill', 'decode'] as const;
const TABLE_STATS: StatName[] = ['mean', 'median', 'p90', 'p95', 'p99'];

/** A figure column: name, type, value from one run. */
interface FigureColumn {
  name: string;
  type: ColumnType;
  get: (f: Figures) => number;
  /** Same for every seed of a point (no interval in points.csv). */
  fixed?: boolean;
}

export function figureColumns(ctx: TableContext): FigureColumn[] {
  const cols: FigureColumn[] = [];
  for (const r of ROLES) cols.push({ name: `gpus_${r}`, type: 'int', get: (f) => f.gpus[r] ?? 0, fixed: true });
  cols.push({ name: 'gpus_total', type: 'int', get: (f) => f.gpusTotal, fixed: true });
  for (const r of ROLES) cols.push({ name: `kv_capacity_blocks_per_rank_${r}`, type: 'int', get: (f) => f.kvCapacityBlocksPerRank[r] ?? NaN, fixed: true });
  cols.push({ name: 'request_count', type: 'int', get: (f) => f.requests.issued });
  cols.push({ name: 'completed', type: 'int', get: (f) => f.requests.completed });
  cols.push({ name: 'timed_out', type: 'int', get: (f) => f.requests.timedOut });
  cols.push({ name: 'rejected', type: 'int', get: (f) => f.requests.rejected });
  for (const tag of ['benchmark_duration', 'request_throughput', 'output_token_throughput', 'total_token_throughput', 'output_token_throughput_per_gpu', 'goodput', 'good_request_fraction']) {
    cols.push({ name: tag, type: 'float', get: AGGREGATE_METRICS[tag].get });
  }
  for (const [tag, m] of Object.entries(RECORD_METRICS)) {
    for (const st of TABLE_STATS) cols.push({ name: `${tag}_${st}`, type: 'float', get: (f) => statValue(m.get(f), st) });
  }
  if (ctx.gpuHourUsd !== undefined) {
    const price = ctx.gpuHourUsd;
    cols.push({ name: 'cost_per_million_output_tokens_usd', type: 'float', get: (f) => (f.outputTokenThroughput > 0 ? (price * f.gpusTotal * 1e6) / (f.outputTokenThroughput * 3600) : NaN) });
  }
  return cols;
}

function inputType(points: readonly TablePoint[], column: string): ColumnType {
  const vals = points.map((p) => p.inputs[column]).filter((v) => v !== undefined);
  if (vals.length > 0 && vals.every((v) => typeof v === 'number')) return vals.every((v) => Number.isInteger(v)) ? 'int' : 'float';
  if (vals.length > 0 && vals.every((v) => typeof v === 'boolean')) return 'bool';
  return 'string';
}

function inputCell(v: Scalar | undefined, type: ColumnType): Cell {
  if (v === undefined) return null;
  return type === 'string' ? String(v) : v;
}

/** A table number: 10 significant digits (so derived values print the same everywhere), null if not finite. */
const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(10)) : null);

/** sweep.csv / sweep.parquet: one row per point × seed. */
export function sweepTable(points: readonly TablePoint[], ctx: TableContext): Table {
  const inputs = ctx.inputColumns.map((name) => ({ name, type: inputType(points, name) }));
  const figs = figureColumns(ctx);
  const columns = [{ name: 'point', type: 'int' as ColumnType }, { name: 'seed', type: 'string' as ColumnType }, ...inputs, { name: 'scenario', type: 'string' as ColumnType }, ...figs.map((c) => ({ name: c.name, type: c.type }))];
  const rows = points.flatMap((p) =>
    p.runs.map((r): Cell[] => [p.index, r.seed, ...inputs.map((c) => inputCell(p.inputs[c.name], c.type)), r.figures.scenario, ...figs.map((c) => finiteOrNull(c.get(r.figures)))]),
  );
  return { columns, rows };
}

/** points.csv: one row per point, each figure's mean and 95 % Student-t interval over the seeds. */
export function pointsTable(points: readonly TablePoint[], ctx: TableContext): Table {
  const inputs = ctx.inputColumns.map((name) => ({ name, type: inputType(points, name) }));
  const figs = figureColumns(ctx);
  const withSla = points.some((p) => p.meetsSla !== undefined);
  const columns: Table['columns'] = [{ name: 'point', type: 'int' }, ...inputs, { name: 'scenario', type: 'string' }, { name: 'seeds', type: 'int' }];
  if (withSla) columns.push({ name: 'meets_sla', type: 'bool' });
  for (const c of figs) {
    if (c.fixed) columns.push({ name: c.name, type: c.type });
    else columns.push({ name: `${c.name}_mean`, type: 'float' }, { name: `${c.name}_ci95_low`, type: 'float' }, { name: `${c.name}_ci95_high`, type: 'float' });
  }
  const rows = points.map((p): Cell[] => {
    const row: Cell[] = [p.index, ...inputs.map((c) => inputCell(p.inputs[c.name], c.type)), p.runs[0]?.figures.scenario ?? null, p.runs.length];
    if (withSla) row.push(p.meetsSla ?? null);
    for (const c of figs) {
      const xs = p.runs.map((r) => c.get(r.figures));
      if (c.fixed) row.push(finiteOrNull(xs[0] ?? NaN));
      else {
        const ci = confidenceInterval(xs);
        row.push(finiteOrNull(ci.mean), finiteOrNull(ci.lo), finiteOrNull(ci.hi));
      }
    }
    return row;
  });
  return { columns, rows };
}

function csvCell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(t: Table): string {
  return [t.columns.map((c) => csvCell(c.name)).join(','), ...t.rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}
