// `servesim run <scenario>`: simulate a deployment on a trace or built-in workload, print the
// benchmark block (or summary.json with --json) and write summary.json + requests.jsonl to --out.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { formatBlock, formatNotes } from '../metrics/format.ts';
import { loadRouterPlugin } from '../router/plugin.ts';
import { simulate } from '../run.ts';
import { loadScenario } from '../scenario/load.ts';
import { loadRequests, parseParamPairs } from '../trace/workloads.ts';

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
    const routerOverride = a.router ? await loadRouterPlugin(a.router) : undefined;
    const requests = await loadRequests({ trace: a.trace, workload: a.workload, seed: a.seed, params: parseParamPairs(a.param) });
    const workload = a.trace ? basename(a.trace) : (a.workload ?? 'seed-coding');
    const { summary, records } = simulate({ scenario, requests, seed: a.seed, workload, routerOverride });
    const out = a.out ?? join('results', 'runs', scenario.name);
    mkdirSync(out, { recursive: true });
    const json = JSON.stringify(summary, null, 2) + '\n';
    writeFileSync(join(out, 'summary.json'), json);
    if (a.records) writeFileSync(join(out, 'requests.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    if (a.json) process.stdout.write(json);
    else process.stdout.write(`${scenario.name} on ${workload} (seed ${a.seed})\n${formatBlock(summary)}\n${formatNotes(summary)}\n`);
  },
};
