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

/** --trace | --workload [--param k=v …]. */
export function inputOptions<T>(y: Argv<T>) {
  return y
    .option('trace', { type: 'string', describe: 'Mooncake-style JSONL trace to replay' })
    .option('workload', { type: 'string', describe: 'built-in workload instead of --trace (default seed-coding)' })
    .option('param', { type: 'string', array: true, default: [] as string[], describe: 'built-in workload parameter name=number (repeatable), e.g. rate_scale=0.5' })
    .conflicts('trace', 'workload');
}
