// Running a plan into a results folder: plan.json (the resolved points and their job keys), one
// points/<key>.json per finished point × seed (written atomically as it completes, so an interrupted
// run keeps them and a rerun skips them), the load search, and — when the folder is complete — the
// tables and answers. A shard runs a deterministic slice; `mergeShards` joins shard folders.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { inputError } from '../util/errors.ts';
import { checkOutFolder, removeFiles } from '../util/out-folder.ts';
import { servesimVersion } from '../util/version.ts';
import { answers, type Answers } from './answers.ts';
import type { Figures } from './figures.ts';
import type { Plan } from './plan.ts';
import { POINT_FILE_NAME, readPointFile } from './point-file.ts';
import { readSearchFile } from './search-file.ts';
import { planJobs, planPoints, type Job, type Manifest } from './points.ts';
import { runPool } from './pool.ts';
import { searchGroups, searchMaxLoad } from './search.ts';
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
    const got = new Map<string, Figures>();
    // every stored result is checked before anything runs: a corrupt or edited file is refused, naming it
    // (not recomputed: that would hide a file someone changed, and the tables would not say so)
    for (const j of unique) if (existsSync(pointFile(dir, j.key))) got.set(j.key, readPointFile(pointFile(dir, j.key), j.seed).figures);
    const missing = byWorkload(unique.filter((j) => !got.has(j.key)));
    reused += got.size;
    let done = got.size;
    opts.onProgress?.(done, unique.length, stage);
    await runPool(missing, opts.workers, (job, figures) => {
      writeFileAtomic(pointFile(dir, job.key), JSON.stringify({ seed: job.seed, figures }) + '\n');
      got.set(job.key, figures);
      ran++;
      opts.onProgress?.(++done, unique.length, stage);
    }, opts.signal);
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

/** Where a folder's results are: the path of a job key's point file and of a search result, when present. */
interface Sources {
  point: (key: string) => string | undefined;
  search: (id: string) => string | undefined;
}

const inFolder = (dir: string): Sources => ({
  point: (k) => (existsSync(pointFile(dir, k)) ? pointFile(dir, k) : undefined),
  search: (id) => (existsSync(searchFile(dir, id)) ? searchFile(dir, id) : undefined),
});

/** The seed each of the manifest's job keys runs with (a point's keys are in seed order). */
const seedsOf = (manifest: Manifest) => new Map(manifest.points.flatMap((p) => p.keys.map((k, i) => [k, manifest.seeds[i]] as const)));

/** The tables and answers of complete results (every point file and search result present and valid), not yet written; `where` names the results in a message. */
function buildOutputs(manifest: Manifest, src: Sources, where: string): { files: Record<string, string | Uint8Array>; answers: Answers; points: TablePoint[] } {
  const missing = manifest.points.flatMap((p) => p.keys.filter((k) => src.point(k) === undefined));
  if (missing.length > 0) throw inputError({ file: where }, `${missing.length} point results missing (points/${missing[0]}.json …): run the missing shards, then merge`);
  const sla = manifest.sla !== null ? parseSla(manifest.sla) : undefined;
  const tablePoints: TablePoint[] = manifest.points.map((p) => {
    const runs = p.keys.map((k, i) => readPointFile(src.point(k)!, manifest.seeds[i]));
    return { index: p.index, inputs: p.inputs, runs, ...(sla ? { meetsSla: meetsSla(sla, runs.map((r) => r.figures)) } : {}) };
  });
  const searches = manifest.searches.map((g) => {
    const f = src.search(g.id);
    if (f === undefined) throw inputError({ file: where }, `search result search/${g.id}.json missing: run the missing shards, then merge`);
    return readSearchFile(f, manifest.search);
  });
  const ctx = { inputColumns: manifest.columns, ...(manifest.gpuHourUsd !== null ? { gpuHourUsd: manifest.gpuHourUsd } : {}) };
  const rows = sweepTable(tablePoints, ctx);
  const a = answers(manifest, tablePoints, searches);
  const files = {
    [SWEEP_FILES.csv]: toCsv(rows),
    [SWEEP_FILES.parquet]: toParquet(rows),
    [SWEEP_FILES.points]: toCsv(pointsTable(tablePoints, ctx)),
    [SWEEP_FILES.answers]: JSON.stringify(a.data, null, 1) + '\n',
    [SWEEP_FILES.text]: a.text,
  };
  return { files, answers: a, points: tablePoints };
}

/** Tables and answers of a complete folder (every point file and search result present). */
export function writeOutputs(dir: string, manifest: Manifest): { answers: Answers; points: TablePoint[] } {
  const out = buildOutputs(manifest, inFolder(dir), dir);
  for (const [name, data] of Object.entries(out.files)) writeFileAtomic(join(dir, name), data);
  return { answers: out.answers, points: out.points };
}

/**
 * Join shard folders (same plan) into `out`: the files one unsharded run writes. Everything is read and
 * checked before anything is written (a failed merge leaves no new folder and an existing one as it
 * was); a new folder is built under a temporary name and renamed into place.
 */
export function mergeShards(dirs: readonly string[], out: string, overwrite = false): Answers {
  if (dirs.length === 0) throw inputError({ field: 'merge' }, 'name at least one shard folder');
  const plans = dirs.map((d) => {
    const f = join(d, SWEEP_FILES.plan);
    if (!existsSync(f)) throw inputError({ file: d }, `no ${SWEEP_FILES.plan}: not a sweep folder`);
    return readFileSync(f, 'utf8');
  });
  const bad = plans.findIndex((p) => p !== plans[0]);
  if (bad >= 0) throw inputError({ file: dirs[bad] }, `${SWEEP_FILES.plan} differs from ${dirs[0]}'s: shards of different plans`);
  checkOutFolder(out, SWEEP_OWN, overwrite, 'a servesim sweep');
  const manifest = JSON.parse(plans[0]) as Manifest;
  const found = collectShardFiles(dirs, seedsOf(manifest));
  const built = buildOutputs(manifest, { point: (k) => found.get(`points/${k}.json`), search: (id) => found.get(`search/${id}.json`) }, dirs.join(', '));
  const fresh = !existsSync(out);
  const target = fresh ? `${resolve(out)}.tmp-${process.pid}` : out;
  try {
    if (!fresh) prepareSweepFolder(out, overwrite);
    for (const sub of ['points', 'search']) mkdirSync(join(target, sub), { recursive: true });
    for (const [rel, src] of found) if (resolve(src) !== resolve(join(out, rel))) copyFileSync(src, join(target, rel));
    writeFileAtomic(join(target, SWEEP_FILES.plan), plans[0]);
    for (const [name, data] of Object.entries(built.files)) writeFileAtomic(join(target, name), data);
    if (fresh) renameSync(target, out);
  } catch (e) {
    if (fresh) rmSync(target, { recursive: true, force: true });
    throw e;
  }
  return built.answers;
}

/**
 * Every points/ and search/ file of the shard folders ('points/<key>.json' → its path, first folder
 * first), each point file checked (with the plan's seed for a key the plan names; other keys are a
 * load search's or an earlier plan's, kept for reuse). A points/ entry not named by a job key, or the
 * same file differing between folders, is refused.
 */
function collectShardFiles(dirs: readonly string[], seeds: ReadonlyMap<string, string>): Map<string, string> {
  const found = new Map<string, string>();
  for (const d of dirs) {
    for (const sub of ['points', 'search']) {
      if (!existsSync(join(d, sub))) continue;
      for (const f of readdirSync(join(d, sub)).filter((x) => x.endsWith('.json')).sort()) {
        const src = join(d, sub, f);
        if (sub === 'points') {
          if (!POINT_FILE_NAME.test(f)) throw inputError({ file: src }, 'not a point file: points/ holds <job key>.json files a sweep writes; remove it');
          readPointFile(src, seeds.get(f.slice(0, -5)));
        }
        const rel = `${sub}/${f}`;
        const prev = found.get(rel);
        if (prev === undefined) found.set(rel, src);
        else if (resolve(prev) !== resolve(src) && !readFileSync(prev).equals(readFileSync(src))) throw inputError({ file: src }, `differs from ${prev}: the same result, computed twice, cannot differ; delete the edited one`);
      }
    }
  }
  return found;
}
