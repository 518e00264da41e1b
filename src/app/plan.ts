// Sweep plans: the YAML file (base scenario, axes as lists / ranges / zipped groups / cases, seeds,
// SLA, GPU price, load search), validated strictly with one-line errors naming the file and key.
import { basename, dirname, resolve } from 'node:path';
import * as z from 'zod';
import { inputError, InputError } from '../util/errors.ts';
import { readTextFile } from '../util/files.ts';
import { parseYamlText } from '../util/yaml-text.ts';
import { loadPlanRaw } from './plan-file.ts';
import { parseSla, type Sla } from './sla.ts';
import { DEFAULT_WORKLOAD } from './inputs.ts';
import { workloads } from '../trace/workloads.ts';

const scalar = z.union([z.number(), z.string(), z.boolean()]);
export type Scalar = z.infer<typeof scalar>;

const seedsSchema = z.union([z.number().int().positive(), z.array(z.union([z.string().min(1), z.number().int()])).min(1)]);

const planSchema = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  /** Base scenario file, relative to the plan file. */
  scenario: z.string().min(1),
  workload: z.string().min(1).optional(),
  trace: z.string().min(1).optional(),
  /** Fixed workload parameters of the built-in workload. */
  params: z.record(z.string(), z.number()).default({}),
  /** Fixed scenario overrides, dotted key → value. */
  set: z.record(z.string(), scalar).default({}),
  /** Fixed cost-model calibration overrides. */
  calibration: z.record(z.string(), z.number()).default({}),
  /** A count (seeds 42, 43, …) or a list of seeds. */
  seeds: seedsSchema.default(1),
  axes: z.array(z.record(z.string(), z.unknown())).default([]),
  sla: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  /** GPU price, $ per GPU-hour: adds cost per million output tokens. */
  gpu_hour_usd: z.number().positive().optional(),
  /** Max sustainable load per deployment: bisection of `key` on the lattice low + k·tolerance. */
  search: z.strictObject({ key: z.string().min(1), low: z.number().positive(), high: z.number().positive(), tolerance: z.number().positive() }).optional(),
});

const valuesAxis = z.strictObject({ key: z.string().min(1), values: z.array(scalar) });
const rangeAxis = z.strictObject({ key: z.string().min(1), range: z.strictObject({ start: z.number(), stop: z.number(), step: z.number().positive() }) });
const zipAxis = z.strictObject({ zip: z.record(z.string(), z.array(scalar)) });
const casesAxis = z.strictObject({ name: z.string().min(1).optional(), cases: z.array(z.record(z.string(), scalar)) });

/** One axis after expansion: a column per key, and one assignment of every key per step. */
export interface Axis {
  /** Column names this axis fills (keys, and the case-name column of a cases axis). */
  columns: string[];
  /** The case-name column of a cases axis (a label, not a key). */
  label?: string;
  steps: Record<string, Scalar>[];
}

export interface Search {
  key: string;
  low: number;
  high: number;
  tolerance: number;
}

export interface Plan {
  file: string;
  name: string;
  scenario: string;
  workload?: string;
  trace?: string;
  params: Record<string, number>;
  sets: Record<string, Scalar>;
  calibration: Record<string, number>;
  seeds: string[];
  axes: Axis[];
  sla?: Sla;
  gpuHourUsd?: number;
  search?: Search;
}

/** --seeds of the commands that print intervals: a count from --seed upwards (a whole number) or a list; at least two. */
export function intervalSeeds(value: string, seed = '42', field = '--seeds'): string[] {
  const s = String(value).trim();
  const count = /^\d+$/.test(s);
  const few = (n: number) => inputError({ field }, `${s}: ${n === 1 ? 'one workload sample has no spread' : 'no workload sample'}; an interval needs at least 2 seeds`);
  if (count && Number(s) < 2) throw few(Number(s));
  if (count && !/^\d+$/.test(seed)) throw inputError({ field }, `a count counts up from --seed, which is not a whole number (${seed}): give a list`);
  const list = seedList(s, count ? Number(seed) : 42, field);
  if (list.length < 2) throw few(list.length);
  return list;
}

/** Most seeds any command runs: beyond it a typo would run for days. */
export const MAX_SEEDS = 1000;

/** `--seeds N` (N seeds from `base` upwards: 42, 43, …) or a comma-separated list; at most MAX_SEEDS, none twice. */
export function seedList(spec: string | number | readonly (string | number)[], base = 42, field = '--seeds'): string[] {
  let list: string[];
  const s = String(spec).trim();
  if (Array.isArray(spec)) {
    list = spec.map((x) => String(x).trim());
    if (list.includes('')) throw inputError({ field }, `[${list.join(', ')}] has an empty seed`);
  } else if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 1) throw inputError({ field }, 'give at least one seed');
    if (n > MAX_SEEDS) throw inputError({ field }, `${s} seeds: at most ${MAX_SEEDS} (each seed is a whole run of every point or variant)`);
    return Array.from({ length: n }, (_, i) => String(base + i));
  } else {
    list = s.split(',').map((x) => x.trim());
    if (s === '' || list.every((x) => x === '')) throw inputError({ field }, `expected a count or seed1,seed2,..., got '${s}'`);
    if (list.includes('')) throw inputError({ field }, `'${s}' has an empty seed between its commas`);
  }
  if (list.length > MAX_SEEDS) throw inputError({ field }, `${list.length} seeds: at most ${MAX_SEEDS} (each seed is a whole run of every point or variant)`);
  const dup = list.find((x, i) => list.indexOf(x) !== i);
  if (dup !== undefined) throw inputError({ field }, `seed ${dup} is given twice: its workload sample would count twice in every interval`);
  return list;
}

/** One decimal rounding of a range step: start + i·step to 12 significant digits. */
export function rangeValues(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; start + i * step <= stop + step * 1e-9; i++) out.push(Number((start + i * step).toPrecision(12)));
  return out;
}

/** Where a plan key is written, for its errors: `file` or `file:line`. */
export type Where = (field: string) => string;
const at = (where: Where, field: string) => ({ file: where(field), field });

function zodLine(where: Where, prefix: string, issue: z.core.$ZodIssue): InputError {
  const path = [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].filter((p) => p !== '').join('.').replace(/\.\[/g, '[');
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    return inputError(at(where, keys.map((k) => (path ? `${path}.${k}` : k)).join(', ')), `unknown key${keys.length > 1 ? 's' : ''}`);
  }
  return inputError(at(where, path || '(root)'), issue.message);
}

function parseAxis(where: Where, raw: Record<string, unknown>, i: number): Axis {
  const ax = `axes[${i}]`;
  const form = 'values' in raw ? valuesAxis : 'range' in raw ? rangeAxis : 'zip' in raw ? zipAxis : 'cases' in raw ? casesAxis : undefined;
  if (!form) throw inputError(at(where, ax), 'an axis needs key + values, key + range, zip or cases');
  const parsed = form.safeParse(raw);
  if (!parsed.success) throw zodLine(where, ax, parsed.error.issues[0]);
  const a = parsed.data as Record<string, unknown>;
  const empty = (field: string) => inputError(at(where, field), 'empty axis: give at least one value');
  if ('values' in a) {
    const { key, values } = a as z.infer<typeof valuesAxis>;
    if (values.length === 0) throw empty(`${ax}.values (${key})`);
    return { columns: [key], steps: values.map((v) => ({ [key]: v })) };
  }
  if ('range' in a) {
    const { key, range } = a as z.infer<typeof rangeAxis>;
    const values = rangeValues(range.start, range.stop, range.step);
    if (values.length === 0) throw empty(`${ax}.range (${key})`);
    if (values.length > 100_000) throw inputError(at(where, `${ax}.range (${key})`), `${values.length} values; raise the step`);
    return { columns: [key], steps: values.map((v) => ({ [key]: v })) };
  }
  if ('zip' in a) {
    const zip = (a as z.infer<typeof zipAxis>).zip;
    const keys = Object.keys(zip);
    if (keys.length === 0) throw inputError(at(where, `${ax}.zip`), 'needs at least one key');
    for (const k of keys) if (zip[k].length === 0) throw empty(`${ax}.zip.${k}`);
    const bad = keys.find((k) => zip[k].length !== zip[keys[0]].length);
    if (bad !== undefined) throw inputError(at(where, `${ax}.zip.${bad}`), `has ${zip[bad].length} values but ${keys[0]} has ${zip[keys[0]].length}: zipped keys need the same number`);
    return { columns: keys, steps: zip[keys[0]].map((_, j) => Object.fromEntries(keys.map((k) => [k, zip[k][j]]))) };
  }
  const { name, cases } = a as z.infer<typeof casesAxis>;
  if (cases.length === 0) throw empty(`${ax}.cases`);
  const col = name ?? 'case';
  const keys: string[] = [];
  for (const c of cases) for (const k of Object.keys(c)) if (k !== 'name' && !keys.includes(k)) keys.push(k);
  const steps = cases.map((c, j) => {
    const { name: label, ...rest } = c;
    return { [col]: label ?? String(j), ...rest };
  });
  return { columns: [col, ...keys], label: col, steps };
}

/** The load keys a search bisects (docs/capacity-planning.md): what traffic the client sends. */
/** The loads a search may bisect: the client's rate or concurrency, and the built-in workload's load parameter. */
export function searchKeys(workload: string | undefined): string[] {
  const param = workload === undefined ? undefined : workloads.has(workload) ? workloads.get(workload, { field: 'workload' }).loadParam : undefined;
  return [...(param !== undefined ? [`param.${param}`] : []), 'client.request_rate', 'client.concurrency'];
}

function checkSearch(s: Search, where: Where, workload: string | undefined): void {
  const keys = searchKeys(workload);
  if (!keys.includes(s.key)) throw inputError(at(where, 'search.key'), `${s.key} is not a load a search can bisect; supported: ${keys.join(', ')}`);
  if (!(s.high > s.low)) throw inputError(at(where, 'search.high'), `must be above search.low ${s.low}`);
  const span = Number((s.high - s.low).toPrecision(12));
  if (s.tolerance > span) throw inputError(at(where, 'search.tolerance'), `${s.tolerance} must not exceed search.high − search.low = ${span}: the lattice low + k·tolerance would hold low alone, and search.high would be ignored`);
  if (s.key === 'client.concurrency') {
    const bad = !Number.isInteger(s.low) ? 'low' : !Number.isInteger(s.tolerance) ? 'tolerance' : undefined;
    if (bad) throw inputError(at(where, `search.${bad}`), `${s[bad]}: a concurrency is a whole number of users; give a whole search.low and search.tolerance`);
  }
}

/** Validate a raw plan object (from YAML, or built by the --vary quick form); `where` names the place of
 *  a plan key in errors (a plan file's file:line; the file, or the quick form's flags, alone by default). */
export function validatePlan(raw: unknown, file: string, where: Where = () => file): Plan {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw inputError({ file }, 'a plan must be a YAML mapping');
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) throw zodLine(where, '', parsed.error.issues[0]);
  const p = parsed.data;
  if (p.workload !== undefined && p.trace !== undefined) throw inputError(at(where, 'trace'), 'give either a trace or a workload, not both');
  const dir = dirname(file);
  const axes = p.axes.map((a, i) => parseAxis(where, a, i));
  const seen = new Map<string, number>();
  axes.forEach((a, i) => {
    // a step twice would run (and print) the same point twice; a case name twice would label two points alike
    const steps = a.steps.map((st) => JSON.stringify(st));
    const twice = steps.findIndex((st, j) => steps.indexOf(st) !== j);
    if (twice >= 0) throw inputError(at(where, `axes[${i}]`), `${steps[twice]} appears twice: the same point would run twice`);
    if (a.label !== undefined) {
      const names = a.steps.map((st) => String(st[a.label!]));
      const dup = names.find((n, j) => names.indexOf(n) !== j);
      if (dup !== undefined) throw inputError(at(where, `axes[${i}].cases`), `the name ${dup} is given to two cases`);
    }
    for (const c of a.columns) {
      if (seen.has(c)) throw inputError(at(where, `axes[${i}]`), `${c} is already an axis (axes[${seen.get(c)}]); put all its values in one axis`);
      seen.set(c, i);
    }
  });
  let sla: Sla | undefined;
  if (p.sla !== undefined) sla = parseSla(Array.isArray(p.sla) ? p.sla.join(' ') : p.sla, at(where, 'sla'));
  if (p.search) checkSearch(p.search, where, p.trace !== undefined ? undefined : (p.workload ?? DEFAULT_WORKLOAD));
  if (p.search && sla === undefined) throw inputError(at(where, 'search'), 'a load search needs an sla (in the plan or --sla)');
  return {
    file,
    name: p.name ?? basename(file).replace(/\.ya?ml$/, ''),
    scenario: resolve(dir, p.scenario),
    ...(p.workload !== undefined ? { workload: p.workload } : {}),
    ...(p.trace !== undefined ? { trace: resolve(dir, p.trace) } : {}),
    params: p.params,
    sets: p.set,
    calibration: p.calibration,
    seeds: seedList(p.seeds, 42, `${where('seeds')}: seeds`),
    axes,
    ...(sla ? { sla } : {}),
    ...(p.gpu_hour_usd !== undefined ? { gpuHourUsd: p.gpu_hour_usd } : {}),
    ...(p.search ? { search: p.search } : {}),
  };
}

/** Read a plan file. */
export function loadPlan(file: string): Plan {
  const { raw, where } = loadPlanRaw(file);
  return validatePlan(raw, file, where);
}

/** Is this YAML file a plan (top-level `scenario:` string) rather than a scenario (`workers:`)? A file
 *  that cannot be read or is not YAML is neither: that is the one-line error, with its line and column. */
export function isPlanFile(file: string): boolean {
  const raw = parseYamlText(readTextFile(file, 'plan or scenario file'), file) as Record<string, unknown> | null;
  return raw !== null && typeof raw === 'object' && typeof raw.scenario === 'string' && !('workers' in raw);
}
