// `servesim check`: the regression check users run after changing anything — every reported run
// re-simulated on the seed-like workload, a table per run, exit 0 only if all figures are in tolerance.
import type { CommandModule } from 'yargs';
import { checkRun } from '../app/check.ts';
import { loadInputs } from '../app/inputs.ts';
import { REPORTED_RUNS } from '../app/reported.ts';
import { formatRows } from '../metrics/compare.ts';

interface CheckArgs {
  trace?: string;
  workload?: string;
  seed: string;
  run?: string[];
  json: boolean;
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'simulate the reported runs and compare every figure with the reported one (exit 1 if any is out of tolerance)',
  builder: (y) =>
    y
      .option('trace', { type: 'string', describe: 'trace to replay (e.g. one synthesized with the seed datagen flags)' })
      .option('workload', { type: 'string', describe: 'built-in workload (default seed-coding)' })
      .option('seed', { type: 'string', default: '42', describe: 'seed of the workload and every random choice' })
      .option('run', { type: 'string', array: true, choices: [...REPORTED_RUNS], describe: 'only these reported runs' })
      .option('json', { type: 'boolean', default: false })
      .conflicts('trace', 'workload'),
  handler: async (a) => {
    const { requests, label: workload } = await loadInputs({ trace: a.trace, workload: a.workload, seed: a.seed });
    const results = (a.run ?? [...REPORTED_RUNS]).map((n) => checkRun(n, requests, { seed: a.seed, workload }));
    if (a.json) {
      process.stdout.write(JSON.stringify(results.map(({ summary: _s, ...r }) => r), null, 2) + '\n');
    } else {
      for (const r of results) {
        process.stdout.write(`\n${r.name} on ${workload} (seed ${a.seed}): ${r.ok ? 'ok' : 'OUT OF TOLERANCE'}\n`);
        process.stdout.write(formatRows(r.rows, (row) => [`±${(row.tolerance * 100).toFixed(0)}`, row.ok ? 'ok' : 'FAIL'], ['tolerance %', 'ok']) + '\n');
      }
      const bad = results.flatMap((r) => r.rows.filter((x) => !x.ok).map((x) => `${r.name}: ${x.figure}`));
      process.stdout.write(`\n${bad.length === 0 ? 'all figures within tolerance' : `${bad.length} figures out of tolerance`}\n`);
    }
    if (results.some((r) => !r.ok)) process.exitCode = 1;
  },
};
