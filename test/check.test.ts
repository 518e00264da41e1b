// Regression check of the reported numbers (what `servesim check` does): on the default workload
// every figure stays inside its band, and each known miss does not get more than 5 points worse.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRun } from '../src/app/check.ts';
import { REPORTED_DIR, REPORTED_RUNS } from '../src/app/reported.ts';
import type { TraceRequest } from '../src/protocol/trace.ts';
import { loadInputs } from '../src/app/inputs.ts';

const known: Record<string, Record<string, { error: number }>> = JSON.parse(readFileSync(join(REPORTED_DIR, 'tolerances.json'), 'utf8')).knownMisses;

describe('servesim check on seed-coding (seed 42) with the calibrated model', () => {
  let requests: TraceRequest[];
  beforeAll(async () => {
    requests = (await loadInputs({ workload: 'seed-coding', seed: '42' })).requests;
  });

  for (const name of REPORTED_RUNS) {
    it(`${name}: figures in band, known misses no worse`, () => {
      const run = checkRun(name, requests, { seed: '42', workload: 'seed-coding' });
      for (const row of run.rows) {
        const miss = known[name]?.[row.figure];
        const what = `${name} ${row.figure}: simulated ${row.simulated.toFixed(2)} vs reported ${row.reported.toFixed(2)} (${(row.error * 100).toFixed(1)} %)`;
        if (miss) expect(Math.abs(row.error), what).toBeLessThanOrEqual(Math.abs(miss.error) + 0.05);
        else expect(Math.abs(row.error), `${what} outside ±${row.tolerance * 100} %`).toBeLessThanOrEqual(row.tolerance);
      }
    });
  }
});
