// Regression check of the reported numbers (what `servesim check` does), on the default workload:
// every figure stays inside its band (tolerances.json; known misses excepted) and no figure's error
// moves more than 2 percentage points from the value pinned in drift.json (rewrite: npm run pin-drift).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRun } from '../src/app/check.ts';
import { loadInputs } from '../src/app/inputs.ts';
import { REPORTED_DIR, REPORTED_RUNS } from '../src/app/reported.ts';
import type { TraceRequest } from '../src/protocol/trace.ts';

const DRIFT_POINTS = 0.02;
const drift: { workload: string; seed: string; runs: Record<string, Record<string, number>> } = JSON.parse(readFileSync(join(REPORTED_DIR, 'drift.json'), 'utf8'));
const known: Record<string, Record<string, unknown>> = JSON.parse(readFileSync(join(REPORTED_DIR, 'tolerances.json'), 'utf8')).knownMisses ?? {};

describe(`servesim check on ${drift.workload} (seed ${drift.seed}) with the calibrated model`, () => {
  let requests: TraceRequest[];
  beforeAll(async () => {
    requests = (await loadInputs({ workload: drift.workload, seed: drift.seed })).requests;
  });

  for (const name of REPORTED_RUNS) {
    it(`${name}: every figure in band and within ${DRIFT_POINTS * 100} points of its pinned error`, () => {
      const run = checkRun(name, requests, { seed: drift.seed, workload: drift.workload });
      const pinned = drift.runs[name];
      expect(Object.keys(pinned).sort()).toEqual(run.rows.map((r) => r.figure).sort());
      for (const row of run.rows) {
        const what = `${name} ${row.figure}: simulated ${row.simulated.toFixed(2)} vs reported ${row.reported.toFixed(2)} (${(row.error * 100).toFixed(2)} %, pinned ${(pinned[row.figure] * 100).toFixed(2)} %)`;
        expect(Math.abs(row.error - pinned[row.figure]), `${what} drifted`).toBeLessThanOrEqual(DRIFT_POINTS);
        if (!known[name]?.[row.figure]) expect(Math.abs(row.error), `${what} outside ±${row.tolerance * 100} %`).toBeLessThanOrEqual(row.tolerance);
      }
    });
  }
});
