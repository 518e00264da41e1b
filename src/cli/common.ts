// Flags several commands share, spelled as AIPerf and datagen spell them where they have the knob, and
// the command line as typed (for summaries).
import type { Argv } from 'yargs';

/** The one default seed of every command (AIPerf --random-seed). */
export const DEFAULT_SEED = '42';

/** `servesim <args>` as typed, arguments with spaces or quotes quoted. */
export function commandLine(argv: readonly string[] = process.argv.slice(2)): string {
  return ['servesim', ...argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))].join(' ');
}

/** --seed (alias --random-seed). */
export function seedOption<T>(y: Argv<T>, what = 'seed of the workload sample and every random choice') {
  return y.option('seed', { type: 'string', default: DEFAULT_SEED, alias: 'random-seed', describe: what });
}

/** --overwrite: replace an existing output file (refused otherwise). */
export function overwriteOption<T>(y: Argv<T>, flag: string) {
  return y.option('overwrite', { type: 'boolean', default: false, describe: `replace an existing ${flag} file` });
}

/** --trace | --workload [--param k=v …]. */
export function inputOptions<T>(y: Argv<T>) {
  return y
    .option('trace', { type: 'string', describe: 'Mooncake-style JSONL trace to replay' })
    .option('workload', { type: 'string', describe: 'built-in workload instead of --trace (default seed-coding)' })
    .option('param', { type: 'string', array: true, default: [] as string[], describe: 'built-in workload parameter name=number (repeatable), e.g. rate_scale=0.5' })
    .conflicts('trace', 'workload');
}

/** AIPerf's load flags: --request-rate [--request-rate-mode] | --concurrency, --request-count. */
export function loadOptions<T>(y: Argv<T>) {
  return y
    .option('request-rate', { type: 'number', describe: 'AIPerf --request-rate: send at this many requests/s instead of the trace timestamps' })
    .option('request-rate-mode', { type: 'string', choices: ['poisson', 'constant'], describe: 'AIPerf --request-rate-mode (default poisson)' })
    .option('concurrency', { type: 'number', describe: 'AIPerf --concurrency: closed loop of N users (or the cap of --request-rate)' })
    .option('request-count', { type: 'number', describe: 'AIPerf --request-count: requests to send (default all of the trace or workload)' });
}

/** AIPerf's synthetic-prompt flags: parameters of the built-in `synthetic` workload. */
export function syntheticOptions<T>(y: Argv<T>) {
  return y
    .option('synthetic-input-tokens-mean', { type: 'number', describe: 'synthetic workload: mean input tokens (AIPerf flag)' })
    .option('synthetic-input-tokens-stddev', { type: 'number', describe: 'synthetic workload: input tokens stddev' })
    .option('output-tokens-mean', { type: 'number', describe: 'synthetic workload: mean output tokens' })
    .option('output-tokens-stddev', { type: 'number', describe: 'synthetic workload: output tokens stddev' })
    .option('prefix-prompt-length', { type: 'number', describe: 'synthetic workload: tokens of a shared prefix prompt' })
    .option('num-prefix-prompts', { type: 'number', describe: 'synthetic workload: prefixes in the pool' })
    .option('random-range-ratio', { type: 'number', describe: 'synthetic workload: lengths uniform in [ratio x mean, mean] (vLLM / SGLang bench_serving --random-range-ratio; 1 = AIPerf normal lengths)' });
}
