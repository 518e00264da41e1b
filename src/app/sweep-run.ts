// Running a plan into a results folder: plan.json (the resolved points and their job keys), one
// points/<key>.json per finished point × seed (written atomically as it completes, so an interrupted
// run keeps them and a rerun skips them), the load search, and — when the folder is complete — the
// tables and answers. A shard runs a deterministic slice; `mergeShards` joins shard folders.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { inputError } from '../util/errors.ts';
import { checkOutFolder, removeFiles } from '../util/out-folder.ts';
import { servesimVersion } from '../util/version.ts';
import { answers, type Answers } from './answers.ts';
import type { Figures } from './figures.ts';
import type { Plan } from './plan.ts';
import { planJobs, planPoints, type Job, type Manifest } from './points.ts';
import { runPool } from './pool.ts';
import { searchGroups, searchMaxLoad, type SearchResult } from './search.ts';
import { pointsTable, sweepTable, toCsv, type TablePoint } from './tables.ts';
import { toParquet } from './parquet.ts';
import { meetsSla, parseSla } from './sla.ts';
import { expectString } from '../util/guard.ts';

export const SWEEP_FILES = { plan: 'plan.json', csv: 'sweep.csv', parquet: 'sweep.parquet', points: 'points.csv', answers: 'answers.json', text: 'answers.txt' } as const;
/** What a sweep folder holds: its files and the points/ and search/ subfolders. */
const SWEEP_OWN: readonly string[] = [...Object.values(SWEEP_FILES), 'points', 'search'];

/** Refuse an out folder holding files a sweep does not write (unless `overwrite`); then, before the new
 *  plan.json, remove the tables and answers of an earlier sweep there (written again once complete). */
function prepareSweepFolder(dir: string, overwrite: boolean): void {
  checkOutFolder(dir, SWEEP_OWN, overwrite, 'a servesim sweep');
  if (existsSync(dir)) removeFiles(dir, Object.values(SWEEP_FILES).filter((f) => f !== SWEEP_FILES.plan));
}

export interface Shard {
  index: number;
  count: number;
}

/** `i/N` (0-based i) → a shard. */
export function parseShard(spec: string): Shard {
  expectString(spec, 'parseShard', 'spec');
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count)) throw inputError({ field: '--shard' }, `expected i/N with 0 <= i < N, got '${spec}'`);
  return { index, count };
}

export interface SweepOptions {
  out: string;
  workers: number;
  shard?: Shard;
  /** Write into a folder holding files a sweep does not write. */
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, stage: string) => void;
}

export interface SweepOutcome {
  manifest: Manifest;
  /** Jobs simulated now, and found in the folder from an earlier run. */
  ran: number;
  reused: number;
  /** null for a shard (run `servesim merge`). */
  answers: Answers | null;
  /** Every point with its figures per seed (null for a shard). */
  points: TablePoint[] | null;
}

const pointFile = (dir: string, key: string) => join(dir, 'points', `${key}.json`);
const searchFile = (dir: string, id: string) => join(dir, 'search', `${id}.json`);
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Jobs ordered so that consecutive ones share a workload sample (each worker caches a few). */
function byWorkload(jobs: Job[]): Job[] {
  const id = (j: Job) => JSON.stringify([j.workload, j.seed]);
  return jobs.map((j, i) => ({ j, i, w: id(j) })).sort((a, b) => (a.w < b.w ? -1 : a.w > b.w ? 1 : a.i - b.i)).map((x) => x.j);
}

export async function runSweepPlan(plan: Plan, opts: SweepOptions): Promise<SweepOutcome> {
  const points = planPoints(plan);
  const jobs = planJobs(plan, points);
  const groups = plan.search ? searchGroups(plan, points) : [];
  const manifest: Manifest = {
    servesim: servesimVersion(),
    name: plan.name,
    columns: plan.axes.flatMap((a) => a.columns),
    seeds: plan.seeds,
    sla: plan.sla?.text ?? null,
    gpuHourUsd: plan.gpuHourUsd ?? null,
    search: plan.search ?? null,
    points: points.map((p) => ({ index: p.index, inputs: p.inputs, deployment: p.deployment, traffic: p.traffic, keys: jobs.filter((j) => j.point === p.index).map((j) => j.key) })),
    searches: groups.map((g) => ({ id: g.id, inputs: g.inputs })),
  };
  const dir = opts.out;
  prepareSweepFolder(dir, opts.overwrite ?? false);
  mkdirSync(join(dir, 'points'), { recursive: true });
  const planText = JSON.stringify(manifest, null, 1) + '\n';
  writeFileAtomic(join(dir, SWEEP_FILES.plan), planText);
  const mine = opts.shard ? jobs.filter((_, i) => i % opts.shard!.count === opts.shard!.index) : jobs;
  let ran = 0;
  let reused = 0;
  const runJobs = async (list: Job[], stage: string): Promise<Map<string, Figures>> => {
    const unique = [...new Map(list.map((j) => [j.key, j])).values()];
    const missing = byWorkload(unique.filter((j) => !existsSync(pointFile(dir, j.key))));
    reused += unique.length - missing.length;
    let done = unique.length - missing.length;
    opts.onProgress?.(done, unique.length, stage);
    const got = new Map<string, Figures>();
    await runPool(missing, opts.workers, (job, figures) => {
      writeFileAtomic(pointFile(dir, job.key), JSON.stringify({ seed: job.seed, figures }) + '\n');
      got.set(job.key, figures);
      ran++;
      opts.onProgress?.(++done, unique.length, stage);
    }, opts.signal);
    for (const j of unique) if (!got.has(j.key)) got.set(j.key, readJson<{ figures: Figures }>(pointFile(dir, j.key)).figures);
    return got;
  };
  await runJobs(mine, 'points');
  if (plan.search) {
    if (!plan.sla) throw inputError({ file: plan.file, field: 'search' }, 'a load search needs an sla');
    const myGroups = opts.shard ? groups.filter((_, i) => i % opts.shard!.count === opts.shard!.index) : groups;
    mkdirSync(join(dir, 'search'), { recursive: true });
    let round = 0;
    const results = await searchMaxLoad(plan, myGroups, (list) => runJobs(list, `search round ${++round}`));
    results.forEach((r, i) => writeFileAtomic(searchFile(dir, myGroups[i].id), JSON.stringify(r) + '\n'));
  }
  if (opts.shard && opts.shard.count > 1) return { manifest, ran, reused, answers: null, points: null };
  const out = writeOutputs(dir, manifest);
  return { manifest, ran, reused, answers: out.answers, points: out.points };
}

/** Tables and answers of a complete folder (every point file and search result present). */
export function writeOutputs(dir: string, manifest: Manifest): { answers: Answers; points: TablePoint[] } {
  const missing = manifest.points.flatMap((p) => p.keys.filter((k) => !existsSync(pointFile(dir, k))));
  if (missing.length > 0) throw inputError({ file: dir }, `${missing.length} point results missing (points/${missing[0]}.json …): run the missing shards, then merge`);
  const sla = manifest.sla !== null ? parseSla(manifest.sla) : undefined;
  const tablePoints: TablePoint[] = manifest.points.map((p) => {
    const runs = p.keys.map((k) => readJson<{ seed: string; figures: Figures }>(pointFile(dir, k)));
    return { index: p.index, inputs: p.inputs, runs, ...(sla ? { meetsSla: meetsSla(sla, runs.map((r) => r.figures)) } : {}) };
  });
  const searches = manifest.searches.map((g) => {
    const f = searchFile(dir, g.id);
    if (!existsSync(f)) throw inputError({ file: dir }, `search result search/${g.id}.json missing: run the missing shards, then merge`);
    return readJson<SearchResult>(f);
  });
  const ctx = { inputColumns: manifest.columns, ...(manifest.gpuHourUsd !== null ? { gpuHourUsd: manifest.gpuHourUsd } : {}) };
  const rows = sweepTable(tablePoints, ctx);
  writeFileAtomic(join(dir, SWEEP_FILES.csv), toCsv(rows));
  writeFileAtomic(join(dir, SWEEP_FILES.parquet), toParquet(rows));
  writeFileAtomic(join(dir, SWEEP_FILES.points), toCsv(pointsTable(tablePoints, ctx)));
  const a = answers(manifest, tablePoints, searches);
  writeFileAtomic(join(dir, SWEEP_FILES.answers), JSON.stringify(a.data, null, 1) + '\n');
  writeFileAtomic(join(dir, SWEEP_FILES.text), a.text);
  return { answers: a, points: tablePoints };
}

/** Join shard folders (same plan) into `out`: the files one unsharded run writes. */
export function mergeShards(dirs: readonly string[], out: string, overwrite = false): Answers {
  if (dirs.length === 0) throw inputError({ field: 'merge' }, 'name at least one shard folder');
  const plans = dirs.map((d) => {
    const f = join(d, SWEEP_FILES.plan);
    if (!existsSync(f)) throw inputError({ file: d }, `no ${SWEEP_FILES.plan}: not a sweep folder`);
    return readFileSync(f, 'utf8');
  });
  const bad = plans.findIndex((p) => p !== plans[0]);
  if (bad >= 0) throw inputError({ file: dirs[bad] }, `${SWEEP_FILES.plan} differs from ${dirs[0]}'s: shards of different plans`);
  prepareSweepFolder(out, overwrite);
  mkdirSync(join(out, 'points'), { recursive: true });
  mkdirSync(join(out, 'search'), { recursive: true });
  for (const d of dirs) {
    for (const sub of ['points', 'search']) {
      if (!existsSync(join(d, sub))) continue;
      for (const f of readdirSync(join(d, sub)).filter((x) => x.endsWith('.json')).sort()) if (join(d, sub, f) !== join(out, sub, f)) copyFileSync(join(d, sub, f), join(out, sub, f));
    }
  }
  writeFileAtomic(join(out, SWEEP_FILES.plan), plans[0]);
  return writeOutputs(out, JSON.parse(plans[0]) as Manifest).answers;
}
