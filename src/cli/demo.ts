// `servesim demo` (what `npm start` runs): the seed's two deployments on the embedded default
// workload, each block followed by the simulator's breakdown and a comparison with the reported run.
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { figureRows, formatRows } from '../metrics/compare.ts';
import { formatBlock, formatNotes } from '../metrics/format.ts';
import { loadInputs } from '../app/inputs.ts';
import { loadReported, SCENARIOS_DIR } from '../app/reported.ts';
import { simulate } from '../app/run.ts';
import { loadScenario } from '../scenario/load.ts';

export const demoCommand: CommandModule<object, { seed: string; workload: string }> = {
  command: 'demo',
  describe: "run the seed's deployments (agg + round robin, disagg + KV routing) on the default workload",
  builder: (y) =>
    y
      .option('seed', { type: 'string', default: '42', describe: 'seed of the workload and every random choice' })
      .option('workload', { type: 'string', default: 'seed-coding', describe: 'built-in workload' }),
  handler: async (a) => {
    const { requests } = await loadInputs({ workload: a.workload, seed: a.seed });
    for (const name of ['agg-rr-k8s', 'disagg-kv']) {
      const scenario = loadScenario(join(SCENARIOS_DIR, `${name}.yaml`));
      const { summary } = simulate({ scenario, requests, seed: a.seed, workload: a.workload });
      const reported = loadReported(name);
      process.stdout.write(`\n${scenario.name}: ${scenario.description}\nworkload ${a.workload} (${requests.length} requests, seed ${a.seed})\n`);
      process.stdout.write(`${formatBlock(summary)}\n${formatNotes(summary)}\n\nvs reported (${reported.cluster}):\n`);
      process.stdout.write(`${formatRows(figureRows(reported.figures, summary))}\n`);
    }
  },
};
