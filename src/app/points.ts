// A plan's points: every combination of its axes resolved into a validated scenario, workload
// parameters and calibration overrides, and its jobs (point × seed) keyed by a content hash of what
// the simulation reads, so a rerun (or another plan reaching the same point) reuses the result.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModeOf } from '../client/load.ts';
import { calibrationFileOf, modelFile } from '../cost/load.ts';
import { CALIBRATION_PARAMETERS } from '../cost/spec.ts';
import { validateOverrides } from '../cost/validate.ts';
import { loadScenario, modelFrom } from '../scenario/load.ts';
import { isModelPath, type Scenario } from '../scenario/schema.ts';
import { resolveParams } from '../trace/params.ts';
import { getWorkload } from '../trace/workloads.ts';
import { inputError, InputError } from '../util/errors.ts';
import { didYouMean } from '../util/suggest.ts';
import { servesimVersion } from '../util/version.ts';
import { DEFAULT_WORKLOAD, requireSchedule } from './inputs.ts';
import type { Plan, Scalar } from './plan.ts';

export interface Point {
  index: number;
  /** Axis column → value. */
  inputs: Record<string, Scalar>;
  scenario: Scenario;
  params: Record<string, number>;
  calibration: Record<string, number>;
  /** Plug-in router for the entry pool (compare variants), absolute path. */
  router?: string;
  /** The point without its traffic columns (param.*, load.*, calibration.*, the search key). */
  deployment: string;
  /** The values of its traffic columns, e.g. "param.rate_scale=1.5". */
  traffic: string;
}

/** What a worker needs to simulate one point with one seed. */
export interface Job {
  key: string;
  point: number;
  seed: string;
  scenario: Scenario;
  workload: { name: string; params: Record<string, number> } | { trace: string };
  calibration: Record<string, number>;
  router?: string;
}

/** The scenario's AIPerf load keys: what traffic the client sends, not what serves it. */
export const LOAD_KEYS = ['client.request_rate', 'client.concurrency', 'client.request_rate_mode', 'client.fixed_schedule', 'client.request_count'];

/** Columns that describe traffic or the cost model rather than the deployment. */
export function isTrafficColumn(column: string, plan: Pick<Plan, 'search'>): boolean {
  return column.startsWith('param.') || column.startsWith('load.') || column.startsWith('calibration.') || LOAD_KEYS.includes(column) || column === plan.search?.key;
}

/** Every combination of one step per axis, in order (the last axis varies fastest). */
export function combine(plan: Pick<Plan, 'axes'>): Record<string, Scalar>[] {
  let out: Record<string, Scalar>[] = [{}];
  for (const a of plan.axes) out = out.flatMap((c) => a.steps.map((s) => ({ ...c, ...s })));
  return out;
}

export function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

export const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const fileHashes = new Map<string, string>();
/** sha256 of a file's content, cached per (path, size, mtime): a file rewritten in between is hashed again. */
function fileHash(file: string): string {
  const st = statSync(file);
  const id = `${file}\0${st.size}\0${st.mtimeMs}`;
  let h = fileHashes.get(id);
  if (h === undefined) fileHashes.set(id, (h = sha256(readFileSync(file))));
  return h;
}

/** `key=value` of a plan's scenario key; a model file path is read from the plan's folder, as its scenario, trace and router are. */
function setOf(plan: Plan, k: string, v: Scalar): string {
  return `${k}=${k === 'model' && typeof v === 'string' ? modelFrom(dirname(plan.file), v) : v}`;
}

/** Resolve one assignment of axis values (plus the plan's fixed keys) into a point. */
export function resolvePoint(plan: Plan, index: number, inputs: Record<string, Scalar>, where: string): Point {
  const sets: string[] = Object.entries(plan.sets).map(([k, v]) => setOf(plan, k, v));
  const params: Record<string, number> = { ...plan.params };
  const calibration: Record<string, number> = { ...plan.calibration };
  let scenarioFile = plan.scenario;
  let router: string | undefined;
  const labels = new Set(plan.axes.flatMap((a) => (a.label !== undefined ? [a.label] : [])));
  for (const [k, v] of Object.entries(inputs)) {
    if (k === 'scenario') scenarioFile = resolve(dirname(plan.file), String(v));
    else if (k === 'router') router = resolve(dirname(plan.file), String(v));
    else if (k.startsWith('param.')) {
      if (typeof v !== 'number') throw inputError({ file: plan.file, field: `${where} ${k}` }, `workload parameters are numbers, got ${JSON.stringify(v)}`);
      params[k.slice(6)] = v;
    } else if (k.startsWith('calibration.')) {
      const name = k.slice(12);
      if (!(CALIBRATION_PARAMETERS as readonly string[]).includes(name)) throw inputError({ file: plan.file, field: `${where} ${k}` }, `unknown calibration parameter${didYouMean(name, [...CALIBRATION_PARAMETERS])}; known: ${CALIBRATION_PARAMETERS.join(', ')}`);
      if (typeof v !== 'number') throw inputError({ file: plan.file, field: `${where} ${k}` }, `must be a number, got ${JSON.stringify(v)}`);
      calibration[name] = v;
    } else if (!labels.has(k)) sets.push(setOf(plan, k, v));
  }
  let scenario: Scenario;
  try {
    scenario = loadScenario(scenarioFile, sets);
    // every point's overrides and load mode are checked before any runs (an unphysical value would fail only when its point ran)
    validateOverrides(calibration);
    loadModeOf(scenario.client);
    if (plan.trace === undefined) {
      const name = plan.workload ?? DEFAULT_WORKLOAD;
      const w = getWorkload(name);
      // an untimed workload is sent at a rate or a concurrency: checked for every point before any runs
      const inFile = /\.ya?ml$/.test(plan.file);
      const how = inFile ? 'set client.fixed_schedule: false and a load (client.request_rate or client.concurrency) in the plan' : 'add --set client.fixed_schedule=false and a load (--set client.concurrency=N or client.request_rate=R)';
      requireSchedule({ timed: w.timed, label: name }, scenario.client, how, inFile ? 'workload' : '--workload');
      Object.assign(params, resolveParams(name, w.params(), params));
    } else if (Object.keys(params).length > 0) throw new InputError('param.* keys need a built-in workload, not a trace');
  } catch (e) {
    if (e instanceof InputError) throw inputError({ file: plan.file, field: where }, e.message);
    throw e;
  }
  const deploymentInputs = Object.fromEntries(Object.entries(inputs).filter(([k]) => !isTrafficColumn(k, plan)));
  const traffic = Object.entries(inputs).filter(([k]) => isTrafficColumn(k, plan)).map(([k, v]) => `${k}=${v}`).join(' ');
  return { index, inputs, scenario, params, calibration, ...(router ? { router } : {}), deployment: canonical(deploymentInputs), traffic };
}

/** Every point of the plan's grid, in order. */
export function planPoints(plan: Plan): Point[] {
  return combine(plan).map((inputs, i) => resolvePoint(plan, i, inputs, describeInputs(inputs)));
}

export function describeInputs(inputs: Record<string, Scalar>): string {
  const s = Object.entries(inputs).map(([k, v]) => `${k}=${v}`).join(' ');
  return s === '' ? 'base point' : s;
}

let codeHash: string | undefined;
/**
 * The simulator's own code and the built-in workload models (src/ or dist/, whichever runs, and
 * models/workload-*.json): a resumed sweep never reuses a point computed by other code.
 */
function simulatorHash(): string {
  if (codeHash !== undefined) return codeHash;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(c?js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(root);
  const models = fileURLToPath(new URL('../../models/', import.meta.url));
  for (const f of readdirSync(models).sort()) if (f.startsWith('workload-') && f.endsWith('.json')) files.push(join(models, f));
  const h = createHash('sha256');
  for (const f of files) h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return (codeHash = h.digest('hex'));
}

/** The content key of a point run with a seed: everything the simulation reads, hashed. */
export function jobOf(plan: Plan, p: Point, seed: string): Job {
  const workload: Job['workload'] = plan.trace !== undefined ? { trace: plan.trace } : { name: plan.workload ?? DEFAULT_WORKLOAD, params: p.params };
  const content = {
    servesim: servesimVersion(),
    code: simulatorHash(),
    model: fileHash(modelFile(p.scenario.model)),
    calibrationFile: fileHash(calibrationFileOf(modelFile(p.scenario.model))),
    // a model file is keyed by its content (above), not by where the plan's folder puts it
    scenario: isModelPath(p.scenario.model) ? { ...p.scenario, model: 'file' } : p.scenario,
    workload: 'trace' in workload ? { trace: fileHash(workload.trace) } : workload,
    calibration: p.calibration,
    seed,
    ...(p.router ? { router: fileHash(p.router) } : {}),
  };
  return { key: sha256(canonical(content)).slice(0, 32), point: p.index, seed, scenario: p.scenario, workload, calibration: p.calibration, ...(p.router ? { router: p.router } : {}) };
}

/** Every job of the points: point-major, seeds in plan order. */
export function planJobs(plan: Plan, points: readonly Point[]): Job[] {
  return points.flatMap((p) => plan.seeds.map((s) => jobOf(plan, p, s)));
}

/** plan.json: everything the tables and answers need besides the figures. */
export interface Manifest {
  servesim: string;
  name: string;
  columns: string[];
  seeds: string[];
  sla: string | null;
  gpuHourUsd: number | null;
  search: Plan['search'] | null;
  points: { index: number; inputs: Record<string, Scalar>; deployment: string; traffic: string; keys: string[] }[];
  searches: { id: string; inputs: Record<string, Scalar> }[];
}

