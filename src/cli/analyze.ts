// `servesim analyze <trace.jsonl>`: print the DATASET ANALYSIS block (or its figures as JSON) of a trace or built-in workload.
import type { CommandModule } from 'yargs';
import { checkInputSpec, inputLabel } from '../app/inputs.ts';
import { analyzeRequests, formatAnalysis } from '../trace/analyze.ts';
import { parseParamPairs } from '../trace/params.ts';
import { readTrace } from '../trace/read.ts';
import { getWorkload } from '../trace/workloads.ts';
import { InputError } from '../util/errors.ts';

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
    const spec = { trace: a.trace, workload: a.workload, seed: a.seed, params: parseParamPairs(a.param) };
    checkInputSpec(spec);
    if (a.trace === undefined && a.workload === undefined) throw new InputError('name a trace file or a built-in --workload');
    const requests = a.trace !== undefined ? await readTrace(a.trace, bs) : getWorkload(a.workload!).generate({ seed: a.seed, params: spec.params });
    if (requests.length === 0) throw new InputError(`workload ${a.workload} generated no requests`);
    const analysis = analyzeRequests(requests, { name: a.name ?? inputLabel(spec), blockTokens: bs });
    process.stdout.write(a.json ? JSON.stringify(analysis, null, 2) + '\n' : formatAnalysis(analysis));
  },
};
