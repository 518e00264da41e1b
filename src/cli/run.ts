// `servesim run <scenario>`: simulate a deployment on a trace or built-in workload, print the
// benchmark block (or summary.json with --json) and write summary.json + requests.jsonl to --out.
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { loadInputs } from '../app/inputs.ts';
import { writeRunFolder } from '../app/run-folder.ts';
import { simulate } from '../app/run.ts';
import { formatBlock, formatNotes } from '../metrics/format.ts';
import { loadRouterPlugin } from '../router/plugin.ts';
import { loadScenario } from '../scenario/load.ts';
import { parseParamPairs } from '../trace/params.ts';

export interface RunArgs {
  scenario: string;
  trace?: string;
  workload?: string;
  seed: string;
  set: string[];
  out?: string;
  json: boolean;
  records: boolean;
  router?: string;
  param: string[];
}

export const runCommand: CommandModule<object, RunArgs> = {
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
    const scenario = loadScenario(a.scenario, a.set);
    const plugin = a.router ? await loadRouterPlugin(a.router) : undefined;
    const inputs = await loadInputs({ trace: a.trace, workload: a.workload, seed: a.seed, params: parseParamPairs(a.param) });
    const entry = scenario.workers.agg ? 'agg' : 'prefill';
    const { summary, records } = simulate({ scenario, requests: inputs.requests, seed: a.seed, workload: inputs.label, routers: plugin ? { [entry]: plugin } : undefined });
    const out = a.out ?? join('results', 'runs', scenario.name);
    writeRunFolder(out, summary, a.records ? records : null);
    if (a.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    else process.stdout.write(`${scenario.name} on ${inputs.label} (seed ${a.seed})\n${formatBlock(summary)}\n${formatNotes(summary)}\n`);
  },
};
