// Rewrites what the regression tests pin: results/reported/drift.json (every reported figure's relative
// error on the default workload; test/check.test.ts allows 2 percentage points) and test/golden/ (the
// sha256 of one small run's summary.json made by the CLI; test/golden.test.ts). Run it (npm run pin)
// only when a change is meant to move the figures, and say why in the commit.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goldenRun, GOLDEN_HASH_FILE } from '../test/golden-run.ts';
import { checkRun } from '../src/app/check.ts';
import { loadInputs } from '../src/app/inputs.ts';
import { REPORTED_DIR, REPORTED_RUNS } from '../src/app/reported.ts';
import { roundTo } from '../src/util/round.ts';

export const DRIFT_WORKLOAD = 'seed-coding';
export const DRIFT_SEED = '42';

const { requests } = await loadInputs({ workload: DRIFT_WORKLOAD, seed: DRIFT_SEED });
const runs: Record<string, Record<string, number>> = {};
for (const name of REPORTED_RUNS) {
  const run = checkRun(name, requests, { seed: DRIFT_SEED, workload: DRIFT_WORKLOAD });
  runs[name] = Object.fromEntries(run.rows.map((r) => [r.figure, roundTo(r.error, 4)]));
}
const file = join(REPORTED_DIR, 'drift.json');
const doc = {
  description:
    'Relative error (simulated - reported) / reported of every reported figure on the default workload, pinned: test/check.test.ts fails when any moves by more than 2 percentage points. Rewrite with `npm run pin` when a change is meant to move them, and say why in the commit.',
  workload: DRIFT_WORKLOAD,
  seed: DRIFT_SEED,
  runs,
};
writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
process.stdout.write(`wrote ${file}\n`);
const golden = goldenRun();
if (golden.status !== 0) throw new Error(`golden run failed: ${golden.stderr}`);
writeFileSync(GOLDEN_HASH_FILE, golden.sha256 + '\n');
process.stdout.write(`wrote ${GOLDEN_HASH_FILE}\n`);
