// What a cost-model file and its calibration file must satisfy beyond their zod shape (spec.ts): every
// op table has strictly increasing keys, as many times as keys, times >= 0 within the clock's range,
// and grows from its first key to its last (single spikes are capped when read, interp.ts `monotone`;
// a table that ends below its start is not noise); numeric table keys are positive integers; every
// calibration value lies within the bounds its file states, and the bounds within the parameter's
// physical range. Each problem is one line naming the file and the JSON path of the field.
import { MAX_TIME_MS } from '../util/clock.ts';
import { inputError } from '../util/errors.ts';
import { CALIBRATION_PARAMETERS, type CalibrationFile, type CalibrationParameter, type CalibrationValues, type CostModelFile } from './spec.ts';

type Path = readonly (string | number)[];

/** A JSON path as the messages print it: `moe.kernels.cutlass.byDistribution.power_law_1.01.8.ms[3]`. */
export function jsonPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

class Checker {
  constructor(readonly file: string) {}

  fail(path: Path, what: string): never {
    throw inputError({ file: this.file, field: jsonPath(path) }, what);
  }

  /** A table axis: at least `min` finite keys >= `from` (> `from` if `strict`), strictly increasing. */
  axis(path: Path, keys: readonly number[], min: number, from = 0, strictFrom = false): void {
    if (keys.length < min) this.fail(path, `has ${keys.length} key${keys.length === 1 ? '' : 's'}; a table needs at least ${min}`);
    if (strictFrom ? !(keys[0] > from) : !(keys[0] >= from)) this.fail([...path, 0], `${keys[0]} must be ${strictFrom ? 'above' : 'at least'} ${from}`);
    for (let i = 1; i < keys.length; i++) {
      if (!(keys[i] > keys[i - 1])) this.fail([...path, i], `${keys[i]} is not above the key before it (${keys[i - 1]}): a table's keys must strictly increase`);
    }
  }

  /** One time value of a table, ms. */
  time(path: Path, ms: number): void {
    if (ms < 0) this.fail(path, `${ms} ms is negative: a time cannot be`);
    if (ms > MAX_TIME_MS) this.fail(path, `${ms} ms is beyond the simulated clock's range of 2^43 ms`);
  }

  /** A table read non-decreasing in its key must end at or above where it starts. */
  grows(path: Path, first: number, last: number, lastIndex: string): void {
    if (last < first) this.fail(path, `falls from ${first} ms at its first key to ${last} ms at its last (${lastIndex}): more tokens or bytes never take less time, and a table is read non-decreasing in its key`);
  }

  curve(path: Path, c: { x: number[]; ms: number[] }, minPoints: number, strictFrom: boolean): void {
    this.axis([...path, 'x'], c.x, minPoints, 0, strictFrom);
    if (c.ms.length !== c.x.length) this.fail([...path, 'ms'], `has ${c.ms.length} times for ${c.x.length} keys (x)`);
    c.ms.forEach((v, i) => this.time([...path, 'ms', i], v));
    this.grows([...path, 'ms'], c.ms[0], c.ms[c.ms.length - 1], `ms[${c.ms.length - 1}]`);
  }

  grid(path: Path, g: { rows: number[]; cols: number[]; ms: number[][] }): void {
    this.axis([...path, 'rows'], g.rows, 2);
    this.axis([...path, 'cols'], g.cols, 2);
    if (g.ms.length !== g.rows.length) this.fail([...path, 'ms'], `has ${g.ms.length} rows of times for ${g.rows.length} row keys`);
    g.ms.forEach((row, i) => {
      if (row.length !== g.cols.length) this.fail([...path, 'ms', i], `has ${row.length} times for ${g.cols.length} column keys`);
      row.forEach((v, j) => this.time([...path, 'ms', i, j], v));
      this.grows([...path, 'ms', i], row[0], row[row.length - 1], `[${row.length - 1}]`);
    });
    for (let j = 0; j < g.cols.length; j++) this.grows([...path, 'ms', 0, j], g.ms[0][j], g.ms[g.ms.length - 1][j], `ms[${g.ms.length - 1}][${j}]`);
  }

  /** Keys that name a count (heads, GPUs, EP size, slots, TP): positive integers. */
  counts(path: Path, rec: Record<string, unknown>): void {
    for (const k of Object.keys(rec)) if (!/^[1-9]\d*$/.test(k)) this.fail([...path, k], `'${k}' is not a count: this table is keyed by positive integers`);
  }
}

type Curves = Record<string, { x: number[]; ms: number[] }>;

/** Every table and keyed count of a parsed model file; throws on the first problem. */
export function validateCostModelFile(file: string, spec: CostModelFile): void {
  const c = new Checker(file);
  const curves = (path: Path, rec: Curves | undefined, minPoints = 2, strictFrom = false) => {
    if (!rec) return;
    c.counts(path, rec);
    for (const [k, v] of Object.entries(rec)) c.curve([...path, k], v, minPoints, strictFrom);
  };
  const a = spec.architecture;
  if (a.topK > a.routedExperts) c.fail(['architecture', 'topK'], `${a.topK} is above routedExperts ${a.routedExperts}: a token cannot pick more experts than there are`);
  if (a.moeLayers + a.denseLayers !== a.layers) c.fail(['architecture', 'layers'], `${a.layers} is not moeLayers ${a.moeLayers} + denseLayers ${a.denseLayers}`);
  c.counts(['memory', 'ncclBytesByTp'], spec.memory.ncclBytesByTp);
  c.counts(['memory', 'activationCoefficientByTp'], spec.memory.activationCoefficientByTp);
  // memory.ts reads the activation reserve at min(attention TP, 8) of power-of-two TP sizes
  const missingTp = ['1', '2', '4', '8'].filter((k) => spec.memory.activationCoefficientByTp[k] === undefined);
  if (missingTp.length > 0) c.fail(['memory', 'activationCoefficientByTp'], `has no ${missingTp.join(', ')}: the activation reserve is read at min(attention TP, 8), so TP 1, 2, 4 and 8 are needed`);
  // whole-prompt tables are cumulative from (0, 0): keys above 0, at least 3 points (interp.ts Cumulative1D)
  curves(['attention', 'context', 'byHeads'], spec.attention.context.byHeads, 3, true);
  c.counts(['attention', 'generation', 'byHeads'], spec.attention.generation.byHeads);
  for (const [h, g] of Object.entries(spec.attention.generation.byHeads)) c.grid(['attention', 'generation', 'byHeads', h], g);
  for (const kernel of ['cutlass', 'min_latency'] as const) {
    for (const [d, byEp] of Object.entries(spec.moe.kernels[kernel].byDistribution)) curves(['moe', 'kernels', kernel, 'byDistribution', d], byEp);
  }
  for (const [d, byEp] of Object.entries(spec.moe.wideep.noLoadBalancer)) curves(['moe', 'wideep', 'noLoadBalancer', d], byEp);
  c.counts(['moe', 'wideep', 'bySlots'], spec.moe.wideep.bySlots);
  for (const [s, byDist] of Object.entries(spec.moe.wideep.bySlots)) for (const [d, byEp] of Object.entries(byDist)) curves(['moe', 'wideep', 'bySlots', s, d], byEp);
  for (const method of ['NVLinkTwoSided', 'NVLinkOneSided'] as const) {
    const m = spec.comm.allToAll[method];
    for (const op of ['prepare', 'dispatch', 'combine', 'combineLowPrecision'] as const) curves(['comm', 'allToAll', method, op], m[op]);
  }
  for (const op of ['all_gather', 'reduce_scatter'] as const) curves(['comm', 'nccl', op, 'byGpus'], spec.comm.nccl[op].byGpus);
  curves(['comm', 'customAllReduce', 'byGpus'], spec.comm.customAllReduce.byGpus);
  for (const [dtype, byShape] of Object.entries(spec.gemm.byDtype)) {
    for (const [shape, curve] of Object.entries(byShape)) {
      if (!/^[1-9]\d*x[1-9]\d*$/.test(shape)) c.fail(['gemm', 'byDtype', dtype, shape], `'${shape}' is not a GEMM shape NxK (positive integers)`);
      c.curve(['gemm', 'byDtype', dtype, shape], curve, 2, false);
    }
  }
}

/** Parameters that are times (>= 0); every other one is a scale or a rate (> 0). */
const TIMES: readonly CalibrationParameter[] = ['iterationFixedMs', 'hostOverheadMs'];

/** Why `v` is outside the physical range of `k`, or null. */
function unphysical(k: CalibrationParameter, v: number): string | null {
  if (!Number.isFinite(v)) return `${v} is not a finite number`;
  if (TIMES.includes(k)) return v < 0 ? `${v} is negative: a time cannot be` : null;
  return v > 0 ? null : `${v} must be above 0 (a scale or a rate)`;
}

/** A parsed calibration file: bounds ordered and physical, value and prior within them, platforms' parameters known. */
export function validateCalibrationFile(file: string, cal: CalibrationFile): void {
  const c = new Checker(file);
  for (const k of CALIBRATION_PARAMETERS) {
    const p = cal.parameters[k];
    const [lo, hi] = p.bounds;
    if (!(lo <= hi)) c.fail(['parameters', k, 'bounds'], `[${lo}, ${hi}]: the lower bound is above the upper`);
    p.bounds.forEach((b, i) => {
      const why = unphysical(k, b);
      if (why) c.fail(['parameters', k, 'bounds', i], why);
    });
    for (const f of ['value', 'prior'] as const) {
      if (!(p[f] >= lo && p[f] <= hi)) c.fail(['parameters', k, f], `${p[f]} ${p.unit} is outside the file's own bounds [${lo}, ${hi}]`);
    }
  }
  for (const [name, entry] of Object.entries(cal.platforms)) {
    if (typeof entry === 'string' || typeof entry.iterationSlowdown === 'number') continue;
    if (!(CALIBRATION_PARAMETERS as readonly string[]).includes(entry.iterationSlowdown)) c.fail(['platforms', name, 'iterationSlowdown'], `'${entry.iterationSlowdown}' is neither a number nor a calibration parameter (${CALIBRATION_PARAMETERS.join(', ')})`);
  }
}

/** Calibration overrides (sweep `calibration.*`, the library's `calibration`): finite and physical. */
export function validateOverrides(overrides: CalibrationValues): void {
  for (const [k, v] of Object.entries(overrides) as [CalibrationParameter, number][]) {
    const why = unphysical(k, v);
    if (why) throw inputError({ field: `calibration.${k}` }, why);
  }
}
