// `servesim analyze <trace.jsonl>`: print the DATASET ANALYSIS block (or its figures as JSON) of a trace or built-in workload.
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { InputError } from '../errors.ts';
import { analyzeRequests, formatAnalysis } from '../trace/analyze.ts';
import { readTrace } from '../trace/read.ts';
import { getWorkload, parseParamPairs } from '../trace/workloads.ts';

export interface AnalyzeArgs {
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
    const bs = a['block-size'];
    if (!Number.isInteger(bs) || bs < 1) throw new InputError(`--block-size: must be an integer >= 1, got ${bs}`);
    let requests;
    let name: string;
    if (a.trace !== undefined) {
      if (a.workload !== undefined) throw new InputError(`give either a trace file or --workload, not both (trace ${a.trace}, workload ${a.workload})`);
      if (a.param.length > 0) throw new InputError('--param applies to a built-in --workload, not to a trace file');
      requests = await readTrace(a.trace, bs);
      name = basename(a.trace);
    } else if (a.workload !== undefined) {
      requests = getWorkload(a.workload).generate({ seed: a.seed, params: parseParamPairs(a.param) });
      name = a.workload;
      if (requests.length === 0) throw new InputError(`workload ${a.workload} generated no requests`);
    } else throw new InputError('name a trace file or a built-in --workload');
    const analysis = analyzeRequests(requests, { name: a.name ?? name, blockTokens: bs });
    process.stdout.write(a.json ? JSON.stringify(analysis, null, 2) + '\n' : formatAnalysis(analysis));
  },
};
