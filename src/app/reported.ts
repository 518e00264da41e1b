// Reported benchmark numbers (results/reported/*.json): the seed's measured runs, as data.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputError } from '../util/errors.ts';
import type { BlockFigures } from '../protocol/summary.ts';

export const REPORTED_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../results/reported');
export const SCENARIOS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../scenarios');

export interface ReportedRun {
  name: string;
  deployment: string;
  cluster: string;
  scenario: string;
  trace: string;
  source: string;
  figures: BlockFigures;
  block: string;
}

export function loadReported(name: string): ReportedRun {
  const file = join(REPORTED_DIR, `${name}.json`);
  if (!existsSync(file)) throw inputError({ file }, `no reported run named '${name}'`);
  return JSON.parse(readFileSync(file, 'utf8')) as ReportedRun;
}

export const REPORTED_RUNS = ['agg-rr-k8s', 'agg-rr-slurm', 'disagg-kv'] as const;

/** The reported runs' client: AIPerf --fixed-schedule replaying the trace's timestamps. */
export const REPLAYED = { fixed_schedule: true } as const;

/** Figure → relative tolerance of each reported run (results/reported/tolerances.json); `default` for the rest. */
export type Tolerances = Record<string, Record<string, number>>;

export function loadTolerances(): Tolerances {
  return JSON.parse(readFileSync(join(REPORTED_DIR, 'tolerances.json'), 'utf8')).runs;
}

/** The band of `figure` in run `run` (the run's default when the figure has none). */
export function toleranceOf(t: Tolerances, run: string, figure: string): number | undefined {
  const r = t[run];
  return r === undefined ? undefined : (r[figure] ?? r.default);
}
