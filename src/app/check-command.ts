// `servesim check`: every reported run re-simulated on the seed-like workload (or a given trace), one
// table per run; ok only if every figure is inside its band.
import { formatRows } from '../metrics/compare.ts';
import { checkRun, type CheckedRun } from './check.ts';
import { loadInputs, REPLAY_ONLY, requireSchedule } from './inputs.ts';
import { REPLAYED, REPORTED_RUNS } from './reported.ts';

export interface CheckArgs {
  trace?: string;
  workload?: string;
  seed: string;
  run?: string[];
  json: boolean;
  /** N workload samples: is each reported figure inside the simulator's interval (check-seeds.ts)? */
  seeds?: string;
}

export async function checkCommand(a: CheckArgs): Promise<{ ok: boolean; text: string; results: CheckedRun[] }> {
  if (a.seeds !== undefined) {
    const { checkSeeds } = await import('./check-seeds.ts');
    const r = await checkSeeds({ ...a, seeds: a.seeds });
    return { ok: r.ok, text: r.text, results: [] };
  }
  const inputs = await loadInputs({ trace: a.trace, workload: a.workload, seed: a.seed });
  requireSchedule(inputs, REPLAYED, REPLAY_ONLY);
  const { requests, label: workload } = inputs;
  const results = (a.run ?? [...REPORTED_RUNS]).map((n) => checkRun(n, requests, { seed: a.seed, workload }));
  const ok = results.every((r) => r.ok);
  if (a.json) return { ok, results, text: JSON.stringify(results.map(({ summary: _s, ...r }) => r), null, 2) + '\n' };
  let text = '';
  for (const r of results) {
    text += `\n${r.name} on ${workload} (seed ${a.seed}): ${r.ok ? 'ok' : 'OUT OF TOLERANCE'}\n`;
    text += formatRows(r.rows, (row) => [`±${(row.tolerance * 100).toFixed(0)}`, row.ok ? 'ok' : 'FAIL'], ['tolerance %', 'ok']) + '\n';
  }
  const bad = results.flatMap((r) => r.rows.filter((x) => !x.ok).map((x) => `${r.name}: ${x.figure}`));
  text += `\n${bad.length === 0 ? 'all figures within tolerance' : `${bad.length} figures out of tolerance`}\n`;
  return { ok, results, text };
}
