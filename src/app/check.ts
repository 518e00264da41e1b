// Regression check of reported numbers: run each reported deployment on the seed-like workload and
// compare every figure of its block with the reported one, within the tolerances beside them.
import { join } from 'node:path';
import { figureRows, type FigureRow } from '../metrics/compare.ts';
import type { Summary } from '../protocol/summary.ts';
import { loadReported, loadTolerances, SCENARIOS_DIR, toleranceOf } from './reported.ts';
import { simulate, type RunInput } from './run.ts';
import { loadScenario } from '../scenario/load.ts';
import type { TraceRequest } from '../protocol/trace.ts';

export interface CheckedRow extends FigureRow {
  tolerance: number;
  ok: boolean;
}

export interface CheckedRun {
  name: string;
  rows: CheckedRow[];
  ok: boolean;
  summary: Summary;
}

/** Simulate reported run `name` on `requests` and compare figure by figure. */
export function checkRun(
  name: string,
  requests: readonly TraceRequest[],
  opts: { seed: string; workload: string; calibration?: RunInput['calibration']; sets?: string[] },
): CheckedRun {
  const tolerances = loadTolerances();
  const scenario = loadScenario(join(SCENARIOS_DIR, `${name}.yaml`), opts.sets ?? []);
  const { summary } = simulate({ scenario, requests, seed: opts.seed, workload: opts.workload, calibration: opts.calibration });
  const rows = figureRows(loadReported(name).figures, summary).map((r) => {
    const tolerance = toleranceOf(tolerances, name, r.figure) ?? 0.1;
    return { ...r, tolerance, ok: Math.abs(r.error) <= tolerance };
  });
  return { name, rows, ok: rows.every((r) => r.ok), summary };
}
