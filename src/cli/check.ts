// `servesim check`: the regression check users run after changing anything — every reported run
// re-simulated on the seed-like workload, a table per run, exit 0 only if all figures are in tolerance.
import type { CommandModule } from 'yargs';
import { DEFAULT_SEED } from './common.ts';
import type { CheckArgs } from '../app/check-command.ts';

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'simulate the reported runs and compare every figure with the reported one (exit 1 if any is out of tolerance)',
  builder: (y) =>
    y
      .option('trace', { type: 'string', describe: 'trace to replay (e.g. one synthesized with the seed datagen flags)' })
      .option('workload', { type: 'string', describe: 'built-in workload (default seed-coding)' })
      .option('seed', { type: 'string', default: DEFAULT_SEED, alias: 'random-seed', describe: 'seed of the workload sample and every random choice (alias --random-seed)' })
      .option('run', { type: 'string', array: true, choices: ['agg-rr-k8s', 'agg-rr-slurm', 'disagg-kv'], describe: 'only these reported runs (results/reported/)' })
      .option('seeds', { type: 'string', describe: "N workload samples (seeds from --seed upwards) or a list: is each reported figure inside the simulator's 95 % interval (seed spread + calibration uncertainty)?" })
      .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON' })
      .example('$0 check', 'the three reported runs on the default workload')
      .example('$0 check --seed 3 --run disagg-kv', 'one run on another sample of the workload')
      .conflicts('trace', 'workload'),
  handler: async (a) => {
    const { checkCommand: check } = await import('../app/check-command.ts');
    const { ok, text } = await check(a);
    process.stdout.write(text);
    if (!ok) process.exitCode = 1;
  },
};
