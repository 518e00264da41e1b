// `servesim synthesize`: datagen-style synthetic Mooncake trace from an input trace, or a built-in workload written out as a trace.
import type { CommandModule } from 'yargs';
import { DEFAULT_SEED, overwriteOption } from './common.ts';
import type { SynthesizeArgs } from '../app/synthesize.ts';

export const synthesizeCommand: CommandModule<object, SynthesizeArgs> = {
  command: 'synthesize',
  describe: "synthesize a Mooncake-style trace with Dynamo datagen's algorithm (or write out a built-in --workload)",
  builder: (y) =>
    overwriteOption(y, '--output-file')
      .option('input-file', { type: 'string', describe: 'Mooncake trace to learn from (default mooncake_trace.jsonl, as datagen)' })
      .option('workload', { type: 'string', describe: 'write this built-in workload out instead (needs --output-file)' })
      .option('param', { type: 'string', array: true, default: [], describe: 'workload parameter name=value (repeatable)' })
      .option('num-requests', { type: 'number', describe: 'requests to synthesize (default 100000)' })
      .option('speedup-ratio', { type: 'number', describe: 'divides the inter-arrival gaps (default 1)' })
      .option('prefix-len-multiplier', { type: 'number', describe: 'stretch shared-prefix nodes (> 1: integer ceil(m); default 1)' })
      .option('prefix-root-multiplier', { type: 'number', describe: 'disjoint copies of the prefix tree (default 1)' })
      .option('prompt-len-multiplier', { type: 'number', describe: 'scale unique user-prompt lengths (default 1)' })
      .option('osl-multiplier', { type: 'number', describe: 'scale output lengths (default 1)' })
      .option('max-isl', { type: 'number', describe: 'drop requests with a longer input' })
      .option('min-isl', { type: 'number', describe: 'drop requests with a shorter input' })
      .option('min-osl', { type: 'number', describe: 'raise shorter outputs to this' })
      .option('max-osl', { type: 'number', describe: 'lower longer outputs to this' })
      .option('block-size', { type: 'number', describe: 'tokens per hash id (default 512)' })
      .option('output-file', { type: 'string', describe: 'output JSONL (default: datagen-style name in the current folder)' })
      .option('seed', { type: 'string', default: DEFAULT_SEED, alias: 'random-seed', describe: 'seed of every random choice (alias --random-seed)' })
      .example('$0 synthesize --input-file ../shared/traces/mooncake_conversation_trace.jsonl --prefix-len-multiplier 16 --prompt-len-multiplier 10 --max-isl 110000 --num-requests 10000', "a trace made as the seed's was"),
  handler: async (a) => {
    const { synthesize } = await import('../app/synthesize.ts');
    process.stdout.write(await synthesize(a));
  },
};
