// `servesim demo` (what `npm start` runs): the seed's two deployments on the embedded default
// workload, each block followed by the simulator's breakdown and a comparison with the reported run.
import type { CommandModule } from 'yargs';
import { DEFAULT_SEED } from './common.ts';

export const demoCommand: CommandModule<object, { seed: string; workload: string }> = {
  command: 'demo',
  describe: "run the seed's deployments (agg + round robin, disagg + KV routing) on the default workload",
  builder: (y) =>
    y
      .option('seed', { type: 'string', default: DEFAULT_SEED, alias: 'random-seed', describe: 'seed of the workload sample and every random choice (alias --random-seed)' })
      .option('workload', { type: 'string', default: 'seed-coding', describe: 'built-in workload' })
      .example('$0 demo', 'what npm start runs'),
  handler: async (a) => {
    const { demo } = await import('../app/demo.ts');
    process.stdout.write(await demo(a));
  },
};
