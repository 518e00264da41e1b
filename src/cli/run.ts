// `servesim run <scenario>`: simulate a deployment on a trace or built-in workload, print the benchmark
// block (or summary.json with --json) and write the run folder (summary, records, AIPerf exports).
// Ctrl-C stops the run and writes what ended so far, marked interrupted (exit 130; twice: at once).
import type { CommandModule } from 'yargs';
import type { RunCommandArgs } from '../app/run-command.ts';
import { commandLine, inputOptions, loadOptions, seedOption, syntheticOptions } from './common.ts';

export const runCommand: CommandModule<object, Omit<RunCommandArgs, 'command' | 'stop'> & { seeds?: string }> = {
  command: 'run <scenario>',
  describe: 'simulate a scenario on a trace (--trace) or a built-in workload (default seed-coding)',
  builder: (y) =>
    syntheticOptions(loadOptions(seedOption(inputOptions(y.positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })))))
      .option('set', { type: 'string', array: true, default: [], describe: 'override a scenario key: dotted.key=value (repeatable)' })
      .option('goodput', { type: 'string', describe: 'AIPerf-style SLOs in ms, e.g. "time_to_first_token:20000 inter_token_latency:50"' })
      .option('request-timeout-seconds', { type: 'number', describe: 'AIPerf --request-timeout-seconds: cut off requests unfinished this long after their scheduled time' })
      .option('out', { type: 'string', alias: 'artifact-dir', describe: 'output folder (default results/runs/<scenario name>)' })
      .option('overwrite', { type: 'boolean', default: false, describe: 'write into an output folder that holds other files' })
      .option('json', { type: 'boolean', default: false, describe: 'print summary.json instead of the block' })
      .option('records', { type: 'boolean', default: true, describe: 'also write requests.jsonl and the AIPerf exports (--no-records: summary only)' })
      .option('seeds', { type: 'string', describe: 'N workload samples (seeds from --seed upwards) or a list: print each figure\'s spread and 95 % prediction interval (no run folder)' })
      .option('router-load-timeout', { type: 'number', describe: 'seconds the --router module may take to load (its top-level code and awaits; default 10)' })
      .option('router-call-timeout', { type: 'number', describe: 'seconds one call of the --router plug-in (select, a hook, its constructor) may take (default 10)' })
      .option('progress', { type: 'boolean', default: false, describe: 'print how far the run is to stderr about once a second' })
      .option('router', { type: 'string', describe: 'plug-in routing policy (.ts/.js module) replacing the agg/prefill router' })
      .example('$0 run scenarios/disagg-kv.yaml --set workers.decode.count=3 --out results/runs/3-decode', 'the seed disaggregated deployment with a third decode worker')
      .example('$0 run scenarios/agg-rr-k8s.yaml --workload seed-coding --param rate_scale=0.5', 'half the seed traffic')
      .example('$0 run scenarios/disagg-kv.yaml --concurrency 64 --synthetic-input-tokens-mean 8192 --output-tokens-mean 1024 --request-count 640', 'closed loop of 64 users on 8k/1k synthetic prompts'),
  handler: async (a) => {
    if (a.seeds !== undefined) {
      const { runSeedsCommand } = await import('../app/run-seeds.ts');
      process.stdout.write((await runSeedsCommand({ ...a, seeds: a.seeds, command: commandLine() })).text);
      return;
    }
    const { runCommand: run } = await import('../app/run-command.ts');
    const stop = new AbortController();
    const exit = process.exit.bind(process);
    const onSignal = (signal: NodeJS.Signals) => {
      if (stop.signal.aborted) exit(130);
      stop.abort(signal);
    };
    process.on('SIGINT', onSignal);
    let result;
    try {
      result = await run({ ...a, command: commandLine(), stop: stop.signal });
    } finally {
      process.off('SIGINT', onSignal);
    }
    const { text, out, summary } = result;
    process.stdout.write(text);
    if (!a.json) process.stdout.write(`wrote ${out}\n`);
    const i = summary.interrupted;
    if (i) {
      process.stderr.write(`servesim: interrupted (${i.signal}) at simulated ${i.simulatedS} s: wrote the ${summary.requests.issued} requests ended so far to ${out} (summary.json marked interrupted; ${i.inFlight} in flight and ${i.notSent} not sent left out)\n`);
      process.exitCode = 130;
    } else if (summary.noneCompleted) process.stderr.write(`servesim: warning: no request completed: ${summary.noneCompleted}; the latency figures are empty (n/a, null in summary.json)\n`);
  },
};
