// `servesim report`: run folders (summary.json + requests.jsonl), the reported runs and their
// tolerance bands, and which reported run (same scenario, same workload) each run is compared with.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Summary } from '../protocol/summary.ts';
import { renderReport } from '../report/html.ts';
import { renderSweepReport } from '../report/pareto.ts';
import type { ReportedRef, ReportRun } from '../report/types.ts';
import { checkNotFolder, writeFileAtomic } from '../util/atomic-write.ts';
import { inputError } from '../util/errors.ts';
import { readTextFile } from '../util/files.ts';
import { DEFAULT_WORKLOAD } from './inputs.ts';
import { REPORTED_DIR, type ReportedRun } from './reported.ts';
import { readRunFolder } from './run-folder.ts';

/** The built-in workload that stands for the seed's trace. */
export const SEED_WORKLOAD = DEFAULT_WORKLOAD;

export interface ReportedData {
  runs: ReportedRun[];
  /** Reported run name → figure label → relative tolerance (with `default`). */
  tolerances: Record<string, Record<string, number>>;
}

function readJson(file: string): unknown {
  const text = readTextFile(file);
  try {
    return JSON.parse(text);
  } catch {
    throw inputError({ file }, 'not valid JSON');
  }
}

/** Every results/reported/*.json run and tolerances.json (from `dir`, default the project's). */
export function loadReportedData(dir = REPORTED_DIR): ReportedData {
  if (!existsSync(dir)) return { runs: [], tolerances: {} };
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'tolerances.json').sort();
  const runs = files.map((f) => readJson(join(dir, f)) as ReportedRun);
  const tolFile = join(dir, 'tolerances.json');
  const tolerances = existsSync(tolFile) ? ((readJson(tolFile) as { runs?: ReportedData['tolerances'] }).runs ?? {}) : {};
  return { runs, tolerances };
}

/**
 * Is a run on `workload` (a built-in workload name or a trace file name) a run on the reported run's
 * trace? The seed-like built-in workload does; so does the trace file itself, and a trace synthesized
 * with the same datagen flags from another input (same `_synth_…` name tail).
 */
export function sameWorkload(workload: unknown, reportedTrace: string): boolean {
  if (typeof workload !== 'string') return false;
  if (workload === SEED_WORKLOAD) return true;
  const file = reportedTrace.split(/\s/)[0];
  if (workload === file) return true;
  const tail = file.indexOf('_synth_');
  return tail >= 0 && workload.endsWith(file.slice(tail));
}

/** The reported run a run's figures are compared with, or why there is none. */
export function matchReported(summary: Summary, data: ReportedData): Pick<ReportRun, 'reported' | 'reportedNote'> {
  const candidates = data.runs.filter((r) => r.name === summary.scenario);
  if (candidates.length === 0) return {};
  const hit = candidates.find((r) => sameWorkload(summary.workload, r.trace));
  if (!hit) return { reportedNote: 'no reported run for this workload' };
  const reported: ReportedRef = { name: hit.name, trace: hit.trace.split(/\s/)[0], figures: hit.figures, tolerances: data.tolerances[hit.name] };
  return { reported };
}

export function loadRun(dir: string, data: ReportedData = loadReportedData()): ReportRun {
  const run = readRunFolder(dir);
  return { ...run, ...matchReported(run.summary, data) };
}

/** Render the runs in `dirs` to `out`; returns the number of runs. */
export function writeReport(dirs: readonly string[], out: string, title: string): number {
  checkNotFolder(out, '--out');
  const reported = loadReportedData();
  const runs = dirs.map((d) => loadRun(d, reported));
  mkdirSync(dirname(out), { recursive: true });
  writeFileAtomic(out, renderReport(runs, title));
  return runs.length;
}

/** Render a sweep folder's answers (Pareto charts, SLA ranking, max load) to `out`. */
export function writeSweepReport(dir: string, out: string, title: string): void {
  checkNotFolder(out, '--out');
  const file = join(dir, 'answers.json');
  if (!existsSync(file)) throw inputError({ file: dir }, 'no answers.json: not a finished sweep folder (run servesim sweep, or merge its shards)');
  mkdirSync(dirname(out), { recursive: true });
  writeFileAtomic(out, renderSweepReport(readJson(file), title));
}
