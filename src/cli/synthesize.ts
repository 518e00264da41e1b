// `servesim synthesize`: datagen-style synthetic Mooncake trace from an input trace, or a built-in workload written out as a trace.
import type { CommandModule } from 'yargs';
import { DEFAULT_SEED } from './common.ts';
import type { SynthesizeArgs } from '../app/synthesize.ts';

export const synthesizeCommand: CommandModule<object, SynthesizeArgs> = {
  command: 'synthesize',
  describe: "synthesize a Mooncake-style trace with Dynamo datagen's algorithm (or write out a built-in --workload)",
  builder: (y) =>
    y
      .option('input-file', { type: 'string', describe: 'Mooncake trace to learn from (default mooncake_trace.jsonl, as datagen)' })
      .option('workload', { type: 'string', describe: 'write this built-in workload out instead (needs --output-file)' })
      .option('param', { type: 'string', array: true, default: [], describe: 'workload parameter name=value (repeatable)' })
      .option('num-requests', { type: 'number', default: 100_000, describe: 'requests to synthesize' })
      .option('speedup-ratio', { type: 'number', describe: 'divides the inter-arrival gaps (default 1)' })
      .option('prefix-len-multiplier', { type: 'number', default: 1, describe: 'stretch shared-prefix nodes (> 1: integer ceil(m))' })
      .option('prefix-root-multiplier', { type: 'number', default: 1, describe: 'disjoint copies of the prefix tree' })
      .option('prompt-len-multiplier', { type: 'number', default: 1, describe: 'scale unique user-prompt lengths' })
      .option('osl-multiplier', { type: 'number', default: 1, describe: 'scale output lengths' })
      .option('max-isl', { type: 'number', describe: 'drop requests with a longer input' })
      .option('min-isl', { type: 'number', describe: 'drop requests with a shorter input' })
      .option('min-osl', { type: 'number', describe: 'raise shorter outputs to this' })
      .option('max-osl', { type: 'number', describe: 'lower longer outputs to this' })
      .option('block-size', { type: 'number', default: 512, describe: 'tokens per hash id' })
      .option('output-file', { type: 'string', describe: 'output JSONL (default: datagen-style name in the current folder)' })
      .option('seed', { type: 'string', default: DEFAULT_SEED, alias: 'random-seed', describe: 'seed of every random choice (alias --random-seed)' })
      .example('$0 synthesize --input-file ../shared/traces/mooncake_conversation_trace.jsonl --prefix-len-multiplier 16 --prompt-len-multiplier 10 --max-isl 110000 --num-requests 10000', "a trace made as the seed's was"),
  handler: async (a) => {
    const { synthesize } = await import('../app/synthesize.ts');
    process.stdout.write(await synthesize(a));
  },
};
