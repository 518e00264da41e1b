// `servesim sweep <scenario>`: what-if grid — every combination of the --vary values (scenario keys,
// or built-in workload parameters as param.NAME), each over several seeds, as one table of figures.
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';

interface SweepArgs {
  scenario: string;
  vary: string[];
  trace?: string;
  workload?: string;
  param: string[];
  seeds: string;
  set: string[];
  json: boolean;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <scenario>',
  describe: 'what-if grid: every combination of --vary values (scenario keys or param.NAME workload parameters) over seeds',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
      .option('vary', { type: 'string', array: true, demandOption: true, describe: 'key=v1,v2,... (repeatable), e.g. workers.decode.count=1,2,3 or param.rate_scale=0.5,1' })
      .option('trace', { type: 'string', describe: 'trace file (param.* dimensions need a built-in workload)' })
      .option('workload', { type: 'string', describe: 'built-in workload (default seed-coding)' })
      .option('param', { type: 'string', array: true, default: [], describe: 'fixed workload parameter name=number' })
      .option('seeds', { type: 'string', default: '42', describe: 'comma-separated seeds; several give mean [min–max]' })
      .option('set', { type: 'string', array: true, default: [], describe: 'fixed scenario override dotted.key=value' })
      .option('json', { type: 'boolean', default: false, describe: 'print every run summary as JSON' })
      .example('$0 sweep scenarios/agg-rr-k8s.yaml --vary param.rate_scale=0.8,0.9,1 --vary workers.agg.count=4,5 --seeds 42,1', 'aggregated workers needed at 80-100 % of the seed traffic')
      .conflicts('trace', 'workload'),
  handler: async (a) => {
    const { parseVary, runSweep, sweepTable } = await import('../app/sweep.ts');
    const { parseParamPairs } = await import('../app/inputs.ts');
    const dims = a.vary.map(parseVary);
    const seeds = a.seeds.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const rows = await runSweep({ scenario: a.scenario, dims, trace: a.trace, workload: a.workload, params: parseParamPairs(a.param), seeds, sets: a.set }, (done, total) =>
      process.stderr.write(`\r${done} of ${total} combinations`),
    );
    process.stderr.write('\n');
    if (a.json) {
      process.stdout.write(JSON.stringify(rows.map((r) => ({ ...r.combo, runs: r.summaries })), null, 2) + '\n');
      return;
    }
    process.stdout.write(`${basename(a.scenario)}: ${seeds.length} seed(s) per row${seeds.length > 1 ? ', mean [min–max]' : ''}\n`);
    process.stdout.write(sweepTable(dims, rows) + '\n');
  },
};
