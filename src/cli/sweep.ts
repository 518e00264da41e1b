// `servesim sweep <plan.yaml | scenario.yaml --vary ...>`: run a sweep plan (or the --vary quick form)
// on worker threads into a results folder: tables, SLA ranking, load search, Pareto frontiers.
import type { CommandModule } from 'yargs';
import type { SweepArgs } from '../app/sweep.ts';
import { interruptSignal, progressBar } from './progress.ts';

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <file>',
  describe: 'capacity planning: run a sweep plan (or a scenario with --vary) in parallel into tables, SLA answers and Pareto frontiers',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'plan YAML (see docs/capacity-planning.md) or a scenario YAML with --vary' })
      .option('vary', { type: 'string', array: true, default: [], describe: 'quick form: key=v1,v2,... (repeatable), e.g. workers.decode.count=1,2,3 or param.rate_scale=0.5,1' })
      .option('trace', { type: 'string', describe: 'quick form: trace file (param.* dimensions need a built-in workload)' })
      .option('workload', { type: 'string', describe: 'quick form: built-in workload (default seed-coding)' })
      .option('param', { type: 'string', array: true, default: [], describe: 'quick form: fixed workload parameter name=number' })
      .option('set', { type: 'string', array: true, default: [], describe: 'quick form: fixed scenario override dotted.key=value' })
      .option('seeds', { type: 'string', describe: 'N seeds (42, 43, …) or a list 42,7,9 (default: the plan\'s, else 1)' })
      .option('sla', { type: 'string', describe: 'SLA in AIPerf tags, e.g. "time_to_first_token:p99<=20000 inter_token_latency:mean<=50"' })
      .option('gpu-hour-usd', { type: 'number', describe: 'GPU price, $ per GPU-hour (adds cost per million output tokens)' })
      .option('out', { type: 'string', describe: 'results folder (default results/sweeps/<plan name>); rerunning into it skips finished points' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'write into a results folder that holds other files' })
      .option('workers', { type: 'number', describe: 'worker threads (default: all cores; 0 runs in this thread)' })
      .option('json', { type: 'boolean', default: false, describe: 'print every point\'s figures per seed and the answers as JSON' })
      .option('shard', { type: 'string', describe: 'run slice i/N of the plan (0-based); join the folders with servesim merge' })
      .example('$0 sweep examples/plans/seed-sla.yaml', 'the cheapest deployment meeting the seed SLA at 1x, 1.5x and 2x the seed traffic')
      .example('$0 sweep scenarios/agg-rr-k8s.yaml --vary param.rate_scale=0.8,0.9,1 --vary workers.agg.count=4,5 --seeds 42,1', 'aggregated workers needed at 80-100 % of the seed traffic')
      .conflicts('trace', 'workload'),
  handler: async (a) => {
    const { sweepCommand: run } = await import('../app/sweep.ts');
    const bar = await progressBar();
    const signal = interruptSignal();
    try {
      const { text } = await run(a, { signal, onProgress: bar.update });
      bar.stop();
      process.stdout.write(text);
    } catch (e) {
      bar.stop();
      if ((e as Error).name === 'Interrupted') {
        process.stderr.write('servesim: interrupted; finished points are kept in the results folder: rerun the same command to resume\n');
        process.exitCode = 130;
        return;
      }
      throw e;
    }
  },
};
