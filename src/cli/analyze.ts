// `servesim analyze <trace.jsonl>`: print the DATASET ANALYSIS block (or its figures as JSON) of a trace or built-in workload.
import type { CommandModule } from 'yargs';
import { DEFAULT_SEED } from './common.ts';

interface AnalyzeArgs {
  trace?: string;
  workload?: string;
  seed: string;
  param: string[];
  'block-size': number;
  json: boolean;
  name?: string;
}

export const analyzeCommand: CommandModule<object, AnalyzeArgs> = {
  command: 'analyze [trace]',
  describe: 'dataset analysis of a Mooncake-style trace (ISL/OSL, unique/total blocks, prefix reuse), as datagen prints it',
  builder: (y) =>
    y
      .positional('trace', { type: 'string', describe: 'Mooncake-style JSONL trace' })
      .option('workload', { type: 'string', describe: 'analyze a built-in workload instead of a file' })
      .option('seed', { type: 'string', default: DEFAULT_SEED, alias: 'random-seed', describe: 'seed of the built-in workload (alias --random-seed)' })
      .option('param', { type: 'string', array: true, default: [], describe: 'workload parameter name=value (repeatable)' })
      .option('block-size', { type: 'number', default: 512, describe: 'tokens per hash id' })
      .option('json', { type: 'boolean', default: false, describe: 'print the figures as JSON' })
      .option('name', { type: 'string', describe: 'title (default: the file name or workload name)' })
      .example('$0 analyze ../shared/traces/mooncake_conversation_trace.jsonl', "the Mooncake trace's DATASET ANALYSIS block")
      .example('$0 analyze --workload seed-coding --json', 'the built-in seed-like workload, as JSON'),
  handler: async (a) => {
    const { analyze } = await import('../app/analyze.ts');
    const { analysis, text } = await analyze({ trace: a.trace, workload: a.workload, seed: a.seed, param: a.param, blockTokens: a['block-size'], name: a.name });
    process.stdout.write(a.json ? JSON.stringify(analysis, null, 2) + '\n' : text);
  },
};
