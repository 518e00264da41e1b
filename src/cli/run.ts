// `servesim run <scenario>`: simulate a deployment on a trace or built-in workload, print the
// benchmark block (or summary.json with --json) and write summary.json + requests.jsonl to --out.
import type { CommandModule } from 'yargs';
import type { RunCommandArgs } from '../app/run-command.ts';

export const runCommand: CommandModule<object, RunCommandArgs> = {
  command: 'run <scenario>',
  describe: 'simulate a scenario on a trace (--trace) or a built-in workload (default seed-coding)',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
      .option('trace', { type: 'string', describe: 'Mooncake-style JSONL trace' })
      .option('workload', { type: 'string', describe: 'built-in workload instead of --trace (default seed-coding)' })
      .option('seed', { type: 'string', default: '42', describe: 'seed of every random choice' })
      .option('set', { type: 'string', array: true, default: [], describe: 'override a scenario key: dotted.key=value (repeatable)' })
      .option('param', { type: 'string', array: true, default: [], describe: 'built-in workload parameter name=number (repeatable), e.g. rate_scale=0.5' })
      .option('out', { type: 'string', describe: 'output folder (default results/runs/<scenario name>)' })
      .option('json', { type: 'boolean', default: false, describe: 'print summary.json instead of the block' })
      .option('records', { type: 'boolean', default: true, describe: 'also write requests.jsonl (per-request breakdown)' })
      .option('router', { type: 'string', describe: 'plug-in routing policy (.ts/.js module) replacing the agg/prefill router' })
      .conflicts('trace', 'workload'),
  handler: async (a) => {
    const { runCommand: run } = await import('../app/run-command.ts');
    process.stdout.write((await run(a)).text);
  },
};
