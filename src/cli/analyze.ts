// `servesim analyze <trace.jsonl>`: print the DATASET ANALYSIS block (or its figures as JSON) of a trace or built-in workload.
import type { CommandModule } from 'yargs';

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
      .option('seed', { type: 'string', default: '0', describe: 'seed of the built-in workload' })
      .option('param', { type: 'string', array: true, default: [], describe: 'workload parameter name=value (repeatable)' })
      .option('block-size', { type: 'number', default: 512, describe: 'tokens per hash id' })
      .option('json', { type: 'boolean', default: false, describe: 'print the figures as JSON' })
      .option('name', { type: 'string', describe: 'title (default: the file name or workload name)' }),
  handler: async (a) => {
    const { analyze } = await import('../app/analyze.ts');
    const { analysis, text } = await analyze({ trace: a.trace, workload: a.workload, seed: a.seed, param: a.param, blockTokens: a['block-size'], name: a.name });
    process.stdout.write(a.json ? JSON.stringify(analysis, null, 2) + '\n' : text);
  },
};
