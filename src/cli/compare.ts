// `servesim compare A.yaml B.yaml [...] | S.yaml --variant "name:--set k=v ..."`: variants on the same
// workload samples; every figure as mean ± 95 % CI and the paired difference to the first variant.
import type { CommandModule } from 'yargs';
import type { CompareArgs } from '../app/compare.ts';
import { inputOptions } from './common.ts';

export const compareCommand: CommandModule<object, Omit<CompareArgs, 'workers'> & { workers?: number; json: boolean }> = {
  command: 'compare <files..>',
  describe: 'compare deployments or routing policies over seeds: mean ± 95 % CI and paired differences (is it noise?)',
  builder: (y) =>
    inputOptions(y.positional('files', { type: 'string', array: true, demandOption: true, describe: 'scenario files (the first is the baseline), or one scenario with --variant' }))
      .option('variant', { type: 'string', array: true, default: [], describe: 'a variant of the one scenario: "name:--set key=value [--set ...] [--param k=v] [--router file.ts]" (repeatable)' })
      .option('router', { type: 'string', describe: 'add a variant with this plug-in router for the agg/prefill pool' })
      .option('set', { type: 'string', array: true, default: [], describe: 'override applied to every variant: dotted.key=value' })
      .option('seeds', { type: 'string', default: '5', describe: 'N seeds (42, 43, …) or a list 42,7,9: the workload samples every variant runs on' })
      .option('workers', { type: 'number', describe: 'worker threads (default: all cores; 0 runs in this thread)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .example('$0 compare scenarios/disagg-kv.yaml --variant "rr:--set router.router_mode=round-robin" --seeds 5', "Dynamo's KV router vs round robin on the prefill pool"),
  handler: async (a) => {
    const { compareCommand: run } = await import('../app/compare.ts');
    const { defaultWorkers } = await import('../app/pool.ts');
    const { text, result } = await run({ ...a, workers: a.workers ?? defaultWorkers() });
    process.stdout.write(a.json ? JSON.stringify(result, null, 1) + '\n' : text);
  },
};
